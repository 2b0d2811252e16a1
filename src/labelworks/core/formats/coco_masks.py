"""COCO instance segmentation for ``instance-segmentation`` projects (``--format coco``).

Write: images numbered from 1, categories from 1 in the project's label order, one annotation per
instance with ``segmentation`` as compressed RLE (``{"size": [h, w], "counts": "..."}``,
pycocotools), ``area`` (pixels) and ``bbox`` from the mask, and ``iscrowd`` 0: each instance is one
object (COCO's crowd flag marks regions of many objects that evaluation ignores; a label map
here never holds those).

Read: each annotation's ``segmentation`` as compressed RLE, uncompressed RLE (``counts`` a list,
what COCO's own crowd annotations use) or polygons (``[[x1, y1, x2, y2, ...], ...]``, rasterised
by pycocotools); ``iscrowd`` 1 regions are read as instances too. An image with annotations needs
its ``width`` and ``height``. Instances of one image are painted in annotation order (where two
overlap, the later one keeps the pixel: a label map holds one instance per pixel). Each image
becomes an item whose pre-annotations are ``<lw-instance-segmentation initial-value>``'s value.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from pycocotools import mask as rle

from ..consolidation.structured.label_maps import MAX_PIXELS
from ..consolidation.structured.segmentation import Crop, crop_mask, instance_masks, instance_value
from ..errors import ValidationFailed
from ..tasktypes.base import ProjectSpec, TaskType
from ..tasktypes.segmentation import PRE_ANNOTATIONS_KEY
from .coco import (category_order, coco_categories, coco_head, coco_images, load_document, read_annotations,
                   read_categories, read_images)
from .label_map_items import labeled_items
from .records import ExportItem
from .streaming import DiskList, Reread, Streamed, closing, indented_document

__all__ = ["InstanceImage", "InstanceDataset", "read_coco_masks", "write_coco_masks", "coco_masks_item_rows",
           "write_coco_instances"]

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class InstanceImage:
    image: str
    width: int | None
    height: int | None
    instances: tuple[tuple[str, Crop], ...] = ()  # (label, mask) in paint order


@dataclass(frozen=True)
class InstanceDataset:
    images: tuple[InstanceImage, ...]
    labels: tuple[str, ...]


@contextmanager
def _quiet_numpy2() -> Iterator[None]:
    # pycocotools' Cython code asks numpy 2 for copy=False through an old __array__: harmless here
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "__array__ implementation doesn't accept a copy keyword",
                                DeprecationWarning)
        yield


def _full(crop: Crop, height: int, width: int) -> BoolArray:
    out = np.zeros((height, width), dtype=bool)
    y0, x0, y1, x1 = crop.box()
    out[y0:y1, x0:x1] = crop.mask
    return out


def write_coco_masks(dataset: InstanceDataset) -> bytes:
    cat_id = {name: i for i, name in enumerate(dataset.labels, start=1)}
    rows = [(image, [_rle_annotation(image, label, crop, cat_id) for label, crop in image.instances])
            for image in dataset.images]
    return b"".join(_stream_coco_masks(rows, dataset.labels))


def _rle_annotation(image: InstanceImage, label: str, crop: Crop, cat_id: dict[str, int]) -> dict[str, Any]:
    """One instance as an annotation without ``id`` / ``image_id``: compressed RLE, area and box."""
    assert image.width is not None and image.height is not None  # masks come with their size
    with _quiet_numpy2():
        encoded = rle.encode(np.asfortranarray(_full(crop, image.height, image.width).astype(np.uint8)))
        x, y, w, h = (int(v) for v in rle.toBbox(encoded))
        area = int(rle.area(encoded))
    return {"category_id": cat_id[label],
            "segmentation": {"size": [image.height, image.width], "counts": encoded["counts"].decode()},
            "area": area, "bbox": [x, y, w, h], "iscrowd": 0}


def _stream_coco_masks(rows: Iterable[tuple[InstanceImage, list[dict[str, Any]]]],
                       labels: Sequence[str]) -> Iterator[bytes]:
    """The document in pieces from (image, its annotations) rows, read twice."""
    def annotations() -> Iterator[dict[str, Any]]:
        count = 0
        for n, (_, anns) in enumerate(rows, start=1):
            for ann in anns:
                count += 1
                yield {"id": count, "image_id": n, **ann}

    images = Reread(lambda: (image for image, _ in rows))
    return indented_document([coco_head(), ("images", Streamed(coco_images(images))),
                              ("annotations", Streamed(annotations())), ("categories", coco_categories(labels))])


def _decode(seg: Any, height: int, width: int, where: str) -> BoolArray:
    field = f"{where}.segmentation"
    with _quiet_numpy2():
        return _decode_quietly(seg, height, width, field)


def _decode_quietly(seg: Any, height: int, width: int, field: str) -> BoolArray:
    try:
        if isinstance(seg, list):
            if not seg or not all(isinstance(p, list) and len(p) >= 6 and len(p) % 2 == 0
                                  and all(isinstance(v, int | float) and not isinstance(v, bool) for v in p)
                                  for p in seg):
                raise ValidationFailed(f"{field}: expected polygons [[x1, y1, x2, y2, x3, y3, ...], ...] or RLE",
                                       field=field)
            encoded = rle.merge(rle.frPyObjects([[float(v) for v in p] for p in seg], height, width))
        elif isinstance(seg, dict):
            size, counts = seg.get("size"), seg.get("counts")
            if size != [height, width]:
                raise ValidationFailed(f"{field}.size: {size!r} is not the image's [height, width] "
                                       f"[{height}, {width}]", field=f"{field}.size")
            if isinstance(counts, list):  # uncompressed RLE
                if not all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counts) \
                        or sum(counts) != height * width:
                    raise ValidationFailed(f"{field}.counts: run lengths must be whole numbers adding up to "
                                           f"height x width", field=f"{field}.counts")
                encoded = rle.frPyObjects(seg, height, width)
            elif isinstance(counts, str):
                encoded = {"size": size, "counts": counts.encode()}
            else:
                raise ValidationFailed(f"{field}.counts: expected a string or a list of run lengths",
                                       field=f"{field}.counts")
        else:
            raise ValidationFailed(f"{field}: an instance-segmentation project needs a mask (RLE or polygons)",
                                   field=field)
        mask = rle.decode(encoded)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"{field}: unreadable ({exc})", field=field) from None
    if mask.shape[:2] != (height, width):
        raise ValidationFailed(f"{field}: decodes to {mask.shape[1]} x {mask.shape[0]}, not the image's size",
                               field=field)
    out: BoolArray = mask.astype(bool)
    return out


def read_coco_masks(data: bytes) -> InstanceDataset:
    """Parse a COCO instance segmentation document; ValidationFailed names the bad field."""
    doc = load_document(data)
    categories = {k: c["name"] for k, c in read_categories(doc).items()}
    images = read_images(doc)
    painted: dict[Any, npt.NDArray[np.int64]] = {}
    labels: dict[Any, list[str]] = {k: [] for k in images}
    image_index = {k: i for i, k in enumerate(images)}
    for where, ann, image_id, cat_id in read_annotations(doc, images, categories):
        ref, width, height = images[image_id]
        if not width or not height:
            at = f"images[{image_index[image_id]}]"
            raise ValidationFailed(f"{at}.width: an image with masks needs its width and height", field=f"{at}.width")
        if width * height > MAX_PIXELS:
            raise ValidationFailed(f"images[{image_index[image_id]}]: more than {MAX_PIXELS:,} pixels", field="images")
        mask = _decode(ann.get("segmentation"), height, width, where)
        ids = painted.setdefault(image_id, np.zeros((height, width), dtype=np.int64))
        labels[image_id].append(categories[cat_id])
        ids[mask] = len(labels[image_id])
    out = []
    for image_id, (ref, width, height) in images.items():
        instances: list[tuple[str, Crop]] = []
        if image_id in painted:
            ids = painted[image_id]
            for k, label in enumerate(labels[image_id], start=1):
                crop = crop_mask(ids == k)
                if crop.area > 0:  # wholly covered by later instances: nothing left of it
                    instances.append((label, crop))
        out.append(InstanceImage(ref, width, height, tuple(instances)))
    ordered = [categories[k] for k in category_order({k: {} for k in categories})]
    return InstanceDataset(tuple(out), tuple(dict.fromkeys(ordered)))


def coco_masks_item_rows(dataset: InstanceDataset) -> list[dict[str, Any]]:
    """Items: ``source-ref`` and, for an image with instances, the element's value as pre-annotations."""
    rows = []
    for image in dataset.images:
        row: dict[str, Any] = {"source-ref": image.image}
        if image.width and image.height:  # no instances: an empty map still records the size
            row[PRE_ANNOTATIONS_KEY] = instance_value((image.height, image.width), list(image.instances))
        rows.append(row)
    return rows


def instances_dataset(items: Iterable[ExportItem], labels: Sequence[str]) -> InstanceDataset:
    images = []
    seen = list(labels)
    for n, row in enumerate(labeled_items(items), start=1):
        if row.value is None:
            images.append(InstanceImage(row.image, None, None))
            continue
        try:
            (height, width), objects = instance_masks(row.value, f"item {n}")
        except ValueError as exc:
            raise ValidationFailed(str(exc), field="items") from None
        for label, _ in objects:
            if label not in seen:
                seen.append(label)
        images.append(InstanceImage(row.image, width, height, tuple(o for o in objects if o[1].area > 0)))
    return InstanceDataset(tuple(images), tuple(seen))


def write_coco_instances(items: Iterable[ExportItem], task_type: TaskType, spec: ProjectSpec,
                         created: str) -> Iterable[bytes]:
    """The export writer for an instance-segmentation project's ``--format coco``: each item's
    masks checked and run-length encoded, spooled to disk, then the document written from the
    spool a piece at a time (``streaming.py``)."""
    if task_type.value_kind(spec) != "instance-segmentation":
        raise ValidationFailed(f"coco/masks export needs an instance-segmentation project, not {task_type.name}",
                               field="format")
    seen = list(spec.labels.labels)
    cat_id = {name: i for i, name in enumerate(seen, start=1)}
    spool = DiskList()
    for n, row in enumerate(labeled_items(items), start=1):
        if row.value is None:
            spool.append([row.image, None, None, []])
            continue
        try:
            (height, width), objects = instance_masks(row.value, f"item {n}")
        except ValueError as exc:
            raise ValidationFailed(str(exc), field="items") from None
        image = InstanceImage(row.image, width, height)
        anns = []
        for label, crop in objects:
            if label not in cat_id:  # labels no longer in the project come after, as they appear
                seen.append(label)
                cat_id[label] = len(seen)
            if crop.area > 0:
                anns.append(_rle_annotation(image, label, crop, cat_id))
        spool.append([row.image, width, height, anns])
    rows = spool.mapped(lambda r: (InstanceImage(r[0], r[1], r[2]), r[3]))
    return closing(_stream_coco_masks(rows, seen), spool)
