"""COCO keypoints, for keypoint projects.

A keypoint project's points are labeled and stand alone (``{"label", "x", "y"}``); COCO groups them
into annotations (one person), each a ``keypoints`` list of ``[x, y, v]`` triplets in the order of
its category's ``keypoints`` names, with a ``skeleton`` of 1-based index pairs on the category.

Read: every category that has ``keypoints`` names; a point's label is its keypoint name (``nose``),
or ``<category>/<name>`` when the file has several keypoint categories. Points with ``v`` 1 (labeled,
not visible) or 2 (visible) become pre-annotations with ``instance`` (their annotation's number in
the image) and ``visibility``; points with ``v`` 0 (not labeled; COCO writes them ``0, 0, 0``) are
dropped. The keypoint task types define no skeleton, so the categories (names, supercategory,
``keypoints``, ``skeleton``) and each annotation's other fields (``bbox``, ``area``, ``iscrowd``,
``segmentation``) are kept in the item's ``lw-format-meta`` under ``coco``, for the export.
Annotations of categories without keypoints, and annotations without ``keypoints``, are skipped.

Write: categories from the items' kept metadata (first seen by name), else one category ``object``
whose keypoints are the project's labels, in order; labels no category names get one more category
``other``. One annotation per instance and category: ``keypoints`` (unset points ``0, 0, 0``),
``num_keypoints``, and the kept ``bbox`` (widened to hold the points), ``area``, ``iscrowd`` and
``segmentation``, or for a new instance the points' extent, its area, ``iscrowd: 0`` and no
segmentation. A file Labelworks wrote, or a COCO file whose points all have ``v`` > 0 and lie in
their boxes, comes back unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..errors import ValidationFailed
from .coco import (category_order, coco_head, coco_images, load_document, read_annotations, read_categories,
                   read_images)
from .detection import coord
from .objects import ImageObjects, ObjectDataset, object_labels
from .streaming import Streamed, indented_document

__all__ = ["read_coco_keypoints", "write_coco_keypoints", "keypoint_label", "keypoint_annotations",
           "keypoint_categories", "image_keypoint_annotations", "stream_coco_keypoints"]

_KEPT = ("bbox", "area", "iscrowd", "segmentation")


def keypoint_label(category: str, name: str, several: bool) -> str:
    """A point's label: the keypoint's name, prefixed by its category when the file has several."""
    return f"{category}/{name}" if several else name


def _category(cat: dict[str, Any], where: str) -> dict[str, Any]:
    names = cat.get("keypoints")
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names) or len(set(names)) != len(names):
        raise ValidationFailed(f"{where}.keypoints: expected distinct keypoint names", field=f"{where}.keypoints")
    skeleton = cat.get("skeleton", [])
    if not isinstance(skeleton, list) or not all(
            isinstance(e, list) and len(e) == 2 and all(isinstance(i, int) and 1 <= i <= len(names) for i in e)
            for e in skeleton):
        raise ValidationFailed(f"{where}.skeleton: expected [[a, b], ...] with 1-based keypoint numbers",
                               field=f"{where}.skeleton")
    out = {"name": cat["name"], "supercategory": cat.get("supercategory", ""), "keypoints": names,
           "skeleton": skeleton}
    return out


def read_coco_keypoints(data: bytes) -> ObjectDataset:
    """Parse a COCO keypoints document; ValidationFailed names the bad field (``annotations[2].keypoints``)."""
    doc = load_document(data)
    raw_categories = read_categories(doc)
    categories = {k: _category(c, f"categories[{i}]") for i, (k, c) in enumerate(raw_categories.items())
                  if "keypoints" in c}
    if not categories:
        raise ValidationFailed("no category has keypoints names (categories[].keypoints)", field="categories")
    several = len(categories) > 1
    ordered = [categories[k] for k in category_order(categories)]
    images = read_images(doc)
    points: dict[int | str, list[dict[str, Any]]] = {k: [] for k in images}
    instances: dict[int | str, list[dict[str, Any]]] = {k: [] for k in images}
    for where, ann, image_id, cat_id in read_annotations(doc, images, raw_categories):
        if cat_id not in categories or ann.get("keypoints") is None:
            continue
        cat = categories[cat_id]
        triplets = ann["keypoints"]
        at = f"{where}.keypoints"
        if not isinstance(triplets, list) or len(triplets) != 3 * len(cat["keypoints"]):
            raise ValidationFailed(f"{at}: expected {len(cat['keypoints'])} [x, y, v] triplets "
                                   f"({3 * len(cat['keypoints'])} numbers) for {cat['name']!r}", field=at)
        n = len(instances[image_id])
        kept = {"category": cat["name"], **{k: ann[k] for k in _KEPT if k in ann}}
        instances[image_id].append(kept)
        for j, name in enumerate(cat["keypoints"]):
            x, y = coord(triplets[3 * j], f"{at}[{3 * j}]"), coord(triplets[3 * j + 1], f"{at}[{3 * j + 1}]")
            v = triplets[3 * j + 2]
            if v not in (0, 1, 2) or isinstance(v, bool):
                raise ValidationFailed(f"{at}[{3 * j + 2}]: visibility must be 0, 1 or 2, got {v!r}",
                                       field=f"{at}[{3 * j + 2}]")
            if v == 0:
                continue  # not labeled: COCO's placeholder, not a point
            points[image_id].append({"label": keypoint_label(cat["name"], name, several), "x": x, "y": y,
                                     "instance": n, "visibility": v})
    labels = [keypoint_label(c["name"], name, several) for c in ordered for name in c["keypoints"]]
    out = tuple(ImageObjects(ref, w, h, tuple(points[k]),
                             {"coco": {"categories": ordered, "instances": instances[k]}})
                for k, (ref, w, h) in images.items())
    return ObjectDataset("keypoints", out, object_labels(out, labels))


def _num(v: float) -> float | int:
    r = round(v, 6)
    return int(r) if float(r).is_integer() else r


def _categories(dataset: ObjectDataset) -> tuple[list[dict[str, Any]], dict[str, tuple[int, int]]]:
    return keypoint_categories(dataset.images, dataset.labels)


def keypoint_categories(images: Iterable[ImageObjects], labels: Sequence[str]) -> \
        tuple[list[dict[str, Any]], dict[str, tuple[int, int]]]:
    """The categories to write and each label's (category index, keypoint slot); ``images`` is
    read twice."""
    found: dict[str, dict[str, Any]] = {}
    for image in images:
        coco = (image.meta or {}).get("coco")
        for cat in coco.get("categories", []) if isinstance(coco, dict) else []:
            if isinstance(cat, dict) and isinstance(cat.get("name"), str) and cat["name"] not in found:
                found[cat["name"]] = cat
    cats = list(found.values())
    several = len(cats) > 1
    slot = {keypoint_label(c["name"], name, several): (ci, j)
            for ci, c in enumerate(cats) for j, name in enumerate(c["keypoints"])}
    rest = [label for label in object_labels(images, labels) if label not in slot]
    if rest:  # labels no kept category names: one more category, bare names
        cats.append({"name": "other" if found else "object", "supercategory": "", "keypoints": rest, "skeleton": []})
        slot.update({label: (len(cats) - 1, j) for j, label in enumerate(rest)})
    return cats, slot


def image_keypoint_annotations(image: ImageObjects, cats: list[dict[str, Any]],
                               slot: dict[str, tuple[int, int]]) -> list[dict[str, Any]]:
    """One image's COCO annotations (without ``id`` / ``image_id``; ``category_id`` counts the
    categories from 1)."""
    coco = (image.meta or {}).get("coco")
    kept: list[Any] = coco.get("instances", []) if isinstance(coco, dict) else []
    groups: dict[tuple[Any, int], list[dict[str, Any] | None]] = {}
    for pt in image.objects:
        ci, j = slot[pt["label"]]
        key: tuple[Any, int] = (pt.get("instance", ("new", 0)), ci)
        while key in groups and groups[key][j] is not None:  # the slot is taken: another instance
            key = ((key[0], "more"), ci)
        groups.setdefault(key, [None] * len(cats[ci]["keypoints"]))[j] = pt
    return [_annotation(ci, members, kept, instance) for (instance, ci), members in groups.items()]


def keypoint_annotations(dataset: ObjectDataset) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """The categories to write and, per image, its COCO annotations (without ``id`` / ``image_id``;
    ``category_id`` counts the categories from 1): what the COCO and YOLO pose writers share."""
    cats, slot = _categories(dataset)
    return cats, [image_keypoint_annotations(image, cats, slot) for image in dataset.images]


def write_coco_keypoints(dataset: ObjectDataset) -> bytes:
    """A COCO keypoints document (indented two spaces, keys in COCO's usual order)."""
    if dataset.kind != "keypoints":
        raise ValidationFailed(f"COCO keypoints hold keypoints, not {dataset.kind}", field="format")
    return b"".join(stream_coco_keypoints(dataset.images, *_categories(dataset)))


def stream_coco_keypoints(images: Iterable[ImageObjects], cats: list[dict[str, Any]],
                          slot: dict[str, tuple[int, int]]) -> Iterator[bytes]:
    """The document of :func:`write_coco_keypoints` in pieces (``images`` read twice), given
    :func:`keypoint_categories`."""
    def annotations() -> Iterator[dict[str, Any]]:
        count = 0
        for n, image in enumerate(images, start=1):
            for ann in image_keypoint_annotations(image, cats, slot):
                count += 1
                yield {"id": count, "image_id": n, **ann}

    categories = [{"id": i, "name": c["name"], "supercategory": c.get("supercategory", ""),
                   "keypoints": c["keypoints"], "skeleton": c.get("skeleton", [])} for i, c in enumerate(cats, start=1)]
    return indented_document([coco_head(), ("images", Streamed(coco_images(images))),
                              ("annotations", Streamed(annotations())), ("categories", categories)])


def _annotation(ci: int, members: Sequence[dict[str, Any] | None], kept: list[Any], instance: Any) -> dict[str, Any]:
    triplets: list[float | int] = []
    xs, ys = [], []
    for pt in members:
        if pt is None:
            triplets += [0, 0, 0]
            continue
        triplets += [pt["x"], pt["y"], pt.get("visibility", 2)]
        xs.append(pt["x"])
        ys.append(pt["y"])
    old = kept[instance] if isinstance(instance, int) and 0 <= instance < len(kept) else None
    old = old if isinstance(old, dict) else {}
    x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
    bbox = old.get("bbox")
    if isinstance(bbox, list) and len(bbox) == 4 and all(isinstance(v, int | float) for v in bbox):
        x0, y0 = min(x0, bbox[0]), min(y0, bbox[1])
        x1, y1 = max(x1, bbox[0] + bbox[2]), max(y1, bbox[1] + bbox[3])
        bbox = bbox if [x0, y0, x1, y1] == [bbox[0], bbox[1], bbox[0] + bbox[2], bbox[1] + bbox[3]] else None
    box = bbox or [x0, y0, _num(x1 - x0), _num(y1 - y0)]
    out: dict[str, Any] = {"category_id": ci + 1, "keypoints": triplets,
                           "num_keypoints": len(xs), "bbox": box,
                           "area": old.get("area", _num(box[2] * box[3])), "iscrowd": old.get("iscrowd", 0)}
    if "segmentation" in old:
        out["segmentation"] = old["segmentation"]
    return out
