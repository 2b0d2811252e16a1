"""Text and image classification, single- and multi-label (Ground Truth's built-in types)."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

from ..consolidation.majority import Consolidated, majority_multi, majority_single
from ..errors import ValidationFailed
from .base import ProjectSpec, TaskType

__all__ = ["ClassificationTaskType", "TEXT_CLASSIFICATION", "IMAGE_CLASSIFICATION"]

# The item's content, whichever kind it is: HTML (an ``html`` key, or ``source`` with ``"content-type":
# "text/html"``; sanitised by nh3 here and again by DOMPurify in <lw-html-content>), a ``source-ref`` to a page image, an audio or a video file (signed URLs), else
# the text of ``source`` (line breaks kept, long texts scroll; see docs/task-types/text-classification.md).
_TEXT_TEMPLATE = """<lw-form>
  <lw-classifier{{ multi }} name="label" categories="{{ labels | to_json }}" header="{{ header }}"{{ exclusion }}>
    <classification-target>
{%- assign kind = task.input.source-ref | media_kind -%}
{%- if task.input.html -%}
      <lw-html-content>{{ task.input.html | sanitize_html }}</lw-html-content>
{%- elsif task.input.content-type == "text/html" -%}
      <lw-html-content>{{ task.input.source | sanitize_html }}</lw-html-content>
{%- elsif kind == "audio" -%}
      <audio controls preload="metadata" style="width: 100%" src="{{ task.input.source-ref | grant_read_access }}"></audio>
{%- elsif kind == "video" -%}
      <video controls preload="metadata" src="{{ task.input.source-ref | grant_read_access }}"></video>
{%- elsif kind == "image" -%}
      <img class="lw-page" alt="The page to classify" src="{{ task.input.source-ref | grant_read_access }}">
{%- elsif kind == "pdf" -%}
      <p class="lw-notice">This item is a PDF file; import one image (PNG or JPEG) per page to show it here.</p>
{%- else -%}
      <lw-text-content>{{ task.input.source | default: task.input.text }}</lw-text-content>
{%- endif -%}
    </classification-target>
  </lw-classifier{{ multi }}>
</lw-form>
"""

_IMAGE_TEMPLATE = """<lw-form>
  <lw-image-classifier{{ multi }} name="label" categories="{{ labels | to_json }}" header="{{ header }}"{{ exclusion }}
    src="{{ task.input.source-ref | default: task.input.source | grant_read_access }}">
  </lw-image-classifier{{ multi }}>
</lw-form>
"""


class ClassificationTaskType(TaskType):
    supports_multi_label = True

    def __init__(self, name: str, title: str, media: str, gt_type: str, template: str) -> None:
        self.name = name
        self.title = title
        self.media = media
        self._gt_type = gt_type
        self._template = template

    def default_template(self, spec: ProjectSpec) -> str:
        multi = self._template.replace("{{ multi }}", "-multi-select" if spec.multi_label else "")
        return multi.replace("{{ exclusion }}", _exclusion_attribute(spec))

    def value_kind(self, spec: ProjectSpec) -> str:
        return "labels" if spec.multi_label else "label"

    def normalize(self, value: Any, spec: ProjectSpec) -> dict[str, Any]:
        body, prefix = _unwrap(value)
        if spec.multi_label:
            return {"labels": _checked_labels(body, spec, prefix)}
        return {"label": _checked_label(body, spec, prefix)}

    def consolidate(self, values: Sequence[dict[str, Any]], spec: ProjectSpec) -> Consolidated | None:
        order = spec.labels.labels
        if spec.multi_label:
            return majority_multi([v.get("labels", []) for v in values], order)
        return majority_single([v["label"] for v in values if "label" in v], order)

    def output_fields(self, answer: Consolidated, spec: ProjectSpec, created: str) -> dict[str, Any]:
        attr = spec.label_attribute
        meta: dict[str, Any]
        if spec.multi_label:
            chosen = list(answer.value.get("labels", []))  # type: ignore[call-overload]
            ids = [_class_id(spec, lab) for lab in chosen]
            meta = {
                "class-map": {str(i): lab for i, lab in zip(ids, chosen, strict=True)},
                "confidence-map": {str(i): round(answer.confidence_map.get(lab, 0.0), 2)
                                   for i, lab in zip(ids, chosen, strict=True)},
                "type": f"{self._gt_type}-multilabel",
            }
            label: Any = ids
        else:
            name = str(answer.value["label"])
            label = _class_id(spec, name)
            # two decimals, as Ground Truth writes them (the JSONL export keeps the full figure)
            meta = {"class-name": name, "confidence": round(answer.confidence, 2), "type": self._gt_type}
        meta.update({"human-annotated": "yes", "creation-date": created, "job-name": f"labeling-job/{spec.job_name}"})
        return {attr: label, f"{attr}-metadata": meta}


def _exclusion_attribute(spec: ProjectSpec) -> str:
    """` exclusion-category="{&quot;text&quot;: …}"` for a multi-label project that declares one.

    The label is one of the categories, so the element makes it exclusive and posts it as a label.
    Braces become character references so that no label text can be Liquid."""
    if not spec.multi_label or spec.labels.exclusion is None:
        return ""
    text = html.escape(json.dumps({"text": spec.labels.exclusion}, ensure_ascii=False), quote=True)
    return ' exclusion-category="' + text.replace("{", "&#123;").replace("}", "&#125;") + '"'


def _class_id(spec: ProjectSpec, label: str) -> int:
    """The label's position in the project's list; -1 for a label no longer in it (never a crash)."""
    return spec.labels.labels.index(label) if label in spec.labels.labels else -1


def _unwrap(value: Any) -> tuple[dict[str, Any], str]:
    """Accept a bare ``{"label": …}`` or a form output ``{"<element name>": {"label": …}}``."""
    if not isinstance(value, dict):
        raise ValidationFailed("value must be an object", field="value")
    if isinstance(value.get("label"), str) or isinstance(value.get("labels"), list):
        return value, "value"
    if len(value) == 1:
        (name, inner), = value.items()
        if isinstance(inner, dict):
            return inner, f"value.{name}"
    raise ValidationFailed("value needs 'label' (or 'labels' for multi-label)", field="value.label")


def _checked_label(body: dict[str, Any], spec: ProjectSpec, prefix: str) -> str:
    label = body.get("label")
    if label is None and isinstance(body.get("labels"), list) and len(body["labels"]) == 1:
        label = body["labels"][0]
    field = f"{prefix}.label"
    if not isinstance(label, str) or not label:
        raise ValidationFailed("choose one label", field=field)
    if label not in spec.labels.labels:
        raise ValidationFailed(f"{label!r} is not one of the project's labels", field=field)
    return label


def _checked_labels(body: dict[str, Any], spec: ProjectSpec, prefix: str) -> list[str]:
    labels = body.get("labels")
    if labels is None and isinstance(body.get("label"), str):
        labels = [body["label"]]
    field = f"{prefix}.labels"
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise ValidationFailed("labels must be a list of label names", field=field)
    for i, lab in enumerate(labels):
        if lab not in spec.labels.labels:
            raise ValidationFailed(f"{lab!r} is not one of the project's labels", field=f"{field}[{i}]")
    if len(set(labels)) != len(labels):
        raise ValidationFailed("a label is chosen twice", field=field)
    exclusion = spec.labels.exclusion
    if exclusion is not None and exclusion in labels and len(labels) > 1:
        raise ValidationFailed(f"{exclusion!r} means none of the other labels: choose it alone",
                               field=f"{field}[{labels.index(exclusion)}]")
    order = {lab: i for i, lab in enumerate(spec.labels.labels)}
    return sorted(labels, key=order.__getitem__)


TEXT_CLASSIFICATION = ClassificationTaskType(
    "text-classification", "Text classification", "text",
    "groundtruth/text-classification", _TEXT_TEMPLATE,
)
IMAGE_CLASSIFICATION = ClassificationTaskType(
    "image-classification", "Image classification", "image",
    "groundtruth/image-classification", _IMAGE_TEMPLATE,
)
