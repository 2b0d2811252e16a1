"""Label configurations: Ground Truth's label-category JSON, accepted as is, or a plain list.

Ground Truth's file may describe attributes the worker fills in (its video-frame and point-cloud
schema, which Labelworks applies to every image object type)::

    {"labels": [{"label": "car", "categoryAttributes": [
                  {"name": "occluded", "type": "string", "enum": ["no", "partly", "fully"], "isRequired": true}]}],
     "categoryGlobalAttributes": [{"name": "note", "type": "string"}],
     "frameAttributes": [{"name": "weather", "type": "string", "enum": ["clear", "rain"]},
                         {"name": "people", "type": "number", "minimum": 0, "maximum": 50}]}

``type`` is ``"string"`` (a choice from ``enum``, or free text without one) or ``"number"``
(within ``minimum``..``maximum``, inclusive, when given). ``categoryAttributes`` of a label and
``categoryGlobalAttributes`` (every label's) are an object's attributes; ``frameAttributes`` the
whole image's. ``attributes`` (per label) and ``required`` are accepted as aliases.

``editsAllowed`` (Ground Truth's, on a label and on any attribute): ``"any"`` (the default) or
``"none"``, what an adjustment job lets the worker change of the earlier label; enforced by the
``label-adjustment`` task type (docs/task-types/label-adjustment.md).

Text projects (``named-entity-recognition``) may also declare, beside ``labels`` (Labelworks
extensions; Ground Truth ignores keys it does not know)::

    {"labels": [{"label": "person"}, {"label": "corporation"}],
     "relations": ["works_for", {"label": "located_in"}],
     "documentLabels": {"labels": ["sports", "politics"], "multi": false}}

``relations`` names the labels a worker may draw between two entities; ``documentLabels`` the
labels of the whole document (``multi``: several at once; a plain list means one at most).

Multi-label classification may declare ``"exclusionCategory": {"text": "None of the above"}`` (or a
plain name): Ground Truth's exclusion-category, a label that is never chosen beside another one; when
it is not in ``labels`` it is added as the last label (docs/task-types/text-classification.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .errors import ValidationFailed

__all__ = ["AttributeSpec", "LabelConfig", "parse_label_config"]

GT_DOCUMENT_VERSIONS = {"2018-11-28", "2021-05-13"}
MAX_LABELS = 1000
# Far above Ground Truth's quotas (10 per label, 10 frame attributes): bounds the editor's panel.
MAX_ATTRIBUTES = 50
MAX_ENUM = 500
MAX_NAME = 100
ATTRIBUTE_TYPES = ("string", "number")
# Ground Truth's editsAllowed values: "any" (the default) lets the worker change it, "none" not
EDITS_ALLOWED = ("any", "none")


@dataclass(frozen=True)
class AttributeSpec:
    """One attribute a worker fills in: a choice (``enum``), free text, or a number in a range."""

    name: str
    type: str  # "string" or "number"
    enum: tuple[str, ...] = ()
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None
    required: bool = False
    edits_allowed: str = "any"  # Ground Truth's editsAllowed: "none" keeps the earlier value in an adjustment


@dataclass(frozen=True)
class LabelConfig:
    """The project's labels, in order, and the document they came from (kept verbatim).

    ``label_attributes`` holds each label's object attributes (its own, then the global ones);
    ``frame_attributes`` the whole image's.
    """

    labels: tuple[str, ...]
    document: dict[str, Any] = field(default_factory=dict)
    label_attributes: dict[str, tuple[AttributeSpec, ...]] = field(default_factory=dict)
    frame_attributes: tuple[AttributeSpec, ...] = ()
    # keypoint edges as label-name pairs (the document's ``skeleton``, a Labelworks extension)
    skeleton: tuple[tuple[str, str], ...] = ()
    # multi-label classification's "None of the above" (the document's ``exclusionCategory``, a
    # Labelworks extension named after Ground Truth's exclusion-category attribute): one of ``labels``
    exclusion: str | None = None
    # relation labels between two entities and labels of the whole document (text projects)
    relation_labels: tuple[str, ...] = ()
    document_labels: tuple[str, ...] = ()
    multi_document_labels: bool = False
    # labels whose editsAllowed is "none": an adjustment keeps their earlier objects as they were
    fixed_labels: tuple[str, ...] = ()

    def index(self, label: str) -> int:
        return self.labels.index(label)

    def attributes_for(self, label: str) -> tuple[AttributeSpec, ...]:
        return self.label_attributes.get(label, ())

    @property
    def has_attributes(self) -> bool:
        return bool(self.frame_attributes) or any(self.label_attributes.values())

    @property
    def has_edit_limits(self) -> bool:
        """Whether any label or attribute says ``editsAllowed: "none"``."""
        specs = [*self.frame_attributes, *(a for attrs in self.label_attributes.values() for a in attrs)]
        return bool(self.fixed_labels) or any(a.edits_allowed == "none" for a in specs)


def parse_label_config(value: Any) -> LabelConfig:
    """Accept ``["a", "b"]``, ``"a,b"`` or ``{"document-version": …, "labels": [{"label": "a"}]}``."""
    if isinstance(value, str):
        names = [part.strip() for part in value.split(",")]
        return _checked(names, {"labels": [{"label": n} for n in names]})
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise ValidationFailed("labels must be strings", field="labels")
        return _checked([v.strip() for v in value], {"labels": [{"label": v} for v in value]})
    if isinstance(value, dict):
        version = value.get("document-version")
        if version is not None and version not in GT_DOCUMENT_VERSIONS:
            raise ValidationFailed(
                f"unknown label-category document-version {version!r}",
                field="labels.document-version",
            )
        entries = value.get("labels")
        if not isinstance(entries, list):
            raise ValidationFailed("label-category JSON needs a 'labels' list", field="labels.labels")
        names = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("label"), str):
                raise ValidationFailed(
                    f"labels[{i}] needs a string 'label'", field=f"labels.labels[{i}].label"
                )
            names.append(entry["label"].strip())
        exclusion = _exclusion(value.get("exclusionCategory"))
        if exclusion is not None and exclusion not in names:
            names.append(exclusion)  # declared apart, as in Ground Truth: it becomes the last label
        config = _checked(names, value)
        global_specs = _attribute_list(value.get("categoryGlobalAttributes"), "labels.categoryGlobalAttributes")
        per_label: dict[str, tuple[AttributeSpec, ...]] = {}
        fixed: list[str] = []
        for i, (name, entry) in enumerate(zip(names, entries)):
            if _edits_allowed(entry, f"labels.labels[{i}].editsAllowed") == "none":
                fixed.append(name)
            key = "categoryAttributes" if "categoryAttributes" in entry else "attributes"
            own = _attribute_list(entry.get(key), f"labels.labels[{i}].{key}")
            _no_clash(own, global_specs, f"labels.labels[{i}].{key}")
            if own or global_specs:
                per_label[name] = own + global_specs
        frame = _attribute_list(value.get("frameAttributes"), "labels.frameAttributes")
        skeleton = _skeleton(value.get("skeleton"), config.labels)
        relations = _name_list(value.get("relations"), "labels.relations")
        document_labels, multi_document = _document_labels(value.get("documentLabels"))
        return LabelConfig(labels=config.labels, document=value, label_attributes=per_label,
                           frame_attributes=frame, skeleton=skeleton, exclusion=exclusion,
                           relation_labels=relations, document_labels=document_labels,
                           multi_document_labels=multi_document, fixed_labels=tuple(fixed))
    raise ValidationFailed("labels must be a list, a comma-separated string or label-category JSON",
                           field="labels")


def _edits_allowed(raw: dict[str, Any], field: str) -> str:
    value = raw.get("editsAllowed", "any")
    if value not in EDITS_ALLOWED:
        raise ValidationFailed(f'editsAllowed must be "any" or "none", got {value!r}', field=field)
    return str(value)


def _exclusion(raw: Any) -> str | None:
    """``"None of the above"`` or Ground Truth's attribute shape ``{"text": "None of the above"}``."""
    if raw is None:
        return None
    text = raw.get("text") if isinstance(raw, dict) else raw
    if not isinstance(text, str) or not text.strip() or len(text.strip()) > MAX_NAME:
        raise ValidationFailed(f"exclusionCategory is a label name of 1 to {MAX_NAME} characters "
                               "or {\"text\": \"None of the above\"}", field="labels.exclusionCategory")
    return text.strip()


def _name_list(raw: Any, field: str) -> tuple[str, ...]:
    """``["works_for", {"label": "located_in"}]``: distinct non-empty names (strings or ``{label}``)."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_LABELS:
        raise ValidationFailed(f"must be a list of at most {MAX_LABELS} label names", field=field)
    names: list[str] = []
    for i, entry in enumerate(raw):
        name = entry.get("label") if isinstance(entry, dict) else entry
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
            raise ValidationFailed(f"a label name of 1 to {MAX_NAME} characters (a string or {{\"label\": …}})",
                                   field=f"{field}[{i}]")
        if name.strip() in names:
            raise ValidationFailed(f"label {name.strip()!r} appears twice", field=f"{field}[{i}]")
        names.append(name.strip())
    return tuple(names)


def _document_labels(raw: Any) -> tuple[tuple[str, ...], bool]:
    """``{"labels": [...], "multi": bool}`` or a plain list (one label at most per document)."""
    field = "labels.documentLabels"
    if raw is None:
        return (), False
    if isinstance(raw, list):
        return _name_list(raw, field), False
    if not isinstance(raw, dict):
        raise ValidationFailed('must be {"labels": [...], "multi": true|false} or a list of names', field=field)
    multi = raw.get("multi", False)
    if not isinstance(multi, bool):
        raise ValidationFailed("multi must be true or false", field=f"{field}.multi")
    if not isinstance(raw.get("labels"), list):
        raise ValidationFailed("needs a 'labels' list", field=f"{field}.labels")
    return _name_list(raw["labels"], f"{field}.labels"), multi


def _skeleton(raw: Any, labels: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """``[["nose", "left_eye"], …]``: edges between two different labels of the file, each once."""
    if raw is None:
        return ()
    field = "labels.skeleton"
    if not isinstance(raw, list) or len(raw) > MAX_LABELS * 4:
        raise ValidationFailed(f"skeleton must be a list of at most {MAX_LABELS * 4} label pairs", field=field)
    edges: list[tuple[str, str]] = []
    seen: set[frozenset[str]] = set()
    for i, pair in enumerate(raw):
        at = f"{field}[{i}]"
        if not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(v, str) for v in pair):
            raise ValidationFailed("an edge is a pair of label names, e.g. [\"nose\", \"left_eye\"]", field=at)
        a, b = pair
        for name in (a, b):
            if name not in labels:
                raise ValidationFailed(f"{name!r} is not one of the labels", field=at)
        if a == b:
            raise ValidationFailed(f"an edge joins two different labels, got {a!r} twice", field=at)
        key = frozenset((a, b))
        if key in seen:
            raise ValidationFailed(f"the edge {a!r}–{b!r} is listed twice", field=at)
        seen.add(key)
        edges.append((a, b))
    return tuple(edges)


def _checked(names: list[str], document: dict[str, Any]) -> LabelConfig:
    if not names or any(not n for n in names):
        raise ValidationFailed("every label needs a non-empty name", field="labels")
    if len(names) > MAX_LABELS:
        raise ValidationFailed(f"at most {MAX_LABELS} labels", field="labels")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValidationFailed(f"label {name!r} appears twice", field="labels")
        seen.add(name)
    return LabelConfig(labels=tuple(names), document=document)


def _attribute_list(raw: Any, field: str) -> tuple[AttributeSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValidationFailed("attributes must be a list of objects", field=field)
    if len(raw) > MAX_ATTRIBUTES:
        raise ValidationFailed(f"at most {MAX_ATTRIBUTES} attributes, got {len(raw)}", field=field)
    specs = tuple(_attribute(entry, f"{field}[{i}]") for i, entry in enumerate(raw))
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        if spec.name in seen:
            raise ValidationFailed(f"attribute {spec.name!r} appears twice", field=f"{field}[{i}].name")
        seen.add(spec.name)
    return specs


def _no_clash(own: tuple[AttributeSpec, ...], global_specs: tuple[AttributeSpec, ...], field: str) -> None:
    """Ground Truth's rule: a label's own attribute may not share a global attribute's name."""
    global_names = {g.name for g in global_specs}
    for i, spec in enumerate(own):
        if spec.name in global_names:
            raise ValidationFailed(f"attribute {spec.name!r} is also a categoryGlobalAttributes name",
                                   field=f"{field}[{i}].name")


def _attribute(raw: Any, field: str) -> AttributeSpec:
    if not isinstance(raw, dict):
        raise ValidationFailed("an attribute is an object with name and type", field=field)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
        raise ValidationFailed(f"an attribute needs a name of 1 to {MAX_NAME} characters", field=f"{field}.name")
    kind = raw.get("type", "string")
    if kind not in ATTRIBUTE_TYPES:
        raise ValidationFailed(f"type must be \"string\" or \"number\", got {kind!r}", field=f"{field}.type")
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise ValidationFailed("description must be a string", field=f"{field}.description")
    required = raw.get("isRequired", raw.get("required", False))
    if not isinstance(required, bool):
        raise ValidationFailed("isRequired must be true or false", field=f"{field}.isRequired")
    enum: tuple[str, ...] = ()
    if "enum" in raw:
        values = raw["enum"]
        if kind != "string":
            raise ValidationFailed("enum needs type \"string\"", field=f"{field}.enum")
        if (not isinstance(values, list) or not values or len(values) > MAX_ENUM
                or not all(isinstance(v, str) and v for v in values)):
            raise ValidationFailed(f"enum must be a list of 1 to {MAX_ENUM} non-empty strings", field=f"{field}.enum")
        if len(set(values)) != len(values):
            raise ValidationFailed("enum lists a value twice", field=f"{field}.enum")
        enum = tuple(values)
    bounds: dict[str, float | None] = {"minimum": None, "maximum": None}
    for key in bounds:
        if key not in raw:
            continue
        bound = raw[key]
        if kind != "number":
            raise ValidationFailed(f"{key} needs type \"number\"", field=f"{field}.{key}")
        if isinstance(bound, bool) or not isinstance(bound, int | float) or not math.isfinite(bound):
            raise ValidationFailed(f"{key} must be a number", field=f"{field}.{key}")
        bounds[key] = bound
    low, high = bounds["minimum"], bounds["maximum"]
    if low is not None and high is not None and low > high:
        raise ValidationFailed(f"minimum {low} is greater than maximum {high}", field=f"{field}.minimum")
    return AttributeSpec(name=name.strip(), type=kind, enum=enum, description=description,
                         minimum=low, maximum=high, required=required,
                         edits_allowed=_edits_allowed(raw, f"{field}.editsAllowed"))
