"""ORM models, one module per bounded context; importing this package registers every table."""

from .accounts import ApiToken, LoginSession, Organization, Team, TeamMember, User
from .annotations import Annotation
from .assignments import Assignment
from .items import Item
from .jobs import Job
from .projects import Project, ProjectTeam

__all__ = [
    "Organization", "User", "LoginSession", "ApiToken", "Team", "TeamMember",
    "Project", "ProjectTeam", "Item", "Assignment", "Annotation", "Job",
]
