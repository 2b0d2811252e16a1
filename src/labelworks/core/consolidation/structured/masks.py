"""Segmentation masks and polygons: pixel-wise weighted vote.

Masks. Canonical in-memory value::

    {"mask": [[0, 0, 1, ...], ...],          # H x W integer label map (nested lists or a numpy array)
     "classes": {"1": "car", "2": "road"}}     # optional: class id -> name (0 is background)

A PNG label map with ``labelMappings`` / ``internal-color-map`` (Ground Truth's semantic
segmentation output) is decoded into this shape by the task type; consolidation never reads files.
:func:`consolidate_masks` gives every pixel the class with the most worker weight (ties: the
lowest class id, so background wins a tie with an object). Confidence per class = the mean share
of weight that agreed with the winning class on the pixels given that class; the item's confidence
= the mean share over the pixels that at least one worker gave a class other than 0 (background
everywhere, by everyone, gives 1.0).

Polygons. Value shape::

    {"polygons": [{"label": "car", "vertices": [{"x": 1, "y": 2}, ...]}, ...],
     "inputImageProperties": {"width": 640, "height": 480}}   # optional

Each polygon is rasterised (Pillow) over the region covered by the item's polygons, instances are
matched across workers like boxes (Hungarian on mask IoU >= ``iou_threshold``, workers in an order
computed from their answers, quorum of weight), and each kept instance's shape is the pixel vote of
its members (a pixel is in when members with more than half of the instance's weight cover it).
The consolidated polygon is the traced outline of that vote (:func:`trace_outline`: pixel centres,
simplified to within a pixel); when the vote is under three pixels wide, the member polygon
closest to it (IoU). Object confidence = support x mean IoU of the members to the
vote x label share; the item's confidence as for boxes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw
from scipy import ndimage

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
from .boxes import _image_properties

__all__ = [
    "consolidate_masks",
    "consolidate_polygons",
    "mask_similarity",
    "parse_mask",
    "parse_polygons",
    "polygon_similarity",
    "rasterize",
    "trace_outline",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Polygon = tuple[str, tuple[tuple[float, float], ...]]


def parse_mask(value: Mapping[str, Any], where: str = "value") -> IntArray:
    """The label map of one answer as a 2-D int64 array; ValueError names the bad field."""
    if not isinstance(value, Mapping) or "mask" not in value:
        raise ValueError(f"{where}.mask: expected a 2-D integer label map")
    try:
        arr = np.asarray(value["mask"])
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{where}.mask: rows differ in length") from exc
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"{where}.mask: expected a non-empty 2-D label map, got shape {arr.shape}")
    if arr.dtype.kind not in "iub":
        raise ValueError(f"{where}.mask: expected integer class ids, got {arr.dtype}")
    if arr.dtype.kind == "i" and arr.min() < 0:
        raise ValueError(f"{where}.mask: class ids must not be negative")
    out: IntArray = arr.astype(np.int64)
    return out


def _class_names(values: Sequence[Mapping[str, Any]]) -> dict[int, str]:
    names: dict[int, str] = {}
    for value in values:
        classes = value.get("classes")
        if isinstance(classes, Mapping):
            for key, name in classes.items():
                if isinstance(name, str) and str(key).isdigit():
                    names.setdefault(int(key), name)
    return names


def consolidate_masks(
    answers: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    weights: Mapping[str, float] | None = None,
    method: str = "mask-pixel-vote",
) -> Consolidated:
    """Pixel-wise weighted vote of label maps (see the module doc)."""
    if not answers:
        raise ValueError("no answers to consolidate")
    maps = [parse_mask(v, f"answer of {w!r}") for w, v in answers]
    shape = maps[0].shape
    for (worker, _), m in zip(answers, maps, strict=True):
        if m.shape != shape:
            raise ValueError(f"answer of {worker!r}.mask: shape {m.shape} differs from {shape}")
    w = resolve_weights([w for w, _ in answers], weights)
    total = float(w.sum())
    classes = np.unique(np.concatenate([np.unique(m) for m in maps]))
    best = np.zeros(shape, dtype=np.int64)
    best_votes = np.full(shape, -1.0)
    for c in classes.tolist():  # ascending: a later class must beat, not tie, to take a pixel
        votes = np.zeros(shape)
        for m, weight in zip(maps, w.tolist(), strict=True):
            votes += (m == c) * weight
        take = votes > best_votes + 1e-12
        best[take] = c
        best_votes[take] = votes[take]
    share = best_votes / total
    n = len(answers)
    names = _class_names([v for _, v in answers])
    conf_map = {}
    for c in np.unique(best).tolist():
        conf_map[names.get(c, str(c))] = confidence(float(share[best == c].mean()), n)
    contested = np.zeros(shape, dtype=bool)
    for m in maps:
        contested |= m != 0
    item = float(share[contested].mean()) if contested.any() else 1.0
    value: dict[str, object] = {"mask": best.tolist()}
    if names:
        value["classes"] = {str(k): v for k, v in sorted(names.items())}
    return Consolidated(value=value, confidence=confidence(item, n), confidence_map=conf_map,
                        votes=n, method=method)


def mask_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """Mean IoU over the classes other than 0 present in either map (1.0 when neither has any)."""
    ma, mb = parse_mask(a, "a"), parse_mask(b, "b")
    if ma.shape != mb.shape:
        raise ValueError(f"mask shapes differ: {ma.shape} vs {mb.shape}")
    classes = [c for c in np.union1d(np.unique(ma), np.unique(mb)).tolist() if c != 0]
    if not classes:
        return 1.0
    ious = []
    for c in classes:
        in_a, in_b = ma == c, mb == c
        ious.append(float((in_a & in_b).sum()) / float((in_a | in_b).sum()))
    return float(np.mean(ious))


def parse_polygons(value: Mapping[str, Any], where: str = "value") -> list[Polygon]:
    """The polygons of one answer as (label, ((x, y), ...)); ValueError names the bad field."""
    if not isinstance(value, Mapping) or not isinstance(value.get("polygons"), list):
        raise ValueError(f"{where}.polygons: expected a list of polygons")
    out: list[Polygon] = []
    for i, poly in enumerate(value["polygons"]):
        at = f"{where}.polygons[{i}]"
        if not isinstance(poly, Mapping):
            raise ValueError(f"{at}: expected an object with label and vertices")
        label = poly.get("label")
        if not isinstance(label, str):
            raise ValueError(f"{at}.label: expected a string")
        vertices = poly.get("vertices")
        if not isinstance(vertices, list) or len(vertices) < 3:
            raise ValueError(f"{at}.vertices: expected at least 3 points")
        pts = []
        for j, v in enumerate(vertices):
            if not isinstance(v, Mapping):
                raise ValueError(f"{at}.vertices[{j}]: expected an object with x and y")
            pts.append((number(v.get("x"), f"{at}.vertices[{j}].x"), number(v.get("y"), f"{at}.vertices[{j}].y")))
        out.append((label, tuple(pts)))
    return out


def _frame(polys: Sequence[Polygon], props: Mapping[str, Any] | None) -> tuple[int, int, int, int]:
    """(x0, y0, width, height) of the pixel region that holds every polygon (inside the image)."""
    xs = [p[0] for _, pts in polys for p in pts]
    ys = [p[1] for _, pts in polys for p in pts]
    x0, y0 = max(0, math.floor(min(xs))), max(0, math.floor(min(ys)))
    x1, y1 = math.ceil(max(xs)) + 1, math.ceil(max(ys)) + 1
    if props is not None:
        x1 = min(x1, int(number(props.get("width"), "inputImageProperties.width")))
        y1 = min(y1, int(number(props.get("height"), "inputImageProperties.height")))
    return x0, y0, max(1, x1 - x0), max(1, y1 - y0)


def rasterize(vertices: Sequence[tuple[float, float]], frame: tuple[int, int, int, int]) -> BoolArray:
    """The pixels of ``frame`` (x0, y0, width, height) covered by one polygon (Pillow's fill)."""
    x0, y0, width, height = frame
    img = Image.new("1", (width, height), 0)
    ImageDraw.Draw(img).polygon([(x - x0, y - y0) for x, y in vertices], fill=1, outline=1)
    out: BoolArray = np.asarray(img, dtype=bool)
    return out


# clockwise with y pointing down: W, NW, N, NE, E, SE, S, SW
_RING = ((0, -1), (-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1))
SIMPLIFY_PX = 1.0


def trace_outline(mask: BoolArray) -> list[tuple[int, int]]:
    """The outline of the largest 8-connected region of ``mask`` as pixel centres (x, y), clockwise.

    Moore-neighbour tracing (holes are filled: a polygon has none), stopped when a (pixel, entry
    direction) state comes round again, then simplified (collinear points dropped, Douglas-Peucker
    at ``SIMPLIFY_PX``). Rasterising the result with :func:`rasterize` gives the region back to
    within a pixel along the edge. Empty when the mask is.
    """
    labels, count = ndimage.label(mask, structure=np.ones((3, 3), dtype=bool))
    if count == 0:
        return []
    sizes = np.bincount(labels.ravel())[1:]
    region = ndimage.binary_fill_holes(labels == int(np.argmax(sizes)) + 1)
    pad = np.pad(region, 1)
    rows, cols = np.nonzero(pad)
    first = int(np.lexsort((cols, rows))[0])
    start = (int(rows[first]), int(cols[first]))
    # the topmost-leftmost pixel was entered from the west, which is outside
    state = (start, 0)
    seen: dict[tuple[tuple[int, int], int], int] = {}
    path: list[tuple[int, int]] = []
    while state not in seen:
        seen[state] = len(path)
        cur, back = state
        path.append(cur)
        for i in range(1, 9):
            d = (back + i) % 8
            nxt = (cur[0] + _RING[d][0], cur[1] + _RING[d][1])
            if pad[nxt]:
                before = (back + i - 1) % 8
                bpos = (cur[0] + _RING[before][0], cur[1] + _RING[before][1])
                state = (nxt, _RING.index((bpos[0] - nxt[0], bpos[1] - nxt[1])))
                break
        else:
            return [(start[1] - 1, start[0] - 1)]  # a single pixel
    loop = path[seen[state]:]
    return _simplify([(c - 1, r - 1) for r, c in loop], SIMPLIFY_PX)


def _simplify(points: list[tuple[int, int]], tolerance: float) -> list[tuple[int, int]]:
    """Douglas-Peucker on a closed outline, split at the first point and the farthest from it."""
    if len(points) < 4:
        return points
    pts = np.asarray(points, dtype=np.float64)
    far = int(np.argmax(((pts - pts[0]) ** 2).sum(axis=1)))
    keep = np.zeros(len(pts), dtype=bool)
    keep[0] = keep[far] = True
    stack = [(0, far), (far, len(pts))]
    while stack:
        lo, hi = stack.pop()
        end = pts[hi % len(pts)]
        inner = pts[lo + 1:hi]
        if inner.size == 0:
            continue
        seg = end - pts[lo]
        length = float(np.hypot(*seg))
        if length == 0:
            dist = np.hypot(*(inner - pts[lo]).T)
        else:
            dist = np.abs(seg[0] * (inner[:, 1] - pts[lo][1]) - seg[1] * (inner[:, 0] - pts[lo][0])) / length
        k = int(np.argmax(dist))
        if dist[k] > tolerance:
            mid = lo + 1 + k
            keep[mid] = True
            stack.extend([(lo, mid), (mid, hi)])
    return [points[i] for i in np.flatnonzero(keep)]


def _iou(a: Sequence[BoolArray], b: Sequence[BoolArray]) -> FloatArray:
    fa = np.array([m.ravel() for m in a], dtype=np.float32).reshape(len(a), -1)
    fb = np.array([m.ravel() for m in b], dtype=np.float32).reshape(len(b), -1)
    inter = fa @ fb.T
    union = fa.sum(axis=1)[:, None] + fb.sum(axis=1)[None, :] - inter
    out: FloatArray = np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0).astype(np.float64)
    return out


def polygon_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """Soft F1 of two answers on rasterised IoU, label-matched (as ``box_similarity``)."""
    pa, pb = parse_polygons(a, "a"), parse_polygons(b, "b")
    if not pa and not pb:
        return 1.0
    if not pa or not pb:
        return 0.0
    frame = _frame([*pa, *pb], _image_properties([a, b]))
    iou = _iou([rasterize(p, frame) for _, p in pa], [rasterize(p, frame) for _, p in pb])
    iou = np.where(np.array([[x[0] == y[0] for y in pb] for x in pa]), iou, 0.0)
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(iou, maximize=True)
    return float(2.0 * iou[rows, cols].sum() / (len(pa) + len(pb)))


def consolidate_polygons(
    answers: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    label_order: Sequence[str] = (),
    weights: Mapping[str, float] | None = None,
    iou_threshold: float = 0.5,
    quorum: float | int | None = None,
    method: str = "polygon-pixel-vote",
) -> Consolidated:
    """One item's consensus polygons from ``(worker, value)`` answers (see the module doc)."""
    if not answers:
        raise ValueError("no answers to consolidate")
    if not 0.0 < iou_threshold <= 1.0:
        raise ValueError(f"iou_threshold: must lie in (0, 1], got {iou_threshold}")
    workers = [w for w, _ in answers]
    per_worker = [sorted(parse_polygons(v, f"answer of {w!r}"), key=geometry_first) for w, v in answers]
    w = resolve_weights(workers, weights)
    n = len(answers)
    props = _image_properties([v for _, v in answers])
    everything = [p for polys in per_worker for p in polys]
    if not everything:
        value: dict[str, object] = {"polygons": []}
        if props is not None:
            value["inputImageProperties"] = props
        return Consolidated(value=value, confidence=confidence(1.0, n), votes=n, method=method)
    frame = _frame(everything, props)
    masks = [[rasterize(pts, frame) for _, pts in polys] for polys in per_worker]
    # objects carry their index so the affinity can look up the rasterised mask
    objects = [[(label, pos, k) for k, (label, _) in enumerate(polys)] for pos, polys in enumerate(per_worker)]
    order = canonical_order([tuple(p[1] for p in polys) for polys in per_worker], w)

    def vote(members: list[tuple[int, int]]) -> BoolArray:
        mw = np.array([w[p] for p, _ in members], dtype=np.float64)
        if mw.sum() <= 0:
            mw = np.ones_like(mw)
        cover = np.zeros(masks[members[0][0]][members[0][1]].shape)
        for (p, k), weight in zip(members, mw.tolist(), strict=True):
            cover += masks[p][k] * weight
        out: BoolArray = cover > mw.sum() / 2 + 1e-12
        return out

    def represent(members: list[tuple[int, int]]) -> tuple[str, BoolArray]:
        label, _ = weighted_vote(((per_worker[p][k][0], float(w[p])) for p, k in members), label_order)
        return label, vote(members)

    def affinity(objs: Sequence[tuple[str, int, int]], reps: Sequence[tuple[str, BoolArray]]) -> FloatArray:
        return _iou([masks[p][k] for _, p, k in objs], [m for _, m in reps])

    clusters = cluster_objects(objects, order, affinity, iou_threshold, represent,
                               same_kind=lambda o, r: bool(o[0] == r[0]))
    total = float(w.sum())
    kept: list[tuple[Polygon, float]] = []
    scores: list[float] = []
    for cluster in clusters:
        support = float(sum(w[p] for p, _ in cluster.members)) / total
        if not quorum_met(support, len(cluster.members), quorum):
            scores.append(1.0 - support)
            continue
        label, voted = cluster.representative
        ious = _iou([masks[p][k] for p, k in cluster.members], [voted])[:, 0]
        _, label_share = weighted_vote(((per_worker[p][k][0], float(w[p])) for p, k in cluster.members), label_order)
        outline = trace_outline(voted)
        if len(outline) >= 3:
            shape: tuple[tuple[float, float], ...] = tuple(
                (float(x + frame[0]), float(y + frame[1])) for x, y in outline)
        else:
            # the vote is a sliver: the drawn polygon closest to it (ties: heavier worker, then vertices)
            pick = min(range(len(cluster.members)), key=lambda i: (
                -round(float(ious[i]), 9), -float(w[cluster.members[i][0]]),
                repr(per_worker[cluster.members[i][0]][cluster.members[i][1]][1])))
            p, k = cluster.members[pick]
            shape = per_worker[p][k][1]
        score = support * float(ious.mean()) * label_share
        kept.append(((label, shape), score))
        scores.append(score)
    kept.sort(key=lambda pc: (min(y for _, y in pc[0][1]), min(x for x, _ in pc[0][1]), pc[0][0]))
    value = {"polygons": [{"label": label, "vertices": [{"x": x, "y": y} for x, y in pts]}
                          for (label, pts), _ in kept]}
    if props is not None:
        value["inputImageProperties"] = props
    item = float(np.mean(scores)) if scores else 1.0
    return Consolidated(value=value, confidence=confidence(item, n), votes=n, method=method,
                        object_confidence=tuple(confidence(c, n) for _, c in kept))
