"""Review stages: which labeled items a reviewer sees, the reviewer's decisions, feedback and history.

How an item enters review
    Its labeling is complete (``items.done >= workers_per_item`` and the item is closed, so an item
    routed to more workers waits for them) and the project's sampling picks it: ``all``, a
    ``percent`` (a hash of project and item id, so the same items are picked on every run and
    every server), or ``below_confidence`` (the consolidated confidence is below a threshold).
    Then a ``review_tasks`` row (round 1, ``pending``) is written. Three paths write it:
    :func:`on_item_labeled`, called in the submit transaction after consolidation; a backfill
    when the settings change (items labeled before review was switched on); and a sweep when a
    reviewer finds the queue empty (at most every ``SWEEP_EVERY_S``), which catches items that
    became complete without a submission (workers per item lowered).

Leases
    The task row is the lease, as with assignments: a conditional UPDATE takes a ``pending`` row
    or one whose lease expired, so two reviewers never hold the same item (``FOR UPDATE SKIP
    LOCKED`` on PostgreSQL lets racing reviewers take different rows). A reviewer is never given
    an item they labeled themselves.

Decisions
    approve; reject (feedback text to the authors of the chosen annotations); adjust (a new
    annotation by the reviewer with source ``review``, which consolidation takes as the answer).
    When every rejected annotation has been revised by its author (a new version), the item
    comes back as the next round.

Every stage change is kept in ``item_stages``. Feedback, rework and the stage history are read in
``review_feedback``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, and_, bindparam, delete, func, or_, select, text, update
from sqlalchemy.orm import Session

from ..authz import authorize
from ..core.actor import Actor
from ..core.enums import AnnotationSource
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import (
    Annotation, GoldItem, Item, ItemStage, ProjectReview, ReviewFeedback, ReviewTask, User,
)
from . import consolidation
from .hotpath import ProjectRow, visible_project
from .review_sampling import MODES, ReviewSettings, is_sampled, validated_settings

__all__ = [
    "MODES", "ReviewSettings", "ReviewTaskInfo", "ReviewAnswer", "ReviewView",
    "get_settings", "update_settings", "on_item_labeled", "is_sampled", "next_review", "get_review",
    "approve", "reject", "adjust", "release", "queue_summary", "review_outcomes", "sync_reworks", "answered_feedback", "SWEEP_EVERY_S",
]

DECIDED = ("approved", "rejected", "adjusted")
SWEEP_EVERY_S = 30.0  # an empty queue looks for newly complete items at most this often
MAX_FEEDBACK = 5000
_BATCH = 2000
_CANDIDATES = 8  # PostgreSQL: rows a racing reviewer may try before re-reading
_SWEEP_MARGIN = timedelta(seconds=120)  # transactions that committed late still fall inside the window


# --------------------------------------------------------------------------------------- values


@dataclass(frozen=True)
class ReviewTaskInfo:
    id: int
    project_id: int
    item_id: int
    round: int
    status: str
    reason: str
    confidence: float | None
    reviewer_id: int | None
    expires_at: datetime | None
    decided_at: datetime | None


@dataclass(frozen=True)
class ReviewAnswer:
    """One annotator's latest answer on the item."""

    annotation_id: int
    user_id: int
    worker: str
    value: dict[str, Any]
    version: int
    source: str
    active_ms: int | None
    created_at: datetime


@dataclass(frozen=True)
class ReviewView:
    """What a reviewer sees: the task, the item, every answer and the consolidated one."""

    task: ReviewTaskInfo
    item_key: str
    data: dict[str, Any]
    answers: list[ReviewAnswer]
    consolidated: dict[str, Any] | None
    confidence: float | None
    method: str | None
    labels: tuple[str, ...]
    multi_label: bool
    earlier: list[dict[str, Any]] = field(default_factory=list)  # decisions of earlier rounds


# ------------------------------------------------------------------------------------ settings


def _settings(s: Session, project_id: int) -> ReviewSettings:
    row = s.get(ProjectReview, project_id)
    if row is None:
        return ReviewSettings()
    return ReviewSettings(row.mode, row.percent, row.threshold, row.time_limit_s, row.updated_at)


def get_settings(db: Database, actor: Actor, project_id: int) -> ReviewSettings:
    authorize(actor, "project.stats")
    with db.read() as s:
        visible_project(s, actor, project_id)
        return _settings(s, project_id)


def update_settings(db: Database, actor: Actor, project_id: int, mode: str, *, percent: float | None = None,
                    threshold: float | None = None, time_limit_s: int = 900) -> tuple[ReviewSettings, int]:
    """Change the sampling; items already labeled are queued (or dropped) now. Returns (settings, queued)."""
    authorize(actor, "project.update")
    wanted = validated_settings(mode, percent, threshold, time_limit_s)
    with db.write() as s:
        p = visible_project(s, actor, project_id)
        now = utcnow()
        row = s.get(ProjectReview, project_id)
        if row is None:
            row = ProjectReview(project_id=project_id)
            s.add(row)
        row.mode, row.percent, row.threshold = wanted.mode, wanted.percent, wanted.threshold
        row.time_limit_s, row.updated_by, row.updated_at = wanted.time_limit_s, actor.user_id, now
        s.flush()
        queued = _backfill(s, p, _settings(s, project_id), now, actor.user_id, resample=True)
        return _settings(s, project_id), queued


def _latest_answers(s: Session, item_ids: Sequence[int]) -> dict[int, list[tuple[Annotation, str]]]:
    """Each worker's latest non-review annotation per item (with the worker's email)."""
    rows = s.execute(select(Annotation, User.email).join(User, User.id == Annotation.user_id)
                     .where(Annotation.item_id.in_(item_ids), Annotation.source != AnnotationSource.REVIEW.value)
                     .order_by(Annotation.item_id, Annotation.id)).all()
    latest: dict[int, dict[int, tuple[Annotation, str]]] = {}
    for a, email in rows:
        latest.setdefault(a.item_id, {})[a.user_id] = (a, email)  # id order: the last version wins
    return {item_id: list(by_user.values()) for item_id, by_user in latest.items()}


def _consolidated(s: Session, p: ProjectRow, item_ids: Sequence[int]) -> dict[int, tuple[dict[str, Any], float, str]]:
    """The stored consolidated answer per item; computed by the task type where none is stored yet."""
    out = {i: (r.value, r.confidence, r.method) for i, r in consolidation.consolidated_for_items(s, p.id, item_ids).items()}
    missing = [i for i in item_ids if i not in out]
    if missing:
        task_type, spec = p.type, p.spec
        for item_id, answers in _latest_answers(s, missing).items():
            answer = task_type.consolidate([json.loads(a.value) for a, _ in answers], spec)
            if answer is not None:
                out[item_id] = (dict(answer.value), float(answer.confidence), answer.method)
    return out


# Prebuilt statements (as in ``hotpath``): on_item_labeled runs in every submit transaction, where
# the ORM's statement building cost ~2 ms a call; two ORM objects per item also made switching
# review on for 100k labeled items take 15 s. Rows are written at once, so stage ids follow events.
_TS = DateTime()
_insert_stage = text(
    "INSERT INTO item_stages (project_id, item_id, round, stage, actor_id, note, created_at) "
    "VALUES (:project_id, :item_id, :round, :stage, :actor_id, :note, :created_at)"
).bindparams(bindparam("created_at", type_=_TS))
_insert_task = text(
    "INSERT INTO review_tasks (project_id, item_id, round, status, reason, confidence, created_at) "
    "VALUES (:project_id, :item_id, :round, :status, :reason, :confidence, :created_at)"
).bindparams(bindparam("created_at", type_=_TS))
_review_mode = text("SELECT mode, percent, threshold FROM project_reviews WHERE project_id = :pid")
# complete (see _complete_item), not gold, and never queued before
_due = text(
    "SELECT 1 FROM items i WHERE i.id = :iid AND i.is_open = 0 AND i.done > 0 AND i.done >= i.taken "
    "AND NOT EXISTS (SELECT 1 FROM gold_items g WHERE g.item_id = i.id) "
    "AND NOT EXISTS (SELECT 1 FROM review_tasks t WHERE t.item_id = i.id)")


def _stage(s: Session, project_id: int, item_id: int, round_: int, stage: str, actor_id: int | None,
           note: str | None, now: datetime) -> None:
    s.execute(_insert_stage, {"project_id": project_id, "item_id": item_id, "round": round_, "stage": stage,
                              "actor_id": actor_id, "note": note, "created_at": now})


def _queue_many(s: Session, project_id: int, rows: Sequence[tuple[int, int, str, float | None]],
                actor_id: int | None, now: datetime) -> None:
    """Queue (item, round, reason, confidence) rows as pending review tasks, each with its ``sampled`` stage."""
    if not rows:
        return
    s.execute(_insert_task, [{"project_id": project_id, "item_id": item_id, "round": round_, "status": "pending",
                              "reason": reason, "confidence": confidence, "created_at": now}
                             for item_id, round_, reason, confidence in rows])
    s.execute(_insert_stage, [{"project_id": project_id, "item_id": item_id, "round": round_, "stage": "sampled",
                               "actor_id": actor_id, "note": reason, "created_at": now}
                              for item_id, round_, reason, _ in rows])


# Complete: closed (every slot of its target taken; with adaptive routing the per-item target) and
# no lease outstanding (every taken slot submitted). Gold items are never reviewed: their answer is
# known, and a reviewer who also labels must not learn which items are gold.
_complete_item = select(Item.id).where(
    Item.is_open == 0, Item.done > 0, Item.done >= Item.taken,
    ~select(GoldItem.item_id).where(GoldItem.item_id == Item.id).exists())


_UNREAD: Any = object()


def on_item_labeled(s: Session, project_id: int, item_id: int, confidence: float | None, *,
                    mode: Any = _UNREAD) -> bool:
    """After a submission was consolidated (submit transaction): queue the item if it is now due.

    Cheap when review is off (one primary-key read). Returns whether a review task was written.
    """
    row = s.execute(_review_mode, {"pid": project_id}).first() if mode is _UNREAD else mode
    if row is None or row[0] == "none":
        return False
    # an item already queued or reviewed is not queued again: a new round starts only after a rework
    if s.execute(_due, {"iid": item_id}).first() is None:
        return False
    settings = ReviewSettings(row[0], row[1], row[2])
    reason = is_sampled(settings, project_id, item_id, confidence)
    if reason is None:
        return False
    _queue_many(s, project_id, [(item_id, 1, reason, confidence)], None, utcnow())
    return True


def _backfill(s: Session, p: ProjectRow, settings: ReviewSettings, now: datetime, actor_id: int | None,
              resample: bool, since: datetime | None = None) -> int:
    """Queue complete items that have no review task yet (with ``since``, only items labeled since
    then); with ``resample``, drop untouched round-1 tasks the new sampling no longer picks.
    Returns how many tasks were queued."""
    if resample:
        pending = s.execute(select(ReviewTask.id, ReviewTask.item_id, ReviewTask.confidence).where(
            ReviewTask.project_id == p.id, ReviewTask.status == "pending", ReviewTask.round == 1)).all()
        confidences = _confidences(s, p, [r.item_id for r in pending]) if settings.mode == "below_confidence" else {}
        dropped = [r for r in pending if is_sampled(settings, p.id, r.item_id, confidences.get(r.item_id)) is None]
        for i in range(0, len(dropped), _BATCH):
            batch = dropped[i:i + _BATCH]
            s.execute(delete(ReviewTask).where(ReviewTask.id.in_([r.id for r in batch])))
            s.execute(_insert_stage, [{"project_id": p.id, "item_id": r.item_id, "round": 1, "stage": "unsampled",
                                       "actor_id": actor_id, "note": "the review settings changed", "created_at": now}
                                      for r in batch])
    queued = 0
    if settings.mode != "none":
        last_id = 0
        while True:
            query = _complete_item.where(
                Item.project_id == p.id, Item.id > last_id,
                ~select(ReviewTask.id).where(ReviewTask.item_id == Item.id).exists())
            if since is not None:
                query = query.where(Item.last_annotated_at >= since)
            ids = list(s.scalars(query.order_by(Item.id).limit(_BATCH)))
            if not ids:
                break
            confidences = _confidences(s, p, ids) if settings.mode == "below_confidence" else {}
            rows = [(item_id, 1, reason, confidences.get(item_id)) for item_id in ids
                    if (reason := is_sampled(settings, p.id, item_id, confidences.get(item_id))) is not None]
            _queue_many(s, p.id, rows, actor_id, now)
            queued += len(rows)
            last_id = ids[-1]
    s.execute(update(ProjectReview).where(ProjectReview.project_id == p.id).values(
        swept_at=now, swept_workers=p.workers_per_item))
    return queued


def _confidences(s: Session, p: ProjectRow, item_ids: Sequence[int]) -> dict[int, float]:
    out: dict[int, float] = {}
    for i in range(0, len(item_ids), _BATCH):
        out.update({k: v[1] for k, v in _consolidated(s, p, item_ids[i:i + _BATCH]).items()})
    return out


# --------------------------------------------------------------------------------- the queue


def _task_info(t: ReviewTask) -> ReviewTaskInfo:
    return ReviewTaskInfo(t.id, t.project_id, t.item_id, t.round, t.status, t.reason, t.confidence, t.reviewer_id,
                          t.expires_at, t.decided_at)


def answered_feedback(s: Session, project_id: int) -> list[tuple[int, int, int, int, int, datetime]]:
    """Open feedback whose annotation has a newer version by its author, not yet marked so:
    (feedback id, task id, item id, annotator id, the first newer annotation's id and time)."""
    old = Annotation.__table__.alias("old")
    newer = Annotation.__table__.alias("newer")
    rows = s.execute(
        select(ReviewFeedback.id, ReviewFeedback.task_id, ReviewFeedback.item_id, ReviewFeedback.annotator_id,
               func.min(newer.c.id))
        .join(old, old.c.id == ReviewFeedback.annotation_id)
        .join(newer, and_(newer.c.item_id == old.c.item_id, newer.c.user_id == old.c.user_id,
                          newer.c.version > old.c.version))
        .where(ReviewFeedback.project_id == project_id, ReviewFeedback.resolved_at.is_(None))
        .group_by(ReviewFeedback.id, ReviewFeedback.task_id, ReviewFeedback.item_id, ReviewFeedback.annotator_id)
    ).all()
    if not rows:
        return []
    at = dict(s.execute(select(Annotation.id, Annotation.created_at).where(Annotation.id.in_([r[4] for r in rows]))).all())
    return [(r[0], r[1], r[2], r[3], r[4], at[r[4]]) for r in rows]


def sync_reworks(s: Session, project_id: int, now: datetime) -> int:
    """Mark feedback answered by a newer version of its annotation; start the next round where a
    rejection's feedback is all answered. Revisions may come through any path, so this reads them."""
    rows = answered_feedback(s, project_id)
    if not rows:
        return 0
    tasks = {t.id: t for t in s.scalars(select(ReviewTask).where(ReviewTask.id.in_({r[1] for r in rows})))}
    for fid, task_id, item_id, annotator_id, revision_id, at in rows:
        s.execute(update(ReviewFeedback).where(ReviewFeedback.id == fid)
                  .values(resolved_at=at, resolved_by_annotation_id=revision_id))
        _stage(s, project_id, item_id, tasks[task_id].round, "reworked", annotator_id,
               f"annotation {revision_id} answers the feedback", at)
    s.flush()
    started = 0
    for task in tasks.values():
        still_open = s.scalar(select(func.count(ReviewFeedback.id)).where(
            ReviewFeedback.task_id == task.id, ReviewFeedback.resolved_at.is_(None)))
        has_next = s.scalar(select(ReviewTask.id).where(ReviewTask.item_id == task.item_id,
                                                        ReviewTask.round > task.round).limit(1))
        if not still_open and has_next is None:
            _queue_many(s, project_id, [(task.item_id, task.round + 1, "reworked after rejection", None)], None, now)
            started += 1
    s.flush()
    return started


def _available(now: datetime) -> Any:
    # the IN lets the planner read the (project, status, id) index instead of every task of the project
    return and_(ReviewTask.status.in_(("pending", "leased")),
                or_(ReviewTask.status == "pending", ReviewTask.expires_at < now))


def next_review(db: Database, actor: Actor, project_id: int, exclude: Iterable[int] = ()) -> ReviewTaskInfo | None:
    """The reviewer's current lease (items in ``exclude`` passed over), else the next queued item."""
    authorize(actor, "review.perform")
    skip_items = sorted(set(exclude))
    postgres = not db.is_sqlite
    for attempt in range(2):
        with db.write() as s:
            p = visible_project(s, actor, project_id)
            settings = _settings(s, project_id)
            now = utcnow()
            sync_reworks(s, project_id, now)
            held = s.scalar(select(ReviewTask).where(
                ReviewTask.project_id == project_id, ReviewTask.reviewer_id == actor.user_id,
                ReviewTask.status == "leased", ReviewTask.expires_at >= now,
                ReviewTask.item_id.not_in(skip_items)).order_by(ReviewTask.id).limit(1))
            if held is not None:
                return _task_info(held)
            own_work = select(Annotation.id).where(Annotation.item_id == ReviewTask.item_id,
                                                   Annotation.user_id == actor.user_id,
                                                   Annotation.source != AnnotationSource.REVIEW.value)
            gold = select(GoldItem.item_id).where(GoldItem.item_id == ReviewTask.item_id)  # marked since queued
            query = select(ReviewTask.id).where(ReviewTask.project_id == project_id, _available(now),
                                                ReviewTask.item_id.not_in(skip_items), ~own_work.exists(),
                                                ~gold.exists()).order_by(ReviewTask.id).limit(_CANDIDATES if postgres else 1)
            if postgres:  # racing reviewers take different rows instead of queueing on the first
                query = query.with_for_update(skip_locked=True, of=ReviewTask)
            expires = now + timedelta(seconds=settings.time_limit_s)
            for task_id in s.scalars(query).all():
                taken: Any = s.execute(update(ReviewTask).where(ReviewTask.id == task_id, _available(now)).values(
                    status="leased", reviewer_id=actor.user_id, leased_at=now, expires_at=expires))
                if taken.rowcount:
                    task = s.get_one(ReviewTask, task_id)
                    s.refresh(task)
                    _stage(s, project_id, task.item_id, task.round, "in_review", actor.user_id, None, now)
                    return _task_info(task)
            swept = s.execute(select(ProjectReview.swept_at, ProjectReview.swept_workers)
                              .where(ProjectReview.project_id == project_id)).first()
            if attempt or settings.mode == "none" or swept is None or (
                    swept[0] is not None and now - swept[0] < timedelta(seconds=SWEEP_EVERY_S)):
                return None
            # items labeled since the last sweep, or every item when workers per item changed since
            # (lowering it completes items without a submission)
            since = swept[0] - _SWEEP_MARGIN if swept[0] is not None and swept[1] == p.workers_per_item else None
            if not _backfill(s, p, settings, now, None, resample=False, since=since):
                return None
    return None


def _held(s: Session, actor: Actor, task_id: int) -> tuple[ReviewTask, ProjectRow]:
    """The caller's own lease on a review task (not taken over by another reviewer since)."""
    task = s.get(ReviewTask, task_id)
    if task is None:
        raise NotFound(f"no review task {task_id}")
    p = visible_project(s, actor, task.project_id)
    if task.status in DECIDED:
        raise Conflict(f"review task {task_id} is already {task.status}", field="task_id")
    if task.status != "leased" or task.reviewer_id != actor.user_id:
        raise Conflict("this item is not leased to you (the lease ended or another reviewer took it); "
                       "fetch the next item", field="task_id")
    return task, p


def _decide(s: Session, actor: Actor, task: ReviewTask, outcome: str, note: str | None, now: datetime,
            adjusted_id: int | None = None) -> None:
    done: Any = s.execute(update(ReviewTask).where(
        ReviewTask.id == task.id, ReviewTask.status == "leased", ReviewTask.reviewer_id == actor.user_id
    ).values(status=outcome, decided_at=now, note=note, adjusted_annotation_id=adjusted_id))
    if not done.rowcount:
        raise Conflict("another reviewer took this item meanwhile; fetch the next item", field="task_id")
    _stage(s, task.project_id, task.item_id, task.round, outcome, actor.user_id, note, now)


def _note(note: str | None) -> str | None:
    if note is None or not note.strip():
        return None
    if len(note) > MAX_FEEDBACK:
        raise ValidationFailed(f"the note is longer than {MAX_FEEDBACK} characters", field="note")
    return note.strip()


def approve(db: Database, actor: Actor, task_id: int, note: str | None = None) -> ReviewTaskInfo:
    authorize(actor, "review.perform")
    with db.write() as s:
        task, _ = _held(s, actor, task_id)
        _decide(s, actor, task, "approved", _note(note), utcnow())
        s.refresh(task)
        return _task_info(task)


def reject(db: Database, actor: Actor, task_id: int, feedback: str, annotation_ids: Sequence[int]) -> ReviewTaskInfo:
    """Reject the chosen annotations (each an annotator's latest on the item) with feedback to their authors."""
    authorize(actor, "review.perform")
    text = (feedback or "").strip()
    if not text:
        raise ValidationFailed("a rejection needs feedback for the annotator", field="feedback")
    if len(text) > MAX_FEEDBACK:
        raise ValidationFailed(f"the feedback is longer than {MAX_FEEDBACK} characters", field="feedback")
    if not annotation_ids:
        raise ValidationFailed("choose at least one annotation to reject", field="annotation_ids")
    with db.write() as s:
        task, _ = _held(s, actor, task_id)
        latest = {a.id: a for a, _ in _latest_answers(s, [task.item_id]).get(task.item_id, [])}
        for i, aid in enumerate(annotation_ids):
            if aid not in latest:
                raise ValidationFailed(f"annotation {aid} is not an annotator's latest answer on this item",
                                       field=f"annotation_ids[{i}]")
        now = utcnow()
        _decide(s, actor, task, "rejected", text, now)
        for aid in dict.fromkeys(annotation_ids):
            a = latest[aid]
            s.add(ReviewFeedback(project_id=task.project_id, item_id=task.item_id, task_id=task.id, annotation_id=aid,
                                 annotator_id=a.user_id, reviewer_id=actor.user_id, text=text, created_at=now))
        s.flush()
        s.refresh(task)
        return _task_info(task)


def adjust(db: Database, actor: Actor, task_id: int, value: Any, note: str | None = None) -> tuple[ReviewTaskInfo, int]:
    """Store the reviewer's corrected answer as a new annotation (source ``review``); it becomes the answer."""
    authorize(actor, "review.perform")
    with db.write() as s:
        task, p = _held(s, actor, task_id)
        from .annotations import normalize_on_item

        canonical = normalize_on_item(s, p.type, p.spec, value, task.item_id)
        mine = s.execute(select(Annotation.id, Annotation.version, Annotation.source).where(
            Annotation.item_id == task.item_id, Annotation.user_id == actor.user_id
        ).order_by(Annotation.version.desc()).limit(1)).first()
        now = utcnow()
        row = Annotation(project_id=task.project_id, item_id=task.item_id, user_id=actor.user_id,
                         value=json.dumps(canonical), raw=json.dumps(value), version=(mine[1] + 1) if mine else 1,
                         supersedes_id=mine[0] if mine and mine[2] == AnnotationSource.REVIEW.value else None,
                         source=AnnotationSource.REVIEW.value, leased_at=task.leased_at, created_at=now,
                         active_ms=int((now - task.leased_at).total_seconds() * 1000) if task.leased_at else None)
        s.add(row)
        s.flush()
        _decide(s, actor, task, "adjusted", _note(note), now, row.id)
        consolidation.refresh_item(s, p, task.item_id)  # the adjustment is the item's answer from now on
        s.refresh(task)
        return _task_info(task), row.id


def release(db: Database, actor: Actor, task_id: int) -> None:
    """Give the item back to the queue undecided."""
    authorize(actor, "review.perform")
    with db.write() as s:
        task, _ = _held(s, actor, task_id)
        now = utcnow()
        s.execute(update(ReviewTask).where(ReviewTask.id == task.id).values(
            status="pending", reviewer_id=None, leased_at=None, expires_at=None))
        _stage(s, task.project_id, task.item_id, task.round, "released", actor.user_id, None, now)


def _earlier(s: Session, task: ReviewTask) -> list[dict[str, Any]]:
    return review_outcomes(s, task.project_id, [task.item_id]).get(task.item_id, [])


def get_review(db: Database, actor: Actor, task_id: int) -> ReviewView:
    """The item under review with every annotator's latest answer and the consolidated answer."""
    authorize(actor, "review.perform")
    with db.read() as s:
        task = s.get(ReviewTask, task_id)
        if task is None:
            raise NotFound(f"no review task {task_id}")
        p = visible_project(s, actor, task.project_id)
        item = s.get_one(Item, task.item_id)
        answers = [ReviewAnswer(a.id, a.user_id, email, json.loads(a.value), a.version, a.source, a.active_ms,
                                a.created_at)
                   for a, email in _latest_answers(s, [task.item_id]).get(task.item_id, [])]
        answer = _consolidated(s, p, [task.item_id]).get(task.item_id)
        earlier = [o for o in _earlier(s, task) if o["round"] < task.round]
        return ReviewView(_task_info(task), item.key, json.loads(item.data), answers,
                          answer[0] if answer else None, answer[1] if answer else None, answer[2] if answer else None,
                          p.spec.labels.labels, p.multi_label, earlier)


def queue_summary(db: Database, actor: Actor, project_id: int) -> dict[str, int]:
    """Review tasks by state: pending, in_review, approved, rejected, adjusted, awaiting_rework."""
    authorize(actor, "project.stats")
    with db.read() as s:
        visible_project(s, actor, project_id)
        now = utcnow()
        counts = {"pending": 0, "in_review": 0, "approved": 0, "rejected": 0, "adjusted": 0}
        for status, n in s.execute(select(ReviewTask.status, func.count()).where(ReviewTask.project_id == project_id)
                                   .group_by(ReviewTask.status)):
            counts["in_review" if status == "leased" else status] = int(n)
        lapsed = int(s.scalar(select(func.count()).where(  # an expired lease is back in the queue
            ReviewTask.project_id == project_id, ReviewTask.status == "leased", ReviewTask.expires_at < now)) or 0)
        counts["in_review"] -= lapsed
        counts["pending"] += lapsed
        counts["awaiting_rework"] = int(s.scalar(select(func.count(func.distinct(ReviewFeedback.task_id))).where(
            ReviewFeedback.project_id == project_id, ReviewFeedback.resolved_at.is_(None))) or 0)
        return counts

# -------------------------------------------------------------------------------- export


def review_outcomes(s: Session, project_id: int, item_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Decided reviews per item, oldest round first, for exports (manifest and JSONL)."""
    ids = list(item_ids)
    if not ids:
        return {}
    tasks = s.execute(select(ReviewTask, User.email).outerjoin(User, User.id == ReviewTask.reviewer_id).where(
        ReviewTask.project_id == project_id, ReviewTask.item_id.in_(ids), ReviewTask.status.in_(DECIDED)
    ).order_by(ReviewTask.item_id, ReviewTask.round)).all()
    if not tasks:
        return {}
    feedback: dict[int, list[dict[str, Any]]] = {}
    for f, email in s.execute(select(ReviewFeedback, User.email).join(User, User.id == ReviewFeedback.annotator_id)
                              .where(ReviewFeedback.task_id.in_([t.id for t, _ in tasks]))
                              .order_by(ReviewFeedback.id)):
        feedback.setdefault(f.task_id, []).append({
            "annotationId": f.annotation_id, "workerId": email, "text": f.text,
            "resolvedByAnnotationId": f.resolved_by_annotation_id})
    out: dict[int, list[dict[str, Any]]] = {}
    for t, email in tasks:
        out.setdefault(t.item_id, []).append({
            "round": t.round, "outcome": t.status, "reviewerId": email,
            "decidedAt": t.decided_at.isoformat(timespec="milliseconds") if t.decided_at else None,
            "note": t.note, "reason": t.reason, "adjustedAnnotationId": t.adjusted_annotation_id,
            "feedback": feedback.get(t.id, [])})
    return out
