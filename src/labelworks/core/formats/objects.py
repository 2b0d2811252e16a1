"""What the shape and keypoint formats (COCO polygons / keypoints, YOLO segmentation, Ground Truth
object output) read and write: images with labeled polygons, polylines, lines or keypoints.

Objects use their task type's canonical shape (``value_kind`` names the list):

- ``polygons`` / ``polylines`` / ``lines``: ``{"label", "vertices": [{"x", "y"}, ...]}``
- ``keypoints``: ``{"label", "x", "y"}``

Two optional keys keep what COCO knows and the task types do not, so that imported labels export
back unchanged while nobody has touched them:

- ``instance`` (int): objects of one image with the same number belong to one COCO annotation (the
  parts of a polygon split by occlusion; the keypoints of one person);
- ``visibility`` (1 or 2, keypoints only): COCO's "labeled but not visible" / "visible".

The elements ignore both; a worker's answer drops them (see :func:`dataset_from_items` for how an
answer is grouped again).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ValidationFailed
from ..tasktypes.bounding_box import PRE_ANNOTATIONS_KEY
from .detection import coord
from .records import ExportItem, source_of

__all__ = ["ImageObjects", "ObjectDataset", "SHAPE_KINDS", "OBJECT_KINDS", "object_item_rows",
           "objects_from_items", "object_labels", "FORMAT_META_KEY"]

SHAPE_KINDS = ("polygons", "polylines", "lines")
OBJECT_KINDS = (*SHAPE_KINDS, "keypoints")
# an item's key for what a format knows beyond the objects (COCO's keypoint categories and skeleton)
FORMAT_META_KEY = "lw-format-meta"
_MIN_VERTICES = {"polygons": 3, "polylines": 2, "lines": 2}


@dataclass(frozen=True)
class ImageObjects:
    """One image: its reference, size in pixels (None when unknown) and objects in canonical shape."""

    image: str
    width: int | None
    height: int | None
    objects: tuple[dict[str, Any], ...] = ()
    meta: dict[str, Any] | None = None  # kept under the item's FORMAT_META_KEY (e.g. COCO categories)


@dataclass(frozen=True)
class ObjectDataset:
    """Images in file order, the class names in class-id order, and the object kind."""

    kind: str
    images: tuple[ImageObjects, ...]
    labels: tuple[str, ...] = field(default=())


def object_labels(images: Iterable[ImageObjects], known: Sequence[str] = ()) -> tuple[str, ...]:
    """``known`` first, then any other label in order of first appearance."""
    out = list(known)
    seen = set(out)
    for image in images:
        for obj in image.objects:
            if obj["label"] not in seen:
                seen.add(obj["label"])
                out.append(obj["label"])
    return tuple(out)


def object_item_rows(dataset: ObjectDataset) -> list[dict[str, Any]]:
    """Items to import: ``source-ref`` plus the objects as pre-annotations in the element's shape
    (``{"polygons": [...], "inputImageProperties": {...}}``), which ``initial-value`` reads as it is."""
    rows = []
    for image in dataset.images:
        pre: dict[str, Any] = {dataset.kind: [dict(o) for o in image.objects]}
        if image.width and image.height:
            pre["inputImageProperties"] = {"width": image.width, "height": image.height}
        row: dict[str, Any] = {"source-ref": image.image, PRE_ANNOTATIONS_KEY: pre}
        if image.meta:
            row[FORMAT_META_KEY] = image.meta
        rows.append(row)
    return rows


def objects_from_items(items: Iterable[ExportItem], labels: Sequence[str], kind: str) -> ObjectDataset:
    """Every item as an image: the consolidated objects, or (not yet labeled) its pre-annotations.

    An answer carries no ``instance`` / ``visibility``: keypoints of an answer are given the
    instance of the nearest pre-annotated point of the same label (so an adjusted person stays one
    person), else grouped in placing order (see :func:`_regroup`).
    """
    images = []
    for item in items:
        data = item.data
        ref = source_of(data) or f"item-{item.id}"
        pre = data.get(PRE_ANNOTATIONS_KEY)
        pre = pre if isinstance(pre, dict) else {}
        value: Any = item.answer.value if item.answer is not None else pre
        where = f"item {item.id}: " + ("answer" if item.answer is not None else PRE_ANNOTATIONS_KEY)
        raw = value.get(kind, []) if isinstance(value, dict) else []
        if not isinstance(raw, list):
            raise ValidationFailed(f"{where}.{kind}: expected a list", field="items")
        props = None
        for source in (value, pre):
            got = source.get("inputImageProperties") if isinstance(source, dict) else None
            if isinstance(got, dict) and (got.get("width"), got.get("height")) != (0, 0):
                props = got
                break
        width = _pixels(props.get("width"), f"{where}.inputImageProperties.width") if props else None
        height = _pixels(props.get("height"), f"{where}.inputImageProperties.height") if props else None
        objects = [_object(o, kind, f"{where}.{kind}[{i}]") for i, o in enumerate(raw)]
        if item.answer is not None and kind == "keypoints":
            objects = _regroup(objects, [p for p in pre.get("keypoints", []) if isinstance(p, dict)])
        meta = data.get(FORMAT_META_KEY)
        images.append(ImageObjects(ref, width, height, tuple(objects), meta if isinstance(meta, dict) else None))
    return ObjectDataset(kind, tuple(images), object_labels(images, labels))


def _pixels(raw: Any, where: str) -> int:
    n = coord(raw, where)
    if not isinstance(n, int) or n <= 0:
        raise ValidationFailed(f"{where}: expected whole pixels above 0, got {raw!r}", field="items")
    return n


def _object(raw: Any, kind: str, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or not isinstance(raw.get("label"), str) or not raw["label"]:
        raise ValidationFailed(f"{where}: expected an object with a label", field="items")
    out: dict[str, Any] = {"label": raw["label"]}
    if kind == "keypoints":
        out["x"] = coord(raw.get("x"), f"{where}.x")
        out["y"] = coord(raw.get("y"), f"{where}.y")
        if raw.get("visibility") in (1, 2):
            out["visibility"] = raw["visibility"]
    else:
        vertices = raw.get("vertices")
        if not isinstance(vertices, list) or len(vertices) < _MIN_VERTICES[kind]:
            raise ValidationFailed(f"{where}.vertices: expected at least {_MIN_VERTICES[kind]} {{x, y}}",
                                   field="items")
        out["vertices"] = [{"x": coord(v.get("x") if isinstance(v, dict) else None, f"{where}.vertices[{k}].x"),
                            "y": coord(v.get("y") if isinstance(v, dict) else None, f"{where}.vertices[{k}].y")}
                           for k, v in enumerate(vertices)]
    instance = raw.get("instance")
    if isinstance(instance, int) and not isinstance(instance, bool):
        out["instance"] = instance
    attrs = raw.get("labelCategoryAttributes")  # COCO writes them as the annotation's attributes
    if isinstance(attrs, dict) and attrs and kind == "polygons":
        out["labelCategoryAttributes"] = dict(attrs)
    return out


def _regroup(points: list[dict[str, Any]], pre: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Instances for an answer's keypoints (see :func:`objects_from_items`).

    Per label, answer points are matched to the pre-annotated points one to one at the least total
    distance (Hungarian). A point left over joins the nearest instance (by the centroid of its
    points) that has no point of that label yet; failing that, the points left are split into new
    instances in placing order, a label seen again starting the next one (as ``<lw-keypoint>``
    reads instances back from its flat list).
    """
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    assigned: list[int | None] = [None] * len(points)
    for label in dict.fromkeys(p["label"] for p in points):
        mine = [i for i, p in enumerate(points) if p["label"] == label]
        theirs = [q for q in pre if q.get("label") == label and isinstance(q.get("instance"), int)
                  and isinstance(q.get("x"), int | float) and isinstance(q.get("y"), int | float)]
        if not theirs:
            continue
        a = np.array([[points[i]["x"], points[i]["y"]] for i in mine], dtype=float)
        b = np.array([[q["x"], q["y"]] for q in theirs], dtype=float)
        rows, cols = linear_sum_assignment(np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2))
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            assigned[mine[r]] = theirs[c]["instance"]
    members: dict[int, list[int]] = {}
    for i, inst in enumerate(assigned):
        if inst is not None:
            members.setdefault(inst, []).append(i)
    centroids = {inst: (sum(points[i]["x"] for i in idx) / len(idx), sum(points[i]["y"] for i in idx) / len(idx))
                 for inst, idx in members.items()}
    fresh = -1  # negative: never one of the imported instances
    fresh_labels: set[str] = set()
    out = []
    for i, pt in enumerate(points):
        inst = assigned[i]
        if inst is None:
            free = [k for k, idx in members.items() if all(points[j]["label"] != pt["label"] for j in idx)]
            if free:
                inst = min(free, key=lambda k: (centroids[k][0] - pt["x"]) ** 2 + (centroids[k][1] - pt["y"]) ** 2)
                members[inst].append(i)
            else:
                # in placing order, as <lw-keypoint keypoint-set> reads instances: a label placed
                # again starts the next instance
                if pt["label"] in fresh_labels:
                    fresh, fresh_labels = fresh - 1, set()
                fresh_labels.add(pt["label"])
                inst = fresh
        out.append({**pt, "instance": inst})
    return out
