"""Assignments: who labels what next.

Invariants, on SQLite and PostgreSQL alike:
- an item is never leased to more annotators than its target: the project's workers per item,
  or with adaptive routing the item's own target (``items.wanted``, else the project's K)
  (``items.taken`` counts active leases plus submissions and is only raised by a conditional
  UPDATE that re-checks ``taken < N``);
- an item is never given twice to one annotator (a unique (item, user) row, kept after submit
  and skip; an expired or released lease is marked so, which gives the slot back).

Gold items stay out of that pool (``is_open`` is always 0 for them): with the project's gold
rate a next-task serves instead a gold item this worker has not answered yet, through the same
lease, so nothing tells the annotator which one it is. A worker paused by qualification gets
no task at all, with the reason.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..authz import authorize
from ..core.actor import Actor
from ..core.enums import AssignmentStatus
from ..core.errors import Conflict, NotFound, PermissionDenied
from ..core.quality.gold import wants_gold
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import Assignment
from .hotpath import N, T, ProjectRow, Sql, labels_of, project_from_row

__all__ = ["Lease", "lease_gone_message", "next_for", "skip", "release", "save_draft", "reclaim_expired", "reopen_items",
           "load_active_lease"]

_gold_draws = random.Random()
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
    labels: tuple[str, ...] = ()
    multi_label: bool = False


def reclaim_expired(s: Session, project_id: int, now: datetime) -> int:
    """Delete leases past their expiry and give their slots back to the pool."""
    expired = s.execute(T.expired, {"pid": project_id, "now": now}).all()
    for aid, item_id in expired:
        _give_back(s, aid, item_id, AssignmentStatus.EXPIRED, now)
    return len(expired)


def _give_back(s: Session, assignment_id: int, item_id: int, status: AssignmentStatus, now: datetime) -> None:
    s.execute(T.end_lease, {"aid": assignment_id, "status": status.value, "now": now})
    s.execute(T.give_back, {"item_id": item_id})


def reopen_items(s: Session, project_id: int, workers_per_item: int) -> None:
    """After workers per item changed: recompute which items still take annotators."""
    from .routing import reopen

    reopen(s, project_id, workers_per_item)


def _lease(p: ProjectRow, aid: int, item_id: int, expires: datetime, draft: str | None, data: str) -> Lease:
    return Lease(aid, item_id, p.id, expires, json.loads(data), json.loads(draft) if draft else None,
                 labels_of(p.label_config), p.multi_label)


class _Raced(Exception):
    """Raised inside the lease transaction to roll it back and try again."""


def _since(p: ProjectRow, now: datetime) -> dict[str, Any]:
    """The task-lifetime bound on candidates, as a parameter (none without a lifetime)."""
    return {"since": now - timedelta(seconds=p.task_lifetime_s)} if p.task_lifetime_s else {}


def _any_open(sql: Sql, actor: Actor, p: ProjectRow, now: datetime) -> bool:
    """Is any item open for this annotator (no row locked)? On PostgreSQL also: did locked rows hide some?"""
    since = _since(p, now)
    return sql.first(N.any_open_since if since else N.any_open, {"pid": p.id, "uid": actor.user_id, **since}) \
        is not None


def _new_lease(sql: Sql, actor: Actor, p: ProjectRow, now: datetime, item_id: int, data: str) -> Lease:
    expires = now + timedelta(seconds=p.task_time_limit_s)
    row = sql.first(N.insert_lease, {"pid": p.id, "item_id": item_id, "uid": actor.user_id,
                                     "now": now, "expires": expires})
    if row is None:  # another tab of this annotator leased this item since our scan
        raise _Raced()
    return _lease(p, row[0], item_id, expires, None, data)


def _gold_lease(sql: Sql, actor: Actor, p: ProjectRow, now: datetime, gold_rate: float) -> Lease | None:
    """A gold item this worker has not answered, when the gold rate picks one for this task."""
    # a fresh draw per task: counting the worker's earlier tasks instead would grow with their history
    if not wants_gold(actor.user_id, _gold_draws.getrandbits(62), gold_rate):
        return None
    row = sql.first(N.gold_candidates, {"pid": p.id, "uid": actor.user_id})
    if row is None:
        return None
    item_id, data = row
    sql.rowcount(N.take_gold, {"item_id": item_id})  # counted like any lease, so a give-back balances it
    return _new_lease(sql, actor, p, now, item_id, data)


def _pool_lease(sql: Sql, actor: Actor, p: ProjectRow, now: datetime, n: int, routed: bool) -> Lease | None:
    """Take the first open item of the pool for this annotator; None when there is none."""
    params: dict[str, Any] = {"pid": p.id, "uid": actor.user_id, "n": n, **_since(p, now)}
    if sql.is_sqlite:
        # BEGIN IMMEDIATE already serialises writers: pick and take the first candidate in one
        # statement (if its conditional raise fails, nothing is taken, as with the one-row scan before)
        row = sql.first(N.take_first[(routed, "since" in params)], params)
        return None if row is None else _new_lease(sql, actor, p, now, row[0], row[1])
    take = N.take_routed if routed else N.take
    params["k"] = _CANDIDATES
    for item_id, data in sql.rows(N.candidates_since_pg if "since" in params else N.candidates_pg, params):
        if sql.rowcount(take, {"item_id": item_id, "n": n}):
            return _new_lease(sql, actor, p, now, item_id, data)
    if _any_open(sql, actor, p, now):  # rows locked by racing annotators hid open items: try again
        raise _Raced()
    return None


def _context(sql: Sql, actor: Actor, project_id: int, now: datetime) -> tuple[ProjectRow, Sequence[Any]]:
    """The project (if the caller may see it) and next-task's settings and gates."""
    row = sql.first(N.context, {"pid": project_id, "uid": actor.user_id, "now": now})
    p = project_from_row(row, actor, project_id)
    assert row is not None  # project_from_row raised NotFound otherwise
    return p, row[11:]


def next_for(db: Database, actor: Actor, project_id: int, exclude: list[int] | None = None) -> Lease | None:
    """The annotator's current lease (not in ``exclude``), else a new one; None when nothing is left.

    A worker paused from the project by qualification gets ``PermissionDenied`` with the reason.
    """
    authorize(actor, "task.label")
    skip_ids = set(exclude or [])
    for attempt in range(_RETRIES):
        if attempt:
            # racing annotators that retry at once collide again: a short random wait, growing with
            # the attempts (at most ~40 ms in all), spreads them out
            time.sleep(_gold_draws.uniform(0, 0.0002 * attempt))
        try:
            with db.write_plain() as s:  # plain SQL only: no ORM objects in this unit
                sql, now = Sql(s), utcnow()
                p, (has_quality, gold_rate, routed, initial_workers, paused, any_expired, any_active) = \
                    _context(sql, actor, project_id, now)
                n = p.workers_per_item
                if has_quality:
                    if paused:
                        raise PermissionDenied(str(paused))
                    if routed:
                        n = int(initial_workers)
                if any_expired:
                    reclaim_expired(s, p.id, now)
                if any_active:
                    for aid, item_id, expires, draft, data in sql.rows(N.held, {"pid": p.id, "uid": actor.user_id,
                                                                                "now": now}):
                        if aid not in skip_ids:
                            return _lease(p, aid, item_id, expires, draft, data)
                # gold only while real tasks remain (it must look like one), decided before any
                # candidate row is locked: a gold row may be busy, and we must not wait holding others
                if has_quality and gold_rate > 0 and _any_open(sql, actor, p, now):
                    gold = _gold_lease(sql, actor, p, now, float(gold_rate))
                    if gold is not None:
                        return gold
                return _pool_lease(sql, actor, p, now, n, bool(has_quality and routed))
        except (IntegrityError, _Raced):
            continue  # the same annotator raced themselves for one item, or locked rows hid the pool: try again
    raise Conflict("too many annotators at once; try again")


def lease_gone_message(assignment_id: int, status: str) -> str:
    if status == AssignmentStatus.EXPIRED:
        return "the lease on this task has expired; fetch a new task"
    if status == AssignmentStatus.RELEASED:
        return "this task was given back; fetch a new task"
    return f"assignment {assignment_id} is already {status}"


def load_active_lease(s: Session, actor: Actor, assignment_id: int) -> Assignment:
    """The caller's own active, unexpired lease; otherwise NotFound or Conflict."""
    a = s.get(Assignment, assignment_id)
    if a is None or a.user_id != actor.user_id:
        raise NotFound(f"no assignment {assignment_id}")
    if a.status != AssignmentStatus.ACTIVE:
        raise Conflict(lease_gone_message(assignment_id, a.status), field="assignment_id")
    return a


def skip(db: Database, actor: Actor, assignment_id: int) -> None:
    """The annotator passes: the slot goes back to the pool, and this item never comes back to them."""
    with db.write() as s:
        a = load_active_lease(s, actor, assignment_id)
        a.status = AssignmentStatus.SKIPPED
        a.finished_at = utcnow()
        s.execute(T.give_back, {"item_id": a.item_id})  # gold-aware: a skipped gold item stays out of the pool


def release(db: Database, actor: Actor, assignment_id: int) -> None:
    """Give the lease back unfinished (it may be offered again, to anyone)."""
    with db.write() as s:
        a = load_active_lease(s, actor, assignment_id)
        _give_back(s, a.id, a.item_id, AssignmentStatus.RELEASED, utcnow())


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
