"""Near-duplicate detection as a background ``dedup`` job: the exact all-pairs comparison
(services/embeddings.py ``dedup_groups``) takes about a minute at 100k items, too long for a request.

The job reports progress per tile of the similarity matrix, optionally marks the duplicates
(``lw-duplicate-of``, as ``labelworks dedup --mark``), writes every group to a JSON-lines result
file (downloaded from ``/api/v1/jobs/{id}/download``) and keeps only the first groups inline in
the job row, so a project with 50,000 groups does not put megabytes into the jobs table.
Small projects are still answered inside the request (``answers_inline``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from ..authz import authorize
from ..core.actor import Actor
from ..core.enums import JobKind
from ..core.errors import ValidationFailed
from ..db.engine import Database
from ..db.models import ItemEmbedding
from . import embeddings
from .jobs import add_job
from .projects import load_visible

__all__ = ["INLINE_LIMIT", "GROUPS_INLINE", "indexed_count", "answers_inline", "create_dedup_job", "run_dedup"]

INLINE_LIMIT = 5_000  # indexed items up to which the API answers inside the request (well under a second)
GROUPS_INLINE = 50  # groups kept in the job's result; the whole list is in the result file
_PROGRESS_EVERY_S = 0.5  # progress rows written at most this often (1,225 tiles at 100k items)


def _check_threshold(threshold: float) -> float:
    if not 0.5 <= threshold <= 1.0:
        raise ValidationFailed("threshold: between 0.5 and 1.0", field="threshold")
    return float(threshold)


def indexed_count(db: Database, project_id: int) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(ItemEmbedding)
                        .where(ItemEmbedding.project_id == project_id)) or 0


def answers_inline(db: Database, project_id: int) -> bool:
    """Whether the project's index is small enough to compare inside a request."""
    return indexed_count(db, project_id) <= INLINE_LIMIT


def create_dedup_job(db: Database, actor: Actor, project_id: int, threshold: float = 0.95, *,
                     mark: bool = False) -> int:
    """Write a ``dedup`` job row (the caller enqueues it after this returns). Starting one needs
    ``item.import`` (it spends minutes of CPU, and ``mark`` writes into items)."""
    authorize(actor, "item.import")
    threshold = _check_threshold(threshold)
    with db.write() as s:
        load_visible(s, actor, project_id)
        return add_job(s, actor, project_id, JobKind.DEDUP, {"threshold": threshold, "mark": bool(mark)})


def _throttled(progress: Callable[[int, int], None]) -> Callable[[int, int], None]:
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - last[0] >= _PROGRESS_EVERY_S:
            last[0] = now
            progress(done, total)

    return report


def run_dedup(db: Database, actor: Actor, project_id: int, params: dict[str, Any], out: Path, *,
              progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The job's work: the groups, marked if asked, written to ``out`` (one group a line:
    ``{"group", "min_similarity", "items": [{item_id, key, text}]}``); returns the job's result."""
    threshold = _check_threshold(float(params.get("threshold", 0.95)))
    mark = bool(params.get("mark"))
    started = time.perf_counter()
    groups = embeddings.dedup_groups(db, actor, project_id, threshold,
                                     progress=_throttled(progress) if progress is not None else None)
    marked = embeddings.mark_duplicates(db, actor, project_id, groups) if mark else 0
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".part")
    with tmp.open("w", encoding="utf-8") as fh:
        for n, group in enumerate(groups, start=1):
            fh.write(json.dumps({"group": n, **group}, ensure_ascii=False) + "\n")
    tmp.replace(out)  # the file appears whole or not at all
    return {"threshold": threshold, "groups": len(groups), "items": sum(len(g["items"]) for g in groups),
            "marked": marked, "mark": mark, "shown": groups[:GROUPS_INLINE], "seconds": round(time.perf_counter() - started, 2),
            "path": str(out), "filename": out.name, "bytes": out.stat().st_size, "media_type": "application/x-ndjson"}
