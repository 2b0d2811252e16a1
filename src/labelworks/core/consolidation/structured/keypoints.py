"""Keypoints: per label, cluster points within a radius, weighted median, OKS-like confidence.

Value shape::

    {"keypoints": [{"label": "left-eye", "x": 120.5, "y": 88}, ...],
     "inputImageProperties": {"width": 640, "height": 480}}   # optional

Algorithm (:func:`consolidate_keypoints`): points are only ever matched with points of the same
label. Per label, workers are visited in an order computed from their answers and each worker's
points are matched to the running clusters' medians by the Hungarian algorithm on closeness
``1 - distance / radius`` (a match needs distance < radius). The radius is ``radius_px`` pixels
when given, else ``radius`` x the image diagonal when the image size is known, else 20 pixels.
A cluster is kept by quorum (default: more than half of the weight); its point is the weighted
median of x and of y (robust to one stray click). Object confidence = support x mean OKS-like
similarity exp(-d^2 / 2s^2) of the members to the consensus point, with s = radius / 2 (a click
at the radius scores 0.14). The item's confidence as for boxes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..majority import Consolidated
from ._common import (
    FloatArray,
    canonical_order,
    cluster_objects,
    confidence,
    number,
    quorum_met,
    resolve_weights,
)
from .boxes import _image_properties

__all__ = ["Keypoint", "consolidate_keypoints", "keypoint_similarity", "parse_keypoints", "resolve_radius"]

DEFAULT_RADIUS_PX = 20.0

# (label, x, y)
Keypoint = tuple[str, float, float]


def parse_keypoints(value: Mapping[str, Any], where: str = "value") -> list[Keypoint]:
    """The points of one answer as (label, x, y); ValueError names the bad field."""
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: expected an object with a 'keypoints' list")
    raw = value.get("keypoints")
    if not isinstance(raw, list):
        raise ValueError(f"{where}.keypoints: expected a list of points")
    out: list[Keypoint] = []
    for i, pt in enumerate(raw):
        at = f"{where}.keypoints[{i}]"
        if not isinstance(pt, Mapping):
            raise ValueError(f"{at}: expected an object with label, x, y")
        label = pt.get("label")
        if not isinstance(label, str):
            raise ValueError(f"{at}.label: expected a string")
        out.append((label, number(pt.get("x"), f"{at}.x"), number(pt.get("y"), f"{at}.y")))
    return out


def resolve_radius(props: Mapping[str, Any] | None, radius: float, radius_px: float | None) -> float:
    """The matching radius in pixels (see the module doc)."""
    if radius_px is not None:
        px = number(radius_px, "radius_px")
        if px <= 0:
            raise ValueError(f"radius_px: must be positive, got {px}")
        return px
    rel = number(radius, "radius")
    if not 0 < rel <= 1:
        raise ValueError(f"radius: a share of the image diagonal in (0, 1], got {rel}")
    if props is not None:
        width = number(props.get("width"), "inputImageProperties.width")
        height = number(props.get("height"), "inputImageProperties.height")
        return rel * math.hypot(width, height)
    return DEFAULT_RADIUS_PX


def _distances(a: Sequence[Keypoint], b: Sequence[Keypoint]) -> FloatArray:
    pa = np.array([p[1:] for p in a], dtype=np.float64).reshape(-1, 2)
    pb = np.array([p[1:] for p in b], dtype=np.float64).reshape(-1, 2)
    out: FloatArray = np.sqrt(((pa[:, None, :] - pb[None, :, :]) ** 2).sum(axis=2))
    return out


def _weighted_median(values: FloatArray, weights: FloatArray) -> float:
    order = np.argsort(values, kind="stable")
    v, cum = values[order], np.cumsum(weights[order])
    half = cum[-1] / 2
    k = int(np.searchsorted(cum, half - 1e-12))
    # an exact half-way split (two points, equal weights) takes the midpoint, not one side
    if abs(cum[k] - half) < 1e-12 and k + 1 < v.size:
        return float((v[k] + v[k + 1]) / 2)
    return float(v[k])


def keypoint_similarity(a: Mapping[str, Any], b: Mapping[str, Any], *, radius_px: float = DEFAULT_RADIUS_PX) -> float:
    """Soft F1 of two answers: 2 x (sum of OKS-like scores over matched pairs) / (points in a + in b).

    Points pair up within a label by the Hungarian algorithm on distance; a pair scores
    exp(-d^2 / 2s^2) with s = radius_px / 2. Two empty answers score 1.
    """
    pa, pb = parse_keypoints(a, "a"), parse_keypoints(b, "b")
    if not pa and not pb:
        return 1.0
    if not pa or not pb:
        return 0.0
    from scipy.optimize import linear_sum_assignment

    s = radius_px / 2
    sim = np.exp(-(_distances(pa, pb) ** 2) / (2 * s * s))
    sim = np.where(np.array([[x[0] == y[0] for y in pb] for x in pa]), sim, 0.0)
    rows, cols = linear_sum_assignment(sim, maximize=True)
    return float(2.0 * sim[rows, cols].sum() / (len(pa) + len(pb)))


def consolidate_keypoints(
    answers: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    label_order: Sequence[str] = (),
    weights: Mapping[str, float] | None = None,
    radius: float = 0.05,
    radius_px: float | None = None,
    quorum: float | int | None = None,
    method: str = "keypoint-consensus",
) -> Consolidated:
    """One item's consensus keypoints from ``(worker, value)`` answers (see the module doc)."""
    if not answers:
        raise ValueError("no answers to consolidate")
    workers = [w for w, _ in answers]
    all_points = [parse_keypoints(v, f"answer of {w!r}") for w, v in answers]
    props = _image_properties([v for _, v in answers])
    r = resolve_radius(props, radius, radius_px)
    s = r / 2
    w = resolve_weights(workers, weights)
    total = float(w.sum())
    n = len(answers)
    labels = sorted({p[0] for pts in all_points for p in pts})
    kept: list[tuple[Keypoint, float]] = []
    scores: list[float] = []
    for label in labels:
        per_worker = [sorted(p for p in pts if p[0] == label) for pts in all_points]
        order = canonical_order([tuple(p[1:] for p in pts) for pts in per_worker], w)

        def represent(members: list[tuple[int, int]], per_worker: list[list[Keypoint]] = per_worker,
                      label: str = label) -> Keypoint:
            mw = np.array([w[p] for p, _ in members], dtype=np.float64)
            if mw.sum() <= 0:
                mw = np.ones_like(mw)
            xs = np.array([per_worker[p][k][1] for p, k in members])
            ys = np.array([per_worker[p][k][2] for p, k in members])
            return (label, _weighted_median(xs, mw), _weighted_median(ys, mw))

        def closeness(objs: Sequence[Keypoint], reps: Sequence[Keypoint]) -> FloatArray:
            out: FloatArray = 1.0 - _distances(objs, reps) / r
            return out

        for cluster in cluster_objects(per_worker, order, closeness, 0.0, represent):
            support = float(sum(w[p] for p, _ in cluster.members)) / total
            if not quorum_met(support, len(cluster.members), quorum):
                scores.append(1.0 - support)
                continue
            point: Keypoint = cluster.representative
            d = _distances([per_worker[p][k] for p, k in cluster.members], [point])[:, 0]
            score = support * float(np.exp(-(d**2) / (2 * s * s)).mean())
            kept.append((point, score))
            scores.append(score)
    rank = {name: i for i, name in enumerate(label_order)}
    kept.sort(key=lambda pc: (rank.get(pc[0][0], len(rank)), pc[0][0], pc[0][1], pc[0][2]))
    value: dict[str, object] = {
        "keypoints": [{"label": p[0], "x": round(p[1], 2), "y": round(p[2], 2)} for p, _ in kept]
    }
    if props is not None:
        value["inputImageProperties"] = props
    item = float(np.mean(scores)) if scores else 1.0
    return Consolidated(
        value=value,
        confidence=confidence(item, n),
        votes=n,
        method=method,
        object_confidence=tuple(confidence(c, n) for _, c in kept),
    )
