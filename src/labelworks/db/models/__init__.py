"""ORM models, one module per bounded context; importing this package registers every table."""

from .assist import ProjectAssist
from .accounts import ApiToken, LoginSession, Organization, Team, TeamMember, User
from .annotations import Annotation
from .assignments import Assignment
from .consolidation import Consolidation, ConsolidationRun
from .embeddings import ItemEmbedding
from .items import Item
from .jobs import Job
from .model_connections import Generation, ModelConnection
from .projects import Project, ProjectTeam
from .redteam import RedteamSession, RedteamSessionModel, RedteamTaxonomy, RedteamTurn
from .reviews import ItemStage, ProjectReview, ReviewFeedback, ReviewTask
from .quality import GoldItem, ProjectQuality, QualityNotification, WorkerPause

__all__ = [
    "Organization", "User", "LoginSession", "ApiToken", "Team", "TeamMember",
    "Project", "ProjectTeam", "Item", "Assignment", "Annotation", "Job", "Consolidation", "ConsolidationRun",
    "ProjectReview", "ReviewTask", "ReviewFeedback", "ItemStage",
    "ProjectQuality", "GoldItem", "WorkerPause", "QualityNotification",
    "ProjectAssist", "ItemEmbedding", "ModelConnection", "Generation",
    "RedteamTaxonomy", "RedteamSession", "RedteamSessionModel", "RedteamTurn",
]
