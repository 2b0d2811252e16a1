"""Worker quality from plain values: gold accuracy, agreement with consensus, speed, flags, qualification."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from .gold import CATEGORICAL_KINDS, Similarity, canonical_key, same_answer
from .settings import QualitySettings

__all__ = ["WorkerAnswer", "WorkerStats", "worker_stats", "qualification_failure"]


@dataclass(frozen=True)
class WorkerAnswer:
    """A worker's latest answer to one item."""

    item_id: int
    value: Mapping[str, Any]
    active_ms: int | None


@dataclass(frozen=True)
class WorkerStats:
    user_id: int
    answers: int
    gold_answered: int
    gold_correct: int
    gold_accuracy: float | None  # None before the first gold answer
    agreement: float | None  # share of answers equal to the item's consolidated answer (None: nothing to compare)
    agreement_items: int  # items compared (another worker answered them too; gold items excluded)
    median_active_ms: float | None
    too_fast: int
    too_fast_share: float
    top_value: str | None  # the most frequent answer (categorical kinds)
    top_share: float
    flags: tuple[str, ...] = field(default_factory=tuple)


def worker_stats(user_id: int, answers: Sequence[WorkerAnswer], *, kind: str, settings: QualitySettings,
                 gold: Mapping[int, Mapping[str, Any]], consensus: Mapping[int, Mapping[str, Any]],
                 similarity: Similarity | None = None) -> WorkerStats:
    """One worker's figures. ``consensus`` holds consolidated answers of items seen by two or more workers."""
    categorical = kind in CATEGORICAL_KINDS
    # labels compare by canonical key, each answer's key made once (it also feeds the label count)
    keys = [canonical_key(a.value) for a in answers] if categorical else []

    def agrees(i: int, a: WorkerAnswer, other: Mapping[str, Any]) -> bool:
        if categorical:
            return keys[i] == canonical_key(other)
        return same_answer(kind, a.value, other, similarity)

    gold_answered = gold_correct = 0
    compared = agreed = 0
    for i, a in enumerate(answers):
        known = gold.get(a.item_id)
        if known is not None:
            gold_answered += 1
            gold_correct += agrees(i, a, known)
            continue
        answer = consensus.get(a.item_id)
        if answer is not None:
            compared += 1
            agreed += agrees(i, a, answer)
    times = [a.active_ms for a in answers if a.active_ms is not None]
    floor_ms = settings.min_seconds * 1000.0
    too_fast = sum(1 for t in times if t < floor_ms) if floor_ms > 0 else 0
    top_value, top_share = None, 0.0
    if categorical and answers:
        counts = Counter(keys)
        key, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        top_value, top_share = _readable(answers[keys.index(key)].value, key), n / len(answers)
    flags: list[str] = []
    if too_fast:
        flags.append(f"{too_fast} answers faster than {settings.min_seconds:g} s")
    if (kind in CATEGORICAL_KINDS and len(answers) >= settings.one_label_min_answers
            and top_share >= settings.one_label_share):
        flags.append(f"one label for everything: {top_value} in {top_share:.0%} of {len(answers)} answers")
    return WorkerStats(
        user_id=user_id, answers=len(answers), gold_answered=gold_answered, gold_correct=gold_correct,
        gold_accuracy=gold_correct / gold_answered if gold_answered else None,
        agreement=agreed / compared if compared else None, agreement_items=compared,
        median_active_ms=float(median(times)) if times else None, too_fast=too_fast,
        too_fast_share=too_fast / len(times) if times else 0.0, top_value=top_value, top_share=top_share,
        flags=tuple(flags))


def _readable(value: Mapping[str, Any], key: bytes) -> str:
    """An answer as a person reads it (``cat``, ``cat+dog``)."""
    if isinstance(value.get("label"), str):
        return str(value["label"])
    if isinstance(value.get("labels"), list):
        return "+".join(str(x) for x in value["labels"]) or "(none)"
    return key.decode()


def qualification_failure(gold_answered: int, gold_correct: int, settings: QualitySettings) -> str | None:
    """Why the worker is paused, or None: below the accuracy after at least the set number of gold items."""
    if not settings.qualification_on or gold_answered < settings.min_gold_answers:
        return None
    accuracy = gold_correct / gold_answered
    if accuracy >= settings.min_gold_accuracy:
        return None
    return (f"paused from this project: gold accuracy {accuracy:.2f} below {settings.min_gold_accuracy:.2f} "
            f"after {gold_answered} gold items")
