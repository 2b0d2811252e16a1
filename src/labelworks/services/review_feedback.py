"""Review feedback and stage history: what annotators are told, their rework, what happened to an item.

The decisions that write feedback and stages are in ``reviews``; this module reads them, and lets
an annotator answer feedback with a revision (which ``reviews`` turns into the next round).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..authz import allowed, authorize
from ..core.actor import Actor
from ..core.enums import AnnotationSource
from ..core.errors import Conflict, NotFound
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import Annotation, Item, ItemStage, ReviewFeedback, ReviewTask, User
from . import consolidation
from .annotations import AnnotationInfo, revise
from .hotpath import visible_project
from .reviews import answered_feedback, sync_reworks

__all__ = ["FeedbackInfo", "StageInfo", "list_feedback", "rework", "item_stages"]


@dataclass(frozen=True)
class FeedbackInfo:
    id: int
    project_id: int
    item_id: int
    item_key: str
    data: dict[str, Any]
    annotation_id: int
    annotator: str
    value: dict[str, Any]
    reviewer: str
    text: str
    round: int
    created_at: datetime
    resolved_at: datetime | None
    resolved_by_annotation_id: int | None


@dataclass(frozen=True)
class StageInfo:
    stage: str
    round: int
    actor: str | None
    note: str | None
    at: datetime


# ------------------------------------------------------------------------------- feedback


def list_feedback(db: Database, actor: Actor, project_id: int, *, open_only: bool = False,
                  annotator_id: int | None = None, limit: int = 200) -> list[FeedbackInfo]:
    """Feedback on annotations, newest first. Annotators see only feedback on their own work."""
    authorize(actor, "project.view")
    with db.read() as s:
        visible_project(s, actor, project_id)
        reviewer = User.__table__.alias("reviewer")
        annotator = User.__table__.alias("annotator")
        query = (select(ReviewFeedback, Annotation.value, Item.key, Item.data, ReviewTask.round,
                        annotator.c.email, reviewer.c.email)
                 .join(Annotation, Annotation.id == ReviewFeedback.annotation_id)
                 .join(Item, Item.id == ReviewFeedback.item_id)
                 .join(ReviewTask, ReviewTask.id == ReviewFeedback.task_id)
                 .join(annotator, annotator.c.id == ReviewFeedback.annotator_id)
                 .outerjoin(reviewer, reviewer.c.id == ReviewFeedback.reviewer_id)
                 .where(ReviewFeedback.project_id == project_id)
                 .order_by(ReviewFeedback.id.desc()).limit(limit))
        if not allowed(actor, "feedback.view_all"):
            query = query.where(ReviewFeedback.annotator_id == actor.user_id)
        elif annotator_id is not None:
            query = query.where(ReviewFeedback.annotator_id == annotator_id)
        # a revision made through the plain edit path answers feedback before the queue marks it so
        answered = {r[0]: (r[5], r[4]) for r in answered_feedback(s, project_id)}
        if open_only:
            query = query.where(ReviewFeedback.resolved_at.is_(None), ReviewFeedback.id.not_in(list(answered)))
        out = []
        for f, value, key, data, round_, a_email, r_email in s.execute(query):
            resolved_at, resolved_by = answered.get(f.id, (f.resolved_at, f.resolved_by_annotation_id))
            out.append(FeedbackInfo(f.id, f.project_id, f.item_id, key, json.loads(data), f.annotation_id, a_email,
                                    json.loads(value), r_email or "a former reviewer", f.text, round_, f.created_at,
                                    resolved_at, resolved_by))
        return out


def rework(db: Database, actor: Actor, feedback_id: int, value: Any, *, client_submission_id: str | None = None,
           active_ms: int | None = None) -> AnnotationInfo:
    """The annotator answers feedback with a revision of their annotation; the item goes back to review."""
    authorize(actor, "task.label")
    with db.read() as s:
        f = s.get(ReviewFeedback, feedback_id)
        if f is None or f.annotator_id != actor.user_id:
            raise NotFound(f"no feedback {feedback_id}")
        visible_project(s, actor, f.project_id)
        if f.resolved_at is not None:
            raise Conflict(f"feedback {feedback_id} was already answered by annotation {f.resolved_by_annotation_id}")
        latest_id = s.scalar(select(Annotation.id).where(Annotation.item_id == f.item_id,
                                                         Annotation.user_id == actor.user_id)
                             .order_by(Annotation.version.desc()).limit(1))
    assert latest_id is not None  # the feedback's annotation exists (rows are never deleted)
    info, _ = revise(db, actor, latest_id, value, client_submission_id=client_submission_id, active_ms=active_ms)
    with db.write() as s:
        p = visible_project(s, actor, info.project_id)
        sync_reworks(s, p.id, utcnow())
        consolidation.refresh_item(s, p, info.item_id)  # the revision changes the item's answer
    return info


# -------------------------------------------------------------------------------- history


def item_stages(db: Database, actor: Actor, project_id: int, item_id: int) -> list[StageInfo]:
    """Every stage change of one item, oldest first (each annotator's first submission is ``labeled``)."""
    authorize(actor, "item.list")
    with db.read() as s:
        visible_project(s, actor, project_id)
        item = s.get(Item, item_id)
        if item is None or item.project_id != project_id:
            raise NotFound(f"no item {item_id} in project {project_id}")
        out: list[tuple[datetime, int, StageInfo]] = []
        for a, email in s.execute(select(Annotation, User.email).join(User, User.id == Annotation.user_id).where(
                Annotation.item_id == item_id, Annotation.version == 1,
                Annotation.source != AnnotationSource.REVIEW.value)):
            out.append((a.created_at, 0, StageInfo("labeled", 0, email, f"annotation {a.id}", a.created_at)))
        for st, email in s.execute(select(ItemStage, User.email).outerjoin(User, User.id == ItemStage.actor_id)
                                   .where(ItemStage.project_id == project_id, ItemStage.item_id == item_id)):
            out.append((st.created_at, st.id, StageInfo(st.stage, st.round, email, st.note, st.created_at)))
        return [info for _, _, info in sorted(out, key=lambda x: (x[0], x[1]))]
