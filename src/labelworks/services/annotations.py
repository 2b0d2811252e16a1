"""Annotations: validated submissions, idempotent by client submission id, append-only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..authz import allowed, authorize
from ..core.actor import Actor
from ..core.enums import AnnotationSource, AssignmentStatus
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.tasktypes.base import ProjectSpec, TaskType
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import Annotation, Item, User
from . import submission_hooks
from .assignments import lease_gone_message
from .hotpath import S, Sql, project_from_row, visible_project
from .projects import info_from_row, load_visible

__all__ = ["AnnotationInfo", "submit", "revise", "annotations_for_item", "normalize_on_item"]

MAX_ACTIVE_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class AnnotationInfo:
    id: int
    project_id: int
    item_id: int
    user_id: int
    worker: str
    value: dict[str, Any]
    version: int
    supersedes_id: int | None
    source: str
    active_ms: int | None
    client_submission_id: str | None
    created_at: datetime


def _info(a: Annotation, worker: str = "") -> AnnotationInfo:
    return AnnotationInfo(a.id, a.project_id, a.item_id, a.user_id, worker, json.loads(a.value), a.version,
                          a.supersedes_id, a.source, a.active_ms, a.client_submission_id, a.created_at)


def normalize_on_item(s: Session, task_type: TaskType, spec: ProjectSpec, value: Any, item_id: int) -> dict[str, Any]:
    """The canonical value; a task type that checks against the item (label adjustment) reads its data."""
    if not task_type.reads_item_data:
        return task_type.normalize(value, spec)
    data = s.execute(select(Item.data).where(Item.id == item_id)).scalar_one()
    return task_type.normalize_with_item(value, spec, json.loads(data))


def _check_submission_id(value: str | None) -> None:
    if value is not None and not (1 <= len(value) <= 80):
        raise ValidationFailed("client_submission_id must be 1 to 80 characters", field="client_submission_id")


def _check_active_ms(active_ms: int | None) -> None:
    if active_ms is not None and not 0 <= active_ms <= MAX_ACTIVE_MS:
        raise ValidationFailed("active_ms must be between 0 and one day", field="active_ms")


def _existing(s: Session, actor: Actor, client_submission_id: str | None) -> Annotation | None:
    if client_submission_id is None:
        return None
    return s.scalar(select(Annotation).where(Annotation.user_id == actor.user_id,
                                             Annotation.client_submission_id == client_submission_id))


def submit(db: Database, actor: Actor, assignment_id: int, value: Any, *, client_submission_id: str | None = None,
           active_ms: int | None = None) -> tuple[AnnotationInfo, bool]:
    """Store the annotation for a lease. Returns (annotation, created); a retry returns the first one."""
    authorize(actor, "task.label")
    _check_submission_id(client_submission_id)
    _check_active_ms(active_ms)
    try:
        # plain SQL only (no ORM objects unless a rare quality path pauses the worker): on SQLite a
        # bare savepoint in the writer's batch, the statements on the driver's cursor (see ``Sql``)
        with db.write_plain() as s:
            sql = Sql(s)
            row = sql.first(S.context, {"aid": assignment_id, "uid": actor.user_id, "cid": client_submission_id})
            if row is None:  # no such lease; a retry is still answered with its first annotation
                earlier = sql.first(S.by_submission, {"uid": actor.user_id, "cid": client_submission_id}) \
                    if client_submission_id is not None else None
                if earlier is not None:
                    return _info(s.get_one(Annotation, earlier[0]), actor.email), False
                raise NotFound(f"no assignment {assignment_id}")
            if row[S.PRIOR] is not None:  # a retry (the lease and the annotation read in one snapshot)
                return _info(s.get_one(Annotation, row[S.PRIOR]), actor.email), False
            project_id, item_id, user_id, status, leased_at, expires_at = row[:6]
            if user_id != actor.user_id:
                raise NotFound(f"no assignment {assignment_id}")
            if status != AssignmentStatus.ACTIVE:
                raise Conflict(lease_gone_message(assignment_id, status), field="assignment_id")
            now = utcnow()
            if expires_at < now:
                raise Conflict("the lease on this task has expired; fetch a new task", field="assignment_id")
            p = project_from_row(row[S.PROJECT], actor, project_id)
            canonical = normalize_on_item(s, p.type, p.spec, value, item_id)
            ctx = submission_hooks.before_store(s, p, item_id, actor.user_id, canonical, active_ms, raw=value,
                                                ctx=submission_hooks.context_from_row(row[S.HOOKS]))
            encoded = json.dumps(canonical)
            annotation_id = sql.rows(S.insert_annotation, {
                "pid": p.id, "item_id": item_id, "uid": actor.user_id, "aid": assignment_id, "value": encoded,
                "raw": json.dumps(value), "cid": client_submission_id, "active_ms": active_ms,
                "leased_at": leased_at, "now": now})[0][0]
            if not sql.rowcount(S.finish_lease, {"aid": assignment_id, "now": now}):
                raise Conflict(f"assignment {assignment_id} was finished meanwhile")
            sql.rowcount(S.count_done, {"item_id": item_id, "now": now})
            submission_hooks.after_store(s, p, item_id, actor.user_id, annotation_id, canonical, active_ms, ctx)
            info = AnnotationInfo(annotation_id, p.id, item_id, actor.user_id, actor.email, canonical, 1, None,
                                  AnnotationSource.HUMAN.value, active_ms, client_submission_id, now)
            return info, True
    except IntegrityError:
        with db.read() as s:  # a concurrent retry with the same id, or another submit on this lease, won
            prior = _existing(s, actor, client_submission_id)
        if prior is None:
            raise Conflict(f"assignment {assignment_id} was submitted meanwhile", field="assignment_id") from None
        return _info(prior, actor.email), False


def revise(db: Database, actor: Actor, annotation_id: int, value: Any, *, client_submission_id: str | None = None,
           active_ms: int | None = None) -> tuple[AnnotationInfo, bool]:
    """An edit: a new version that supersedes the latest one; the earlier rows stay as they were."""
    authorize(actor, "task.label")
    _check_submission_id(client_submission_id)
    _check_active_ms(active_ms)
    try:
        return _revise(db, actor, annotation_id, value, client_submission_id, active_ms)
    except IntegrityError:
        with db.read() as s:  # a retry with the same id, or a concurrent edit of the same version, won
            prior = _existing(s, actor, client_submission_id)
        if prior is not None:
            return _info(prior, actor.email), False
        raise Conflict(f"annotation {annotation_id} was revised meanwhile; reload and edit the latest") from None


def _revise(db: Database, actor: Actor, annotation_id: int, value: Any, client_submission_id: str | None,
            active_ms: int | None) -> tuple[AnnotationInfo, bool]:
    with db.write() as s:
        prior = _existing(s, actor, client_submission_id)
        if prior is not None:
            return _info(prior, actor.email), False
        base = s.get(Annotation, annotation_id)
        if base is None:
            raise NotFound(f"no annotation {annotation_id}")
        p = load_visible(s, actor, base.project_id)
        if base.user_id != actor.user_id:
            raise NotFound(f"no annotation {annotation_id}")
        latest = s.scalar(select(Annotation).where(Annotation.item_id == base.item_id,
                                                   Annotation.user_id == base.user_id)
                          .order_by(Annotation.version.desc()).limit(1))
        assert latest is not None
        if latest.id != base.id:
            raise Conflict(f"annotation {annotation_id} was already revised as {latest.id}; edit the latest")
        project = info_from_row(p)
        canonical = normalize_on_item(s, project.type, project.spec, value, base.item_id)
        hot = visible_project(s, actor, p.id)
        ctx = submission_hooks.before_store(s, hot, base.item_id, actor.user_id, canonical, active_ms, raw=value)
        row = Annotation(project_id=p.id, item_id=base.item_id, user_id=actor.user_id,
                         assignment_id=base.assignment_id, value=json.dumps(canonical), raw=json.dumps(value),
                         version=base.version + 1, supersedes_id=base.id, client_submission_id=client_submission_id,
                         active_ms=active_ms, source=base.source, leased_at=base.leased_at, created_at=utcnow())
        s.add(row)
        s.execute(update(Item).where(Item.id == base.item_id).values(last_annotated_at=row.created_at))
        s.flush()
        submission_hooks.after_store(s, hot, base.item_id, actor.user_id, row.id, canonical, active_ms, ctx)
        return _info(row, actor.email), True


def annotations_for_item(db: Database, actor: Actor, project_id: int, item_id: int) -> list[AnnotationInfo]:
    """Every version, oldest first. Annotators see only their own."""
    with db.read() as s:
        load_visible(s, actor, project_id)
        item = s.get(Item, item_id)
        if item is None or item.project_id != project_id:
            raise NotFound(f"no item {item_id} in project {project_id}")
        query = (select(Annotation, User.email).join(User, User.id == Annotation.user_id)
                 .where(Annotation.item_id == item_id).order_by(Annotation.id))
        if not allowed(actor, "annotation.view_all"):
            query = query.where(Annotation.user_id == actor.user_id)
        return [_info(a, email) for a, email in s.execute(query)]
