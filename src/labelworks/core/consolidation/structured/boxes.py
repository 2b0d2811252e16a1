"""Bounding boxes: match across workers by IoU (Hungarian), keep quorum clusters, average them.

Value shape (Ground Truth's bounding-box output)::

    {"boxes": [{"label": "car", "left": 10, "top": 20, "width": 30, "height": 40}, ...],
     "inputImageProperties": {"width": 640, "height": 480}}   # optional

Algorithm (:func:`consolidate_boxes`):

1. Workers are visited in an order computed from their answers (heavier weight first, then the
   boxes themselves), so neither arrival order nor worker ids change the result.
2. Each worker's boxes are matched to the running clusters' mean boxes by the Hungarian algorithm
   on IoU; a match needs IoU >= ``iou_threshold``; unmatched boxes open new clusters. Labels do not
   gate the match (a worker who picks the wrong class still drew the same object); among equal
   IoUs the same label wins.
3. A cluster is kept when its workers carry more than half of the weight (``quorum=None``), or
   at least ``quorum`` workers (an int), or at least that share of the weight (a float < 1).
4. The consolidated box is the quality-weighted mean of the members' edges; its label the
   weighted vote (ties by the project's label order).
5. Object confidence = support (weight share of the workers who drew it) x mean IoU of the
   members to the consolidated box x share of the label vote. Item confidence = the mean over all
   clusters of the object confidence for kept clusters and of 1 - support for dropped ones (how
   sure we are the object is absent); 1.0 when every worker drew nothing; 0.0 for one worker.
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
    number,
    quorum_met,
    resolve_weights,
    weighted_vote,
)

__all__ = ["Box", "box_similarity", "consolidate_boxes", "iou_matrix", "parse_boxes"]

# (label, x0, y0, x1, y1)
Box = tuple[str, float, float, float, float]


def parse_boxes(value: Mapping[str, Any], where: str = "value") -> list[Box]:
    """The boxes of one answer as (label, x0, y0, x1, y1); ValueError names the bad field."""
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: expected an object with a 'boxes' list")
    raw = value.get("boxes")
    if not isinstance(raw, list):
        raise ValueError(f"{where}.boxes: expected a list of boxes")
    out: list[Box] = []
    for i, box in enumerate(raw):
        at = f"{where}.boxes[{i}]"
        if not isinstance(box, Mapping):
            raise ValueError(f"{at}: expected an object with label, left, top, width, height")
        label = box.get("label")
        if not isinstance(label, str):
            raise ValueError(f"{at}.label: expected a string")
        left = number(box.get("left"), f"{at}.left")
        top = number(box.get("top"), f"{at}.top")
        width = number(box.get("width"), f"{at}.width")
        height = number(box.get("height"), f"{at}.height")
        if width < 0 or height < 0:
            raise ValueError(f"{at}: width and height must not be negative")
        out.append((label, left, top, left + width, top + height))
    return out


def iou_matrix(a: FloatArray, b: FloatArray) -> FloatArray:
    """IoU of every box in ``a`` (n, 4 corners) with every box in ``b`` (m, 4): an (n, m) array."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    ix = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    iy = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    inter = ix * iy
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    out: FloatArray = np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)
    # two identical zero-area boxes (a point) are the same object
    same = (union <= 0) & np.all(a[:, None, :] == b[None, :, :], axis=2)
    return np.where(same, 1.0, out)


def _corners(boxes: Sequence[Box]) -> FloatArray:
    return np.array([b[1:] for b in boxes], dtype=np.float64).reshape(-1, 4)


def box_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """Soft F1 of two answers: 2 x (sum of IoU over label-matched pairs) / (boxes in a + in b).

    Pairs are chosen by the Hungarian algorithm on IoU among boxes of the same label; identical
    answers score 1, disjoint ones 0, two empty answers 1. Used for gold scoring and agreement.
    """
    boxes_a = parse_boxes(a, "a")
    boxes_b = parse_boxes(b, "b")
    if not boxes_a and not boxes_b:
        return 1.0
    if not boxes_a or not boxes_b:
        return 0.0
    iou = iou_matrix(_corners(boxes_a), _corners(boxes_b))
    same = np.array([[x[0] == y[0] for y in boxes_b] for x in boxes_a])
    iou = np.where(same, iou, 0.0)
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(iou, maximize=True)
    return float(2.0 * iou[rows, cols].sum() / (len(boxes_a) + len(boxes_b)))


def _image_properties(values: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    # the most common image size among answers (they should all agree; the task type checks it)
    seen: dict[tuple[Any, Any], int] = {}
    for value in values:
        props = value.get("inputImageProperties")
        if isinstance(props, Mapping) and "width" in props and "height" in props:
            key = (props["width"], props["height"])
            seen[key] = seen.get(key, 0) + 1
    if not seen:
        return None
    width, height = min(seen, key=lambda k: (-seen[k], repr(k)))
    return {"width": width, "height": height}


def consolidate_boxes(
    answers: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    label_order: Sequence[str] = (),
    weights: Mapping[str, float] | None = None,
    iou_threshold: float = 0.5,
    quorum: float | int | None = None,
    method: str = "box-iou-consensus",
) -> Consolidated:
    """One item's consensus boxes from ``(worker, value)`` answers (see the module doc)."""
    if not answers:
        raise ValueError("no answers to consolidate")
    if not 0.0 < iou_threshold <= 1.0:
        raise ValueError(f"iou_threshold: must lie in (0, 1], got {iou_threshold}")
    workers = [w for w, _ in answers]
    # each worker's boxes in a canonical order (geometry first, so renaming labels changes nothing)
    per_worker = [sorted(parse_boxes(v, f"answer of {w!r}"), key=geometry_first) for w, v in answers]
    w = resolve_weights(workers, weights)
    order = canonical_order([tuple(b[1:] for b in boxes) for boxes in per_worker], w)
    corners = [_corners(boxes) for boxes in per_worker]

    def represent(members: list[tuple[int, int]]) -> Box:
        return _mean_box(members, per_worker, corners, w, label_order)

    def affinity(objs: Sequence[Box], reps: Sequence[Box]) -> FloatArray:
        return iou_matrix(_corners(objs), _corners(reps))

    clusters = cluster_objects(
        per_worker, order, affinity, iou_threshold, represent, same_kind=lambda o, r: bool(o[0] == r[0])
    )
    total = float(w.sum())
    n = len(answers)
    kept: list[tuple[Box, float]] = []
    scores: list[float] = []
    for cluster in clusters:
        member_w = np.array([w[p] for p, _ in cluster.members])
        support = float(member_w.sum()) / total
        if not quorum_met(support, len(cluster.members), quorum):
            scores.append(1.0 - support)
            continue
        box: Box = cluster.representative
        ious = iou_matrix(np.array([corners[p][k] for p, k in cluster.members]), np.array([box[1:]]))[:, 0]
        _, label_share = weighted_vote(((per_worker[p][k][0], float(w[p])) for p, k in cluster.members), label_order)
        object_score = support * float(ious.mean()) * label_share
        kept.append((box, object_score))
        scores.append(object_score)
    kept.sort(key=lambda bc: (bc[0][1], bc[0][2], bc[0][3], bc[0][4], bc[0][0]))
    value: dict[str, object] = {
        "boxes": [
            {
                "label": b[0],
                "left": round(b[1], 2),
                "top": round(b[2], 2),
                "width": round(b[3] - b[1], 2),
                "height": round(b[4] - b[2], 2),
            }
            for b, _ in kept
        ]
    }
    props = _image_properties([v for _, v in answers])
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


def _mean_box(
    members: list[tuple[int, int]],
    per_worker: Sequence[Sequence[Box]],
    corners: Sequence[FloatArray],
    w: FloatArray,
    label_order: Sequence[str],
) -> Box:
    mw = np.array([w[p] for p, _ in members], dtype=np.float64)
    if mw.sum() <= 0:
        mw = np.ones_like(mw)
    edges = np.array([corners[p][k] for p, k in members])
    mean = (edges * mw[:, None]).sum(axis=0) / mw.sum()
    label, _ = weighted_vote(((per_worker[p][k][0], float(w[p])) for p, k in members), label_order)
    return (label, float(mean[0]), float(mean[1]), float(mean[2]), float(mean[3]))
