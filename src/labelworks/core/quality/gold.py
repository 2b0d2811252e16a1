"""Gold items as plain values: reading an imported gold answer, comparing answers, mixing them in."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from ..errors import ValidationFailed

__all__ = ["coerce_gold", "same_answer", "wants_gold", "canonical_key", "CATEGORICAL_KINDS", "Similarity"]

# value kinds compared by equality; other kinds by the structured similarity when one is given
CATEGORICAL_KINDS = frozenset({"label", "labels"})
MATCH_AT = 0.5  # structured answers "agree" from this similarity on (IoU 0.5 is the usual box match)
Similarity = Callable[[str, Mapping[str, Any], Mapping[str, Any]], float]


def coerce_gold(raw: Any, field: str) -> Any:
    """An imported gold answer in the shape ``normalize`` takes: ``"cat"`` → ``{"label": "cat"}``.

    A list of strings is a multi-label answer; an object is passed through as the task type's value.
    """
    if isinstance(raw, str):
        if not raw.strip():
            raise ValidationFailed("the gold answer is empty", field=field)
        return {"label": raw}
    if isinstance(raw, list) and all(isinstance(x, str) for x in raw):
        return {"labels": raw}
    if isinstance(raw, dict):
        return raw
    raise ValidationFailed("a gold answer is a label, a list of labels or the task's answer object", field=field)


def canonical_key(value: Any) -> bytes:
    """One key per canonical value, whatever its key order (for counting and equality)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def same_answer(kind: str, a: Mapping[str, Any], b: Mapping[str, Any], similarity: Similarity | None = None) -> bool:
    """Do two canonical answers agree? Equality for labels; similarity >= 0.5 for structured kinds."""
    if kind in CATEGORICAL_KINDS or similarity is None:
        return canonical_key(a) == canonical_key(b)
    return similarity(kind, a, b) >= MATCH_AT


def wants_gold(user_id: int, draw: int, rate: float) -> bool:
    """Whether this worker's next task should be gold: a hash of (worker, draw) below ``rate``.

    The caller passes a fresh random ``draw`` per task (so about ``rate`` of any run of tasks
    are gold, in no order a worker could learn); the same inputs always give the same answer,
    which keeps the rule itself testable.
    """
    if rate <= 0.0:
        return False
    if rate >= 1.0:
        return True
    digest = hashlib.blake2b(f"{user_id}:{draw}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < rate
