"""Closed vocabularies shared by every layer."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Role", "AssignmentStatus", "AnnotationSource", "JobStatus", "JobKind", "ROLE_RANK"]


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MANAGER = "manager"
    REVIEWER = "reviewer"
    ANNOTATOR = "annotator"


# Higher rank can do what a lower rank can (the authz matrix still decides each action).
ROLE_RANK = {Role.ANNOTATOR: 0, Role.REVIEWER: 1, Role.MANAGER: 2, Role.ADMIN: 3, Role.OWNER: 4}


class AssignmentStatus(StrEnum):
    ACTIVE = "active"
    SUBMITTED = "submitted"
    SKIPPED = "skipped"


class AnnotationSource(StrEnum):
    HUMAN = "human"
    MODEL = "model"
    AUTO = "auto"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobKind(StrEnum):
    IMPORT = "import"
    EXPORT = "export"
