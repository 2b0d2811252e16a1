"""Consolidation of Ground Truth's segmentation answers: PNG label maps (semantic) and instances.

Value shapes (the ``semantic-segmentation`` / ``instance-segmentation`` task types' canonical
values, Ground Truth's element output)::

    {"labeledImage": {"pngImageData": "<base64 PNG>"},
     "labelMappings": {"car": {"color": "#2ca02c"}},          # semantic: label -> colour
     "instances": [{"color": "#1f77b4", "label": "car"}],      # instance: one colour per object
     "inputImageProperties": {"width": 640, "height": 480}}

Semantic (``segmentation-pixel-vote``): each worker's PNG is decoded through that worker's own
``labelMappings`` into class ids (a label's position in the project, so workers whose elements
coloured a class differently still agree), every pixel takes the class with the most weight
(ties: background, then the project's label order), and the result is encoded again. Confidence
per class (``confidence_map``, ``BACKGROUND`` for unlabeled) = the mean agreeing share on that
class's pixels; the item's = the mean agreeing share over the pixels some worker labeled.

Instance (``instance-mask-consensus``): each worker's instances become masks, matched across
workers by the Hungarian algorithm on mask IoU (>= ``iou_threshold``, the clustering boxes and
polygons use); a matched group survives by quorum and its mask is the pixel vote of its members
(a pixel is in when more than half of the group's weight covers it), its label the weighted vote.
Instances are painted in order of confidence (the surer one keeps a contested pixel). Object
confidence = support x mean IoU of the members to the vote x label share; the item's confidence
as for boxes. Masks are held cropped to their bounding box, so IoU and votes cost the object's
area, not the image's.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import ndimage as ndi
from scipy.optimize import linear_sum_assignment

from ..majority import Consolidated
from ._common import FloatArray, canonical_order, cluster_objects, confidence, quorum_met, resolve_weights, weighted_vote
from .label_maps import (
    BACKGROUND,
    decode_ids,
    encode_index_png,
    normalise_colour,
    palette_colours,
)

__all__ = [
    "Crop",
    "crop_mask",
    "consolidate_instances",
    "consolidate_semantic",
    "instance_masks",
    "instance_similarity",
    "instance_value",
    "label_mappings",
    "parse_instances",
    "semantic_ids",
    "semantic_similarity",
    "semantic_value",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _image(value: Mapping[str, Any], where: str) -> tuple[object, str]:
    labeled = value.get("labeledImage") if isinstance(value, Mapping) else None
    if not isinstance(labeled, Mapping):
        raise ValueError(f"{where}.labeledImage: expected an object with pngImageData")
    return labeled.get("pngImageData"), f"{where}.labeledImage.pngImageData"


def label_mappings(value: Mapping[str, Any], where: str) -> dict[str, str]:
    """``labelMappings`` as label -> ``#rrggbb``, colours unique and not white."""
    raw = value.get("labelMappings")
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}.labelMappings: expected an object of label -> {{color}}")
    out: dict[str, str] = {}
    seen: dict[str, str] = {}
    for label, spec in raw.items():
        at = f"{where}.labelMappings.{label}"
        if not isinstance(spec, Mapping):
            raise ValueError(f"{at}: expected an object with color")
        colour = normalise_colour(spec.get("color"), f"{at}.color")
        if colour == "#ffffff":
            raise ValueError(f"{at}.color: #ffffff marks unlabeled pixels; pick another colour")
        if colour in seen:
            raise ValueError(f"{at}.color: {colour} is also {seen[colour]!r}'s colour")
        seen[colour] = str(label)
        out[str(label)] = colour
    return out


def semantic_ids(value: Mapping[str, Any], classes: Sequence[str], where: str) -> IntArray:
    """The answer's label map as ids: 0 unlabeled, k = ``classes[k - 1]`` (every mapped label must
    be in ``classes``)."""
    mappings = label_mappings(value, where)
    data, at = _image(value, where)
    index = {name: k for k, name in enumerate(classes, start=1)}
    for label in mappings:
        if label not in index:
            raise ValueError(f"{where}.labelMappings.{label}: not one of the labels {list(classes)}")
    # decoded straight to the ids of ``classes`` (one lookup per pixel)
    out: IntArray = decode_ids(data, list(mappings.values()), at,
                               values=[0, *(index[label] for label in mappings)])  # type: ignore[assignment]
    return out


def _class_order(values: Sequence[Mapping[str, Any]], label_order: Sequence[str]) -> list[str]:
    """The project's labels, then any other label the answers map (sorted: order-independent)."""
    known = set(label_order)
    extra: set[str] = set()
    for v in values:
        raw = v.get("labelMappings") if isinstance(v, Mapping) else None
        if isinstance(raw, Mapping):
            extra.update(str(k) for k in raw if str(k) not in known)
    return [*label_order, *sorted(extra)]


def _colours(labels: Sequence[str], values: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """One colour per label: the colour most workers gave it (ties: the smaller hex), else a
    palette colour no other label uses."""
    votes: dict[str, dict[str, int]] = {}
    for v in values:
        raw = v.get("labelMappings")
        if isinstance(raw, Mapping):
            for label, spec in raw.items():
                colour = spec.get("color") if isinstance(spec, Mapping) else None
                if isinstance(colour, str):
                    per = votes.setdefault(str(label), {})
                    per[colour.lower()] = per.get(colour.lower(), 0) + 1
    out: dict[str, str] = {}
    used: set[str] = set()
    for label in labels:
        ranked = sorted(votes.get(label, {}).items(), key=lambda kv: (-kv[1], kv[0]))
        pick = next((c for c, _ in ranked if c not in used), None)
        if pick is not None:
            out[label] = pick
            used.add(pick)
    missing = [label for label in labels if label not in out]
    for label, colour in zip(missing, palette_colours(len(missing), sorted(used)), strict=True):
        out[label] = colour
    return out


def _props(ids: npt.NDArray[Any]) -> dict[str, int]:
    return {"width": int(ids.shape[1]), "height": int(ids.shape[0])}


def semantic_value(ids: npt.NDArray[np.integer], classes: Sequence[str], colours: Mapping[str, str]) -> dict[str, Any]:
    """The canonical value of a class-id map (``classes[k - 1]`` for id k): only the labels present
    are mapped, renumbered 1..n in class order in the PNG's palette."""
    flat = np.asarray(ids).ravel()
    present = [c for c in np.flatnonzero(np.bincount(flat)).tolist() if c != 0]  # O(pixels), no sort
    labels = [classes[c - 1] for c in present]
    # ids renumbered 1..n in the order of ``classes`` so the palette holds only the used colours
    table = np.zeros(max(present, default=0) + 1, dtype=np.uint8 if len(present) < 256 else np.int64)
    for k, c in enumerate(present, start=1):
        table[c] = k
    png = encode_index_png(table[ids], [colours[label] for label in labels])
    return {"labeledImage": {"pngImageData": base64.b64encode(png).decode()},
            "labelMappings": {label: {"color": colours[label]} for label in labels},
            "inputImageProperties": _props(ids)}


def consolidate_semantic(
    answers: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    label_order: Sequence[str] = (),
    weights: Mapping[str, float] | None = None,
    method: str = "segmentation-pixel-vote",
) -> Consolidated:
    """Pixel-wise weighted vote of PNG label maps (see the module doc)."""
    if not answers:
        raise ValueError("no answers to consolidate")
    values = [v for _, v in answers]
    classes = _class_order(values, label_order)
    maps = [semantic_ids(v, classes, f"answer of {w!r}") for w, v in answers]
    shape = maps[0].shape
    for (worker, _), m in zip(answers, maps, strict=True):
        if m.shape != shape:
            raise ValueError(f"answer of {worker!r}.labeledImage: {m.shape[1]} x {m.shape[0]} differs from "
                             f"{shape[1]} x {shape[0]}")
    w = resolve_weights([wk for wk, _ in answers], weights)
    best, share = _pixel_vote(maps, w)
    n = len(answers)
    conf_map: dict[str, float] = {}
    flat_best = best.ravel()
    sums = np.bincount(flat_best, weights=share.ravel())
    counts = np.bincount(flat_best)
    for c in np.flatnonzero(counts).tolist():
        conf_map[BACKGROUND if c == 0 else classes[c - 1]] = confidence(float(sums[c] / counts[c]), n)
    labeled = np.zeros(shape, dtype=bool)
    for m in maps:
        labeled |= m != 0
    item = float(share[labeled].mean(dtype=np.float64)) if labeled.any() else 1.0
    value = semantic_value(best, classes, _colours(classes, values))
    return Consolidated(value=value, confidence=confidence(item, n), confidence_map=conf_map, votes=n, method=method)


def _pixel_vote(maps: Sequence[IntArray], w: FloatArray, rows: int = 256) -> tuple[IntArray, FloatArray]:
    """Per pixel, the class with the most weight (ties: the lowest id) and its share of the weight.

    Each worker's class is scored by the weight of the workers who agree with it: n^2 comparisons
    per pixel whatever the number of classes (a 4000 x 3000 map with 50 classes costs what one with
    2 does), done a band of ``rows`` at a time to bound memory.
    """
    shape = maps[0].shape
    dtype = np.result_type(*maps)
    total = float(w.sum())
    best = np.empty(shape, dtype=dtype)
    share = np.empty(shape, dtype=np.float32)
    weights = w.astype(np.float32).tolist()
    for y0 in range(0, shape[0], rows):
        band = np.stack([m[y0:y0 + rows] for m in maps])  # (n, rows, W)
        votes = np.zeros(band.shape, dtype=np.float32)
        for i, weight in enumerate(weights):
            same = band == band[i]
            if weight == 1.0:
                votes += same
            else:
                votes += same * np.float32(weight)
        top = votes.max(axis=0)
        # among the classes with the top weight, the lowest id (background first)
        eligible = votes >= top - 1e-5
        best[y0:y0 + rows] = np.where(eligible, band, np.iinfo(dtype).max).min(axis=0)
        share[y0:y0 + rows] = top / np.float32(total)
    return best, share  # type: ignore[return-value]


def semantic_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """Mean IoU over the labels present in either map (1.0 when neither labels anything)."""
    classes = _class_order([a, b], ())
    ma, mb = semantic_ids(a, classes, "a"), semantic_ids(b, classes, "b")
    if ma.shape != mb.shape:
        raise ValueError(f"label map sizes differ: {ma.shape[1]} x {ma.shape[0]} vs {mb.shape[1]} x {mb.shape[0]}")
    ious = []
    for c in np.union1d(np.unique(ma), np.unique(mb)).tolist():
        if c == 0:
            continue
        in_a, in_b = ma == c, mb == c
        ious.append(float((in_a & in_b).sum()) / float((in_a | in_b).sum()))
    return float(np.mean(ious)) if ious else 1.0


# ---- instances ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Crop:
    """A binary mask held as its bounding box: ``mask`` covers rows y0.. and columns x0..."""

    y0: int
    x0: int
    mask: BoolArray

    @cached_property
    def area(self) -> int:  # read in every IoU: counted once
        return int(self.mask.sum())

    def box(self) -> tuple[int, int, int, int]:
        return self.y0, self.x0, self.y0 + self.mask.shape[0], self.x0 + self.mask.shape[1]


def crop_mask(full: BoolArray) -> Crop:
    """A full-image mask held as its bounding box (an empty one as 0 x 0)."""
    rows = np.flatnonzero(full.any(axis=1))
    cols = np.flatnonzero(full.any(axis=0))
    if rows.size == 0:
        return Crop(0, 0, np.zeros((0, 0), dtype=bool))
    y0, y1, x0, x1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    return Crop(y0, x0, full[y0:y1, x0:x1])


def _crop_iou(a: Crop, b: Crop) -> float:
    ay0, ax0, ay1, ax1 = a.box()
    by0, bx0, by1, bx1 = b.box()
    y0, x0, y1, x1 = max(ay0, by0), max(ax0, bx0), min(ay1, by1), min(ax1, bx1)
    inter = 0
    if y0 < y1 and x0 < x1:
        inter = int((a.mask[y0 - ay0:y1 - ay0, x0 - ax0:x1 - ax0] & b.mask[y0 - by0:y1 - by0, x0 - bx0:x1 - bx0]).sum())
    union = a.area + b.area - inter
    return inter / union if union > 0 else 0.0


def _iou_matrix(a: Sequence[Crop], b: Sequence[Crop]) -> FloatArray:
    out = np.zeros((len(a), len(b)))
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i, j] = _crop_iou(x, y)
    return out


def parse_instances(value: Mapping[str, Any], where: str) -> list[tuple[str, str]]:
    """``instances`` as (colour, label) in list order, colours unique and not white."""
    raw = value.get("instances")
    if not isinstance(raw, list):
        raise ValueError(f"{where}.instances: expected a list of {{color, label}}")
    out: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for i, inst in enumerate(raw):
        at = f"{where}.instances[{i}]"
        if not isinstance(inst, Mapping):
            raise ValueError(f"{at}: expected an object with color and label")
        colour = normalise_colour(inst.get("color"), f"{at}.color")
        if colour == "#ffffff":
            raise ValueError(f"{at}.color: #ffffff marks unlabeled pixels; pick another colour")
        if colour in seen:
            raise ValueError(f"{at}.color: {colour} is also instances[{seen[colour]}]'s colour")
        seen[colour] = i
        label = inst.get("label")
        if not isinstance(label, str) or not label:
            raise ValueError(f"{at}.label: expected a label")
        out.append((colour, label))
    return out


def instance_masks(value: Mapping[str, Any], where: str) -> tuple[tuple[int, int], list[tuple[str, Crop]]]:
    """The image size (height, width) and each instance as (label, cropped mask), in list order."""
    instances = parse_instances(value, where)
    data, at = _image(value, where)
    ids = decode_ids(data, [c for c, _ in instances], at)
    # every instance's bounding box in one pass over the map, then a comparison inside it only
    boxes = ndi.find_objects(ids.astype(np.int32, copy=False), max_label=len(instances))
    out: list[tuple[str, Crop]] = []
    for k, (_, label) in enumerate(instances, start=1):
        box = boxes[k - 1]
        if box is None:
            out.append((label, Crop(0, 0, np.zeros((0, 0), dtype=bool))))
        else:
            out.append((label, Crop(box[0].start, box[1].start, ids[box] == k)))
    return (int(ids.shape[0]), int(ids.shape[1])), out


def instance_value(shape: tuple[int, int], objects: Sequence[tuple[str, Crop]]) -> dict[str, Any]:
    """The canonical value of instances painted in order (a later one covers an earlier one);
    colours from the palette by position."""
    ids = np.zeros(shape, dtype=np.int64)
    for k, (_, crop) in enumerate(objects, start=1):
        y0, x0, y1, x1 = crop.box()
        region = ids[y0:y1, x0:x1]
        region[crop.mask] = k
    colours = palette_colours(len(objects))
    png = encode_index_png(ids, colours)
    return {"labeledImage": {"pngImageData": base64.b64encode(png).decode()},
            "instances": [{"color": c, "label": label} for c, (label, _) in zip(colours, objects, strict=True)],
            "inputImageProperties": {"width": shape[1], "height": shape[0]}}


def consolidate_instances(
    answers: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    label_order: Sequence[str] = (),
    weights: Mapping[str, float] | None = None,
    iou_threshold: float = 0.5,
    quorum: float | int | None = None,
    method: str = "instance-mask-consensus",
) -> Consolidated:
    """One item's consensus instances from ``(worker, value)`` answers (see the module doc)."""
    if not answers:
        raise ValueError("no answers to consolidate")
    if not 0.0 < iou_threshold <= 1.0:
        raise ValueError(f"iou_threshold: must lie in (0, 1], got {iou_threshold}")
    parsed = [instance_masks(v, f"answer of {w!r}") for w, v in answers]
    shape = parsed[0][0]
    for (worker, _), (s, _) in zip(answers, parsed, strict=True):
        if s != shape:
            raise ValueError(f"answer of {worker!r}.labeledImage: {s[1]} x {s[0]} differs from {shape[1]} x {shape[0]}")
    # empty instances (a colour listed but never painted) are no object
    per_worker = [sorted(((label, c) for label, c in objs if c.area > 0), key=lambda o: (o[1].box(), o[0]))
                  for _, objs in parsed]
    w = resolve_weights([wk for wk, _ in answers], weights)
    n = len(answers)
    order = canonical_order([tuple((c.box(), c.area, label) for label, c in objs) for objs in per_worker], w)

    def vote(members: list[tuple[int, int]]) -> Crop:
        crops = [per_worker[p][k][1] for p, k in members]
        mw = np.array([w[p] for p, _ in members], dtype=np.float64)
        if mw.sum() <= 0:
            mw = np.ones_like(mw)
        boxes = [c.box() for c in crops]
        y0, x0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
        y1, x1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
        cover = np.zeros((y1 - y0, x1 - x0))
        for c, weight in zip(crops, mw.tolist(), strict=True):
            cy0, cx0, cy1, cx1 = c.box()
            cover[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0] += c.mask * weight
        full = cover > mw.sum() / 2 + 1e-12
        inner = crop_mask(full)
        return Crop(inner.y0 + y0, inner.x0 + x0, inner.mask)

    def represent(members: list[tuple[int, int]]) -> tuple[str, Crop]:
        label, _ = weighted_vote(((per_worker[p][k][0], float(w[p])) for p, k in members), label_order)
        return label, vote(members)

    def affinity(objs: Sequence[tuple[str, Crop]], reps: Sequence[tuple[str, Crop]]) -> FloatArray:
        return _iou_matrix([c for _, c in objs], [c for _, c in reps])

    clusters = cluster_objects(per_worker, order, affinity, iou_threshold, represent,
                               same_kind=lambda o, r: bool(o[0] == r[0]))
    total = float(w.sum())
    kept: list[tuple[str, Crop, float]] = []
    scores: list[float] = []
    for cluster in clusters:
        support = float(sum(w[p] for p, _ in cluster.members)) / total
        label, voted = cluster.representative
        if not quorum_met(support, len(cluster.members), quorum) or voted.area == 0:
            scores.append(1.0 - support)
            continue
        ious = [_crop_iou(per_worker[p][k][1], voted) for p, k in cluster.members]
        _, label_share = weighted_vote(((per_worker[p][k][0], float(w[p])) for p, k in cluster.members), label_order)
        score = support * float(np.mean(ious)) * label_share
        kept.append((label, voted, score))
        scores.append(score)
    # paint the surest last, so it keeps a pixel two instances claim; list by position
    painted = sorted(kept, key=lambda o: (o[2], o[1].box(), o[0]))
    ids = np.zeros(shape, dtype=np.int64)
    for k, (_, crop, _) in enumerate(painted, start=1):
        y0, x0, y1, x1 = crop.box()
        ids[y0:y1, x0:x1][crop.mask] = k
    final: list[tuple[str, Crop, float]] = []
    boxes = ndi.find_objects(ids.astype(np.int32, copy=False), max_label=len(painted))
    for k, (label, _, score) in enumerate(painted, start=1):
        box = boxes[k - 1]
        if box is not None:  # None: wholly covered by surer instances
            final.append((label, Crop(box[0].start, box[1].start, ids[box] == k), score))
    final.sort(key=lambda o: (o[1].box(), o[0]))
    value = instance_value(shape, [(label, crop) for label, crop, _ in final])
    item = float(np.mean(scores)) if scores else 1.0
    return Consolidated(value=value, confidence=confidence(item, n), votes=n, method=method,
                        object_confidence=tuple(confidence(s, n) for _, _, s in final))


def instance_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """Soft F1 of mask IoU over label-matched instance pairs (Hungarian), as ``box_similarity``."""
    sa, ia = instance_masks(a, "a")
    sb, ib = instance_masks(b, "b")
    if sa != sb:
        raise ValueError(f"label map sizes differ: {sa[1]} x {sa[0]} vs {sb[1]} x {sb[0]}")
    ia = [o for o in ia if o[1].area > 0]
    ib = [o for o in ib if o[1].area > 0]
    if not ia and not ib:
        return 1.0
    if not ia or not ib:
        return 0.0
    iou = _iou_matrix([c for _, c in ia], [c for _, c in ib])
    iou = np.where(np.array([[x[0] == y[0] for y in ib] for x in ia]), iou, 0.0)
    rows, cols = linear_sum_assignment(iou, maximize=True)
    return float(2.0 * iou[rows, cols].sum() / (len(ia) + len(ib)))
