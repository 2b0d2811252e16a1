"""Ground Truth object-detection output manifests as items whose boxes are pre-annotations.

A line of a bounding-box job's output manifest::

    {"source-ref": "s3://b/a.jpg",
     "street": {"annotations": [{"class_id": 0, "left": 10, "top": 20, "width": 100, "height": 50}],
                "image_size": [{"width": 640, "height": 480, "depth": 3}]},
     "street-metadata": {"class-map": {"0": "car"}, "type": "groundtruth/object-detection", ...}}

becomes an item that keeps every key of the line and gains ``lw-pre-annotations`` with the boxes
(the element's ``boundingBoxes`` shape)
(labels from the line's ``class-map``) and the image size. The label attribute is found by its
metadata's ``type``; a line with none is imported as it is. Several object-detection attributes
on one line (a chained job) are refused: say which one by removing the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from ..errors import ValidationFailed
from ..tasktypes.bounding_box import PRE_ANNOTATIONS_KEY
from ..tasktypes.image_objects import attributes_from_manifest
from .detection import coord

__all__ = ["gt_detection_rows", "GT_DETECTION_TYPE"]

GT_DETECTION_TYPE = "groundtruth/object-detection"


def _pre_annotations(body: Any, meta: dict[str, Any], at: str) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("annotations"), list):
        raise ValidationFailed(f"{at}.annotations: expected a list", field=f"{at}.annotations")
    class_map = meta.get("class-map")
    if not isinstance(class_map, dict):
        raise ValidationFailed(f"{at}-metadata.class-map: expected an object", field=f"{at}-metadata.class-map")
    boxes = []
    for i, ann in enumerate(body["annotations"]):
        where = f"{at}.annotations[{i}]"
        if not isinstance(ann, dict):
            raise ValidationFailed(f"{where}: expected an object", field=where)
        label = class_map.get(str(ann.get("class_id")))
        if not isinstance(label, str):
            raise ValidationFailed(f"{where}.class_id: {ann.get('class_id')!r} is not in the class-map",
                                   field=f"{where}.class_id")
        box: dict[str, Any] = {"label": label}
        for key in ("left", "top", "width", "height"):
            box[key] = coord(ann.get(key), f"{where}.{key}")
        box.update(attributes_from_manifest(ann, "label-category-attributes", "labelCategoryAttributes"))
        boxes.append(box)
    out: dict[str, Any] = {"boundingBoxes": boxes}
    out.update(attributes_from_manifest(body, "frame-attributes", "frameAttributes"))
    sizes = body.get("image_size")
    if isinstance(sizes, list) and sizes and isinstance(sizes[0], dict):
        width, height = sizes[0].get("width"), sizes[0].get("height")
        if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
            out["inputImageProperties"] = {"width": width, "height": height}
    return out


def gt_detection_rows(data: bytes) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """``(line number, item row)`` per line, or ``(line number, why it is bad)`` naming the field
    (``street.annotations[2].class_id``); blank lines are skipped but counted."""
    for n, raw in enumerate(data.splitlines(), start=1):
        line = raw.strip().removeprefix(b"\xef\xbb\xbf") if n == 1 else raw.strip()
        if not line:
            continue
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield n, f"not valid JSON ({exc})"
            continue
        if not isinstance(row, dict):
            yield n, "expected a JSON object"
            continue
        attrs = [k[: -len("-metadata")] for k, v in row.items()
                 if k.endswith("-metadata") and isinstance(v, dict) and v.get("type") == GT_DETECTION_TYPE]
        if len(attrs) > 1:
            yield n, f"several object-detection labels ({', '.join(attrs)}); keep one"
            continue
        if attrs:
            (attr,) = attrs
            try:
                row[PRE_ANNOTATIONS_KEY] = _pre_annotations(row.get(attr), row[f"{attr}-metadata"], attr)
            except ValidationFailed as exc:
                yield n, exc.message
                continue
        yield n, row
