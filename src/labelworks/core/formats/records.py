"""Plain values that flow between readers, writers and services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from ..consolidation.majority import Consolidated

__all__ = ["ParsedLine", "BadLine", "ExportAnnotation", "ExportItem", "item_key", "source_of", "SOURCE_KEYS",
           "worker_responses"]

# Where an item's content is, in order of preference: Ground Truth's two keys first.
SOURCE_KEYS = ("source", "source-ref", "text", "image", "url")


@dataclass(frozen=True, slots=True)
class ParsedLine:
    line_no: int
    data: dict[str, Any]
    key: str
    raw: bytes  # the object as stored (verbatim keys and values)


@dataclass(frozen=True, slots=True)
class BadLine:
    line_no: int
    reason: str


@dataclass(frozen=True, slots=True)
class ExportAnnotation:
    id: int
    worker: str
    value: dict[str, Any]
    version: int
    source: str
    active_ms: int | None
    created_at: str
    accepted_at: str | None = None  # when the worker's lease began (Ground Truth's acceptanceTime)
    raw: Any = None  # the form output as submitted (Ground Truth's answerContent)
    user_id: int = 0


@dataclass(slots=True)
class ExportItem:
    id: int
    key: str
    data_raw: bytes
    annotations: list[ExportAnnotation] = field(default_factory=list)
    answer: Consolidated | None = None
    # the algorithm's parameters when the answer came from a stored run
    answer_params: dict[str, Any] = field(default_factory=dict)
    reviews: list[dict[str, Any]] = field(default_factory=list)  # review stage outcomes, oldest first

    @property
    def data(self) -> dict[str, Any]:
        value: dict[str, Any] = orjson.loads(self.data_raw)
        return value


def worker_responses(item: ExportItem) -> dict[str, Any]:
    """Ground Truth's worker-response shape: each worker's latest answer with its timings."""
    latest: dict[int, ExportAnnotation] = {}
    for a in item.annotations:
        if a.source == "review":
            continue
        latest[a.user_id] = a  # annotations come oldest first: the last version wins
    answers = []
    for a in latest.values():
        seconds = round(a.active_ms / 1000, 3) if a.active_ms is not None else None
        answers.append({"workerId": f"private.labelworks.{a.user_id}", "workerEmail": a.worker,
                        "acceptanceTime": a.accepted_at, "submissionTime": a.created_at,
                        "timeSpentInSeconds": seconds,
                        "answerContent": a.raw if a.raw is not None else a.value})
    return {"answers": answers}


def item_key(data: dict[str, Any]) -> str:
    """A stable key: the same object (whatever its key order) always gives the same key."""
    import hashlib

    return hashlib.blake2b(orjson.dumps(data, option=orjson.OPT_SORT_KEYS), digest_size=16).hexdigest()


def source_of(data: dict[str, Any]) -> str | None:
    for key in SOURCE_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    return None
