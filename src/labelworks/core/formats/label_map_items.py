"""What the mask formats (PNG masks, Ground Truth segmentation output, COCO RLE) share: each
item's segmentation value (its answer, else its pre-annotations), unique mask file names, and
deterministic zips read with size caps.

A segmentation value is the task types' canonical shape (``core/tasktypes/segmentation.py``):
``labeledImage.pngImageData`` (base64 PNG, colour-coded, white unlabeled) with ``labelMappings``
(semantic) or ``instances`` (instance), and ``inputImageProperties``.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..consolidation.structured.label_maps import MAX_PNG_BYTES
from ..errors import ValidationFailed
from ..tasktypes.segmentation import PRE_ANNOTATIONS_KEY
from .records import ExportItem, source_of

__all__ = ["LabeledItem", "labeled_items", "MaskNames", "open_zip", "zip_member", "is_segmentation_value",
           "MAX_MEMBERS"]

# a zip holds one mask per item: far more members than any import file size allows is a bomb
MAX_MEMBERS = 2_000_000


@dataclass(frozen=True)
class LabeledItem:
    """One item for a mask writer: its image reference, data, and segmentation value (or None)."""

    image: str
    data: dict[str, Any]
    value: dict[str, Any] | None
    from_answer: bool


def is_segmentation_value(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("labeledImage"), dict)


def labeled_items(items: Iterable[ExportItem]) -> Iterator[LabeledItem]:
    """Every item with its consolidated value, or while unlabeled its pre-annotations (or None)."""
    for item in items:
        data = item.data
        ref = source_of(data) or f"item-{item.id}"
        if item.answer is not None and is_segmentation_value(item.answer.value):
            yield LabeledItem(ref, data, dict(item.answer.value), True)
            continue
        pre = data.get(PRE_ANNOTATIONS_KEY)
        yield LabeledItem(ref, data, pre if is_segmentation_value(pre) else None, False)


class MaskNames:
    """``masks/<image file stem>.png``, made unique in order (two folders may both hold 0001.jpg)."""

    def __init__(self, folder: str = "masks") -> None:
        self._folder = folder
        self._used: set[str] = set()

    def for_image(self, ref: str) -> str:
        base = posixpath.splitext(posixpath.basename(ref.rstrip("/").split("?")[0]))[0] or "image"
        stem, k = base, 1
        while stem in self._used:
            k += 1
            stem = f"{base}-{k}"
        self._used.add(stem)
        return f"{self._folder}/{stem}.png"


def open_zip(data: bytes, what: str) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ValidationFailed(f"not a zip file ({exc}); {what}", field="file") from None
    if len(zf.infolist()) > MAX_MEMBERS:
        raise ValidationFailed(f"more than {MAX_MEMBERS:,} files in the zip", field="file")
    return zf


def zip_member(zf: zipfile.ZipFile, name: str, where: str, limit: int = MAX_PNG_BYTES) -> bytes:
    """One member's bytes, refusing one that would unpack past ``limit`` (a zip bomb)."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise ValidationFailed(f"{where}: {name!r} is not in the zip", field=where) from None
    if info.file_size > limit:
        raise ValidationFailed(f"{where}: {name!r} unpacks to more than {limit // (1024 * 1024)} MiB", field=where)
    with zf.open(info) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed(f"{where}: {name!r} unpacks to more than {limit // (1024 * 1024)} MiB", field=where)
    return data
