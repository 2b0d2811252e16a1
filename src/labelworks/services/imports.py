"""Imports: manifests, CSV, JSON and folders, streamed and inserted in batches.

A file is read twice: the first pass checks every line (nothing is written when a line is bad,
unless ``skip_invalid``), the second inserts in batches of 5,000, each its own short transaction
so labeling goes on during a large import. Items carry a stable key, so a file imported twice
(or an import resumed after a crash) adds nothing twice.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select

from ..authz import authorize
from ..core.actor import Actor
from ..core.errors import ImportRejected, ValidationFailed
from ..core.formats.readers import read_file, read_rows, scan_file
from ..core.formats.records import BadLine, ParsedLine
from ..core.formats.task_formats import resolve_import
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import Item
from . import quality
from .projects import info_from_row, load_visible

__all__ = ["ImportReport", "import_file", "import_rows", "import_folder", "folder_rows", "BATCH",
           "IMAGE_SUFFIXES", "TEXT_SUFFIXES", "VIDEO_SUFFIXES", "media_suffixes"]

BATCH = 5000
CHECKPOINT_PAGES = 25000  # ~100 MB of WAL between checkpoints during an import (SQLite default: 1000)
MAX_REPORTED = 100
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"}
TEXT_SUFFIXES = {".txt", ".md", ".text"}
VIDEO_SUFFIXES = {".mp4", ".m4v", ".webm", ".ogv", ".mov"}  # what services/media.py serves as video


def media_suffixes(media: str) -> set[str]:
    """The files a folder import takes for a task type's media: images, videos (by reference), or texts."""
    return IMAGE_SUFFIXES if media == "image" else VIDEO_SUFFIXES if media == "video" else TEXT_SUFFIXES
Progress = Callable[[int], None]


@dataclass
class ImportReport:
    lines: int = 0
    created: int = 0
    duplicates: int = 0
    bad_count: int = 0
    bad: list[BadLine] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"lines": self.lines, "created": self.created, "duplicates": self.duplicates,
                "bad_count": self.bad_count, "bad": [{"line": b.line_no, "reason": b.reason} for b in self.bad]}


def _rejection(report: ImportReport) -> ImportRejected:
    first = report.bad[0]
    more = f" (and {report.bad_count - 1} more)" if report.bad_count > 1 else ""
    return ImportRejected(
        f"line {first.line_no}: {first.reason}{more}; nothing was imported (use skip-invalid to import the good lines)",
        field="file", details=[{"line": b.line_no, "reason": b.reason} for b in report.bad])


def _check_access(db: Database, actor: Actor, project_id: int) -> None:
    authorize(actor, "item.import")
    with db.read() as s:
        info_from_row(load_visible(s, actor, project_id))


def _scan(lines: Iterable[ParsedLine | BadLine | None], report: ImportReport) -> None:
    for line in lines:
        report.lines += 1
        if line is not None and isinstance(line, BadLine):
            report.bad_count += 1
            if len(report.bad) < MAX_REPORTED:
                report.bad.append(line)


def _sqlite_time(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's own SQLite DateTime format


def _insert(db: Database, project_id: int, lines: Iterator[ParsedLine | BadLine], report: ImportReport,
            progress: Progress | None) -> None:
    gold = quality.ImportedGold.for_project(db, project_id)  # the gold key never reaches the item's data
    now = utcnow()
    created_at: Any = _sqlite_time(now) if db.is_sqlite else now
    if db.is_sqlite:
        sql = ("INSERT INTO items (project_id, key, data, priority, taken, done, is_open, created_at) "
               "VALUES (?, ?, ?, 0, 0, 0, 1, ?) ON CONFLICT (project_id, key) DO NOTHING")
    else:
        sql = ("INSERT INTO items (project_id, key, data, priority, taken, done, is_open, created_at) "
               "VALUES (%s, %s, %s, 0, 0, 0, 1, %s) ON CONFLICT (project_id, key) DO NOTHING")
    with db.read() as s:
        before = int(s.scalar(select(func.count(Item.id)).where(Item.project_id == project_id)) or 0)
    batch: list[tuple[Any, ...]] = []
    seen = 0

    def flush() -> None:
        with db.write() as s:
            conn = s.connection()
            if db.is_sqlite:
                # fewer, larger checkpoints: each one rewrites the key index's pages once, not per batch
                conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}")
            conn.exec_driver_sql(sql, batch)
            gold.store(s)
        if progress:
            progress(seen)
        batch.clear()

    for line in lines:
        seen += 1
        if isinstance(line, BadLine):
            continue
        line = gold.take(line)
        batch.append((project_id, line.key, line.raw.decode(), created_at))
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    if db.is_sqlite:
        with db.write() as s:
            # fresh planner statistics (sampled: milliseconds): without them SQLite sorts a whole
            # project for a filtered item page instead of walking the id index
            s.connection().exec_driver_sql("PRAGMA analysis_limit=1000")
            s.connection().exec_driver_sql("ANALYZE")
    with db.read() as s:
        after = int(s.scalar(select(func.count(Item.id)).where(Item.project_id == project_id)) or 0)
    report.created = after - before
    report.duplicates = (report.lines - report.bad_count) - report.created
    report.bad_count += gold.report_to(report.bad, MAX_REPORTED)  # imported, but without their gold answer


def import_file(db: Database, actor: Actor, project_id: int, open_stream: Callable[[], IO[bytes]], fmt: str, *,
                skip_invalid: bool = False, progress: Progress | None = None,
                checked: Progress | None = None) -> ImportReport:
    """Import a file given by a function that opens it (it is read twice).

    ``checked`` hears the line count after the check pass; ``progress`` the lines inserted so far.
    """
    _check_access(db, actor, project_id)
    with db.read() as s:
        project = info_from_row(load_visible(s, actor, project_id))
    # what --format coco means depends on the task type (boxes, polygons, keypoints)
    fmt = resolve_import(fmt, project.type.name, project.type.value_kind(project.spec))
    report = ImportReport()
    with open_stream() as stream:
        _scan(scan_file(stream, fmt), report)
    if report.bad_count and not skip_invalid:
        raise _rejection(report)
    if checked:
        checked(report.lines)
    with open_stream() as stream:
        _insert(db, project_id, read_file(stream, fmt), report, progress)
    return report


def import_rows(db: Database, actor: Actor, project_id: int, rows: list[Any], *,
                skip_invalid: bool = False) -> ImportReport:
    """Import objects already in memory (an API body); line numbers are 1-based positions."""
    _check_access(db, actor, project_id)
    parsed = quality.check_imported_gold(db, project_id, list(read_rows(rows)))
    report = ImportReport()
    _scan(parsed, report)
    if report.bad_count and not skip_invalid:
        raise _rejection(report)
    _insert(db, project_id, iter(parsed), report, None)
    return report


def _within(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def folder_rows(folder: Path, media: str, roots: list[Path], copy_to: Path) -> Iterator[dict[str, Any]]:
    """Items for every image (media "image"), video (media "video") or text file (media "text")
    under ``folder``.

    Images and videos outside the allowed media roots are copied into the data directory first, so
    the server never reads a path outside its roots.
    """
    folder = folder.resolve()
    if not folder.is_dir():
        raise ValidationFailed(f"{folder} is not a folder", field="file")
    wanted = media_suffixes(media)
    in_place = _within(folder, roots)
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in wanted):
        rel = path.relative_to(folder)
        if media in ("image", "video"):
            target = path
            if not in_place:
                target = copy_to / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.exists():
                    shutil.copyfile(path, target)
            yield {"source-ref": str(target), "file": str(rel)}
        else:
            yield {"source": path.read_text(encoding="utf-8", errors="replace"), "file": str(rel)}


def import_folder(db: Database, actor: Actor, project_id: int, folder: Path, *, roots: list[Path],
                  media_dir: Path, progress: Progress | None = None) -> ImportReport:
    _check_access(db, actor, project_id)
    with db.read() as s:
        project = info_from_row(load_visible(s, actor, project_id))
    copy_to = media_dir / "imports" / str(project_id) / folder.resolve().name
    report = ImportReport()
    rows = folder_rows(folder, project.type.media, roots, copy_to)
    lines = read_rows(rows)

    def counted() -> Iterator[ParsedLine | BadLine]:
        for line in lines:
            report.lines += 1
            yield line

    _insert(db, project_id, counted(), report, progress)
    if report.lines == 0:
        raise ValidationFailed(f"no {project.type.media} files found in {folder}", field="file")
    return report
