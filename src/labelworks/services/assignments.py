"""Assignments: who labels what next.

Invariants, on SQLite and PostgreSQL alike:
- an item is never leased to more annotators than the project's workers per item
  (``items.taken`` counts active leases plus submissions and is only raised by a conditional
  UPDATE that re-checks ``taken < N``);
- an item is never given twice to one annotator (a unique (item, user) row, kept after submit
  and skip; only an expired or released lease is deleted, which gives the slot back).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..authz import authorize
from ..core.actor import Actor
from ..core.enums import AssignmentStatus
from ..core.errors import Conflict, NotFound
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import Assignment, Item, Project
from .projects import load_visible

__all__ = ["Lease", "next_for", "skip", "release", "save_draft", "reclaim_expired", "reopen_items",
           "load_active_lease"]

_CANDIDATES = 8  # on PostgreSQL, rows a racing annotator may try before re-reading
_RETRIES = 20


@dataclass(frozen=True)
class Lease:
    assignment_id: int
    item_id: int
    project_id: int
    expires_at: datetime
    data: dict[str, Any]
    draft: Any | None


def _lease(a: Assignment, data: str) -> Lease:
    return Lease(a.id, a.item_id, a.project_id, a.expires_at, json.loads(data),
                 json.loads(a.draft) if a.draft else None)


def reclaim_expired(s: Session, project_id: int, now: datetime) -> int:
    """Delete leases past their expiry and give their slots back to the pool."""
    expired = s.execute(
        select(Assignment.id, Assignment.item_id).where(
            Assignment.project_id == project_id, Assignment.status == AssignmentStatus.ACTIVE,
            Assignment.expires_at < now)
    ).all()
    for aid, item_id in expired:
        _give_back(s, aid, item_id)
    return len(expired)


def _give_back(s: Session, assignment_id: int, item_id: int) -> None:
    s.execute(delete(Assignment).where(Assignment.id == assignment_id))
    s.execute(update(Item).where(Item.id == item_id).values(taken=Item.taken - 1, is_open=1))


def reopen_items(s: Session, project_id: int, workers_per_item: int) -> None:
    """After workers per item changed: recompute which items still take annotators."""
    s.execute(update(Item).where(Item.project_id == project_id)
              .values(is_open=case((Item.taken < workers_per_item, 1), else_=0)))


def _held(s: Session, actor: Actor, project_id: int, exclude: list[int], now: datetime) -> Lease | None:
    row = s.execute(
        select(Assignment, Item.data).join(Item, Item.id == Assignment.item_id).where(
            Assignment.project_id == project_id, Assignment.user_id == actor.user_id,
            Assignment.status == AssignmentStatus.ACTIVE, Assignment.expires_at >= now,
            Assignment.id.not_in(exclude or [-1]))
        .order_by(Assignment.id).limit(1)
    ).first()
    return _lease(row[0], row[1]) if row else None


def _candidates(s: Session, actor: Actor, p: Project, now: datetime, postgres: bool) -> list[int]:
    mine = exists().where(Assignment.item_id == Item.id, Assignment.user_id == actor.user_id)
    conditions = [Item.project_id == p.id, Item.is_open == 1, ~mine]
    if p.task_lifetime_s:
        conditions.append(Item.created_at >= now - timedelta(seconds=p.task_lifetime_s))
    query = select(Item.id).where(and_(*conditions)).order_by(Item.priority.desc(), Item.id)
    if postgres:
        # racing annotators take different rows instead of queueing on the first one
        query = query.limit(_CANDIDATES).with_for_update(skip_locked=True, of=Item)
    else:
        query = query.limit(1)  # SQLite: BEGIN IMMEDIATE already serialises writers
    return list(s.scalars(query))


def _try_take(s: Session, item_id: int, n: int) -> bool:
    taken = s.execute(
        update(Item).where(Item.id == item_id, Item.taken < n)
        .values(taken=Item.taken + 1, is_open=case((Item.taken + 1 < n, 1), else_=0))
    )
    return bool(taken.rowcount)


def next_for(db: Database, actor: Actor, project_id: int, exclude: list[int] | None = None) -> Lease | None:
    """The annotator's current lease (not in ``exclude``), else a new one; None when nothing is left."""
    authorize(actor, "task.label")
    exclude = list(exclude or [])
    for _ in range(_RETRIES):
        try:
            with db.write() as s:
                p = load_visible(s, actor, project_id)
                now = utcnow()
                reclaim_expired(s, p.id, now)
                held = _held(s, actor, p.id, exclude, now)
                if held is not None:
                    return held
                for item_id in _candidates(s, actor, p, now, postgres=not db.is_sqlite):
                    if not _try_take(s, item_id, p.workers_per_item):
                        continue
                    a = Assignment(project_id=p.id, item_id=item_id, user_id=actor.user_id,
                                   status=AssignmentStatus.ACTIVE, leased_at=now,
                                   expires_at=now + timedelta(seconds=p.task_time_limit_s))
                    s.add(a)
                    s.flush()
                    data = s.scalar(select(Item.data).where(Item.id == item_id))
                    return _lease(a, data or "{}")
                if not _candidates_exist_locked(s, actor, p, now, db.is_sqlite):
                    return None
        except IntegrityError:
            continue  # the same annotator raced themselves for one item: try again
    raise Conflict("too many annotators at once; try again")


def _candidates_exist_locked(s: Session, actor: Actor, p: Project, now: datetime, sqlite: bool) -> bool:
    """On PostgreSQL, rows skipped because another transaction holds them may still be free."""
    if sqlite:
        return False
    mine = exists().where(Assignment.item_id == Item.id, Assignment.user_id == actor.user_id)
    return bool(s.scalar(select(exists().where(Item.project_id == p.id, Item.is_open == 1, ~mine))))


def load_active_lease(s: Session, actor: Actor, assignment_id: int) -> Assignment:
    """The caller's own active, unexpired lease; otherwise NotFound or Conflict."""
    a = s.get(Assignment, assignment_id)
    if a is None or a.user_id != actor.user_id:
        raise NotFound(f"no assignment {assignment_id}")
    if a.status != AssignmentStatus.ACTIVE:
        raise Conflict(f"assignment {assignment_id} is already {a.status}")
    return a


def skip(db: Database, actor: Actor, assignment_id: int) -> None:
    """The annotator passes: the slot goes back to the pool, and this item never comes back to them."""
    with db.write() as s:
        a = load_active_lease(s, actor, assignment_id)
        a.status = AssignmentStatus.SKIPPED
        a.finished_at = utcnow()
        s.execute(update(Item).where(Item.id == a.item_id).values(taken=Item.taken - 1, is_open=1))


def release(db: Database, actor: Actor, assignment_id: int) -> None:
    """Give the lease back unfinished (it may be offered again, to anyone)."""
    with db.write() as s:
        a = load_active_lease(s, actor, assignment_id)
        _give_back(s, a.id, a.item_id)


def save_draft(db: Database, actor: Actor, assignment_id: int, value: Any) -> None:
    encoded = json.dumps(value)
    if len(encoded) > 4 * 1024 * 1024:
        from ..core.errors import ValidationFailed

        raise ValidationFailed("the draft is larger than 4 MiB", field="value")
    with db.write() as s:
        a = load_active_lease(s, actor, assignment_id)
        a.draft = encoded


def active_count(s: Session, project_id: int) -> int:
    return int(s.scalar(select(func.count(Assignment.id)).where(
        Assignment.project_id == project_id, Assignment.status == AssignmentStatus.ACTIVE)) or 0)
