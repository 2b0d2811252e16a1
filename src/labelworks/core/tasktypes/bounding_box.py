"""Bounding boxes (Ground Truth's object detection): the ``bounding-box`` task type.

The ``<lw-bounding-box>`` element posts Ground Truth's ``crowd-bounding-box`` output under its name::

    {"boxes": {"boundingBoxes": [{"label": "car", "left": 10, "top": 20, "width": 30, "height": 40}],
               "inputImageProperties": {"width": 640, "height": 480}}}

The canonical value keeps the same boxes under ``boxes`` (what the ``box-iou-consensus``
consolidator reads) and the image size when the element reported it::

    {"boxes": [{"label": "car", "left": 10, "top": 20, "width": 30, "height": 40}],
     "inputImageProperties": {"width": 640, "height": 480}}

A box may carry ``labelCategoryAttributes`` and the answer ``frameAttributes`` (checked against
the project's label-category attributes, see ``image_objects``), and an assist's provenance keys.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..consolidation.majority import Consolidated
from ..consolidation.structured.boxes import consolidate_boxes
from ..consolidation.structured.attributes import carry_attributes
from ..errors import ValidationFailed
from .base import ProjectSpec, TaskType
from .image_objects import frame_attributes, object_extras, objects_output, unwrap_answer, with_label_document

__all__ = ["BoundingBoxTaskType", "BOUNDING_BOX", "PRE_ANNOTATIONS_KEY", "MAX_BOXES"]

# The item-data key whose value (a canonical or element-shaped box answer) the default template
# passes to the element as ``initial-value``: imports from COCO / YOLO / VOC write it.
PRE_ANNOTATIONS_KEY = "lw-pre-annotations"
# Far above any real image (the editor's budget is 5,000 boxes); bounds one submission's size.
MAX_BOXES = 20_000
# Edges computed from zoomed canvas coordinates may overshoot the image by a rounding error.
_SLACK = 1e-6

_TEMPLATE = """<lw-form>
  <lw-bounding-box name="boxes" header="{{ header }}" labels="{{ labels | to_json }}"
    src="{{ task.input.source-ref | default: task.input.source | grant_read_access }}"
    {%- if task.input.lw-pre-annotations %}
    initial-value="{{ task.input.lw-pre-annotations | to_json }}"{% endif %}>
  </lw-bounding-box>
</lw-form>
"""


class BoundingBoxTaskType(TaskType):
    name = "bounding-box"
    title = "Bounding boxes"
    media = "image"
    default_consolidator = "box-iou-consensus"

    def value_kind(self, spec: ProjectSpec) -> str:
        return "boxes"

    def default_template(self, spec: ProjectSpec) -> str:
        return with_label_document(_TEMPLATE, spec)

    def normalize(self, value: Any, spec: ProjectSpec) -> dict[str, Any]:
        body, prefix = _unwrap(value)
        key = "boundingBoxes" if "boundingBoxes" in body else "boxes"
        props = _image_properties(body.get("inputImageProperties"), f"{prefix}.inputImageProperties")
        raw = body.get(key)
        field = f"{prefix}.{key}"
        if not isinstance(raw, list):
            raise ValidationFailed("boxes must be a list", field=field)
        if len(raw) > MAX_BOXES:
            raise ValidationFailed(f"at most {MAX_BOXES} boxes per image, got {len(raw)}", field=field)
        out: dict[str, Any] = {"boxes": [_checked_box(b, spec, props, f"{field}[{i}]") for i, b in enumerate(raw)]}
        if props is not None:
            out["inputImageProperties"] = props
        out.update(frame_attributes(body, spec, prefix))
        return out

    def consolidate(self, values: Sequence[dict[str, Any]], spec: ProjectSpec) -> Consolidated | None:
        if not values:
            return None
        # anonymous, equally weighted workers: the same algorithm the registered consolidator runs
        answers = [(f"w{i}", v) for i, v in enumerate(values)]
        answer = consolidate_boxes(answers, label_order=spec.labels.labels)
        return carry_attributes(answer, values) if answer is not None else None

    def output_fields(self, answer: Consolidated, spec: ProjectSpec, created: str) -> dict[str, Any]:
        return objects_output(answer, spec, created, "boxes", "groundtruth/object-detection",
                              lambda b: {k: b[k] for k in ("left", "top", "width", "height")})


def _unwrap(value: Any) -> tuple[dict[str, Any], str]:
    """A bare answer (``boundingBoxes`` or canonical ``boxes``) or the form's ``{"<name>": answer}``."""
    return unwrap_answer(value, ("boxes",), "'boundingBoxes' (the element's output) or 'boxes'",
                         present=("boundingBoxes",))


def _number(raw: Any, field: str) -> float | int:
    # bool is an int in Python: a checkbox value is no coordinate
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise ValidationFailed("must be a number", field=field)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValidationFailed("must be a finite number", field=field)
        # whole numbers are stored as ints so that equal answers serialise to equal JSON
        return int(raw) if raw.is_integer() else raw
    return raw


def _image_properties(raw: Any, field: str) -> dict[str, Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValidationFailed("must be an object with width and height", field=field)
    if raw.get("width") == 0 and raw.get("height") == 0:
        # what <lw-bounding-box> posts before its image has loaded: the size is unknown, not wrong
        return None
    out: dict[str, Any] = {}
    for key in ("width", "height"):
        n = _number(raw.get(key), f"{field}.{key}")
        if n <= 0:
            raise ValidationFailed("must be greater than 0", field=f"{field}.{key}")
        out[key] = n
    return out


def _checked_box(raw: Any, spec: ProjectSpec, props: dict[str, Any] | None, field: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValidationFailed("expected an object with label, left, top, width, height", field=field)
    label = raw.get("label")
    if not isinstance(label, str) or not label:
        raise ValidationFailed("choose a label for the box", field=f"{field}.label")
    if label not in spec.labels.labels:
        raise ValidationFailed(f"{label!r} is not one of the project's labels", field=f"{field}.label")
    box: dict[str, Any] = {"label": label}
    for key in ("left", "top", "width", "height"):
        box[key] = _number(raw.get(key), f"{field}.{key}")
    for key in ("width", "height"):
        if box[key] <= 0:
            raise ValidationFailed("must be greater than 0", field=f"{field}.{key}")
    for key in ("left", "top"):
        if box[key] < 0:
            raise ValidationFailed("must not be negative (the box starts outside the image)", field=f"{field}.{key}")
    if props is not None:
        for start, size, limit in (("left", "width", "width"), ("top", "height", "height")):
            if box[start] + box[size] > props[limit] * (1 + _SLACK):
                raise ValidationFailed(
                    f"{start} + {size} = {box[start] + box[size]} lies past the image's {limit} {props[limit]}",
                    field=f"{field}.{size}",
                )
    box.update(object_extras(raw, spec, label, field))
    return box


BOUNDING_BOX = BoundingBoxTaskType()
