"""COCO object detection: one JSON document with ``images``, ``annotations`` and ``categories``.

Read: every image (even one without annotations) with its ``file_name`` (or ``coco_url`` when it
has no file name), ``width`` and ``height``; every annotation's ``bbox`` ``[x, y, width, height]``
and its category's ``name``. ``segmentation``, ``keypoints``, ``iscrowd`` and ``area`` are not read
(segmentation and keypoints belong to the polygon / keypoint types, which are not built yet).

Write: images numbered from 1 in order, categories numbered from 1 in the label order (COCO's
ids start at 1; 0 is often "background"), one annotation per box with ``area = width x height``,
``iscrowd: 0`` and an empty ``segmentation``. An image of unknown size is written 0 x 0 and read
back as unknown.
"""

from __future__ import annotations

from typing import Any

import orjson

from ..errors import ValidationFailed
from .detection import Dataset, ImageBoxes, coord, label_order

__all__ = ["read_coco", "write_coco"]


def _list(doc: dict[str, Any], key: str) -> list[Any]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise ValidationFailed(f"{key}: expected a list", field=key)
    return value


def _object(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValidationFailed(f"{where}: expected an object", field=where)
    return raw


def _id(raw: dict[str, Any], where: str) -> int | str:
    value = raw.get("id")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationFailed(f"{where}.id: expected an integer or string id", field=f"{where}.id")
    return value


def read_coco(data: bytes) -> Dataset:
    """Parse a COCO detection document; ValidationFailed names the bad field (``annotations[3].bbox``)."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ValidationFailed(f"not valid JSON ({exc})", field="file") from exc
    if not isinstance(doc, dict):
        raise ValidationFailed("a COCO file holds one object with images, annotations and categories", field="file")
    categories: dict[int | str, str] = {}
    for i, raw in enumerate(_list(doc, "categories")):
        cat = _object(raw, f"categories[{i}]")
        name = cat.get("name")
        if not isinstance(name, str) or not name:
            raise ValidationFailed(f"categories[{i}].name: expected a non-empty string", field=f"categories[{i}].name")
        categories[_id(cat, f"categories[{i}]")] = name
    images: dict[int | str, tuple[str, int | None, int | None]] = {}
    for i, raw in enumerate(_list(doc, "images")):
        img = _object(raw, f"images[{i}]")
        where = f"images[{i}]"
        ref = img.get("file_name") or img.get("coco_url")
        if not isinstance(ref, str):
            raise ValidationFailed(f"{where}.file_name: expected a string", field=f"{where}.file_name")
        size = [img.get("width"), img.get("height")]
        for k, key in enumerate(("width", "height")):
            if size[k] is not None:
                n = coord(size[k], f"{where}.{key}")
                if n < 0 or not isinstance(n, int):
                    raise ValidationFailed(f"{where}.{key}: expected a whole number of pixels", field=f"{where}.{key}")
                size[k] = n or None  # 0 means unknown
        image_id = _id(img, where)
        if image_id in images:
            raise ValidationFailed(f"{where}.id: image id {image_id!r} appears twice", field=f"{where}.id")
        images[image_id] = (ref, size[0], size[1])
    boxes: dict[int | str, list[dict[str, Any]]] = {k: [] for k in images}
    for i, raw in enumerate(_list(doc, "annotations")):
        where = f"annotations[{i}]"
        ann = _object(raw, where)
        ann_image: Any = ann.get("image_id")
        cat_id: Any = ann.get("category_id")
        if ann_image not in boxes:
            raise ValidationFailed(f"{where}.image_id: no image has id {ann_image!r}", field=f"{where}.image_id")
        if cat_id not in categories:
            raise ValidationFailed(f"{where}.category_id: no category has id {cat_id!r}", field=f"{where}.category_id")
        bbox = ann.get("bbox")
        if not isinstance(bbox, list) or len(bbox) != 4:
            raise ValidationFailed(f"{where}.bbox: expected [x, y, width, height]", field=f"{where}.bbox")
        x, y, w, h = (coord(v, f"{where}.bbox[{k}]") for k, v in enumerate(bbox))
        if w <= 0 or h <= 0:
            raise ValidationFailed(f"{where}.bbox: width and height must be greater than 0", field=f"{where}.bbox")
        boxes[ann_image].append({"label": categories[cat_id], "left": x, "top": y, "width": w, "height": h})
    out = tuple(ImageBoxes(ref, w_, h_, tuple(boxes[k])) for k, (ref, w_, h_) in images.items())
    # category order: by id, so that a file we wrote reads back with its labels in the same order
    ordered = [categories[k] for k in sorted(categories, key=lambda k: (isinstance(k, str), k if isinstance(k, int) else 0, str(k)))]
    return Dataset(out, label_order(out, list(dict.fromkeys(ordered))))


def write_coco(dataset: Dataset) -> bytes:
    """A COCO detection document (indented two spaces; keys in COCO's usual order)."""
    labels = label_order(dataset.images, dataset.labels)
    cat_id = {name: i for i, name in enumerate(labels, start=1)}
    images: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for n, image in enumerate(dataset.images, start=1):
        images.append({"id": n, "file_name": image.image, "width": image.width or 0, "height": image.height or 0})
        for box in image.boxes:
            annotations.append({
                "id": len(annotations) + 1, "image_id": n, "category_id": cat_id[box["label"]],
                "bbox": [box["left"], box["top"], box["width"], box["height"]],
                "area": box["width"] * box["height"], "iscrowd": 0, "segmentation": [],
            })
    doc = {
        "info": {"description": "exported by Labelworks"},
        "images": images,
        "annotations": annotations,
        "categories": [{"id": i, "name": name, "supercategory": ""} for name, i in cat_id.items()],
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"
