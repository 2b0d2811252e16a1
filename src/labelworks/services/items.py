"""Items: the manager's table (filters, paging that stays fast at a million items) and progress."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from ..authz import authorize
from ..core.actor import Actor
from ..core.enums import AssignmentStatus
from ..core.errors import ValidationFailed
from ..core.formats.records import source_of
from ..db.engine import Database
from ..db.models import Annotation, Assignment, Item, Project, User
from . import quality, routing
from .projects import load_visible

__all__ = ["ItemRow", "ItemPage", "ItemFilter", "list_items", "Progress", "AnnotatorCount", "progress",
           "STATUSES", "SORTS", "set_priority"]

STATUSES = ("all", "unlabeled", "in_progress", "labeled", "annotated")
SORTS = ("id", "-id", "-last_annotated_at")
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class ItemFilter:
    status: str = "all"
    q: str | None = None  # substring of the item's data
    annotator_id: int | None = None
    sort: str = "id"
    page: int = 1
    page_size: int = 30
    ids: tuple[int, ...] = ()  # only these items (a near-duplicate group, links from other pages)


@dataclass(frozen=True)
class ItemRow:
    id: int
    key: str
    data: dict[str, Any]
    source: str | None
    done: int
    taken: int
    priority: int
    last_annotated_at: datetime | None
    labels: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ItemPage:
    rows: list[ItemRow]
    page: int
    page_size: int
    has_more: bool


def _check(f: ItemFilter) -> None:
    if f.status not in STATUSES:
        raise ValidationFailed(f"status must be one of {', '.join(STATUSES)}", field="status")
    if f.sort not in SORTS:
        raise ValidationFailed(f"sort must be one of {', '.join(SORTS)}", field="sort")
    if not 1 <= f.page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"page_size must be between 1 and {MAX_PAGE_SIZE}", field="page_size")
    if f.page < 1:
        raise ValidationFailed("page starts at 1", field="page")
    if len(f.ids) > MAX_PAGE_SIZE:
        raise ValidationFailed(f"ids names at most {MAX_PAGE_SIZE} items", field="ids")


def _label_text(value: dict[str, Any]) -> str:
    if "labels" in value:
        return ", ".join(value["labels"])
    return str(value.get("label", ""))


RARE = 5000


def _rare_matches(s: Any, conds: list[Any], f: ItemFilter) -> list[int] | None:
    """The ids matching a status filter when there are at most RARE of them, else None.

    Read from the status indexes without ordering, so it costs at most RARE index entries; when
    more match, they are dense enough that walking the id index finds a page quickly.
    """
    ids = list(s.scalars(select(Item.id).where(and_(*conds)).limit(RARE + 1)))
    return ids if len(ids) <= RARE else None


def _target(s: Session, p: Project) -> Callable[[int | None], int]:
    """How many answers make an item labeled: workers per item, or routing's per-item target."""
    settings = quality.load_settings(s, p.id)

    def target(wanted: int | None) -> int:
        return routing.target_of(wanted, settings.routing, settings.initial_workers, p.workers_per_item)

    return target


def _target_sql(s: Session, p: Project) -> Any:
    settings = quality.load_settings(s, p.id)
    if not settings.routing:
        return p.workers_per_item
    return func.coalesce(Item.wanted, settings.initial_workers)


def list_items(db: Database, actor: Actor, project_id: int, f: ItemFilter) -> ItemPage:
    authorize(actor, "item.list")
    _check(f)
    with db.read() as s:
        p = load_visible(s, actor, project_id)
        n = _target_sql(s, p)
        conds = [Item.project_id == p.id]
        if f.status == "unlabeled":
            conds += [Item.done == 0, Item.taken == 0]
        elif f.status == "in_progress":
            conds += [Item.done < n, Item.taken > 0]
        elif f.status == "labeled":
            conds.append(Item.done >= n)
        elif f.status == "annotated":
            conds.append(Item.done > 0)
        if f.q:
            escaped = f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conds.append(Item.data.like(f"%{escaped}%", escape="\\"))
        if f.ids:
            conds.append(Item.id.in_(f.ids))
        if f.annotator_id is not None:
            # driven from the annotator's own assignments (indexed), not a probe per item
            conds.append(Item.id.in_(select(Assignment.item_id).where(
                Assignment.project_id == p.id, Assignment.user_id == f.annotator_id,
                Assignment.status == AssignmentStatus.SUBMITTED)))
        orders: dict[str, list[Any]] = {"id": [Item.id], "-id": [Item.id.desc()],
                                        "-last_annotated_at": [Item.last_annotated_at.desc().nulls_last(), Item.id.desc()]}
        order = orders[f.sort]
        columns = (Item.id, Item.key, Item.data, Item.done, Item.taken, Item.priority, Item.last_annotated_at)
        rare = _rare_matches(s, conds, f) if f.status != "all" and not f.q and f.sort != "-last_annotated_at" else None
        if rare is not None:
            # few items match: page through their ids (found on the status index) instead of walking
            # the whole project in id order looking for them
            start = (f.page - 1) * f.page_size
            wanted = (sorted(rare, reverse=f.sort == "-id"))[start:start + f.page_size + 1]
            found = {r[0]: r for r in s.execute(select(*columns).where(Item.id.in_(wanted or [-1])))}
            rows = [found[i] for i in wanted if i in found]
        else:
            rows = list(s.execute(select(*columns).where(and_(*conds)).order_by(*order)
                                  .offset((f.page - 1) * f.page_size).limit(f.page_size + 1)).all())
        has_more = len(rows) > f.page_size
        rows = rows[: f.page_size]
        latest: dict[int, dict[int, str]] = {}  # item → annotator → their latest version's label
        ids = [r[0] for r in rows if r[3]]
        if ids:
            for item_id, user_id, value in s.execute(
                    select(Annotation.item_id, Annotation.user_id, Annotation.value)
                    .where(Annotation.project_id == p.id, Annotation.item_id.in_(ids)).order_by(Annotation.id)):
                latest.setdefault(item_id, {})[user_id] = _label_text(json.loads(value))
        labels = {item_id: list(by_user.values()) for item_id, by_user in latest.items()}
    out = []
    for item_id, key, data, done, taken, priority, last in rows:
        decoded = json.loads(data)
        out.append(ItemRow(item_id, key, decoded, source_of(decoded), done, taken, priority, last,
                           labels.get(item_id, [])))
    return ItemPage(out, f.page, f.page_size, has_more)


@dataclass(frozen=True)
class AnnotatorCount:
    user_id: int
    email: str
    submitted: int
    active_leases: int
    skipped: int
    median_active_ms: int | None
    last_submitted_at: datetime | None


@dataclass(frozen=True)
class Progress:
    total: int
    labeled: int  # reached workers-per-item annotators
    in_progress: int  # some annotations or a lease, not yet complete
    remaining: int  # not started
    annotations: int
    annotators: list[AnnotatorCount]

    @property
    def percent(self) -> float:
        return round(100.0 * self.labeled / self.total, 1) if self.total else 0.0


def progress(db: Database, actor: Actor, project_id: int) -> Progress:
    authorize(actor, "project.stats")
    with db.read() as s:
        p = load_visible(s, actor, project_id)
        target = _target(s, p)
        # grouped on the raw columns so the count is read from ix_items_state alone
        counts: dict[str, int] = {"labeled": 0, "in_progress": 0, "remaining": 0}
        for done, taken, wanted, count in s.execute(
                select(Item.done, Item.taken, Item.wanted, func.count())
                .where(Item.project_id == p.id).group_by(Item.done, Item.taken, Item.wanted)):
            state = "labeled" if done >= target(wanted) else "in_progress" if taken > 0 else "remaining"
            counts[state] += count
        per_user: dict[int, dict[str, int]] = {}
        for user_id, status, count in s.execute(
            select(Assignment.user_id, Assignment.status, func.count())
            .where(Assignment.project_id == p.id).group_by(Assignment.user_id, Assignment.status)
        ):
            per_user.setdefault(user_id, {})[status] = count
        latest_ids = {uid: (total, last_id) for uid, total, last_id in s.execute(
            select(Annotation.user_id, func.count(), func.max(Annotation.id))  # index-only on ix_annotations_user
            .where(Annotation.project_id == p.id).group_by(Annotation.user_id))}
        when = dict(s.execute(select(Annotation.id, Annotation.created_at).where(
            Annotation.id.in_([last for _, last in latest_ids.values()]))).all())
        timing = {uid: (total, when.get(last)) for uid, (total, last) in latest_ids.items()}
        medians: dict[int, int | None] = {}
        for uid in per_user:
            times = sorted(t for t in s.scalars(select(Annotation.active_ms).where(
                Annotation.project_id == p.id, Annotation.user_id == uid, Annotation.active_ms.is_not(None))
                .order_by(Annotation.id.desc()).limit(500)) if t is not None)
            medians[uid] = times[len(times) // 2] if times else None
        emails = dict(s.execute(select(User.id, User.email).where(User.id.in_(list(per_user)))).all())
    annotators = [
        AnnotatorCount(uid, emails.get(uid, str(uid)), c.get(AssignmentStatus.SUBMITTED, 0),
                       c.get(AssignmentStatus.ACTIVE, 0), c.get(AssignmentStatus.SKIPPED, 0),
                       medians.get(uid), timing.get(uid, (0, None))[1])
        for uid, c in sorted(per_user.items(), key=lambda kv: -kv[1].get(AssignmentStatus.SUBMITTED, 0))
    ]
    total = sum(counts.values())
    return Progress(total, counts.get("labeled", 0), counts.get("in_progress", 0), counts.get("remaining", 0),
                    sum(t for t, _ in timing.values()), annotators)


def set_priority(db: Database, actor: Actor, project_id: int, item_ids: list[int], priority: int) -> int:
    """Serve these items before (higher) or after (lower) the others; returns how many changed."""
    authorize(actor, "project.update")
    if not -1_000_000 <= priority <= 1_000_000:
        raise ValidationFailed("priority must be between -1000000 and 1000000", field="priority")
    if not item_ids or len(item_ids) > 10_000:
        raise ValidationFailed("give 1 to 10000 item ids", field="item_ids")
    with db.write() as s:
        load_visible(s, actor, project_id)
        result: Any = s.execute(update(Item).where(Item.project_id == project_id, Item.id.in_(item_ids))
                                .values(priority=priority))
        return int(result.rowcount)
