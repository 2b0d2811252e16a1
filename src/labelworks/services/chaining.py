"""Chaining: a verification or adjustment project made from a finished project's output.

Ground Truth chains jobs by feeding one job's output manifest to the next. Here the new project's
items are the source project's output-manifest lines (exactly what ``export --format manifest``
writes: ``source-ref``, ``<attr>``, ``<attr>-metadata``) for every item that has a consolidated
label; unlabeled items are left out. Adjustment items also get ``lw-pre-annotations``, the earlier
label in its editor's shape, which the default template passes as ``initial-value``.

The lines are spooled to a file first (constant memory, and nothing is created if reading the
source fails); a small project is imported at once, a large one by the usual import job, which
the caller enqueues (``ChainResult.job_id``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..authz import authorize
from ..core.actor import Actor
from ..core.errors import ValidationFailed
from ..core.formats.records import ExportItem
from ..core.labels import parse_label_config
from ..core.formats.writers import write_manifest
from ..core.tasktypes.adjustment import ADJUSTS_KEY, LABEL_ADJUSTMENT, Adjustable, adjustable_for, earlier_label
from ..core.tasktypes.bounding_box import PRE_ANNOTATIONS_KEY
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import Consolidation
from . import imports, jobs
from .exports import iter_items
from .projects import ProjectInfo, ProjectInput, create_project, info_from_row, load_visible

__all__ = ["ChainRequest", "ChainResult", "chain_project", "labeled_count", "MODES", "SYNC_LIMIT", "DEFAULT_VERDICTS"]

MODES = ("verification", "adjustment")
DEFAULT_VERDICTS = ("Correct", "Incorrect")
# up to this many labeled items are imported in the request; more go to a background import job
SYNC_LIMIT = 2_000


@dataclass(frozen=True)
class ChainRequest:
    mode: str  # "verification" | "adjustment"
    name: str
    labels: Any = None  # verification: the verdicts (default Correct, Incorrect); adjustment: the source's
    workers_per_item: int = 1
    label_attribute: str | None = None  # default: from the name, never the source's own attribute


@dataclass(frozen=True)
class ChainResult:
    project: ProjectInfo
    items: int  # labeled items of the source, one line each
    created: int | None  # items created now (None while a job imports them)
    job_id: int | None  # the import job to enqueue, for a large source


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "project"


def _adjustable_of(source: ProjectInfo) -> Adjustable:
    entry = (LABEL_ADJUSTMENT.adjustable(source.spec) if source.task_type == LABEL_ADJUSTMENT.name
             else adjustable_for(source.task_type))
    if entry is None:
        raise ValidationFailed(f"{source.task_type} labels cannot be adjusted (adjustable: bounding-box, polygon, "
                               "polyline, line, keypoint and the segmentation types)", field="mode")
    return entry


def _new_project_input(source: ProjectInfo, req: ChainRequest) -> ProjectInput:
    if req.mode not in MODES:
        raise ValidationFailed(f"mode must be one of {', '.join(MODES)}", field="mode")
    attribute = req.label_attribute or _slug(req.name)
    if attribute == source.label_attribute:
        if req.label_attribute:
            raise ValidationFailed(f"{attribute!r} is the source project's label attribute; the chained "
                                   "project needs its own", field="label_attribute")
        attribute = f"{source.label_attribute}-{'verified' if req.mode == 'verification' else 'adjusted'}"
    # Ground Truth's label-category key naming the label being verified or adjusted
    audit = {"auditLabelAttributeName": source.label_attribute}
    if req.mode == "verification":
        if source.type.media != "image":
            raise ValidationFailed(f"verification needs an image project, not {source.task_type}", field="mode")
        verdicts = parse_label_config(req.labels if req.labels else list(DEFAULT_VERDICTS))
        document = verdicts.document
        return ProjectInput(name=req.name, task_type="label-verification", labels={**document, **audit},
                            workers_per_item=req.workers_per_item, label_attribute=attribute,
                            short_instructions=f"Is the label from “{source.name}” right?")
    if req.labels:
        raise ValidationFailed("an adjustment project keeps the source project's labels", field="labels")
    entry = _adjustable_of(source)
    document = {**source.labels.document, **audit, ADJUSTS_KEY: entry.task_type.name}
    return ProjectInput(name=req.name, task_type=LABEL_ADJUSTMENT.name, labels=document,
                        workers_per_item=req.workers_per_item, label_attribute=attribute,
                        short_instructions=f"Correct the labels from “{source.name}”.")


def _labeled(items: Iterator[ExportItem]) -> Iterator[ExportItem]:
    return (item for item in items if item.answer is not None)


def _spool(db: Database, source: ProjectInfo, mode: str, path: Path) -> int:
    """Write the source's labeled output lines (adjustment: with the editor's initial value); the count."""
    created = utcnow().isoformat(timespec="microseconds")
    chunks = write_manifest(_labeled(iter_items(db, source)), source.type, source.spec, created)
    count = 0
    with path.open("wb") as fh:
        for chunk in chunks:
            for line in chunk.splitlines():
                if not line.strip():
                    continue
                if mode == "adjustment":
                    row = orjson.loads(line)
                    earlier = earlier_label(row)
                    if earlier is None:  # cannot happen for an adjustable source; say so rather than guess
                        raise ValidationFailed(f"item line {count + 1} has no adjustable label", field="mode")
                    row[PRE_ANNOTATIONS_KEY] = earlier.initial_value()
                    line = orjson.dumps(row)
                fh.write(line + b"\n")
                count += 1
    return count


def labeled_count(db: Database, actor: Actor, project_id: int) -> int:
    """How many items a chained project would get: those with a consolidated label."""
    authorize(actor, "project.chain")
    with db.read() as s:
        load_visible(s, actor, project_id)
        return _labeled_count(s, project_id)


def _labeled_count(s: Session, project_id: int) -> int:
    return int(s.scalar(select(func.count(Consolidation.item_id)).where(Consolidation.project_id == project_id)) or 0)


def chain_project(db: Database, actor: Actor, source_id: int, req: ChainRequest, *, spool_dir: Path,
                  sync_limit: int = SYNC_LIMIT) -> ChainResult:
    """Create the chained project and its items (at once when small, else an import job to enqueue)."""
    authorize(actor, "project.chain")
    with db.read() as s:
        source = info_from_row(load_visible(s, actor, source_id))
        labeled = _labeled_count(s, source_id)
    data = _new_project_input(source, req)
    if labeled == 0:
        raise ValidationFailed(f"project {source.name!r} has no consolidated labels yet; label some items first",
                               field="project_id")
    spool_dir.mkdir(parents=True, exist_ok=True)
    path = spool_dir / f"chain-{source_id}-{uuid.uuid4().hex}.manifest"
    try:
        count = _spool(db, source, req.mode, path)
        project = create_project(db, actor, data)
        if count > sync_limit:
            job_id = jobs.create_import_job(db, actor, project.id, str(path), "manifest", delete_after=True)
            path = Path()  # the job owns the file now
            return ChainResult(project, count, None, job_id)
        report = imports.import_file(db, actor, project.id, lambda: path.open("rb"), "manifest")
        return ChainResult(project, count, report.created, None)
    finally:
        if path != Path():
            path.unlink(missing_ok=True)
