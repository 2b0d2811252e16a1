"""Exports: items with their annotations and consolidated answer, streamed in constant memory.

Items are read in keyset batches (by id), each batch in its own short read transaction, so the
first bytes leave at once and memory does not grow with the project.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..authz import authorize
from ..core.actor import Actor
from ..core.consolidation.majority import Consolidated
from ..core.formats.records import ExportAnnotation, ExportItem
from ..core.formats.task_formats import resolve_export
from ..core.formats.writers import MEDIA_TYPES, writer_for
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import Annotation, Consolidation, ConsolidationRun, Item, User
from .projects import ProjectInfo, info_from_row, load_visible

__all__ = ["ExportStream", "open_export", "iter_items"]

BATCH = 2000


@dataclass
class ExportStream:
    media_type: str
    filename: str
    chunks: Iterator[bytes]
    project: ProjectInfo


def _iso(value: object) -> str:
    return value.isoformat(timespec="milliseconds") if hasattr(value, "isoformat") else str(value)


def iter_items(db: Database, project: ProjectInfo) -> Iterator[ExportItem]:
    """Every item once, in id order, with all annotation versions and the consolidated answer."""
    task_type, spec = project.type, project.spec
    workers: dict[int, str] = {}
    run_params: dict[int, dict[str, Any]] = {}
    last_id = 0
    while True:
        with db.read() as s:
            items = s.execute(select(Item.id, Item.key, Item.data).where(
                Item.project_id == project.id, Item.id > last_id).order_by(Item.id).limit(BATCH)).all()
            if not items:
                return
            lo, hi = items[0][0], items[-1][0]
            rows = s.execute(select(
                Annotation.id, Annotation.item_id, Annotation.user_id, Annotation.value, Annotation.version,
                Annotation.source, Annotation.active_ms, Annotation.created_at, Annotation.leased_at, Annotation.raw,
            ).where(Annotation.project_id == project.id, Annotation.item_id.between(lo, hi))
                .order_by(Annotation.item_id, Annotation.id)).all()
            missing = {r[2] for r in rows} - workers.keys()
            if missing:
                workers.update(s.execute(select(User.id, User.email).where(User.id.in_(missing))).all())
            stored = {c.item_id: c for c in s.scalars(select(Consolidation).where(
                Consolidation.project_id == project.id, Consolidation.item_id.between(lo, hi)))}
            run_ids = {c.run_id for c in stored.values() if c.run_id is not None} - run_params.keys()
            if run_ids:
                run_params.update((rid, json.loads(params)) for rid, params in s.execute(
                    select(ConsolidationRun.id, ConsolidationRun.params).where(ConsolidationRun.id.in_(run_ids))))
            outcomes = _review_outcomes(s, project.id, [i[0] for i in items])
        by_item: dict[int, list[ExportAnnotation]] = {}
        latest: dict[int, dict[int, dict[str, object]]] = {}
        for aid, item_id, user_id, value, version, source, active_ms, created_at, leased_at, raw in rows:
            decoded = json.loads(value)
            by_item.setdefault(item_id, []).append(ExportAnnotation(
                aid, workers.get(user_id, str(user_id)), decoded, version, source, active_ms, _iso(created_at),
                _iso(leased_at) if leased_at is not None else None, json.loads(raw) if raw else None, user_id))
            if source != "review":
                latest.setdefault(item_id, {})[user_id] = decoded  # rows are in id order: the last wins
        for item_id, key, data in items:
            answer, params = None, {}
            c = stored.get(item_id)
            if c is not None:
                answer = Consolidated(json.loads(c.value), c.confidence, json.loads(c.confidence_map), c.votes,
                                      c.method, tuple(json.loads(c.object_confidence)))
                params = run_params.get(c.run_id, {}) if c.run_id is not None else {}
            elif item_id in latest:  # answers written around the service (bulk loads): answer them now
                answer = task_type.consolidate(list(latest[item_id].values()), spec)
            yield ExportItem(item_id, key, data.encode(), by_item.get(item_id, []), answer, params,
                             outcomes.get(item_id, []))
        last_id = hi


def _review_outcomes(s: Session, project_id: int, item_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Review stage outcomes per item, from the review service when the build has it."""
    import importlib

    try:
        reviews = importlib.import_module(f"{__package__}.reviews")
    except ModuleNotFoundError:
        return {}
    reader = getattr(reviews, "review_outcomes", None)
    if reader is None:
        return {}
    outcomes: dict[int, list[dict[str, Any]]] = reader(s, project_id, item_ids)
    return outcomes


def open_export(db: Database, actor: Actor, project_id: int, fmt: str) -> ExportStream:
    """Check access and format now; the returned chunks read the database lazily."""
    authorize(actor, "export.run")
    writer_for(fmt)  # an unknown format fails before the project is read
    with db.read() as s:
        project = info_from_row(load_visible(s, actor, project_id))
    # what --format coco means depends on the task type (boxes, polygons, keypoints)
    writer = writer_for(resolve_export(fmt, project.type.name, project.type.value_kind(project.spec)))
    media_type, suffix = MEDIA_TYPES[fmt]
    created = utcnow().isoformat(timespec="microseconds")
    chunks = writer(iter_items(db, project), project.type, project.spec, created)
    return ExportStream(media_type, f"{project.spec.job_name}-{suffix}", chunks, project)
