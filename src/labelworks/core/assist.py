"""Assists: what a model-assisted tool is, and the one result shape every assist returns.

Pure types, here in core because both the plugin hook (``register_assists``) and the services
name them; the implementations (OpenCV, mediapipe, RapidOCR, an HTTP model backend) live in
``labelworks.assist``. The wire shape is docs/assist.md's::

    AssistResult = {assist, model, seconds, regions: [Region, ...]}
    Region = {kind: "box", left, top, width, height}
           | {kind: "polygon", points: [{x, y}, ...]}
           | {kind: "keypoints", points: [{label, x, y, score?}, ...]}
           | {kind: "mask", width, height, png}                (base64 PNG, pixel > 0 = inside)
           | {kind: "superpixels", width, height, png, count}  (base64 RGB PNG, id = r + 256 g + 65536 b)
           | {kind: "span", startOffset, endOffset, label}     (text: code-point offsets, end exclusive)
           | {kind: "label", label}                            (text: a document label suggestion)

An assist declares its ``media``: "image" (the default when absent, so older plugins keep working)
gets the item's RGB image; "text" gets a :class:`TextInput` (the item's text, the project's labels
and options for this assist). Coordinates are image pixels from the top-left corner; every region has ``source: "model"`` and
may have ``score`` (0..1), ``label`` and ``text``. :func:`check_result` validates a result that
came from elsewhere (an HTTP backend), naming the field that is wrong.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from .errors import ValidationFailed

__all__ = ["Assist", "AssistResult", "NEEDS", "REGION_KINDS", "MEDIA", "TextInput", "Neighbour", "media_of",
           "info_of", "check_result", "check_name", "MAX_REGIONS"]

NEEDS = ("box", "points", "point", "none")
REGION_KINDS = ("box", "polygon", "keypoints", "mask", "superpixels", "span", "label")
MEDIA = ("image", "text")
# A backend answering more than this is broken or hostile; a worker cannot review that many anyway.
MAX_REGIONS = 10_000
_MAX_POINTS = 100_000
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")

RGBImage = npt.NDArray[np.uint8]


@runtime_checkable
class Assist(Protocol):
    """One assist: ``run`` takes an RGB image (H × W × 3, uint8) and the tool's parameters."""

    name: str  # kebab-case, unique: the URL names it
    title: str  # what a button says
    kinds: tuple[str, ...]  # the region kinds it returns
    needs: str  # what the worker gives it: "box" | "points" | "point" | "none"
    task_types: tuple[str, ...]  # the task types it is enabled for by default
    model: str  # the model (and version) behind it, recorded on pre-annotations

    # media: "image" | "text" (optional attribute, read through media_of; a text assist's ``run``
    # gets a TextInput where an image assist gets the image)

    def run(self, image: RGBImage, params: Mapping[str, Any]) -> AssistResult: ...


# (item id, cosine similarity, the item's final labels): one labeled neighbour of a text
Neighbour = tuple[int, float, tuple[str, ...]]


@dataclass(frozen=True)
class TextInput:
    """What a text assist runs on: the item's text plus the project context a model may need.

    ``options`` is the project's settings for this assist (``assist_options[name]`` in its assist
    settings, e.g. spacy-ner's ``label_map``). ``nearest_labeled(vector, k)`` (given by the server
    when the project has an embedding index) answers the k most similar items that have a final
    label, excluding this item; the kNN label suggestion uses it."""

    text: str
    labels: tuple[str, ...] = ()
    task_type: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    project_id: int | None = None
    item_id: int | None = None
    nearest_labeled: Callable[[npt.NDArray[np.float32], int], list[Neighbour]] | None = None
    document_labels: tuple[str, ...] = ()  # a NER project's labels of the whole document


def media_of(assist: object) -> str:
    media = getattr(assist, "media", "image")
    return media if media in MEDIA else "image"


@dataclass(frozen=True)
class AssistResult:
    assist: str
    model: str
    regions: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"assist": self.assist, "model": self.model, "seconds": round(self.seconds, 4),
                "regions": self.regions}


def info_of(assist: Assist) -> dict[str, Any]:
    """What the labeling page is told about an assist (no implementation details)."""
    return {"name": assist.name, "title": assist.title, "kinds": list(assist.kinds), "needs": assist.needs,
            "model": assist.model, "media": media_of(assist)}


def check_name(name: str, where: str = "name") -> str:
    if not name or len(name) > 64 or not set(name) <= _NAME_CHARS or name[0] == "-":
        raise ValidationFailed(f"{where}: an assist name is 1-64 characters of a-z, 0-9 and -", field=where)
    return name


def _number(value: Any, where: str, low: float | None = None, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValidationFailed(f"{where}: expected a finite number", field=where)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValidationFailed(f"{where}: {value} is outside {low}..{high}", field=where)
    return float(value)


def _points(raw: Any, where: str, labelled: bool) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw or len(raw) > _MAX_POINTS:
        raise ValidationFailed(f"{where}: expected a list of 1 to {_MAX_POINTS} points", field=where)
    out = []
    for i, p in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(p, dict):
            raise ValidationFailed(f"{at}: expected an object", field=at)
        point: dict[str, Any] = {"x": _number(p.get("x"), f"{at}.x"), "y": _number(p.get("y"), f"{at}.y")}
        if labelled:
            if not isinstance(p.get("label"), str):
                raise ValidationFailed(f"{at}.label: expected a string", field=f"{at}.label")
            point = {"label": p["label"], **point}
            if "score" in p:
                point["score"] = _number(p["score"], f"{at}.score", 0, 1)
        out.append(point)
    return out


def _region(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValidationFailed(f"{where}: expected an object", field=where)
    kind = raw.get("kind")
    if kind not in REGION_KINDS:
        raise ValidationFailed(f"{where}.kind: expected one of {', '.join(REGION_KINDS)}", field=f"{where}.kind")
    region: dict[str, Any] = {"kind": kind, "source": "model"}
    if kind == "box":
        for key in ("left", "top"):
            region[key] = _number(raw.get(key), f"{where}.{key}")
        for key in ("width", "height"):
            region[key] = _number(raw.get(key), f"{where}.{key}", 0)
    elif kind == "span":
        start = int(_number(raw.get("startOffset"), f"{where}.startOffset", 0))
        end = int(_number(raw.get("endOffset"), f"{where}.endOffset", 0))
        if end <= start:
            raise ValidationFailed(f"{where}.endOffset: must be greater than startOffset", field=f"{where}.endOffset")
        if not isinstance(raw.get("label"), str):
            raise ValidationFailed(f"{where}.label: expected a string", field=f"{where}.label")
        region["startOffset"], region["endOffset"] = start, end
    elif kind == "label":
        if not isinstance(raw.get("label"), str) or not raw["label"]:
            raise ValidationFailed(f"{where}.label: expected a string", field=f"{where}.label")
    elif kind in ("polygon", "keypoints"):
        region["points"] = _points(raw.get("points"), f"{where}.points", labelled=kind == "keypoints")
    else:
        for key in ("width", "height"):
            region[key] = int(_number(raw.get(key), f"{where}.{key}", 1))
        if not isinstance(raw.get("png"), str) or not raw["png"]:
            raise ValidationFailed(f"{where}.png: expected a base64 PNG", field=f"{where}.png")
        region["png"] = raw["png"]
        if kind == "superpixels":
            region["count"] = int(_number(raw.get("count"), f"{where}.count", 0))
    if "score" in raw:
        region["score"] = _number(raw["score"], f"{where}.score", 0, 1)
    for key in ("label", "text"):
        if key in raw:
            if not isinstance(raw[key], str):
                raise ValidationFailed(f"{where}.{key}: expected a string", field=f"{where}.{key}")
            region[key] = raw[key]
    return region


def check_result(doc: Any, assist: str, model: str) -> AssistResult:
    """A result document from outside (an HTTP backend), validated; regions get ``source: "model"``."""
    if not isinstance(doc, dict):
        raise ValidationFailed("result: expected a JSON object", field="result")
    regions = doc.get("regions")
    if not isinstance(regions, list) or len(regions) > MAX_REGIONS:
        raise ValidationFailed(f"result.regions: expected a list of at most {MAX_REGIONS}", field="result.regions")
    checked = [_region(r, f"result.regions[{i}]") for i, r in enumerate(regions)]
    named_model = doc.get("model")
    return AssistResult(assist=assist, model=named_model if isinstance(named_model, str) and named_model else model,
                        regions=checked)
