"""What the detection formats (COCO, YOLO, Pascal VOC) read and write: images with labeled boxes.

Boxes use the bounding-box task type's canonical shape: ``{"label", "left", "top", "width",
"height"}`` in pixels from the image's top-left corner. Conversions to items (pre-annotations) and
from consolidated answers live here too, so each format module only knows its own syntax.
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ValidationFailed
from ..tasktypes.bounding_box import PRE_ANNOTATIONS_KEY
from .records import ExportItem, source_of

__all__ = ["ImageBoxes", "Dataset", "coord", "dataset_from_items", "item_rows", "label_order", "file_stems"]


@dataclass(frozen=True)
class ImageBoxes:
    """One image: its reference (path or URL), size in pixels (None when unknown) and boxes."""

    image: str
    width: int | None
    height: int | None
    boxes: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Dataset:
    """Images in file order and the class names in class-id order."""

    images: tuple[ImageBoxes, ...]
    labels: tuple[str, ...] = field(default=())


def coord(raw: Any, where: str) -> float | int:
    """A finite number; whole floats become ints (so 10.0 and 10 export alike)."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise ValidationFailed(f"{where}: expected a number, got {raw!r}", field=where)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValidationFailed(f"{where}: expected a finite number", field=where)
        return int(raw) if raw.is_integer() else raw
    return raw


def label_order(images: Iterable[ImageBoxes], known: Sequence[str] = ()) -> tuple[str, ...]:
    """``known`` first, then any other label in order of first appearance."""
    out = list(known)
    seen = set(out)
    for image in images:
        for box in image.boxes:
            if box["label"] not in seen:
                seen.add(box["label"])
                out.append(box["label"])
    return tuple(out)


def item_rows(dataset: Dataset) -> list[dict[str, Any]]:
    """Items to import: ``source-ref`` plus the boxes as pre-annotations the worker can adjust.

    Pre-annotations take the element's own output shape (``boundingBoxes``), which
    ``<lw-bounding-box initial-value>`` reads as it is.
    """
    rows = []
    for image in dataset.images:
        pre: dict[str, Any] = {"boundingBoxes": [dict(b) for b in image.boxes]}
        if image.width and image.height:
            pre["inputImageProperties"] = {"width": image.width, "height": image.height}
        rows.append({"source-ref": image.image, PRE_ANNOTATIONS_KEY: pre})
    return rows


def dataset_from_items(items: Iterable[ExportItem], labels: Sequence[str]) -> Dataset:
    """Every item as an image: the consolidated boxes, or (not yet labeled) its pre-annotations.

    The image size comes from the answer's ``inputImageProperties``, else the pre-annotations'.
    """
    images = []
    for item in items:
        data = item.data
        ref = source_of(data) or f"item-{item.id}"
        pre = data.get(PRE_ANNOTATIONS_KEY)
        pre = pre if isinstance(pre, dict) else {}
        # the answer was validated on submit; pre-annotations are whatever the import carried
        value: Any = item.answer.value if item.answer is not None else pre
        where = f"item {item.id}: " + ("answer" if item.answer is not None else PRE_ANNOTATIONS_KEY)
        key = "boundingBoxes" if isinstance(value, dict) and "boundingBoxes" in value else "boxes"
        raw = value.get(key, []) if isinstance(value, dict) else []
        if not isinstance(raw, list):
            raise ValidationFailed(f"{where}.{key}: expected a list", field="items")
        props = None
        for source in (value, pre):
            got = source.get("inputImageProperties") if isinstance(source, dict) else None
            if isinstance(got, dict):
                props = got
                break
        # 0 x 0 is what the element reports before its image has loaded: unknown
        if props and props.get("width") == 0 and props.get("height") == 0:
            props = None
        width = _pixels(props.get("width"), f"{where}.inputImageProperties.width") if props else None
        height = _pixels(props.get("height"), f"{where}.inputImageProperties.height") if props else None
        clean = tuple(_box(b, f"{where}.{key}[{i}]") for i, b in enumerate(raw))
        images.append(ImageBoxes(ref, width, height, clean))
    return Dataset(tuple(images), label_order(images, labels))


def _pixels(raw: Any, where: str) -> int:
    n = coord(raw, where)
    if not isinstance(n, int) or n <= 0:
        raise ValidationFailed(f"{where}: expected whole pixels above 0, got {raw!r}", field="items")
    return n


def _box(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or not isinstance(raw.get("label"), str) or not raw["label"]:
        raise ValidationFailed(f"{where}: expected a box with a label, left, top, width and height", field="items")
    box: dict[str, Any] = {"label": raw["label"]}
    for key in ("left", "top", "width", "height"):
        box[key] = coord(raw.get(key), f"{where}.{key}")
    if box["width"] <= 0 or box["height"] <= 0:
        raise ValidationFailed(f"{where}: width and height must be greater than 0", field="items")
    # label-category attribute values ride along (COCO writes them as CVAT does: ``attributes``)
    attrs = raw.get("labelCategoryAttributes")
    if isinstance(attrs, dict) and attrs:
        box["labelCategoryAttributes"] = dict(attrs)
    return box


def file_stems(refs: Sequence[str]) -> list[str]:
    """File names (no extension) from image references, made unique: two folders may both hold 0001.jpg."""
    out: list[str] = []
    used: set[str] = set()
    for ref in refs:
        base = posixpath.splitext(posixpath.basename(ref.rstrip("/").split("?")[0]))[0] or "image"
        stem, k = base, 1
        while stem in used:
            k += 1
            stem = f"{base}-{k}"
        used.add(stem)
        out.append(stem)
    return out
