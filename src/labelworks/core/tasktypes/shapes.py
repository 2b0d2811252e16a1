"""Polygons, polylines and two-point lines on an image: the ``polygon``, ``polyline`` and ``line`` task types.

Each element posts Ground Truth's ``crowd-polygon`` output shape under its name (``<lw-polygon>``
under ``polygons``, ``<lw-polyline>`` under ``polylines``, ``<lw-line>`` under ``lines``)::

    {"polygons": {"polygons": [{"label": "car", "vertices": [{"x": 1, "y": 2}, ...]}],
                  "inputImageProperties": {"width": 640, "height": 480}}}

The canonical value keeps the shapes under the same key (``polygons`` is what the
``polygon-pixel-vote`` consolidator reads) and the image size when the element reported it::

    {"polygons": [{"label": "car", "vertices": [{"x": 1, "y": 2}, ...]}],
     "inputImageProperties": {"width": 640, "height": 480}}

A shape may carry ``labelCategoryAttributes`` and the answer ``frameAttributes`` (checked against
the project's label-category attributes, see ``image_objects``), and an assist's provenance keys.

Polylines and lines have no registered consolidator: :meth:`ShapeTaskType.consolidate` keeps the
worker's answer closest to the others (``consolidation/structured/lines.py``: the medoid under a
symmetric mean vertex distance per label).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..consolidation.majority import Consolidated
from ..consolidation.structured.lines import medoid_answer
from ..consolidation.structured.masks import consolidate_polygons
from ..consolidation.structured.attributes import carry_attributes
from ..errors import ValidationFailed
from .base import ProjectSpec, TaskType
from .image_objects import frame_attributes, object_extras, objects_output, unwrap_answer, with_label_document
from .bounding_box import _image_properties, _number

__all__ = ["ShapeTaskType", "POLYGON", "POLYLINE", "LINE", "MAX_SHAPES", "MAX_VERTICES", "checked_point"]

# Bounds one submission's size: far above what a worker draws on one image.
MAX_SHAPES = 5_000
MAX_VERTICES = 10_000
# Vertices computed from zoomed canvas coordinates may overshoot the image by a rounding error.
_SLACK = 1e-6

_TEMPLATE = """<lw-form>
  <lw-{element} name="{key}" header="{{{{ header }}}}" labels="{{{{ labels | to_json }}}}"
    src="{{{{ task.input.source-ref | default: task.input.source | grant_read_access }}}}"
    {{%- if task.input.lw-pre-annotations %}}
    initial-value="{{{{ task.input.lw-pre-annotations | to_json }}}}"{{% endif %}}>
  </lw-{element}>
</lw-form>
"""

class ShapeTaskType(TaskType):
    """Labeled vertex lists: closed polygons (>= 3 vertices), open polylines (>= 2), lines (exactly 2)."""

    media = "image"

    def __init__(self, name: str, title: str, key: str, element: str, min_vertices: int,
                 max_vertices: int | None, consolidator: str, gt_type: str) -> None:
        self.name = name
        self.title = title
        self.key = key
        self._element = element
        self._min = min_vertices
        self._max = max_vertices
        self.default_consolidator = consolidator
        self._gt_type = gt_type

    def value_kind(self, spec: ProjectSpec) -> str:
        return self.key

    def default_template(self, spec: ProjectSpec) -> str:
        return with_label_document(_TEMPLATE.format(element=self._element, key=self.key), spec)

    def normalize(self, value: Any, spec: ProjectSpec) -> dict[str, Any]:
        body, prefix = self._unwrap(value)
        props = _image_properties(body.get("inputImageProperties"), f"{prefix}.inputImageProperties")
        raw = body.get(self.key)
        field = f"{prefix}.{self.key}"
        if not isinstance(raw, list):
            raise ValidationFailed(f"{self.key} must be a list", field=field)
        if len(raw) > MAX_SHAPES:
            raise ValidationFailed(f"at most {MAX_SHAPES} shapes per image, got {len(raw)}", field=field)
        out: dict[str, Any] = {self.key: [self._checked(s, spec, props, f"{field}[{i}]") for i, s in enumerate(raw)]}
        if props is not None:
            out["inputImageProperties"] = props
        out.update(frame_attributes(body, spec, prefix))
        return out

    def consolidate(self, values: Sequence[dict[str, Any]], spec: ProjectSpec) -> Consolidated | None:
        if not values:
            return None
        if self.key == "polygons":
            # anonymous, equally weighted workers: the same algorithm the registered consolidator runs
            answer = consolidate_polygons([(f"w{i}", v) for i, v in enumerate(values)],
                                          label_order=spec.labels.labels, method=self.default_consolidator)
            return carry_attributes(answer, values) if answer is not None else None
        return medoid_answer(values, self.key, method=self.default_consolidator)

    def output_fields(self, answer: Consolidated, spec: ProjectSpec, created: str) -> dict[str, Any]:
        return objects_output(answer, spec, created, self.key, self._gt_type,
                              lambda shape: {"points": [{"x": v["x"], "y": v["y"]} for v in shape["vertices"]]})

    def _unwrap(self, value: Any) -> tuple[dict[str, Any], str]:
        """A bare answer (``{"<key>": [...]}``) or the form's ``{"<element name>": answer}``."""
        return unwrap_answer(value, (self.key,), f"{self.key!r} (the element's output)")

    def _checked(self, raw: Any, spec: ProjectSpec, props: dict[str, Any] | None, field: str) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise ValidationFailed("expected an object with label and vertices", field=field)
        label = raw.get("label")
        if not isinstance(label, str) or not label:
            raise ValidationFailed("choose a label for the shape", field=f"{field}.label")
        if label not in spec.labels.labels:
            raise ValidationFailed(f"{label!r} is not one of the project's labels", field=f"{field}.label")
        vertices = raw.get("vertices")
        vfield = f"{field}.vertices"
        if not isinstance(vertices, list):
            raise ValidationFailed("vertices must be a list of {x, y}", field=vfield)
        if self._max is not None and self._max == self._min and len(vertices) != self._min:
            raise ValidationFailed(f"a {self.name} has exactly {self._min} vertices, got {len(vertices)}",
                                   field=vfield)
        if len(vertices) < self._min:
            raise ValidationFailed(f"a {self.name} needs at least {self._min} vertices, got {len(vertices)}",
                                   field=vfield)
        if len(vertices) > (self._max or MAX_VERTICES):
            raise ValidationFailed(f"at most {self._max or MAX_VERTICES} vertices, got {len(vertices)}",
                                   field=vfield)
        return {"label": label, "vertices": [checked_point(v, props, f"{vfield}[{i}]") for i, v in enumerate(vertices)],
                **object_extras(raw, spec, label, field)}


def checked_point(raw: Any, props: dict[str, Any] | None, field: str) -> dict[str, Any]:
    """``{x, y}`` as finite numbers inside the image (when its size is known); the keypoint type shares it."""
    if not isinstance(raw, dict):
        raise ValidationFailed("expected an object with x and y", field=field)
    point = {"x": _number(raw.get("x"), f"{field}.x"), "y": _number(raw.get("y"), f"{field}.y")}
    for key, limit in (("x", "width"), ("y", "height")):
        if point[key] < 0:
            raise ValidationFailed("must not be negative (the point lies outside the image)", field=f"{field}.{key}")
        if props is not None and point[key] > props[limit] * (1 + _SLACK):
            raise ValidationFailed(f"{point[key]} lies past the image's {limit} {props[limit]}",
                                   field=f"{field}.{key}")
    return point


POLYGON = ShapeTaskType("polygon", "Polygons", "polygons", "polygon", 3, None,
                        "polygon-pixel-vote", "groundtruth/polygon")
POLYLINE = ShapeTaskType("polyline", "Polylines", "polylines", "polyline", 2, None,
                         "polyline-medoid", "groundtruth/polyline")
LINE = ShapeTaskType("line", "Lines", "lines", "line", 2, 2, "line-medoid", "groundtruth/line")
