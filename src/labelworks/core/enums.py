"""Closed vocabularies shared by every layer."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Role", "AssignmentStatus", "FINAL_FOR_ANNOTATOR", "AnnotationSource", "JobStatus", "JobKind", "ROLE_RANK"]


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
    EXPIRED = "expired"  # the time limit passed; the slot went back to the pool
    RELEASED = "released"  # given back unfinished; the slot went back to the pool


# An annotator with one of these on an item is never offered that item again.
FINAL_FOR_ANNOTATOR = (AssignmentStatus.ACTIVE, AssignmentStatus.SUBMITTED, AssignmentStatus.SKIPPED)


class AnnotationSource(StrEnum):
    HUMAN = "human"
    MODEL = "model"
    AUTO = "auto"
    REVIEW = "review"  # a reviewer's adjustment: it becomes the item's answer


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobKind(StrEnum):
    IMPORT = "import"
    EXPORT = "export"
    CONSOLIDATE = "consolidate"  # a full fit of the project's consolidation method
    PRELABEL = "prelabel"  # an assist over the unlabeled items, stored as pre-annotations
    EMBED = "embed"  # the project's text embedding index (similar items, dedup, kNN label suggestions)
    GENERATE = "generate"  # replies of the project's connected models to every prompt item
    DEDUP = "dedup"  # near-duplicate groups over the embedding index (optionally marked)
