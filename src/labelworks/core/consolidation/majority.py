"""Majority vote with confidence = share of votes (0.00 for a single worker, as Ground Truth)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["Consolidated", "majority_single", "majority_multi"]


@dataclass(frozen=True)
class Consolidated:
    """One item's answer. ``value`` is the task type's canonical value."""

    value: dict[str, object]
    confidence: float
    confidence_map: dict[str, float] = field(default_factory=dict)
    votes: int = 0
    method: str = "majority-vote"
    # one confidence per consolidated object, in the order of the value's list (boxes, spans…)
    object_confidence: tuple[float, ...] = ()


def _confidence(share: float, votes: int) -> float:
    return 0.0 if votes <= 1 else round(share, 2)


def majority_single(labels: Sequence[str], order: Sequence[str]) -> Consolidated | None:
    """Most frequent label; ties go to the label listed first in the project (reproducible)."""
    if not labels:
        return None
    counts = Counter(labels)
    rank = {name: i for i, name in enumerate(order)}
    best = min(counts, key=lambda lab: (-counts[lab], rank.get(lab, len(rank)), lab))
    votes = len(labels)
    return Consolidated(
        value={"label": best},
        confidence=_confidence(counts[best] / votes, votes),
        votes=votes,
    )


def majority_multi(label_sets: Sequence[Sequence[str]], order: Sequence[str]) -> Consolidated | None:
    """Each label kept when more than half of the workers chose it (all of one worker's, if alone)."""
    if not label_sets:
        return None
    votes = len(label_sets)
    counts: Counter[str] = Counter()
    for chosen in label_sets:
        counts.update(set(chosen))
    rank = {name: i for i, name in enumerate(order)}
    kept = sorted(
        (lab for lab, n in counts.items() if n * 2 > votes or votes == 1),
        key=lambda lab: (rank.get(lab, len(rank)), lab),
    )
    conf_map = {lab: _confidence(counts[lab] / votes, votes) for lab in kept}
    overall = min(conf_map.values()) if conf_map else _confidence(1.0 - max(counts.values(), default=0) / votes, votes)
    return Consolidated(value={"labels": kept}, confidence=overall, confidence_map=conf_map, votes=votes)
