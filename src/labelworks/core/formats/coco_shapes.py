"""COCO segmentation as polygons, for polygon projects.

Read: each annotation's ``segmentation``. Polygons (``[[x1, y1, x2, y2, ...], ...]``) become one
shape per ring, in pixels; the rings of one annotation (an object split by occlusion) share an
``instance`` number so they export back as one annotation. RLE (``{"size": [h, w], "counts": ...}``,
compressed or not, as ``iscrowd: 1`` annotations carry it) is decoded with pycocotools and traced
into polygons with OpenCV's ``findContours`` (outer outlines only: a polygon has no holes; vertices
on pixel indices, as ``polygon-pixel-vote`` writes them, simplified with ``approxPolyDP`` within 1 px;
regions of one or two pixels are dropped):
such an annotation does not come back as RLE. ``bbox``, ``area`` and ``iscrowd`` are not read.

Write: one annotation per instance (one per shape that has none), ``segmentation`` its rings,
``bbox`` the rings' extent, ``area`` the shoelace area of the rings, ``iscrowd: 0``. Images and
categories are numbered as the detection writer numbers them.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..errors import ValidationFailed
from ..consolidation.structured.masks import SIMPLIFY_PX
from .coco import (category_order, coco_categories, coco_head, coco_images, load_document, read_annotations,
                   read_attributes, read_categories, read_images)
from .detection import coord
from .objects import ImageObjects, ObjectDataset, object_labels
from .streaming import Streamed, indented_document

__all__ = ["read_coco_polygons", "write_coco_polygons", "rle_to_polygons", "polygon_area",
           "stream_coco_polygons"]


def read_coco_polygons(data: bytes) -> ObjectDataset:
    """Parse a COCO document's segmentation as polygons; ValidationFailed names the bad field."""
    doc = load_document(data)
    categories = {k: c["name"] for k, c in read_categories(doc).items()}
    images = read_images(doc)
    shapes: dict[int | str, list[dict[str, Any]]] = {k: [] for k in images}
    instances: dict[int | str, int] = {}
    for where, ann, image_id, cat_id in read_annotations(doc, images, categories):
        seg = ann.get("segmentation")
        at = f"{where}.segmentation"
        if isinstance(seg, dict):
            rings = rle_to_polygons(seg, at)
        elif isinstance(seg, list):
            rings = [_ring(r, f"{at}[{k}]") for k, r in enumerate(seg)]
        else:
            raise ValidationFailed(f"{at}: expected polygons [[x1, y1, ...]] or an RLE object", field=at)
        if not rings:
            continue  # an empty segmentation (a detection-only annotation) draws nothing
        n = instances.get(image_id, 0)
        instances[image_id] = n + 1
        for ring in rings:
            shape: dict[str, Any] = {"label": categories[cat_id], "vertices": ring, **read_attributes(ann)}
            if len(rings) > 1:
                shape["instance"] = n
            shapes[image_id].append(shape)
    out = tuple(ImageObjects(ref, w, h, tuple(shapes[k])) for k, (ref, w, h) in images.items())
    ordered = [categories[k] for k in category_order(categories)]
    return ObjectDataset("polygons", out, object_labels(out, list(dict.fromkeys(ordered))))


def _ring(raw: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or len(raw) % 2 or len(raw) < 6:
        raise ValidationFailed(f"{where}: expected [x1, y1, x2, y2, x3, y3, ...] (at least 3 points)", field=where)
    nums = [coord(v, f"{where}[{k}]") for k, v in enumerate(raw)]
    return [{"x": nums[k], "y": nums[k + 1]} for k in range(0, len(nums), 2)]


def rle_to_polygons(rle: dict[str, Any], where: str) -> list[list[dict[str, Any]]]:
    """The outer outlines of an RLE mask's regions (largest first), vertices on pixel indices."""
    import cv2
    import numpy as np
    from pycocotools import mask as mask_utils

    size, counts = rle.get("size"), rle.get("counts")
    if (not isinstance(size, list) or len(size) != 2 or not all(isinstance(v, int) and v > 0 for v in size)
            or not isinstance(counts, list | str)):
        raise ValidationFailed(f"{where}: expected RLE {{\"size\": [height, width], \"counts\": ...}}", field=where)
    if isinstance(counts, list) and (not all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counts)
                                     or sum(counts) != size[0] * size[1]):
        raise ValidationFailed(f"{where}.counts: the runs must be whole numbers adding up to "
                               f"height x width ({size[0] * size[1]})", field=f"{where}.counts")
    try:
        with warnings.catch_warnings():
            # pycocotools' C extension predates numpy 2's copy keyword; the decoded mask is right
            warnings.filterwarnings("ignore", "__array__ implementation doesn't accept a copy keyword",
                                    DeprecationWarning)
            if isinstance(counts, list):  # uncompressed: a list of run lengths
                encoded = mask_utils.frPyObjects({"size": size, "counts": counts}, size[0], size[1])
            else:
                encoded = {"size": size, "counts": counts.encode()}
            mask = mask_utils.decode(encoded)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"{where}.counts: not a valid RLE ({exc})", field=f"{where}.counts") from exc
    contours, _ = cv2.findContours(np.ascontiguousarray(mask, dtype=np.uint8), cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_SIMPLE)
    # simplified within 1 px (as polygon-pixel-vote simplifies its outlines): editable vertex counts
    simple = (cv2.approxPolyDP(c, SIMPLIFY_PX, True) for c in contours)
    rings = sorted((c.reshape(-1, 2) for c in simple if len(c) >= 3), key=lambda c: -cv2.contourArea(c))
    return [[{"x": int(x), "y": int(y)} for x, y in ring] for ring in rings]


def polygon_area(vertices: list[dict[str, Any]]) -> float:
    """The shoelace area of one ring."""
    total = 0.0
    for a, b in zip(vertices, vertices[1:] + vertices[:1], strict=True):
        total += a["x"] * b["y"] - b["x"] * a["y"]
    return abs(total) / 2


def _num(v: float) -> float | int:
    r = round(v, 6)
    return int(r) if float(r).is_integer() else r


def write_coco_polygons(dataset: ObjectDataset) -> bytes:
    """A COCO document with polygon segmentations (indented two spaces, keys in COCO's usual order)."""
    if dataset.kind != "polygons":
        raise ValidationFailed(f"COCO segmentation holds polygons, not {dataset.kind}", field="format")
    return b"".join(stream_coco_polygons(dataset.images, object_labels(dataset.images, dataset.labels)))


def _polygon_annotations(image: ImageObjects, cat_id: dict[str, int]) -> Iterator[dict[str, Any]]:
    """One image's annotations (without ``id`` and ``image_id``)."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for k, shape in enumerate(image.objects):
        # rings of one instance (and label) form one annotation; a shape without one stands alone
        key = (shape["label"], shape["instance"]) if "instance" in shape else ("", f"shape-{k}")
        groups.setdefault(key, []).append(shape)
    for group in groups.values():
        xs = [v["x"] for s in group for v in s["vertices"]]
        ys = [v["y"] for s in group for v in s["vertices"]]
        x0, y0 = min(xs), min(ys)
        yield {
            "category_id": cat_id[group[0]["label"]],
            "segmentation": [[c for v in s["vertices"] for c in (v["x"], v["y"])] for s in group],
            "area": _num(sum(polygon_area(s["vertices"]) for s in group)),
            "bbox": [x0, y0, _num(max(xs) - x0), _num(max(ys) - y0)], "iscrowd": 0,
            **({"attributes": dict(group[0]["labelCategoryAttributes"])}  # CVAT's convention
               if group[0].get("labelCategoryAttributes") else {}),
        }


def stream_coco_polygons(images: Iterable[ImageObjects], labels: Sequence[str]) -> Iterator[bytes]:
    """The document of :func:`write_coco_polygons` in pieces; ``images`` is read twice, ``labels``
    holds every shape's label."""
    cat_id = {name: i for i, name in enumerate(labels, start=1)}

    def annotations() -> Iterator[dict[str, Any]]:
        count = 0
        for n, image in enumerate(images, start=1):
            for ann in _polygon_annotations(image, cat_id):
                count += 1
                yield {"id": count, "image_id": n, **ann}

    return indented_document([coco_head(), ("images", Streamed(coco_images(images))),
                              ("annotations", Streamed(annotations())), ("categories", coco_categories(labels))])
