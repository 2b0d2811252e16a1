"""Chaining: a verification or adjustment project made from a finished project's output.

Ground Truth chains jobs by feeding one job's output manifest to the next. Here the new project's
items are the source project's output-manifest lines (exactly what ``export --format manifest``
writes: ``source-ref``, ``<attr>``, ``<attr>-metadata``) for every item that has a consolidated
label; unlabeled items are left out. Adjustment items also get ``lw-pre-annotations``, the earlier
label in its editor's shape, which the default template passes as ``initial-value``. An adjustment
of a verification project adjusts the labels it verified (label → verify → adjust): their type and
class names are read from the lines.

The lines are spooled to a file first (constant memory, and nothing is created if reading the
source fails); a small project is imported at once, a large one by the usual import job, which
the caller enqueues (``ChainResult.job_id``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
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
from ..core.tasktypes.adjustment import (ADJUSTS_KEY, LABEL_ADJUSTMENT, Adjustable, EarlierLabel, adjustable_for,
                                        earlier_label)
from ..core.tasktypes.bounding_box import PRE_ANNOTATIONS_KEY
from ..core.tasktypes.verification import LABEL_VERIFICATION
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


@dataclass
class _Found:
    """What the spooled lines' earlier labels are: their types, attributes and class names."""

    kinds: dict[str, Adjustable] = field(default_factory=dict)
    attributes: set[str] = field(default_factory=set)
    classes: dict[str, int] = field(default_factory=dict)  # name -> lowest class id seen

    def add(self, earlier: EarlierLabel) -> None:
        self.kinds[earlier.adjustable.gt_type] = earlier.adjustable
        self.attributes.add(earlier.attribute)
        names = earlier.meta.get("class-map") or {
            k: v.get("class-name") for k, v in (earlier.meta.get("internal-color-map") or {}).items()
            if isinstance(v, dict) and str(k) != "0"}
        for key, name in names.items() if isinstance(names, dict) else ():
            if isinstance(name, str) and str(key).lstrip("-").isdigit():
                self.classes[name] = min(int(key), self.classes.get(name, int(key)))


def _adjustable_of(source: ProjectInfo) -> Adjustable | None:
    """The object type a source's labels are, None for a verification source (its items say)."""
    if source.task_type == LABEL_VERIFICATION.name:
        return None
    entry = (LABEL_ADJUSTMENT.adjustable(source.spec) if source.task_type == LABEL_ADJUSTMENT.name
             else adjustable_for(source.task_type))
    if entry is None:
        raise ValidationFailed(f"{source.task_type} labels cannot be adjusted (adjustable: bounding-box, polygon, "
                               "polyline, line, keypoint, the segmentation types, and the labels a verification "
                               "project verified)", field="mode")
    return entry


def _checked(source: ProjectInfo, req: ChainRequest) -> str:
    """Refuses a bad request before anything is read; returns the new label attribute."""
    if req.mode not in MODES:
        raise ValidationFailed(f"mode must be one of {', '.join(MODES)}", field="mode")
    attribute = req.label_attribute or _slug(req.name)
    if attribute == source.label_attribute:
        if req.label_attribute:
            raise ValidationFailed(f"{attribute!r} is the source project's label attribute; the chained "
                                   "project needs its own", field="label_attribute")
        attribute = f"{source.label_attribute}-{'verified' if req.mode == 'verification' else 'adjusted'}"
    if req.mode == "verification" and source.type.media != "image":
        raise ValidationFailed(f"verification needs an image project, not {source.task_type}", field="mode")
    if req.mode == "adjustment":
        if req.labels:
            raise ValidationFailed("an adjustment project keeps the labels it adjusts", field="labels")
        _adjustable_of(source)
    return attribute


def _new_project_input(source: ProjectInfo, req: ChainRequest, attribute: str, found: _Found) -> ProjectInput:
    # Ground Truth's label-category key naming the label being verified or adjusted
    audit = {"auditLabelAttributeName": source.label_attribute}
    if req.mode == "verification":
        verdicts = parse_label_config(req.labels if req.labels else list(DEFAULT_VERDICTS))
        return ProjectInput(name=req.name, task_type="label-verification", labels={**verdicts.document, **audit},
                            workers_per_item=req.workers_per_item, label_attribute=attribute,
                            short_instructions=f"Is the label from “{source.name}” right?")
    entry = _adjustable_of(source)
    if entry is not None:
        document = {**source.labels.document, **audit}
    else:  # verified labels: their type and classes come from the items
        if len(found.kinds) != 1:
            kinds = ", ".join(sorted(found.kinds)) or "none"
            raise ValidationFailed(f"the verified labels must be of one adjustable type, found: {kinds}", field="mode")
        (entry,) = found.kinds.values()
        names = sorted(found.classes, key=lambda n: (found.classes[n], n))
        if not names:
            raise ValidationFailed("the verified labels name no classes", field="mode")
        audit = {"auditLabelAttributeName": sorted(found.attributes)[-1]} if len(found.attributes) == 1 else {}
        document = {"labels": [{"label": n} for n in names], **audit}
    return ProjectInput(name=req.name, task_type=LABEL_ADJUSTMENT.name,
                        labels={**document, ADJUSTS_KEY: entry.task_type.name},
                        workers_per_item=req.workers_per_item, label_attribute=attribute,
                        short_instructions=f"Correct the labels from “{source.name}”.")


def _labeled(items: Iterator[ExportItem]) -> Iterator[ExportItem]:
    return (item for item in items if item.answer is not None)


def _spool(db: Database, source: ProjectInfo, mode: str, path: Path) -> tuple[int, _Found]:
    """Write the source's labeled output lines (adjustment: with the editor's initial value); the count
    and what the earlier labels are."""
    created = utcnow().isoformat(timespec="microseconds")
    chunks = write_manifest(_labeled(iter_items(db, source)), source.type, source.spec, created)
    count = 0
    found = _Found()
    with path.open("wb") as fh:
        for chunk in chunks:
            for line in chunk.splitlines():
                if not line.strip():
                    continue
                if mode == "adjustment":
                    row = orjson.loads(line)
                    earlier = earlier_label(row)
                    if earlier is None:  # a verified item whose label is not adjustable (classification)
                        raise ValidationFailed(f"item line {count + 1} has no adjustable label", field="mode")
                    found.add(earlier)
                    row[PRE_ANNOTATIONS_KEY] = earlier.initial_value()
                    line = orjson.dumps(row)
                fh.write(line + b"\n")
                count += 1
    return count, found


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
    attribute = _checked(source, req)
    if labeled == 0:
        raise ValidationFailed(f"project {source.name!r} has no consolidated labels yet; label some items first",
                               field="project_id")
    spool_dir.mkdir(parents=True, exist_ok=True)
    path = spool_dir / f"chain-{source_id}-{uuid.uuid4().hex}.manifest"
    try:
        count, found = _spool(db, source, req.mode, path)
        project = create_project(db, actor, _new_project_input(source, req, attribute, found))
        if count > sync_limit:
            job_id = jobs.create_import_job(db, actor, project.id, str(path), "manifest", delete_after=True)
            path = Path()  # the job owns the file now
            return ChainResult(project, count, None, job_id)
        report = imports.import_file(db, actor, project.id, lambda: path.open("rb"), "manifest")
        return ChainResult(project, count, report.created, None)
    finally:
        if path != Path():
            path.unlink(missing_ok=True)
