"""Shared pieces of the structured consolidators: worker weights, order, votes, object clustering.

Every structured algorithm sees one item's answers as ``(worker, value)`` pairs. To make the
result independent of the order the answers arrive in *and* of how workers are named, workers are
processed in an order computed from what they answered (:func:`canonical_order`), never from
their ids or their position in the input.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "Cluster",
    "FloatArray",
    "canonical_order",
    "cluster_objects",
    "confidence",
    "geometry_first",
    "number",
    "quorum_met",
    "resolve_weights",
    "weighted_vote",
]


def number(value: Any, where: str) -> float:
    """A finite real number, or a ValueError naming ``where``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{where}: expected a number, got {value!r}")
    out = float(value)
    if not np.isfinite(out):
        raise ValueError(f"{where}: expected a finite number, got {value!r}")
    return out


def resolve_weights(workers: Sequence[str], weights: Mapping[str, float] | None) -> FloatArray:
    """Per-worker quality weights in [0, 1]; unknown workers weigh 1; all-zero falls back to equal."""
    if not weights:
        return np.ones(len(workers))
    out = np.empty(len(workers))
    for i, worker in enumerate(workers):
        w = number(weights.get(worker, 1.0), f"weights[{worker!r}]")
        if not 0.0 <= w <= 1.0:
            raise ValueError(f"weights[{worker!r}]: must lie in [0, 1], got {w}")
        out[i] = w
    # a zero everywhere would leave nothing to vote with: treat the workers as equal instead
    return out if out.sum() > 0 else np.ones(len(workers))


def canonical_order(keys: Sequence[Hashable], weights: FloatArray) -> list[int]:
    """Positions ordered by (heavier first, then content key): the same set gives the same order.

    ``keys`` summarise each worker's answer (for example the sorted tuple of its objects), so the
    order depends on what was answered, not on worker ids or arrival order.
    """
    return sorted(range(len(keys)), key=lambda i: (-float(weights[i]), _sortable(keys[i])))


def _sortable(key: Hashable) -> tuple[Any, ...]:
    # repr keeps heterogeneous keys comparable (None beside numbers) and is stable across runs
    return (repr(key),)


def geometry_first(obj: tuple[Any, ...]) -> tuple[Any, ...]:
    """Sort key for (label, *geometry): geometry first, so renaming labels keeps the order."""
    return (obj[1:], obj[0])


def confidence(value: float, n_workers: int) -> float:
    """Clip to [0, 1] and round; a single worker gives 0.0 (as Ground Truth does)."""
    if n_workers <= 1:
        return 0.0
    return round(float(min(1.0, max(0.0, value))), 4)


def weighted_vote(values: Iterable[tuple[str, float]], order: Sequence[str]) -> tuple[str, float]:
    """The value with the most weight and its share; ties by the project's order, then by name."""
    totals: dict[str, float] = {}
    for value, weight in values:
        totals[value] = totals.get(value, 0.0) + weight
    if not totals:
        raise ValueError("nothing to vote on")
    rank = {name: i for i, name in enumerate(order)}
    # rounding keeps float sums from breaking exact ties differently for different input orders
    best = min(totals, key=lambda v: (-round(totals[v], 9), rank.get(v, len(rank)), v))
    total = sum(totals.values())
    return best, (totals[best] / total if total > 0 else 0.0)


def quorum_met(support: float, members: int, quorum: float | int | None) -> bool:
    """``None``: more than half of the weight; an int >= 1: that many workers; a float < 1: that share."""
    if quorum is None:
        return support > 0.5 + 1e-12
    if isinstance(quorum, bool):
        raise ValueError("quorum: expected None, a worker count or a share in (0, 1]")
    if isinstance(quorum, int):
        if quorum < 1:
            raise ValueError(f"quorum: a worker count must be at least 1, got {quorum}")
        return members >= quorum
    q = number(quorum, "quorum")
    if not 0.0 < q <= 1.0:
        raise ValueError(f"quorum: a share must lie in (0, 1], got {q}")
    return support >= q - 1e-12


@dataclass
class Cluster:
    """Objects judged to be the same thing: ``members`` holds (worker position, object index)."""

    members: list[tuple[int, int]] = field(default_factory=list)
    representative: Any = None


def cluster_objects(
    objects: Sequence[Sequence[Any]],
    order: Sequence[int],
    affinity: Callable[[Sequence[Any], Sequence[Any]], FloatArray],
    threshold: float,
    represent: Callable[[list[tuple[int, int]]], Any],
    same_kind: Callable[[Any, Any], bool] | None = None,
) -> list[Cluster]:
    """Group the workers' objects: each worker in ``order`` is matched to the running clusters.

    ``affinity(objs, reps)`` gives a (len(objs), len(reps)) matrix (IoU, Jaccard…); a worker's
    objects are assigned to clusters by the Hungarian algorithm on it, a pair counting only when
    its affinity is at least ``threshold``; unmatched objects open new clusters. A worker never
    puts two objects into one cluster. ``same_kind`` (same label) breaks near-ties in favour of
    matching like with like. After each worker, touched clusters get a new representative from
    ``represent(members)`` (the weighted mean box, the median span…).
    """
    clusters: list[Cluster] = []
    for pos in order:
        objs = objects[pos]
        if not objs:
            continue
        matched: dict[int, int] = {}
        if clusters:
            reps = [c.representative for c in clusters]
            base = affinity(objs, reps)
            score = base
            if same_kind is not None:
                # a tiny bonus: among equally good matches, like goes with like
                score = base + np.array([[1e-6 if same_kind(o, r) else 0.0 for r in reps] for o in objs])
            rows, cols = linear_sum_assignment(score, maximize=True)
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
                if base[r, c] >= threshold - 1e-12 and base[r, c] > 0:
                    matched[r] = c
        touched: list[Cluster] = []
        for k in range(len(objs)):
            if k in matched:
                target = clusters[matched[k]]
            else:
                target = Cluster()
                clusters.append(target)
            target.members.append((pos, k))
            touched.append(target)
        for target in touched:
            target.representative = represent(target.members)
    return clusters
