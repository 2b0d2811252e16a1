"""Label adjustment (Ground Truth's adjustment job): the ``label-adjustment`` task type.

Each item carries an earlier label, typically a line of a finished (chained) project's output
manifest (``<attr>`` + ``<attr>-metadata``). The worker gets it in the matching editor as
``initial-value`` (boxes in ``<lw-bounding-box>``, polygons in ``<lw-polygon>``…), corrects it and
submits the editor's usual output. Validation and consolidation belong to the object task type of
the earlier label (:data:`ADJUSTABLE`, keyed by its Ground Truth ``type``); this type adds
``adjustment-status``: ``"adjusted"`` when the submitted objects differ from the earlier ones,
``"unadjusted"`` otherwise. The server decides it (:meth:`normalize_with_item` compares with the
item's own earlier label), never the browser.

Which object type a project adjusts: the earlier label's metadata ``type`` on each item, else the
project's label-category document key ``lw-adjusts`` (a task-type name such as ``polygon``, written
by the chaining service), else ``bounding-box``.

Ground Truth's ``editsAllowed: "none"`` on a label or attribute of the project's label-category file
is enforced here too (see ``edit_limits``): an answer that changes what it protects is refused.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..consolidation.majority import Consolidated
from ..errors import ValidationFailed
from .base import ProjectSpec, TaskType
from .bounding_box import BOUNDING_BOX, PRE_ANNOTATIONS_KEY
from .edit_limits import EditCheck, label_map_edit_check, object_edit_check
from .image_objects import (FRAME_ATTRIBUTES_KEY, LABELS_ATTRIBUTE, OBJECT_ATTRIBUTES_KEY, attributes_from_manifest,
                            with_label_document)
from .keypoint import KEYPOINT
from .label_map_adjustment import label_map_value, same_label_map
from .segmentation import GT_INSTANCE_TYPE, GT_SEMANTIC_TYPE, INSTANCE_SEGMENTATION, SEMANTIC_SEGMENTATION
from .shapes import LINE, POLYGON, POLYLINE

__all__ = ["Adjustable", "ADJUSTABLE", "register_adjustable", "adjustable_for", "earlier_label", "EarlierLabel",
           "LabelAdjustmentTaskType", "LABEL_ADJUSTMENT", "ADJUSTS_KEY", "STATUS_KEY"]

STATUS_KEY = "adjustment-status"
# the label-category document key naming the adjusted task type when the items do not say
ADJUSTS_KEY = "lw-adjusts"
# coordinates closer than this (px) are the same: zoomed canvas maths leaves float noise
_TOLERANCE = 1e-3


@dataclass(frozen=True)
class Adjustable:
    """An object task type whose labels can be adjusted, and how its output becomes an editor value."""

    gt_type: str  # the earlier label's metadata ``type``
    task_type: TaskType  # validates and consolidates the adjusted answers
    element: str  # the editor's tag, e.g. ``lw-bounding-box``
    field: str  # the editor's name in the form (the task type's default template uses the same)
    # (the label's body, its metadata, where it is) -> the editor's initial value (its output shape)
    initial_value: Callable[[Any, Mapping[str, Any], str], dict[str, Any]]
    # whether a submitted body (bare or under the editor's name) is this type's answer
    matches: Callable[[Mapping[str, Any]], bool]
    # whether two canonical values hold the same label (then the answer is "unadjusted")
    same: Callable[[Mapping[str, Any], Mapping[str, Any]], bool]
    # refuses an answer that changes what the label file's editsAllowed "none" protects (None: not enforced)
    check_edits: EditCheck | None = None


def _class_name(ann: Mapping[str, Any], meta: Mapping[str, Any], at: str) -> str:
    class_map = meta.get("class-map")
    if not isinstance(class_map, Mapping):
        raise ValidationFailed("expected an object", field=f"{at}-metadata.class-map")
    label = class_map.get(str(ann.get("class_id")))
    if not isinstance(label, str):
        raise ValidationFailed(f"{ann.get('class_id')!r} is not in the class-map", field=f"{at}.class_id")
    return label


def _objects(body: Any, meta: Mapping[str, Any], at: str, key: str,
             geometry: Callable[[Mapping[str, Any], str], dict[str, Any]]) -> dict[str, Any]:
    """GT's ``{annotations: [{class_id, …}], image_size}`` as ``{key: [{label, …}], inputImageProperties}``."""
    if not isinstance(body, Mapping) or not isinstance(body.get("annotations"), list):
        raise ValidationFailed("expected a list", field=f"{at}.annotations")
    objects = []
    for i, ann in enumerate(body["annotations"]):
        where = f"{at}.annotations[{i}]"
        if not isinstance(ann, Mapping):
            raise ValidationFailed("expected an object", field=where)
        # the earlier attribute values come along, so the editor shows them and an unchanged one stays
        objects.append({"label": _class_name(ann, meta, where), **geometry(ann, where),
                        **attributes_from_manifest(dict(ann), "label-category-attributes", OBJECT_ATTRIBUTES_KEY)})
    out: dict[str, Any] = {key: objects}
    out.update(attributes_from_manifest(dict(body), "frame-attributes", FRAME_ATTRIBUTES_KEY))
    sizes = body.get("image_size")
    if isinstance(sizes, list) and sizes and isinstance(sizes[0], Mapping):
        width, height = sizes[0].get("width"), sizes[0].get("height")
        if isinstance(width, int | float) and isinstance(height, int | float) and width > 0 and height > 0:
            out["inputImageProperties"] = {"width": width, "height": height}
    return out


def _num(raw: Any, field: str) -> float | int:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise ValidationFailed("must be a number", field=field)
    return raw


def _box(ann: Mapping[str, Any], at: str) -> dict[str, Any]:
    return {k: _num(ann.get(k), f"{at}.{k}") for k in ("left", "top", "width", "height")}


def _vertices(ann: Mapping[str, Any], at: str) -> dict[str, Any]:
    points = ann.get("points", ann.get("vertices"))
    if not isinstance(points, list):
        raise ValidationFailed("expected a list of {x, y}", field=f"{at}.points")
    return {"vertices": [{"x": _num(p.get("x") if isinstance(p, Mapping) else None, f"{at}.points[{j}].x"),
                          "y": _num(p.get("y") if isinstance(p, Mapping) else None, f"{at}.points[{j}].y")}
                         for j, p in enumerate(points)]}


def _point(ann: Mapping[str, Any], at: str) -> dict[str, Any]:
    return {"x": _num(ann.get("x"), f"{at}.x"), "y": _num(ann.get("y"), f"{at}.y")}


def _shapes(key: str, geometry: Callable[[Mapping[str, Any], str], dict[str, Any]]
            ) -> Callable[[Any, Mapping[str, Any], str], dict[str, Any]]:
    return lambda body, meta, at: _objects(body, meta, at, key, geometry)


def _has_list(*keys: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda body: any(isinstance(body.get(k), list) for k in keys)


def _same_objects(key: str) -> Callable[[Mapping[str, Any], Mapping[str, Any]], bool]:
    return lambda a, b: _canonical_objects(a, key) == _canonical_objects(b, key)


# Object types by Ground Truth type; a plugin's type adds itself with register_adjustable.
ADJUSTABLE: dict[str, Adjustable] = {}


def register_adjustable(entry: Adjustable) -> None:
    """Make a task type adjustable (a plugin's, or segmentation's): its GT type, editor and converter."""
    ADJUSTABLE[entry.gt_type] = entry


for _entry in (
    Adjustable("groundtruth/object-detection", BOUNDING_BOX, "lw-bounding-box", "boxes",
               _shapes("boundingBoxes", _box), _has_list("boxes", "boundingBoxes"), _same_objects("boxes"),
               object_edit_check("boxes", ("boundingBoxes", "boxes"), "box")),
    Adjustable("groundtruth/polygon", POLYGON, "lw-polygon", "polygons", _shapes("polygons", _vertices),
               _has_list("polygons"), _same_objects("polygons"),
               object_edit_check("polygons", ("polygons",), "polygon")),
    Adjustable("groundtruth/polyline", POLYLINE, "lw-polyline", "polylines", _shapes("polylines", _vertices),
               _has_list("polylines"), _same_objects("polylines"),
               object_edit_check("polylines", ("polylines",), "polyline")),
    Adjustable("groundtruth/line", LINE, "lw-line", "lines", _shapes("lines", _vertices),
               _has_list("lines"), _same_objects("lines"), object_edit_check("lines", ("lines",), "line")),
    Adjustable("groundtruth/keypoint", KEYPOINT, "lw-keypoint", "keypoints", _shapes("keypoints", _point),
               _has_list("keypoints"), _same_objects("keypoints"),
               object_edit_check("keypoints", ("keypoints",), "keypoint")),
    # instance first: its answers also hold labeledImage, and are told apart by their instances
    Adjustable(GT_INSTANCE_TYPE, INSTANCE_SEGMENTATION, "lw-instance-segmentation", "mask",
               label_map_value(instance=True), lambda b: "labeledImage" in b and "instances" in b,
               lambda a, b: same_label_map(a, b, instance=True), label_map_edit_check(instance=True)),
    Adjustable(GT_SEMANTIC_TYPE, SEMANTIC_SEGMENTATION, "lw-semantic-segmentation", "mask",
               label_map_value(instance=False), lambda b: "labeledImage" in b,
               lambda a, b: same_label_map(a, b, instance=False), label_map_edit_check(instance=False)),
):
    register_adjustable(_entry)


@dataclass(frozen=True)
class EarlierLabel:
    attribute: str
    adjustable: Adjustable
    body: Any
    meta: Mapping[str, Any]

    def initial_value(self) -> dict[str, Any]:
        """The earlier label in its editor's output shape (what ``initial-value`` gets)."""
        return self.adjustable.initial_value(self.body, self.meta, self.attribute)


def earlier_label(data: Mapping[str, Any], exclude: str | None = None) -> EarlierLabel | None:
    """The item's adjustable earlier label: the LAST ``<attr>-metadata`` whose ``type`` is adjustable
    (a chained line lists older labels first), skipping ``exclude`` (the project's own attribute)."""
    found: EarlierLabel | None = None
    for key, meta in data.items():
        if not key.endswith("-metadata") or not isinstance(meta, Mapping):
            continue
        entry = ADJUSTABLE.get(str(meta.get("type")))
        attr = key[: -len("-metadata")]
        if entry is not None and attr != exclude and attr in data:
            found = EarlierLabel(attr, entry, data[attr], meta)
    return found


def adjustable_for(task_type: str) -> Adjustable | None:
    """The adjustable entry whose object type is this task type (``bounding-box`` …), if any."""
    return next((a for a in ADJUSTABLE.values() if a.task_type.name == task_type), None)


def _canonical_objects(value: Mapping[str, Any], key: str) -> list[str]:
    """The objects as sortable strings with rounded coordinates: equal sets compare equal."""
    def rounded(v: Any) -> Any:
        if isinstance(v, int | float) and not isinstance(v, bool):  # 10 and 10.0000001 alike
            return round(v / _TOLERANCE) * _TOLERANCE
        if isinstance(v, list):
            return [rounded(x) for x in v]
        if isinstance(v, dict):
            return {k: rounded(x) for k, x in sorted(v.items())}
        return v
    return sorted(repr(rounded(obj)) for obj in value.get(key, []))


class LabelAdjustmentTaskType(TaskType):
    name = "label-adjustment"
    title = "Label adjustment"
    media = "image"
    # not a registered method: consolidation runs consolidate() below (the object type's algorithm)
    default_consolidator = "adjustment-delegate"
    reads_item_data = True

    def adjustable(self, spec: ProjectSpec) -> Adjustable:
        """The object type the project adjusts when an item does not say (``lw-adjusts``)."""
        named = spec.labels.document.get(ADJUSTS_KEY)
        return (adjustable_for(named) if isinstance(named, str) else None) or ADJUSTABLE["groundtruth/object-detection"]

    def value_kind(self, spec: ProjectSpec) -> str:
        return self.adjustable(spec).task_type.value_kind(spec)

    def default_template(self, spec: ProjectSpec) -> str:
        # a label-category file with attributes goes to the editor whole (as the object types do), and
        # so does one with editsAllowed "none": the editor reads from it what to lock
        template = with_label_document(_template(self.adjustable(spec)), spec)
        if spec.labels.has_edit_limits and not spec.labels.has_attributes:
            template = template.replace(LABELS_ATTRIBUTE, _label_document_attribute(spec))
        return template

    def normalize(self, value: Any, spec: ProjectSpec) -> dict[str, Any]:
        """The object type's canonical value (no status: that needs the item, see normalize_with_item)."""
        entry = self._delegate_for_value(value, spec)
        return entry.task_type.normalize(_without_status(value), spec)

    def normalize_with_item(self, value: Any, spec: ProjectSpec, data: Mapping[str, Any]) -> dict[str, Any]:
        earlier = earlier_label(data, exclude=spec.label_attribute)
        project_kind = self.adjustable(spec)
        entry = earlier.adjustable if earlier is not None else project_kind
        canonical = entry.task_type.normalize(_without_status(value), spec)
        if earlier is not None:
            initial_raw: Any = earlier.initial_value()
        else:
            initial_raw = data.get(PRE_ANNOTATIONS_KEY) or {}
        initial = _initial_canonical(entry, initial_raw, spec)
        if spec.labels.has_edit_limits and entry.check_edits is not None:
            entry.check_edits(_without_status(value), canonical, initial, spec)
        canonical[STATUS_KEY] = "unadjusted" if entry.same(canonical, initial) else "adjusted"
        return canonical

    def consolidate(self, values: Sequence[dict[str, Any]], spec: ProjectSpec) -> Consolidated | None:
        if not values:
            return None
        entry = self._delegate_for_value(values[0], spec)
        answer = entry.task_type.consolidate([_without_status(v) for v in values], spec)
        if answer is None:
            return None
        statuses = [v.get(STATUS_KEY) for v in values if v.get(STATUS_KEY) in ("adjusted", "unadjusted")]
        if not statuses:
            return answer
        # the item counts as adjusted when at least half its workers changed the earlier label
        adjusted = sum(s == "adjusted" for s in statuses) * 2 >= len(statuses)
        return replace(answer, value={**answer.value, STATUS_KEY: "adjusted" if adjusted else "unadjusted"})

    def output_fields(self, answer: Consolidated, spec: ProjectSpec, created: str) -> dict[str, Any]:
        entry = self._delegate_for_value(answer.value, spec)
        out = entry.task_type.output_fields(answer, spec, created)
        status = answer.value.get(STATUS_KEY)
        # the label's metadata: ``<attr>-metadata``, or ``<attr>-ref-metadata`` for a label map
        for key, meta in out.items():
            if key.endswith("-metadata") and isinstance(meta, dict) and status in ("adjusted", "unadjusted"):
                meta[STATUS_KEY] = status  # where Ground Truth's adjustment output carries it
        return out

    def _delegate_for_value(self, value: Any, spec: ProjectSpec) -> Adjustable:
        """The object type whose key the value uses (bare or under the editor's name), else the project's."""
        if isinstance(value, Mapping):
            bodies = [value, *(v for v in value.values() if isinstance(v, Mapping))]
            for body in bodies:
                for entry in ADJUSTABLE.values():
                    if entry.matches(body):
                        return entry
        return self.adjustable(spec)


def _label_document_attribute(spec: ProjectSpec) -> str:
    """``labels="<the label-category file>"`` as ``with_label_document`` writes it (HTML-escaped, braces
    as character references so that no text of the file can be Liquid)."""
    text = html.escape(json.dumps(spec.labels.document, ensure_ascii=False), quote=True)
    return 'labels="' + text.replace("{", "&#123;").replace("}", "&#125;") + '"'


def _without_status(value: Any) -> Any:
    if isinstance(value, Mapping) and STATUS_KEY in value:
        return {k: v for k, v in value.items() if k != STATUS_KEY}
    return value


def _initial_canonical(entry: Adjustable, raw: Any, spec: ProjectSpec) -> dict[str, Any]:
    """The earlier label as the object type's canonical value; labels the project no longer has and
    objects outside its checks still count (compared as given), so they read as adjusted if dropped."""
    try:
        return entry.task_type.normalize(raw, spec)
    except ValidationFailed:
        body = dict(raw) if isinstance(raw, Mapping) else {}
        if "boundingBoxes" in body:
            body["boxes"] = body.pop("boundingBoxes")
        return body


def _template(default: Adjustable) -> str:
    """The editor chosen by the earlier label's type (one ``when`` per adjustable type), the earlier
    label as its ``initial-value`` (``lw-pre-annotations``, written by chaining and detection imports)."""
    common = ('header="{{ header }}" labels="{{ labels | to_json }}"\n'
              '    src="{{ task.input.source-ref | default: task.input.source | grant_read_access }}"\n'
              '    {%- if task.input.lw-pre-annotations %}\n'
              '    initial-value="{{ task.input.lw-pre-annotations | to_json }}"{% endif %}')
    types = ", ".join(f'"{a.gt_type}"' for a in ADJUSTABLE.values())
    branches = "".join(
        f'  {{%- when "{a.gt_type}" %}}\n  <{a.element} name="{a.field}" {common}>\n  </{a.element}>\n'
        for a in ADJUSTABLE.values() if a is not default)
    return (
        "<lw-form>\n"
        '  {%- assign adjusted_type = "" %}\n'
        "  {%- for entry in task.input %}{% assign meta = entry[1] %}\n"
        f"  {{%- case meta.type %}}{{% when {types} %}}{{% assign adjusted_type = meta.type %}}{{% endcase %}}\n"
        "  {%- endfor %}\n"
        "  {%- case adjusted_type %}\n"
        f"{branches}"
        "  {%- else %}\n"
        f'  <{default.element} name="{default.field}" {common}>\n  </{default.element}>\n'
        "  {%- endcase %}\n"
        "</lw-form>\n"
    )


LABEL_ADJUSTMENT = LabelAdjustmentTaskType()
