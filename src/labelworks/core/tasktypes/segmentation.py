"""Semantic and instance segmentation: the ``semantic-segmentation`` and ``instance-segmentation``
task types (Ground Truth's ``crowd-semantic-segmentation`` / ``crowd-instance-segmentation``).

``<lw-semantic-segmentation>`` posts under its name a colour-coded PNG label map, every pixel in its
label's colour and unlabeled pixels white::

    {"mask": {"labeledImage": {"pngImageData": "<base64 PNG>"},
              "labelMappings": {"car": {"color": "#2ca02c"}},
              "inputImageProperties": {"width": 640, "height": 480}}}

``<lw-instance-segmentation>`` colours each object and lists them (``labelMappings`` optional)::

    {"mask": {"labeledImage": {...}, "instances": [{"color": "#1f77b4", "label": "car"}],
              "inputImageProperties": {...}}}

The canonical value is that answer (Ground Truth's ``annotatedResult`` wrapper is accepted and
dropped; a ``data:`` prefix is dropped from the PNG). The PNG is kept byte for byte unless it has
transparent pixels (a canvas leaves unpainted pixels so): then it is re-encoded, losslessly, with
them white. Checks, each naming its field: the PNG decodes, is at most 100 megapixels (and 64 MiB),
has the size of ``inputImageProperties``; every colour in it is mapped (or white); colours are
distinct and labels are the project's.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from ..consolidation.majority import Consolidated
from ..consolidation.structured.label_maps import (
    BACKGROUND,
    WHITE,
    decode_rgb,
    encode_index_png,
    has_transparency,
    ids_from_rgb,
    palette_colours,
    png_bytes,
)
from ..consolidation.structured.segmentation import (
    consolidate_instances,
    consolidate_semantic,
    label_mappings,
    parse_instances,
)
from ..errors import ValidationFailed
from .base import ProjectSpec, TaskType
from .bounding_box import PRE_ANNOTATIONS_KEY, _image_properties

__all__ = ["SegmentationTaskType", "SEMANTIC_SEGMENTATION", "INSTANCE_SEGMENTATION", "PRE_ANNOTATIONS_KEY",
           "GT_SEMANTIC_TYPE", "GT_INSTANCE_TYPE", "DATA_URI_PREFIX", "color_map"]

GT_SEMANTIC_TYPE = "groundtruth/semantic-segmentation"
GT_INSTANCE_TYPE = "groundtruth/instance-segmentation"
DATA_URI_PREFIX = "data:image/png;base64,"

_TEMPLATE = """<lw-form>
  <lw-{element} name="mask" header="{{{{ header }}}}" labels="{{{{ labels | to_json }}}}"
    src="{{{{ task.input.source-ref | default: task.input.source | grant_read_access }}}}"
    {{%- if task.input.lw-pre-annotations %}}
    initial-value="{{{{ task.input.lw-pre-annotations | to_json }}}}"{{% endif %}}>
  </lw-{element}>
</lw-form>
"""


class SegmentationTaskType(TaskType):
    """A PNG label map: per class (semantic) or per object (instance)."""

    media = "image"

    def __init__(self, instance: bool) -> None:
        self.instance = instance
        self.name = "instance-segmentation" if instance else "semantic-segmentation"
        self.title = "Instance segmentation" if instance else "Semantic segmentation"
        self.default_consolidator = "instance-mask-consensus" if instance else "segmentation-pixel-vote"
        self.gt_type = GT_INSTANCE_TYPE if instance else GT_SEMANTIC_TYPE

    def value_kind(self, spec: ProjectSpec) -> str:
        return self.name

    def default_template(self, spec: ProjectSpec) -> str:
        return _TEMPLATE.format(element=self.name)

    def normalize(self, value: Any, spec: ProjectSpec) -> dict[str, Any]:
        body, prefix = _unwrap(value)
        props = _image_properties(body.get("inputImageProperties"), f"{prefix}.inputImageProperties")
        if props is None:
            raise ValidationFailed("the image's width and height are needed to check the label map",
                                   field=f"{prefix}.inputImageProperties")
        labels = set(spec.labels.labels)
        out: dict[str, Any] = {}
        mapped: dict[str, str] = {}
        if not self.instance or "labelMappings" in body:
            mapped = _checked(lambda: label_mappings(body, prefix), f"{prefix}.labelMappings")
            for label in mapped:
                if label not in labels:
                    raise ValidationFailed(f"{label!r} is not one of the project's labels",
                                           field=f"{prefix}.labelMappings.{label}")
            out["labelMappings"] = {label: {"color": colour} for label, colour in mapped.items()}
        colours = list(mapped.values())
        if self.instance:
            instances = _checked(lambda: parse_instances(body, prefix), f"{prefix}.instances")
            for i, (_, label) in enumerate(instances):
                if label not in labels:
                    raise ValidationFailed(f"{label!r} is not one of the project's labels",
                                           field=f"{prefix}.instances[{i}].label")
            out["instances"] = [{"color": c, "label": label} for c, label in instances]
            colours = [c for c, _ in instances]
        out["labeledImage"] = {"pngImageData": _checked_png(body, prefix, props, colours)}
        out["inputImageProperties"] = props
        return out

    def consolidate(self, values: Sequence[dict[str, Any]], spec: ProjectSpec) -> Consolidated | None:
        if not values:
            return None
        # anonymous, equally weighted workers: the same algorithm the registered consolidator runs
        answers = [(f"w{i}", v) for i, v in enumerate(values)]
        if self.instance:
            return consolidate_instances(answers, label_order=spec.labels.labels, method=self.default_consolidator)
        return consolidate_semantic(answers, label_order=spec.labels.labels, method=self.default_consolidator)

    def output_fields(self, answer: Consolidated, spec: ProjectSpec, created: str) -> dict[str, Any]:
        """Ground Truth's ``<attr>-ref`` (here a ``data:`` URI of the PNG: the manifest stays one
        self-contained stream; ``--format gt-segmentation`` puts the PNGs in a zip) and
        ``<attr>-ref-metadata`` with ``internal-color-map``."""
        attr = f"{spec.label_attribute}-ref"
        value = answer.value
        labeled = value.get("labeledImage")
        png = labeled.get("pngImageData") if isinstance(labeled, Mapping) else None
        meta = {
            "internal-color-map": color_map(value, spec.labels.labels, answer),
            "type": self.gt_type,
            "human-annotated": "yes",
            "creation-date": created,
            "job-name": f"labeling-job/{spec.job_name}",
        }
        return {attr: f"{DATA_URI_PREFIX}{png}", f"{attr}-metadata": meta}


def color_map(value: Mapping[str, Any], labels: Sequence[str], answer: Consolidated | None = None) -> dict[str, Any]:
    """``internal-color-map``: "0" is BACKGROUND (white); then, for a semantic map, every project
    label by position (class id = position + 1, its colour from the answer, else a palette colour
    no other class uses); for instances, one entry per instance in list order."""
    def conf(key: str, index: int) -> float | None:
        if answer is None:
            return None
        if key in answer.confidence_map:
            return round(answer.confidence_map[key], 2)
        if 0 <= index < len(answer.object_confidence):
            return round(answer.object_confidence[index], 2)
        return round(answer.confidence, 2)

    def entry(name: str, colour: str, c: float | None) -> dict[str, Any]:
        out: dict[str, Any] = {"class-name": name, "hex-color": colour}
        if c is not None:
            out["confidence"] = c
        return out

    result = {"0": entry(BACKGROUND, WHITE, conf(BACKGROUND, -1))}
    instances = value.get("instances")
    if isinstance(instances, list):
        for k, inst in enumerate(instances, start=1):
            result[str(k)] = entry(str(inst["label"]), str(inst["color"]), conf("", k - 1))
        return result
    mappings = value.get("labelMappings")
    given = {str(k): str(v["color"]) for k, v in mappings.items()} if isinstance(mappings, Mapping) else {}
    names = [*labels, *sorted(set(given) - set(labels))]
    missing = [n for n in names if n not in given]
    extra = dict(zip(missing, palette_colours(len(missing), list(given.values())), strict=True))
    for k, name in enumerate(names, start=1):
        result[str(k)] = entry(name, given.get(name, extra.get(name, WHITE)), conf(name, -1))
    return result


def _unwrap(value: Any) -> tuple[dict[str, Any], str]:
    """A bare answer, ``{"<element name>": answer}``, or either with Ground Truth's ``annotatedResult``."""
    if not isinstance(value, dict):
        raise ValidationFailed("value must be an object", field="value")
    body, prefix = value, "value"
    if "labeledImage" not in body and len(body) == 1:
        (name, inner), = body.items()
        if isinstance(inner, dict):
            body, prefix = inner, f"value.{name}"
    if "labeledImage" not in body and isinstance(body.get("annotatedResult"), dict):
        body, prefix = body["annotatedResult"], f"{prefix}.annotatedResult"
    if "labeledImage" not in body:
        raise ValidationFailed("value needs 'labeledImage' with the PNG label map (the element's output)",
                               field=f"{prefix}.labeledImage")
    return body, prefix


def _checked(fn: Any, field: str) -> Any:
    try:
        return fn()
    except ValueError as exc:
        message = str(exc)
        # the consolidation helpers name the field first ("value.mask.instances[2].color: ...")
        where, _, why = message.partition(": ")
        raise ValidationFailed(why or message, field=where if why else field) from None


def _checked_png(body: Mapping[str, Any], prefix: str, props: Mapping[str, Any], colours: list[str]) -> str:
    labeled = body.get("labeledImage")
    field = f"{prefix}.labeledImage.pngImageData"
    if not isinstance(labeled, Mapping):
        raise ValidationFailed("expected an object with pngImageData", field=f"{prefix}.labeledImage")
    raw = _checked(lambda: png_bytes(labeled.get("pngImageData"), field), field)
    rgb = _checked(lambda: decode_rgb(raw, field), field)
    height, width = rgb.shape[:2]
    if (width, height) != (props["width"], props["height"]):
        raise ValidationFailed(f"the PNG is {width} x {height}, the image {props['width']} x {props['height']}",
                               field=field)
    ids = _checked(lambda: ids_from_rgb(rgb, colours, field), field)
    if has_transparency(raw):
        # unpainted canvas pixels are transparent: stored white, as Ground Truth's maps are
        raw = encode_index_png(ids, colours)
    return base64.b64encode(raw).decode()


SEMANTIC_SEGMENTATION = SegmentationTaskType(instance=False)
INSTANCE_SEGMENTATION = SegmentationTaskType(instance=True)
