"""COCO object detection: one JSON document with ``images``, ``annotations`` and ``categories``.

Read: every image (even one without annotations) with its ``file_name`` (or ``coco_url`` when it
has no file name), ``width`` and ``height``; every annotation's ``bbox`` ``[x, y, width, height]``
and its category's ``name``. ``segmentation``, ``keypoints``, ``iscrowd`` and ``area`` are not read
here: a polygon project reads segmentation (``coco_shapes.py``), a keypoint project keypoints
(``coco_keypoints.py``); the helpers below are shared by all three.

Write: images numbered from 1 in order, categories numbered from 1 in the label order (COCO's
ids start at 1; 0 is often "background"), one annotation per box with ``area = width x height``,
``iscrowd: 0`` and an empty ``segmentation``. An image of unknown size is written 0 x 0 and read
back as unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson

from ..errors import ValidationFailed
from .detection import Dataset, ImageBoxes, coord, label_order
from .streaming import Streamed, indented_document

__all__ = ["read_coco", "write_coco", "stream_coco", "coco_head", "coco_images", "coco_categories", "load_document",
           "read_categories", "read_images", "read_annotations", "category_order"]


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


def load_document(data: bytes) -> dict[str, Any]:
    """The COCO document as an object (ValidationFailed when it is not JSON or not an object)."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ValidationFailed(f"not valid JSON ({exc})", field="file") from exc
    if not isinstance(doc, dict):
        raise ValidationFailed("a COCO file holds one object with images, annotations and categories", field="file")
    return doc


def read_categories(doc: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """Every category by id (its raw object: ``keypoints`` and ``skeleton`` ride along); names checked."""
    categories: dict[int | str, dict[str, Any]] = {}
    for i, raw in enumerate(_list(doc, "categories")):
        cat = _object(raw, f"categories[{i}]")
        name = cat.get("name")
        if not isinstance(name, str) or not name:
            raise ValidationFailed(f"categories[{i}].name: expected a non-empty string", field=f"categories[{i}].name")
        categories[_id(cat, f"categories[{i}]")] = cat
    return categories


def category_order(categories: dict[int | str, dict[str, Any]]) -> list[int | str]:
    """Category ids by id, so that a file we wrote reads back with its labels in the same order."""
    return sorted(categories, key=lambda k: (isinstance(k, str), k if isinstance(k, int) else 0, str(k)))


def read_images(doc: dict[str, Any]) -> dict[int | str, tuple[str, int | None, int | None]]:
    """``{image id: (reference, width, height)}`` in file order; 0 or a missing size means unknown."""
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
    return images


def read_annotations(doc: dict[str, Any], images: dict[int | str, Any],
                     categories: dict[int | str, Any]) -> list[tuple[str, dict[str, Any], Any, Any]]:
    """``(where, annotation, image id, category id)`` for each annotation, its two ids checked."""
    out = []
    for i, raw in enumerate(_list(doc, "annotations")):
        where = f"annotations[{i}]"
        ann = _object(raw, where)
        ann_image: Any = ann.get("image_id")
        cat_id: Any = ann.get("category_id")
        if ann_image not in images:
            raise ValidationFailed(f"{where}.image_id: no image has id {ann_image!r}", field=f"{where}.image_id")
        if cat_id not in categories:
            raise ValidationFailed(f"{where}.category_id: no category has id {cat_id!r}", field=f"{where}.category_id")
        out.append((where, ann, ann_image, cat_id))
    return out


def read_attributes(ann: dict[str, Any]) -> dict[str, Any]:
    """CVAT's per-annotation ``attributes`` as our object's ``labelCategoryAttributes`` (scalars only)."""
    attrs = ann.get("attributes")
    if not isinstance(attrs, dict):
        return {}
    kept = {k: v for k, v in attrs.items() if isinstance(v, str | int | float) and not isinstance(v, bool)}
    return {"labelCategoryAttributes": kept} if kept else {}


def read_coco(data: bytes) -> Dataset:
    """Parse a COCO detection document; ValidationFailed names the bad field (``annotations[3].bbox``)."""
    doc = load_document(data)
    categories = {k: c["name"] for k, c in read_categories(doc).items()}
    images = read_images(doc)
    boxes: dict[int | str, list[dict[str, Any]]] = {k: [] for k in images}
    for where, ann, ann_image, cat_id in read_annotations(doc, images, categories):
        bbox = ann.get("bbox")
        if not isinstance(bbox, list) or len(bbox) != 4:
            raise ValidationFailed(f"{where}.bbox: expected [x, y, width, height]", field=f"{where}.bbox")
        x, y, w, h = (coord(v, f"{where}.bbox[{k}]") for k, v in enumerate(bbox))
        if w <= 0 or h <= 0:
            raise ValidationFailed(f"{where}.bbox: width and height must be greater than 0", field=f"{where}.bbox")
        box: dict[str, Any] = {"label": categories[cat_id], "left": x, "top": y, "width": w, "height": h}
        box.update(read_attributes(ann))
        boxes[ann_image].append(box)
    out = tuple(ImageBoxes(ref, w_, h_, tuple(boxes[k])) for k, (ref, w_, h_) in images.items())
    ordered = [categories[k] for k in category_order(categories)]
    return Dataset(out, label_order(out, list(dict.fromkeys(ordered))))


def write_coco(dataset: Dataset) -> bytes:
    """A COCO detection document (indented two spaces; keys in COCO's usual order)."""
    return b"".join(stream_coco(dataset.images, label_order(dataset.images, dataset.labels)))


def coco_head() -> tuple[str, Any]:
    return "info", {"description": "exported by Labelworks"}


def coco_images(images: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """The ``images`` array: numbered from 1, an unknown size written 0 x 0."""
    for n, image in enumerate(images, start=1):
        yield {"id": n, "file_name": image.image, "width": image.width or 0, "height": image.height or 0}


def coco_categories(labels: Sequence[str]) -> list[dict[str, Any]]:
    return [{"id": i, "name": name, "supercategory": ""} for i, name in enumerate(labels, start=1)]


def stream_coco(images: Iterable[ImageBoxes], labels: Sequence[str]) -> Iterator[bytes]:
    """The document of :func:`write_coco` in pieces, one image or annotation at a time. ``images``
    is read twice (the images array, then the annotations); ``labels`` holds every box's label."""
    cat_id = {name: i for i, name in enumerate(labels, start=1)}

    def annotations() -> Iterator[dict[str, Any]]:
        count = 0
        for n, image in enumerate(images, start=1):
            for box in image.boxes:
                count += 1
                ann: dict[str, Any] = {
                    "id": count, "image_id": n, "category_id": cat_id[box["label"]],
                    "bbox": [box["left"], box["top"], box["width"], box["height"]],
                    "area": box["width"] * box["height"], "iscrowd": 0, "segmentation": [],
                }
                if box.get("labelCategoryAttributes"):
                    ann["attributes"] = dict(box["labelCategoryAttributes"])  # CVAT's convention
                yield ann

    return indented_document([coco_head(), ("images", Streamed(coco_images(images))),
                              ("annotations", Streamed(annotations())), ("categories", coco_categories(labels))])
