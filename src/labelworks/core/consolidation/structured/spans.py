"""Text spans (named entities): cluster by Jaccard overlap, boundaries by mode then median.

Value shape (Ground Truth's named-entity output)::

    {"entities": [{"label": "PER", "startOffset": 0, "endOffset": 5}, ...]}

Offsets are character positions, ``endOffset`` exclusive. Two spans' Jaccard overlap is
|intersection| / |union| of their character ranges.

Algorithm (:func:`consolidate_spans`): the workers' spans are grouped exactly as boxes are (see
``boxes``): workers visited in an order computed from their answers, each worker's spans matched to
the running clusters by the Hungarian algorithm on Jaccard overlap (at least ``jaccard_threshold``),
clusters kept by quorum (default: more than half of the weight). A kept cluster's start is the
weighted mode of its members' starts; when two starts tie, their weighted median (likewise the
end). Its label is the weighted vote. Object confidence = support x mean Jaccard of the members to
the consolidated span x label share; the item's confidence as for boxes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..majority import Consolidated
from ._common import (
    FloatArray,
    canonical_order,
    cluster_objects,
    confidence,
    geometry_first,
    quorum_met,
    resolve_weights,
    weighted_vote,
)

__all__ = ["Span", "consolidate_spans", "jaccard_matrix", "parse_spans", "span_similarity"]

# (label, start, end)
Span = tuple[str, int, int]


def parse_spans(value: Mapping[str, Any], where: str = "value") -> list[Span]:
    """The entities of one answer as (label, start, end); ValueError names the bad field."""
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: expected an object with an 'entities' list")
    raw = value.get("entities")
    if not isinstance(raw, list):
        raise ValueError(f"{where}.entities: expected a list of entities")
    out: list[Span] = []
    for i, ent in enumerate(raw):
        at = f"{where}.entities[{i}]"
        if not isinstance(ent, Mapping):
            raise ValueError(f"{at}: expected an object with label, startOffset, endOffset")
        label = ent.get("label")
        if not isinstance(label, str):
            raise ValueError(f"{at}.label: expected a string")
        start = _offset(ent, "startOffset", at)
        end = _offset(ent, "endOffset", at)
        if end <= start:
            raise ValueError(f"{at}: endOffset ({end}) must be greater than startOffset ({start})")
        out.append((label, start, end))
    return out


def _offset(ent: Mapping[str, Any], name: str, at: str) -> int:
    off = ent.get(name)
    if isinstance(off, bool) or not isinstance(off, int) or off < 0:
        raise ValueError(f"{at}.{name}: expected a non-negative integer, got {off!r}")
    return off


def jaccard_matrix(a: Sequence[Span], b: Sequence[Span]) -> FloatArray:
    """Jaccard overlap of every span in ``a`` with every span in ``b``: an (n, m) array."""
    sa = np.array([[s[1], s[2]] for s in a], dtype=np.float64).reshape(-1, 2)
    sb = np.array([[s[1], s[2]] for s in b], dtype=np.float64).reshape(-1, 2)
    inter = np.clip(np.minimum(sa[:, None, 1], sb[None, :, 1]) - np.maximum(sa[:, None, 0], sb[None, :, 0]), 0, None)
    union = (sa[:, 1] - sa[:, 0])[:, None] + (sb[:, 1] - sb[:, 0])[None, :] - inter
    out: FloatArray = inter / np.where(union > 0, union, 1.0)
    return out


def span_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """Soft span F1: 2 x (sum of Jaccard over label-matched pairs) / (spans in a + in b).

    Exact matches count 1 each, so on exact agreement this is the usual entity F1; partial
    overlaps count their Jaccard. Two empty answers score 1.
    """
    sa, sb = parse_spans(a, "a"), parse_spans(b, "b")
    if not sa and not sb:
        return 1.0
    if not sa or not sb:
        return 0.0
    jac = jaccard_matrix(sa, sb)
    jac = np.where(np.array([[x[0] == y[0] for y in sb] for x in sa]), jac, 0.0)
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(jac, maximize=True)
    return float(2.0 * jac[rows, cols].sum() / (len(sa) + len(sb)))


def _mode_then_median(values: Sequence[int], weights: FloatArray) -> int:
    totals: dict[int, float] = {}
    for v, w in zip(values, weights.tolist(), strict=True):
        totals[v] = totals.get(v, 0.0) + w
    top = max(round(t, 9) for t in totals.values())
    modes = sorted(v for v, t in totals.items() if round(t, 9) == top)
    if len(modes) == 1:
        return modes[0]
    # tied modes: the weighted median of all members' values (lower median: an actual offset)
    order = np.argsort(np.asarray(values), kind="stable")
    sorted_v = np.asarray(values)[order]
    cum = np.cumsum(weights[order])
    return int(sorted_v[int(np.searchsorted(cum, cum[-1] / 2 - 1e-12))])


def consolidate_spans(
    answers: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    label_order: Sequence[str] = (),
    weights: Mapping[str, float] | None = None,
    jaccard_threshold: float = 0.5,
    quorum: float | int | None = None,
    method: str = "span-jaccard-consensus",
) -> Consolidated:
    """One item's consensus entities from ``(worker, value)`` answers (see the module doc)."""
    if not answers:
        raise ValueError("no answers to consolidate")
    if not 0.0 < jaccard_threshold <= 1.0:
        raise ValueError(f"jaccard_threshold: must lie in (0, 1], got {jaccard_threshold}")
    workers = [w for w, _ in answers]
    per_worker = [sorted(parse_spans(v, f"answer of {w!r}"), key=geometry_first) for w, v in answers]
    w = resolve_weights(workers, weights)
    order = canonical_order([tuple(s[1:] for s in spans) for spans in per_worker], w)

    def represent(members: list[tuple[int, int]]) -> Span:
        mw = np.array([w[p] for p, _ in members], dtype=np.float64)
        if mw.sum() <= 0:
            mw = np.ones_like(mw)
        start = _mode_then_median([per_worker[p][k][1] for p, k in members], mw)
        end = _mode_then_median([per_worker[p][k][2] for p, k in members], mw)
        if end <= start:  # modes of start and end from different members can cross
            end = start + 1
        label, _ = weighted_vote(((per_worker[p][k][0], float(w[p])) for p, k in members), label_order)
        return (label, start, end)

    clusters = cluster_objects(
        per_worker, order, jaccard_matrix, jaccard_threshold, represent,
        same_kind=lambda o, r: bool(o[0] == r[0]),
    )
    total = float(w.sum())
    n = len(answers)
    kept: list[tuple[Span, float]] = []
    scores: list[float] = []
    for cluster in clusters:
        support = float(sum(w[p] for p, _ in cluster.members)) / total
        if not quorum_met(support, len(cluster.members), quorum):
            scores.append(1.0 - support)
            continue
        span: Span = cluster.representative
        jac = jaccard_matrix([per_worker[p][k] for p, k in cluster.members], [span])[:, 0]
        _, label_share = weighted_vote(((per_worker[p][k][0], float(w[p])) for p, k in cluster.members), label_order)
        score = support * float(jac.mean()) * label_share
        kept.append((span, score))
        scores.append(score)
    kept.sort(key=lambda sc: (sc[0][1], sc[0][2], sc[0][0]))
    item = float(np.mean(scores)) if scores else 1.0
    return Consolidated(
        value={"entities": [{"label": s[0], "startOffset": s[1], "endOffset": s[2]} for s, _ in kept]},
        confidence=confidence(item, n),
        votes=n,
        method=method,
        object_confidence=tuple(confidence(c, n) for _, c in kept),
    )
