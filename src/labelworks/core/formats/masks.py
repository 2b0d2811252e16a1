"""PNG masks (``--format masks``): a zip of per-image class-id PNGs, for semantic segmentation.

Layout (the common "PNG masks" convention, as Pascal VOC's ``SegmentationClass``)::

    labels.json    {"labels": [{"id": 0, "name": "BACKGROUND", "color": "#ffffff"},
                               {"id": 1, "name": "car", "color": "#2ca02c"}, ...]}
    images.json    [{"image": "s3://bucket/a.jpg", "mask": "masks/a.png", "width": 640, "height": 480},
                    {"image": "s3://bucket/b.jpg", "mask": null}]      # null: not labeled
    masks/a.png    8-bit PNG, one class id per pixel (a palette PNG whose palette is the class colours)

Written: ids by the project's label order (0 background, 1 the first label…), colours from the
answers' ``labelMappings`` (the most frequent per label), else Ground Truth's palette; every label
of the project is listed. Read: a palette or grayscale PNG is taken by its pixel values (255 is
"void" and reads as unlabeled, as in VOC); an RGB PNG by ``labels.json``'s colours. Each image
becomes an item whose pre-annotations are the element's value (``<lw-semantic-segmentation
initial-value>``). Writing then reading gives the same zip back, byte for byte.
"""

from __future__ import annotations

import base64
import io
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
from PIL import Image

from ..consolidation.structured.label_maps import (
    BACKGROUND,
    MAX_PIXELS,
    WHITE,
    decode_png,
    encode_index_png,
    ids_from_rgb,
    normalise_colour,
    palette_colours,
)
from ..consolidation.structured.segmentation import semantic_ids, semantic_value
from ..errors import ValidationFailed
from ..tasktypes.base import ProjectSpec, TaskType
from ..tasktypes.segmentation import PRE_ANNOTATIONS_KEY
from .label_map_items import MaskNames, labeled_items, open_zip, zip_member
from .records import ExportItem
from .streaming import DiskList, ZipStream, closing, indented_array

__all__ = ["MaskImage", "MaskDataset", "read_masks_zip", "write_masks_zip", "masks_item_rows", "write_masks"]

IdArray = npt.NDArray[np.int64]
VOID = 255
_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same dataset always zips to the same bytes


@dataclass(frozen=True)
class MaskImage:
    image: str
    width: int | None
    height: int | None
    ids: IdArray | None  # class ids (0 unlabeled), None when the image has no mask


@dataclass(frozen=True)
class MaskDataset:
    labels: tuple[tuple[str, str], ...]  # (name, colour) for ids 1, 2, …
    images: tuple[MaskImage, ...]


def write_masks_zip(dataset: MaskDataset) -> bytes:
    names = MaskNames()
    index: list[dict[str, Any]] = []
    masks: list[tuple[str, IdArray]] = []
    for image in dataset.images:
        entry: dict[str, Any] = {"image": image.image, "mask": None}
        if image.ids is not None:
            entry["mask"] = names.for_image(image.image)
            masks.append((entry["mask"], image.ids))
            entry["width"], entry["height"] = int(image.ids.shape[1]), int(image.ids.shape[0])
        elif image.width and image.height:
            entry["width"], entry["height"] = image.width, image.height
        index.append(entry)
    return b"".join(_stream_masks_zip(dataset.labels, masks, index))


def _stream_masks_zip(labels: Sequence[tuple[str, str]], masks: Iterable[tuple[str, IdArray]],
                      index: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """The zip one member at a time: each mask (name, class ids), ``labels.json``, then
    ``images.json`` (its entries in order, written one by one)."""
    out = ZipStream(_EPOCH)
    colours = [c for _, c in labels]
    for name, ids in masks:
        yield out.member(name, encode_index_png(ids, colours), compress=False)  # PNGs: stored as they are
    classes = [{"id": 0, "name": BACKGROUND, "color": WHITE}]
    classes += [{"id": k, "name": name, "color": colour} for k, (name, colour) in enumerate(labels, start=1)]
    yield out.member("labels.json", orjson.dumps({"labels": classes}, option=orjson.OPT_INDENT_2) + b"\n")
    yield from out.member_from("images.json", indented_array(index))
    yield from out.close()


def _json(zf: Any, name: str) -> Any:
    try:
        return orjson.loads(zip_member(zf, name, name, 64 * 1024 * 1024))
    except orjson.JSONDecodeError as exc:
        raise ValidationFailed(f"{name}: not valid JSON ({exc})", field=name) from None


def _labels(raw: Any) -> dict[int, tuple[str, str]]:
    if not isinstance(raw, dict) or not isinstance(raw.get("labels"), list):
        raise ValidationFailed("labels.json: expected {\"labels\": [{id, name, color}, ...]}", field="labels.json")
    out: dict[int, tuple[str, str]] = {}
    for i, entry in enumerate(raw["labels"]):
        at = f"labels.json: labels[{i}]"
        if not isinstance(entry, dict):
            raise ValidationFailed(f"{at}: expected an object with id, name and color", field=at)
        cid, name = entry.get("id"), entry.get("name")
        if isinstance(cid, bool) or not isinstance(cid, int) or not 0 <= cid < VOID:
            raise ValidationFailed(f"{at}.id: expected a class id from 0 to 254", field=f"{at}.id")
        if not isinstance(name, str) or not name:
            raise ValidationFailed(f"{at}.name: expected a non-empty string", field=f"{at}.name")
        try:
            colour = normalise_colour(entry.get("color", WHITE if cid == 0 else None), f"{at}.color")
        except ValueError as exc:
            raise ValidationFailed(str(exc), field=f"{at}.color") from None
        if cid in out:
            raise ValidationFailed(f"{at}.id: class id {cid} appears twice", field=f"{at}.id")
        if cid != 0 and (colour == WHITE or any(colour == c for _, c in out.values())):
            raise ValidationFailed(f"{at}.color: {colour} is white (unlabeled) or another class's colour",
                                   field=f"{at}.color")
        out[cid] = (name, colour)
    out.pop(0, None)  # background: always id 0
    return out


def _index_ids(raw: bytes, where: str, classes: dict[int, tuple[str, str]]) -> IdArray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(raw))
            if img.size[0] * img.size[1] > MAX_PIXELS:
                raise ValidationFailed(f"{where}: more than {MAX_PIXELS:,} pixels", field=where)
            img.load()
        except (OSError, SyntaxError) as exc:
            raise ValidationFailed(f"{where}: unreadable image ({exc})", field=where) from None
    if img.mode in ("P", "L"):
        ids = np.asarray(img, dtype=np.int64).copy()
        ids[ids == VOID] = 0
    else:  # a colour-coded PNG: its colours name the classes
        order = sorted(classes)
        try:
            local = ids_from_rgb(decode_png(base64.b64encode(raw).decode(), where), [classes[c][1] for c in order], where)
        except ValueError as exc:
            raise ValidationFailed(str(exc), field=where) from None
        ids = np.array([0, *order], dtype=np.int64)[local]
    unknown = sorted(set(np.unique(ids).tolist()) - set(classes) - {0})
    if unknown:
        raise ValidationFailed(f"{where}: class id {unknown[0]} is not in labels.json", field=where)
    return ids


def read_masks_zip(data: bytes) -> MaskDataset:
    zf = open_zip(data, "--format masks reads a zip with labels.json, images.json and masks/")
    classes = _labels(_json(zf, "labels.json"))
    entries = _json(zf, "images.json")
    if not isinstance(entries, list):
        raise ValidationFailed("images.json: expected a list of {image, mask}", field="images.json")
    images = []
    for i, entry in enumerate(entries):
        at = f"images.json[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("image"), str) or not entry["image"]:
            raise ValidationFailed(f"{at}.image: expected the image's path or URL", field=f"{at}.image")
        size = [entry.get(k) for k in ("width", "height")]
        for k, v in zip(("width", "height"), size, strict=True):
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v <= 0):
                raise ValidationFailed(f"{at}.{k}: expected whole pixels above 0", field=f"{at}.{k}")
        mask = entry.get("mask")
        ids = None
        if mask is not None:
            if not isinstance(mask, str):
                raise ValidationFailed(f"{at}.mask: expected a path in the zip or null", field=f"{at}.mask")
            ids = _index_ids(zip_member(zf, mask, f"{at}.mask"), f"{at}.mask ({mask})", classes)
            if size[0] is not None and (size[0], size[1]) != (ids.shape[1], ids.shape[0]):
                raise ValidationFailed(f"{at}: the mask is {ids.shape[1]} x {ids.shape[0]}, the image "
                                       f"{size[0]} x {size[1]}", field=f"{at}.mask")
        images.append(MaskImage(entry["image"], size[0], size[1], ids))
    top = max(classes, default=0)
    # ids with no entry in labels.json cannot occur (refused above); gaps become unnamed classes
    labels = tuple(classes.get(k, (f"class-{k}", WHITE)) for k in range(1, top + 1))
    return MaskDataset(labels, tuple(images))


def masks_item_rows(dataset: MaskDataset) -> list[dict[str, Any]]:
    """Items: ``source-ref`` and, for a masked image, the element's value as pre-annotations."""
    names = [name for name, _ in dataset.labels]
    colours = dict(dataset.labels)
    rows = []
    for image in dataset.images:
        row: dict[str, Any] = {"source-ref": image.image}
        if image.ids is not None:
            value = semantic_value(image.ids, names, colours)
            # every class keeps its colour, used here or not: an export writes the same labels.json back
            value["labelMappings"] = {name: {"color": colour} for name, colour in dataset.labels if colour != WHITE}
            row[PRE_ANNOTATIONS_KEY] = value
        rows.append(row)
    return rows


def _count_colours(counts: dict[str, dict[str, int]], value: dict[str, Any]) -> None:
    for label, spec in (value.get("labelMappings") or {}).items():
        per = counts.setdefault(label, {})
        per[spec["color"]] = per.get(spec["color"], 0) + 1


def _pick_colours(labels: Sequence[str], counts: dict[str, dict[str, int]]) -> list[tuple[str, str]]:
    """Each label's most frequent colour (ties: the smaller hex) not taken yet, else a palette colour."""
    out: dict[str, str] = {}
    for label in labels:
        ranked = sorted(counts.get(label, {}).items(), key=lambda kv: (-kv[1], kv[0]))
        pick = next((c for c, _ in ranked if c not in out.values()), None)
        if pick is not None:
            out[label] = pick
    missing = [label for label in labels if label not in out]
    out.update(zip(missing, palette_colours(len(missing), list(out.values())), strict=True))
    return [(label, out[label]) for label in labels]


def masks_dataset(items: Iterable[ExportItem], labels: Sequence[str]) -> MaskDataset:
    rows = list(labeled_items(items))
    values = [r.value for r in rows if r.value is not None]
    extra = sorted({lab for v in values for lab in (v.get("labelMappings") or {})} - set(labels))
    names = [*labels, *extra]
    counts: dict[str, dict[str, int]] = {}
    images = []
    for n, row in enumerate(rows):
        if row.value is None:
            images.append(MaskImage(row.image, None, None, None))
            continue
        _count_colours(counts, row.value)
        ids = _ids(row.value, names, n)
        images.append(MaskImage(row.image, int(ids.shape[1]), int(ids.shape[0]), ids))
    return MaskDataset(tuple(_pick_colours(names, counts)), tuple(images))


def _ids(value: dict[str, Any], names: Sequence[str], n: int) -> IdArray:
    try:
        return semantic_ids(value, names, f"item {n + 1}")
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="items") from None


def write_masks(items: Iterable[ExportItem], task_type: TaskType, spec: ProjectSpec, created: str) -> Iterable[bytes]:
    """The export writer. The items are read first, one at a time: each mask is checked and its
    value spooled to disk, the colours counted (the palette needs every answer's); then the zip is
    written from the spool a member at a time (``streaming.py``)."""
    if task_type.value_kind(spec) != "semantic-segmentation":
        raise ValidationFailed(f"masks export needs a semantic-segmentation project, not {task_type.name}",
                               field="format")
    labels = list(spec.labels.labels)
    known = set(labels)
    extra: set[str] = set()
    counts: dict[str, dict[str, int]] = {}
    names = MaskNames()
    index, values = DiskList(), DiskList()
    for n, row in enumerate(labeled_items(items)):
        entry: dict[str, Any] = {"image": row.image, "mask": None}
        if row.value is not None:
            own = [lab for lab in (row.value.get("labelMappings") or {}) if lab not in known]
            ids = _ids(row.value, [*labels, *own], n)  # checked now; decoded again below with every label
            extra.update(own)
            _count_colours(counts, row.value)
            entry["mask"] = names.for_image(row.image)
            entry["width"], entry["height"] = int(ids.shape[1]), int(ids.shape[0])
            values.append([entry["mask"], n, row.value])
        index.append(entry)
    every = [*labels, *sorted(extra)]
    masks = values.mapped(lambda r: (r[0], _ids(r[2], every, r[1])))
    return closing(_stream_masks_zip(_pick_colours(every, counts), masks, index), index, values)
