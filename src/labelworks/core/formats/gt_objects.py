"""Ground Truth output manifests of image object jobs, and of verification jobs, as chaining input.

``gt-objects``: a line of a boxes / polygon / polyline / line / keypoint job's output manifest::

    {"source-ref": "s3://b/a.jpg",
     "roads": {"annotations": [{"class_id": 0, "points": [{"x": 10, "y": 0}, ...]}],
               "image_size": [{"width": 640, "height": 480, "depth": 3}]},
     "roads-metadata": {"class-map": {"0": "lane"}, "type": "groundtruth/polygon", ...}}

becomes an item that keeps every key of the line and gains ``lw-pre-annotations`` in the project's
element shape (``{"polygons": [{"label": "lane", "vertices": [...]}], "inputImageProperties": ...}``;
keypoint annotations are ``{"class_id", "x", "y"}``). The attribute read is the one whose metadata
``type`` is the project's own Ground Truth type (a bounding-box project reads
``groundtruth/object-detection``, as ``gt-detection`` does); a line without one is imported as it
is, one with several is refused.

``gt-verification``: a line of a label-verification job's output (``<attr>: class id`` and
``<attr>-metadata`` with ``class-name``, ``confidence``, ``type: groundtruth/label-verification``)
keeps every key and gains ``lw-verifications``, one entry per verification attribute on the line
(``{"attribute", "verdict", "confidence", "job-name", "comments"}``), so a verification of a
verification shows and keeps the earlier verdicts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson

from ..errors import ValidationFailed
from ..tasktypes.bounding_box import PRE_ANNOTATIONS_KEY
from ..tasktypes.image_objects import attributes_from_manifest
from .detection import coord
from .gt_detection import GT_DETECTION_TYPE, gt_detection_rows

__all__ = ["gt_object_rows", "gt_verification_rows", "GT_OBJECT_TYPES", "GT_VERIFICATION_TYPE", "VERIFICATIONS_KEY"]

# the Ground Truth type each value kind's output manifest carries
GT_OBJECT_TYPES = {"boxes": GT_DETECTION_TYPE, "polygons": "groundtruth/polygon", "polylines": "groundtruth/polyline",
                   "lines": "groundtruth/line", "keypoints": "groundtruth/keypoint"}
GT_VERIFICATION_TYPE = "groundtruth/label-verification"
VERIFICATIONS_KEY = "lw-verifications"
Rows = Iterator[tuple[int, dict[str, Any] | str]]


def _lines(data: bytes) -> Rows:
    """``(line number, object)`` or ``(line number, why it is not one)``; blank lines skipped."""
    for n, raw in enumerate(data.splitlines(), start=1):
        line = raw.strip().removeprefix(b"\xef\xbb\xbf") if n == 1 else raw.strip()
        if not line:
            continue
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield n, f"not valid JSON ({exc})"
            continue
        yield (n, row) if isinstance(row, dict) else (n, "expected a JSON object")


def _attributes(row: dict[str, Any], gt_type: str) -> list[str]:
    return [k[: -len("-metadata")] for k, v in row.items()
            if k.endswith("-metadata") and isinstance(v, dict) and v.get("type") == gt_type]


def _point(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValidationFailed(f"{where}: expected {{x, y}}", field=where)
    return {"x": coord(raw.get("x"), f"{where}.x"), "y": coord(raw.get("y"), f"{where}.y")}


def _pre_annotations(kind: str, body: Any, meta: dict[str, Any], at: str) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("annotations"), list):
        raise ValidationFailed(f"{at}.annotations: expected a list", field=f"{at}.annotations")
    class_map = meta.get("class-map")
    if not isinstance(class_map, dict):
        raise ValidationFailed(f"{at}-metadata.class-map: expected an object", field=f"{at}-metadata.class-map")
    objects = []
    for i, ann in enumerate(body["annotations"]):
        where = f"{at}.annotations[{i}]"
        if not isinstance(ann, dict):
            raise ValidationFailed(f"{where}: expected an object", field=where)
        label = class_map.get(str(ann.get("class_id")))
        if not isinstance(label, str):
            raise ValidationFailed(f"{where}.class_id: {ann.get('class_id')!r} is not in the class-map",
                                   field=f"{where}.class_id")
        attrs = attributes_from_manifest(ann, "label-category-attributes", "labelCategoryAttributes")
        if kind == "keypoints":
            objects.append({"label": label, **_point(ann, where), **attrs})
            continue
        points = ann.get("points")
        if not isinstance(points, list) or len(points) < 2:
            raise ValidationFailed(f"{where}.points: expected a list of {{x, y}}", field=f"{where}.points")
        objects.append({"label": label, "vertices": [_point(p, f"{where}.points[{k}]") for k, p in enumerate(points)],
                        **attrs})
    out: dict[str, Any] = {kind: objects}
    out.update(attributes_from_manifest(body, "frame-attributes", "frameAttributes"))
    sizes = body.get("image_size")
    if isinstance(sizes, list) and sizes and isinstance(sizes[0], dict):
        width, height = sizes[0].get("width"), sizes[0].get("height")
        if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
            out["inputImageProperties"] = {"width": width, "height": height}
    return out


def gt_object_rows(data: bytes, kind: str) -> Rows:
    """``(line number, item row)`` per line, or ``(line number, why it is bad)`` naming the field
    (``roads.annotations[2].points[1].x``). ``kind`` is the project's value kind."""
    if kind == "boxes":
        yield from gt_detection_rows(data)
        return
    gt_type = GT_OBJECT_TYPES[kind]
    for n, row in _lines(data):
        if isinstance(row, str):
            yield n, row
            continue
        attrs = _attributes(row, gt_type)
        if len(attrs) > 1:
            yield n, f"several {gt_type} labels ({', '.join(attrs)}); keep one"
            continue
        if attrs:
            (attr,) = attrs
            try:
                row[PRE_ANNOTATIONS_KEY] = _pre_annotations(kind, row.get(attr), row[f"{attr}-metadata"], attr)
            except ValidationFailed as exc:
                yield n, exc.message
                continue
        yield n, row


def _verification(row: dict[str, Any], attr: str) -> dict[str, Any]:
    meta = row[f"{attr}-metadata"]
    verdict = meta.get("class-name")
    if not isinstance(verdict, str) or not verdict:
        raise ValidationFailed(f"{attr}-metadata.class-name: expected the verdict's name",
                               field=f"{attr}-metadata.class-name")
    class_id = row.get(attr)
    if isinstance(class_id, bool) or not isinstance(class_id, int):
        raise ValidationFailed(f"{attr}: expected the verdict's class id (a whole number)", field=attr)
    confidence = meta.get("confidence")
    if confidence is not None and (isinstance(confidence, bool) or not isinstance(confidence, int | float)):
        raise ValidationFailed(f"{attr}-metadata.confidence: expected a number", field=f"{attr}-metadata.confidence")
    feedback = meta.get("worker-feedback", [])
    comments = [f["comment"] for f in feedback if isinstance(f, dict) and isinstance(f.get("comment"), str)] \
        if isinstance(feedback, list) else []
    return {"attribute": attr, "verdict": verdict, "confidence": confidence, "job-name": meta.get("job-name"),
            "comments": comments}


def gt_verification_rows(data: bytes) -> Rows:
    """Each line with its verification verdicts gathered under ``lw-verifications`` (see the module doc)."""
    for n, row in _lines(data):
        if isinstance(row, str):
            yield n, row
            continue
        try:
            found = [_verification(row, attr) for attr in _attributes(row, GT_VERIFICATION_TYPE)]
        except ValidationFailed as exc:
            yield n, exc.message
            continue
        if found:
            row[VERIFICATIONS_KEY] = found
        yield n, row


def rows_reader(fmt: str, kind: str) -> Callable[[bytes], Rows]:
    """The line reader for ``gt-objects`` (by the project's value kind) or ``gt-verification``."""
    if fmt == "gt-verification":
        return gt_verification_rows
    return lambda data: gt_object_rows(data, kind)
