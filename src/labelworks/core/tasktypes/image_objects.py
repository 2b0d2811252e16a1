"""What the image task types with a list of objects share: unwrapping the element's output,
checking each object's attributes and provenance, and writing Ground Truth's object-list output
manifest (boxes, polygons, lines, keypoints).

Attributes follow Ground Truth's video-frame worker response: an object's values under
``labelCategoryAttributes`` (``{"occluded": "partly"}``) and the image's under the answer's
``frameAttributes``; in the output manifest they become each annotation's
``label-category-attributes`` and the body's ``frame-attributes`` (as in its ``SeqLabel.json``).
Objects an assist created keep ``source: "model"``, ``model`` and, once a worker changed them,
``edited: true`` (and the model's ``score``).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Sequence
from typing import Any

from ..consolidation.majority import Consolidated
from ..errors import ValidationFailed
from ..labels import AttributeSpec
from .base import ProjectSpec

__all__ = ["unwrap_answer", "objects_output", "object_extras", "frame_attributes", "with_label_document",
           "attributes_from_manifest",
           "OBJECT_ATTRIBUTES_KEY", "FRAME_ATTRIBUTES_KEY"]

# Ground Truth's worker-response keys (video frame jobs); ``attributes`` is accepted on input too.
OBJECT_ATTRIBUTES_KEY = "labelCategoryAttributes"
FRAME_ATTRIBUTES_KEY = "frameAttributes"
MAX_TEXT = 10_000
SOURCES = ("model", "human")
# How the default templates pass the labels; a project with attributes passes its whole file instead.
LABELS_ATTRIBUTE = 'labels="{{ labels | to_json }}"'


def with_label_document(template: str, spec: ProjectSpec) -> str:
    """The default template, its ``labels`` attribute holding the project's label-category file when
    that declares attributes (the element reads them from it, as from a file a template author
    pastes in). Braces become character references so that no text of the file can be Liquid."""
    if not spec.labels.has_attributes:
        return template
    text = html.escape(json.dumps(spec.labels.document, ensure_ascii=False), quote=True)
    return template.replace(LABELS_ATTRIBUTE, 'labels="' + text.replace("{", "&#123;").replace("}", "&#125;") + '"')


def unwrap_answer(value: Any, keys: Sequence[str], hint: str, *,
                  present: Sequence[str] = ()) -> tuple[dict[str, Any], str]:
    """A bare answer, or the form's ``{"<element name>": answer}``.

    A value is the bare answer when one of ``keys`` holds a list, or one of ``present`` is there at
    all (the element's own key, whose contents the caller checks). Returns the answer and the
    field path that errors inside it are named under.
    """
    if not isinstance(value, dict):
        raise ValidationFailed("value must be an object", field="value")
    if any(isinstance(value.get(k), list) for k in keys) or any(k in value for k in present):
        return value, "value"
    if len(value) == 1:
        (name, inner), = value.items()
        if isinstance(inner, dict) and any(k in inner for k in (*present, *keys)):
            return inner, f"value.{name}"
    raise ValidationFailed(f"value needs {hint}", field=f"value.{(*present, *keys)[0]}")


def objects_output(answer: Consolidated, spec: ProjectSpec, created: str, key: str, gt_type: str,
                   fields: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """``{attr: {annotations, image_size}, attr-metadata: {objects, class-map, type, …}}``.

    ``fields`` gives one object's geometry (``left``/``top``/… or ``points`` or ``x``/``y``); its
    ``class_id`` is the label's position in the project (-1 for a label no longer in it).
    """
    attr = spec.label_attribute
    value: Any = answer.value
    objects = list(value.get(key, [])) if isinstance(value, dict) else []
    annotations = []
    class_map: dict[str, str] = {}
    for obj in objects:
        label = str(obj["label"])
        class_id = spec.labels.labels.index(label) if label in spec.labels.labels else -1
        class_map[str(class_id)] = label
        annotation = {"class_id": class_id, **fields(obj)}
        if obj.get(OBJECT_ATTRIBUTES_KEY):
            annotation["label-category-attributes"] = dict(obj[OBJECT_ATTRIBUTES_KEY])
        annotations.append(annotation)
    body: dict[str, Any] = {"annotations": annotations}
    if isinstance(value, dict) and value.get(FRAME_ATTRIBUTES_KEY):
        body["frame-attributes"] = dict(value[FRAME_ATTRIBUTES_KEY])
    props = value.get("inputImageProperties") if isinstance(value, dict) else None
    if isinstance(props, dict):
        # Ground Truth always writes depth 3 (it reports RGB whatever the file holds)
        body["image_size"] = [{"width": props["width"], "height": props["height"], "depth": 3}]
    conf = list(answer.object_confidence)
    meta = {
        "objects": [{"confidence": round(conf[i], 2) if i < len(conf) else round(answer.confidence, 2)}
                    for i in range(len(annotations))],
        "class-map": dict(sorted(class_map.items(), key=lambda kv: int(kv[0]))),
        "type": gt_type,
        "human-annotated": "yes",
        "creation-date": created,
        "job-name": f"labeling-job/{spec.job_name}",
    }
    return {attr: body, f"{attr}-metadata": meta}


def attributes_from_manifest(source: dict[str, Any], key: str, target: str) -> dict[str, Any]:
    """``{target: values}`` from an output manifest's ``label-category-attributes`` or
    ``frame-attributes`` (``key``), string and number values only, or ``{}``: what a manifest
    import gives the element back, so that an export reads in again without loss."""
    raw = source.get(key)
    if not isinstance(raw, dict):
        return {}
    values = {k: v for k, v in raw.items() if isinstance(k, str)
              and isinstance(v, str | int | float) and not isinstance(v, bool)}
    return {target: values} if values else {}


def object_extras(raw: dict[str, Any], spec: ProjectSpec, label: str, field: str) -> dict[str, Any]:
    """An object's checked attributes (``labelCategoryAttributes``) and provenance keys, to merge
    into the canonical object; keys that are absent or empty are left out."""
    key = "attributes" if OBJECT_ATTRIBUTES_KEY not in raw and "attributes" in raw else OBJECT_ATTRIBUTES_KEY
    values = checked_attribute_values(raw.get(key), spec.labels.attributes_for(label), f"{field}.{key}",
                                      owner=f"label {label!r}")
    out: dict[str, Any] = {OBJECT_ATTRIBUTES_KEY: values} if values else {}
    source = raw.get("source")
    if source is not None:
        if source not in SOURCES:
            raise ValidationFailed(f"source must be one of {', '.join(SOURCES)}", field=f"{field}.source")
        out["source"] = source
    model = raw.get("model")
    if model is not None:
        if not isinstance(model, str) or not model or len(model) > 200:
            raise ValidationFailed("model must be a name of 1 to 200 characters", field=f"{field}.model")
        out["model"] = model
    edited = raw.get("edited")
    if edited is not None:
        if not isinstance(edited, bool):
            raise ValidationFailed("edited must be true or false", field=f"{field}.edited")
        if edited:
            out["edited"] = True
    score = raw.get("score")
    if score is not None:
        if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
            raise ValidationFailed("score must be a number from 0 to 1", field=f"{field}.score")
        out["score"] = score
    return out


def frame_attributes(body: dict[str, Any], spec: ProjectSpec, prefix: str) -> dict[str, Any]:
    """``{"frameAttributes": {...}}`` checked against the project's frame attributes, or ``{}``."""
    values = checked_attribute_values(body.get(FRAME_ATTRIBUTES_KEY), spec.labels.frame_attributes,
                                      f"{prefix}.{FRAME_ATTRIBUTES_KEY}", owner="the image")
    return {FRAME_ATTRIBUTES_KEY: values} if values else {}


def checked_attribute_values(raw: Any, specs: Sequence[AttributeSpec], field: str, *,
                             owner: str) -> dict[str, Any]:
    """``{name: value}`` checked against ``specs``: no unknown names, enum values from the list,
    numbers inside the range, every required one present. Empty values (``None``, ``""``) count
    as absent. Errors name ``field.<attribute>``."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ValidationFailed("attributes must be an object of name: value", field=field)
    by_name = {s.name: s for s in specs}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        at = f"{field}.{name}"
        attr = by_name.get(name)
        if attr is None:
            known = ", ".join(by_name) or "none"
            raise ValidationFailed(f"{name!r} is not an attribute of {owner} (it has: {known})", field=at)
        if value is None or value == "":
            continue
        out[name] = _checked_value(value, attr, at)
    for attr in specs:
        if attr.required and attr.name not in out:
            raise ValidationFailed(f"the required attribute {attr.name!r} of {owner} has no value",
                                   field=f"{field}.{attr.name}")
    # the project's order, so equal answers serialise to equal JSON
    return {a.name: out[a.name] for a in specs if a.name in out}


def _checked_value(value: Any, attr: AttributeSpec, field: str) -> Any:
    if attr.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValidationFailed("must be a number", field=field)
        if attr.minimum is not None and value < attr.minimum:
            raise ValidationFailed(f"{value} is below the minimum {attr.minimum:g}", field=field)
        if attr.maximum is not None and value > attr.maximum:
            raise ValidationFailed(f"{value} is above the maximum {attr.maximum:g}", field=field)
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if not isinstance(value, str):
        raise ValidationFailed("must be a string", field=field)
    if attr.enum and value not in attr.enum:
        raise ValidationFailed(f"{value!r} is not one of {', '.join(attr.enum)}", field=field)
    if len(value) > MAX_TEXT:
        raise ValidationFailed(f"at most {MAX_TEXT} characters", field=field)
    return value
