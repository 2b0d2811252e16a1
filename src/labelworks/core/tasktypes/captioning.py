"""Captions written for an image or for time ranges of a video: the ``image-captioning`` and
``video-captioning`` task types, demonstrations for supervised fine-tuning of vision models.

``<lw-image-caption name="caption">`` posts ``{"caption": {"caption": "A red kite over a field."}}``;
``<lw-video-caption name="captions">`` posts one caption per time range (seconds from the start,
``end`` after ``start``, at most the video's duration when the element knows it)::

    {"captions": {"captions": [{"start": 0.0, "end": 2.5, "text": "A dog runs in."},
                               {"start": 2.5, "end": 4.0, "text": "It catches the ball."}]}}

The canonical value is the inner object, video captions sorted by (start, end), times rounded to
milliseconds. Caption text is held to the project's guidance (min/max words, forbidden phrases);
the number of video captions to ``minCaptions``..``maxCaptions`` (docs/task-types/*-captioning.md).
An item's ``lw-pre-annotations`` (the same shape: a model's draft) is the element's
``initial-value``, which the worker corrects.

Consolidation (``caption-medoid``): the worker's answer whose caption text, read together, is
closest to the others' (``text-medoid``); captions are not spliced across workers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..consolidation.majority import Consolidated
from ..errors import ValidationFailed
from .base import ProjectSpec, TaskType
from .demonstration_guidance import attribute_json, check_text, guidance_of, medoid_answer
from .image_objects import unwrap_answer

__all__ = ["ImageCaptionTaskType", "VideoCaptionTaskType", "IMAGE_CAPTIONING", "VIDEO_CAPTIONING", "MAX_CAPTIONS",
           "MAX_SECONDS"]

MAX_CAPTIONS = 1000
MAX_SECONDS = 7 * 24 * 3600.0  # a week of video: anything longer is a unit mistake (ms for s)

_IMAGE_TEMPLATE = """<lw-form>
  <lw-image-caption name="caption" header="{{ header }}"
    src="{{ task.input.source-ref | default: task.input.source | grant_read_access }}" GUIDANCE
    {%- if task.input.lw-pre-annotations %} initial-value="{{ task.input.lw-pre-annotations | to_json }}"{% endif %}>
  </lw-image-caption>
</lw-form>
"""
_VIDEO_TEMPLATE = """<lw-form>
  <lw-video-caption name="captions" header="{{ header }}"
    src="{{ task.input.source-ref | default: task.input.source | grant_read_access }}" GUIDANCE
    {%- if task.input.lw-pre-annotations %} initial-value="{{ task.input.lw-pre-annotations | to_json }}"{% endif %}>
  </lw-video-caption>
</lw-form>
"""


def _metadata(answer: Consolidated, spec: ProjectSpec, created: str, gt_type: str) -> dict[str, Any]:
    return {"type": gt_type, "confidence": round(answer.confidence, 2), "human-annotated": "yes",
            "creation-date": created, "job-name": f"labeling-job/{spec.job_name}"}


class ImageCaptionTaskType(TaskType):
    name = "image-captioning"
    title = "Image captioning (SFT demonstrations)"
    media = "image"
    digit_keys = None  # free text: the digits are typed, not keys
    default_consolidator = "caption-medoid"

    def value_kind(self, spec: ProjectSpec) -> str:
        return "caption"

    def default_template(self, spec: ProjectSpec) -> str:
        return _IMAGE_TEMPLATE.replace("GUIDANCE", f'guidance="{attribute_json(guidance_of(spec).as_attribute())}"')

    def normalize(self, value: Any, spec: ProjectSpec) -> dict[str, Any]:
        guidance = guidance_of(spec)
        if isinstance(value, dict) and isinstance(value.get("caption"), str):
            answer, where = value, "value"
        else:  # the form's {"<element name>": {"caption": ...}}, whatever the element is called
            answer, where = unwrap_answer(value, (), "caption (text)", present=("caption",))
            if isinstance(answer.get("caption"), dict):
                answer, where = answer["caption"], f"{where}.caption"
        return {"caption": check_text(answer.get("caption"), f"{where}.caption", what="caption",
                                      min_words=guidance.min_words, max_words=guidance.max_words,
                                      forbidden=guidance.forbidden)}

    def consolidate(self, values: Sequence[dict[str, Any]], spec: ProjectSpec) -> Consolidated | None:
        return medoid_answer(values, lambda v: str(v.get("caption", "")), self.default_consolidator)

    def output_fields(self, answer: Consolidated, spec: ProjectSpec, created: str) -> dict[str, Any]:
        attr = spec.label_attribute
        value: Any = answer.value if isinstance(answer.value, dict) else {}
        return {attr: {"caption": str(value.get("caption", ""))},
                f"{attr}-metadata": _metadata(answer, spec, created, "labelworks/image-captioning")}


class VideoCaptionTaskType(TaskType):
    name = "video-captioning"
    title = "Video captioning with time ranges (SFT demonstrations)"
    media = "video"
    digit_keys = None  # free text: the digits are typed, not keys
    default_consolidator = "caption-medoid"

    def value_kind(self, spec: ProjectSpec) -> str:
        return "video-captions"

    def default_template(self, spec: ProjectSpec) -> str:
        return _VIDEO_TEMPLATE.replace("GUIDANCE", f'guidance="{attribute_json(guidance_of(spec).as_attribute())}"')

    def normalize(self, value: Any, spec: ProjectSpec) -> dict[str, Any]:
        return _video_captions(value, spec, None)

    reads_item_data = True  # an item may state its duration; ranges are checked against it

    def normalize_with_item(self, value: Any, spec: ProjectSpec, data: Mapping[str, Any]) -> dict[str, Any]:
        duration = data.get("duration")
        known = (isinstance(duration, (int, float)) and not isinstance(duration, bool) and math.isfinite(duration)
                 and duration > 0)
        return _video_captions(value, spec, float(duration) if known else None)  # type: ignore[arg-type]

    def consolidate(self, values: Sequence[dict[str, Any]], spec: ProjectSpec) -> Consolidated | None:
        return medoid_answer(values, lambda v: "\n".join(str(c["text"]) for c in v.get("captions", [])),
                             self.default_consolidator)

    def output_fields(self, answer: Consolidated, spec: ProjectSpec, created: str) -> dict[str, Any]:
        attr = spec.label_attribute
        value: Any = answer.value if isinstance(answer.value, dict) else {}
        return {attr: {"captions": [dict(c) for c in value.get("captions", [])]},
                f"{attr}-metadata": _metadata(answer, spec, created, "labelworks/video-captioning")}


def _seconds(value: Any, at: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValidationFailed("a time is a number of seconds", field=at)
    if not 0 <= value <= MAX_SECONDS:
        raise ValidationFailed(f"a time is between 0 and {MAX_SECONDS:.0f} seconds", field=at)
    return round(float(value), 3)


def _video_captions(value: Any, spec: ProjectSpec, duration: float | None) -> dict[str, Any]:
    guidance = guidance_of(spec)
    answer, where = unwrap_answer(value, ("captions",), "captions (a list of {start, end, text})")
    field = f"{where}.captions"
    raw = answer.get("captions")
    if not isinstance(raw, list):
        raise ValidationFailed("captions must be a list of {start, end, text}", field=field)
    if len(raw) > MAX_CAPTIONS:
        raise ValidationFailed(f"at most {MAX_CAPTIONS} captions in one answer", field=field)
    if len(raw) < guidance.min_captions:
        raise ValidationFailed(f"write at least {guidance.min_captions} caption(s); there are {len(raw)}", field=field)
    if guidance.max_captions is not None and len(raw) > guidance.max_captions:
        raise ValidationFailed(f"write at most {guidance.max_captions} caption(s); there are {len(raw)}", field=field)
    out = []
    for i, c in enumerate(raw):
        at = f"{field}[{i}]"
        if not isinstance(c, dict):
            raise ValidationFailed("a caption is {start, end, text}", field=at)
        start, end = _seconds(c.get("start"), f"{at}.start"), _seconds(c.get("end"), f"{at}.end")
        if end <= start:
            raise ValidationFailed(f"end ({end} s) must be after start ({start} s)", field=f"{at}.end")
        # a player reports the duration to the millisecond; allow for its rounding
        if duration is not None and end > duration + 0.05:
            raise ValidationFailed(f"end ({end} s) is past the video's end ({duration} s)", field=f"{at}.end")
        text = check_text(c.get("text"), f"{at}.text", what="caption", min_words=guidance.min_words,
                          max_words=guidance.max_words, forbidden=guidance.forbidden)
        out.append({"start": start, "end": end, "text": text})
    out.sort(key=lambda c: (c["start"], c["end"], c["text"]))
    return {"captions": out}


IMAGE_CAPTIONING = ImageCaptionTaskType()
VIDEO_CAPTIONING = VideoCaptionTaskType()
