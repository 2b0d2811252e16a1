"""Keypoints on an image (Ground Truth's ``crowd-keypoint``): the ``keypoint`` task type.

The ``<lw-keypoint>`` element posts Ground Truth's output shape under its name::

    {"keypoints": {"keypoints": [{"label": "left-eye", "x": 120.5, "y": 88}],
                   "inputImageProperties": {"width": 640, "height": 480}}}

The canonical value keeps the points under ``keypoints`` (what ``keypoint-consensus`` reads)
and the image size when the element reported it::

    {"keypoints": [{"label": "left-eye", "x": 120.5, "y": 88}],
     "inputImageProperties": {"width": 640, "height": 480}}

A point may carry ``labelCategoryAttributes`` and the answer ``frameAttributes`` (checked against
the project's label-category attributes, see ``image_objects``), and an assist's provenance keys.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

from ..consolidation.majority import Consolidated
from ..consolidation.structured.keypoints import consolidate_keypoints
from ..consolidation.structured.attributes import carry_attributes
from ..errors import ValidationFailed
from .base import ProjectSpec, TaskType
from .image_objects import frame_attributes, object_extras, objects_output, unwrap_answer, with_label_document
from .bounding_box import _image_properties
from .shapes import checked_point

__all__ = ["KeypointTaskType", "KEYPOINT", "MAX_KEYPOINTS"]

# Bounds one submission's size: far above what a worker clicks on one image.
MAX_KEYPOINTS = 20_000

_TEMPLATE = """<lw-form>
  <lw-keypoint name="keypoints" header="{{ header }}" labels="{{ labels | to_json }}"
    src="{{ task.input.source-ref | default: task.input.source | grant_read_access }}"
    {%- if task.input.lw-pre-annotations %}
    initial-value="{{ task.input.lw-pre-annotations | to_json }}"{% endif %}>
  </lw-keypoint>
</lw-form>
"""


def _with_skeleton(template: str, spec: ProjectSpec) -> str:
    """A label file with a ``skeleton`` draws its edges, one named point per label and person
    (``keypoint-set``). The pairs are label names already checked against the file; escaped for
    the attribute, with braces as character references so that no label can be Liquid."""
    if not spec.labels.skeleton:
        return template
    text = html.escape(json.dumps([list(edge) for edge in spec.labels.skeleton], ensure_ascii=False), quote=True)
    text = text.replace("{", "&#123;").replace("}", "&#125;")
    return template.replace('<lw-keypoint name="keypoints"', f'<lw-keypoint name="keypoints" skeleton="{text}" keypoint-set', 1)


class KeypointTaskType(TaskType):
    name = "keypoint"
    title = "Keypoints"
    media = "image"
    default_consolidator = "keypoint-consensus"

    def value_kind(self, spec: ProjectSpec) -> str:
        return "keypoints"

    def default_template(self, spec: ProjectSpec) -> str:
        return with_label_document(_with_skeleton(_TEMPLATE, spec), spec)

    def normalize(self, value: Any, spec: ProjectSpec) -> dict[str, Any]:
        body, prefix = _unwrap(value)
        props = _image_properties(body.get("inputImageProperties"), f"{prefix}.inputImageProperties")
        raw = body.get("keypoints")
        field = f"{prefix}.keypoints"
        if not isinstance(raw, list):
            raise ValidationFailed("keypoints must be a list", field=field)
        if len(raw) > MAX_KEYPOINTS:
            raise ValidationFailed(f"at most {MAX_KEYPOINTS} keypoints per image, got {len(raw)}", field=field)
        points = []
        for i, pt in enumerate(raw):
            at = f"{field}[{i}]"
            if not isinstance(pt, dict):
                raise ValidationFailed("expected an object with label, x, y", field=at)
            label = pt.get("label")
            if not isinstance(label, str) or not label:
                raise ValidationFailed("choose a label for the point", field=f"{at}.label")
            if label not in spec.labels.labels:
                raise ValidationFailed(f"{label!r} is not one of the project's labels", field=f"{at}.label")
            points.append({"label": label, **checked_point(pt, props, at), **object_extras(pt, spec, label, at)})
        out: dict[str, Any] = {"keypoints": points}
        if props is not None:
            out["inputImageProperties"] = props
        out.update(frame_attributes(body, spec, prefix))
        return out

    def consolidate(self, values: Sequence[dict[str, Any]], spec: ProjectSpec) -> Consolidated | None:
        if not values:
            return None
        # anonymous, equally weighted workers: the same algorithm the registered consolidator runs
        answer = consolidate_keypoints([(f"w{i}", v) for i, v in enumerate(values)], label_order=spec.labels.labels)
        return carry_attributes(answer, values) if answer is not None else None

    def output_fields(self, answer: Consolidated, spec: ProjectSpec, created: str) -> dict[str, Any]:
        return objects_output(answer, spec, created, "keypoints", "groundtruth/keypoint",
                              lambda pt: {"x": pt["x"], "y": pt["y"]})


def _unwrap(value: Any) -> tuple[dict[str, Any], str]:
    """A bare answer (``{"keypoints": [...]}``) or the form's ``{"<element name>": answer}``."""
    return unwrap_answer(value, ("keypoints",), "'keypoints' (the element's output)")



KEYPOINT = KeypointTaskType()
