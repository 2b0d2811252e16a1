"""Plain values that flow between readers, writers and services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from ..consolidation.majority import Consolidated

__all__ = ["ParsedLine", "BadLine", "ExportAnnotation", "ExportItem", "item_key", "source_of", "SOURCE_KEYS"]

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


@dataclass(slots=True)
class ExportItem:
    id: int
    key: str
    data_raw: bytes
    annotations: list[ExportAnnotation] = field(default_factory=list)
    answer: Consolidated | None = None

    @property
    def data(self) -> dict[str, Any]:
        value: dict[str, Any] = orjson.loads(self.data_raw)
        return value


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
