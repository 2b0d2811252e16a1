"""YOLO pose (Ultralytics), for keypoint projects: ``class cx cy w h x1 y1 v1 x2 y2 v2 ...`` lines.

The zip is the detection zip's layout (``yolo.py``) plus the keypoint names::

    classes.txt        object classes (``person``), line n is class id n
    keypoints.txt      keypoint names in slot order (``nose``, ``left_eye``, ...)
    labels/<stem>.txt  one line per object: its box and K keypoints, normalised to [0, 1]
    images.jsonl       each image's reference and size
    data.yaml          (written) Ultralytics' ``kpt_shape: [K, 3]`` and ``names``

Read: keypoint names from ``keypoints.txt``, else ``data.yaml``'s ``kpt_names`` (a list, or the
first class's list), else ``kp1`` ... ``kpK`` with K from ``kpt_shape``. Points with ``v`` 0 (or at
``0 0`` when ``kpt_shape`` has no visibility) are dropped; the others become points labeled by
keypoint name (``<class>/<name>`` when there are several classes) with ``instance`` (the line) and
``visibility``. Classes and each object's box are kept in ``lw-format-meta.coco``, the same record
COCO keypoints keep, so a YOLO pose import exports as COCO keypoints and back. YOLO has no
skeleton. Precision as for detection: exact to the hundredth of a pixel.

Write: as COCO keypoints group them (``coco_keypoints.keypoint_annotations``); every class must share
one keypoint list (YOLO's ``kpt_shape`` is one per dataset).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import ValidationFailed
from .coco_keypoints import image_keypoint_annotations, keypoint_categories, keypoint_label
from .detection import coord
from .objects import ImageObjects, ObjectDataset
from .yolo import YoloImage, _num, _px, _text, read_yolo_layout, stream_yolo_layout

__all__ = ["read_yolo_pose_zip", "write_yolo_pose_zip", "stream_yolo_pose_zip", "pose_keypoint_names"]


def _keypoint_names(data: bytes) -> tuple[list[str] | None, int | None, int]:
    """(names or None, K or None, values per point) from keypoints.txt / data.yaml."""
    import yaml

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        listed = ([n.strip() for n in _text(zf, "keypoints.txt").splitlines() if n.strip()]
                  if "keypoints.txt" in names else None)
        doc: Any = None
        if "data.yaml" in names:
            try:
                doc = yaml.safe_load(_text(zf, "data.yaml"))
            except yaml.YAMLError as exc:
                raise ValidationFailed(f"data.yaml: not valid YAML ({exc})", field="data.yaml") from exc
    doc = doc if isinstance(doc, dict) else {}
    shape = doc.get("kpt_shape")
    k, dims = None, 3
    if shape is not None:
        if not (isinstance(shape, list) and len(shape) == 2 and all(isinstance(v, int) for v in shape)
                and shape[0] > 0 and shape[1] in (2, 3)):
            raise ValidationFailed("data.yaml: kpt_shape must be [number of keypoints, 2 or 3]", field="data.yaml.kpt_shape")
        k, dims = shape
    if listed is None:
        raw = doc.get("kpt_names")
        if isinstance(raw, dict) and raw:
            raw = raw[sorted(raw)[0]]
        if isinstance(raw, list) and all(isinstance(n, str) and n for n in raw):
            listed = list(raw)
    if listed is None and k is not None:
        listed = [f"kp{i}" for i in range(1, k + 1)]
    if listed is not None and k is not None and len(listed) != k:
        raise ValidationFailed(f"keypoints.txt names {len(listed)} keypoints, data.yaml kpt_shape {k}",
                               field="keypoints.txt")
    if listed is not None and len(set(listed)) != len(listed):
        raise ValidationFailed("keypoints.txt: keypoint names must be distinct", field="keypoints.txt")
    return listed, k, dims


def read_yolo_pose_zip(data: bytes) -> ObjectDataset:
    classes, entries = read_yolo_layout(data)
    names, _, dims = _keypoint_names(data)
    if names is None:
        raise ValidationFailed("a YOLO pose zip needs keypoints.txt (one keypoint name a line) or data.yaml "
                               "with kpt_shape", field="keypoints.txt")
    several = len(classes) > 1
    categories = [{"name": c, "supercategory": "", "keypoints": names, "skeleton": []} for c in classes]
    images = []
    for ref, w, h, text, lab in entries:
        points: list[dict[str, Any]] = []
        instances: list[dict[str, Any]] = []
        for n, line in enumerate((text or "").splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            at = f"{lab or ref}:{n}"
            if len(parts) != 5 + dims * len(names):
                raise ValidationFailed(f"{at}: expected 'class cx cy w h' and {len(names)} keypoints of {dims} "
                                       f"numbers ({5 + dims * len(names)} fields), got {len(parts)}", field=at)
            try:
                cls = int(parts[0])
                nums = [float(p) for p in parts[1:]]
            except ValueError as exc:
                raise ValidationFailed(f"{at}: not numbers ({exc})", field=at) from exc
            if not 0 <= cls < len(classes):
                raise ValidationFailed(f"{at}: class {cls} is not in the class list ({len(classes)} classes)", field=at)
            for v in nums:
                coord(v, at)
            cx, cy, bw, bh = nums[:4]
            instances.append({"category": classes[cls], "bbox": [_px((cx - bw / 2) * w), _px((cy - bh / 2) * h),
                                                                  _px(bw * w), _px(bh * h)]})
            for j, name in enumerate(names):
                x, y = nums[4 + dims * j], nums[5 + dims * j]
                v = int(nums[6 + dims * j]) if dims == 3 else (0 if x == y == 0 else 2)
                if v not in (0, 1, 2):
                    raise ValidationFailed(f"{at}: visibility of keypoint {j + 1} must be 0, 1 or 2", field=at)
                if v:
                    points.append({"label": keypoint_label(classes[cls], name, several), "x": _px(x * w),
                                   "y": _px(y * h), "instance": len(instances) - 1, "visibility": v})
        images.append(ImageObjects(ref, w, h, tuple(points), {"coco": {"categories": categories, "instances": instances}}))
    labels = tuple(keypoint_label(c, name, several) for c in classes for name in names)
    return ObjectDataset("keypoints", tuple(images), labels)


def write_yolo_pose_zip(dataset: ObjectDataset) -> bytes:
    """The zip; every image needs its size and every class one shared keypoint list."""
    if dataset.kind != "keypoints":
        raise ValidationFailed(f"YOLO pose holds keypoints, not {dataset.kind}", field="format")
    cats, slot = keypoint_categories(dataset.images, dataset.labels)
    return b"".join(stream_yolo_pose_zip(dataset.images, cats, slot))


def pose_keypoint_names(cats: list[dict[str, Any]]) -> list[str]:
    """The one keypoint list every class shares (ValidationFailed when two differ)."""
    names: list[str] = cats[0]["keypoints"] if cats else []
    for c in cats:
        if c["keypoints"] != names:
            raise ValidationFailed(f"YOLO pose needs one keypoint list for every class; {c['name']!r} has "
                                   f"{c['keypoints']}, {cats[0]['name']!r} {names}", field="format")
    return names


def _pose_image(image: ImageObjects, cats: list[dict[str, Any]], slot: dict[str, tuple[int, int]]) -> YoloImage:
    w, h = image.width, image.height
    if not w or not h:
        return image.image, w, h, ""
    lines = []
    for ann in image_keypoint_annotations(image, cats, slot):
        x, y, bw, bh = ann["bbox"]
        kp = ann["keypoints"]
        fields = [str(ann["category_id"] - 1), _num((x + bw / 2) / w), _num((y + bh / 2) / h), _num(bw / w),
                  _num(bh / h)]
        for j in range(0, len(kp), 3):
            fields += [_num(kp[j] / w), _num(kp[j + 1] / h), str(kp[j + 2])]
        lines.append(" ".join(fields) + "\n")
    return image.image, w, h, "".join(lines)


def stream_yolo_pose_zip(images: Iterable[ImageObjects], cats: list[dict[str, Any]],
                         slot: dict[str, tuple[int, int]]) -> Iterator[bytes]:
    """:func:`write_yolo_pose_zip` a member at a time, given :func:`keypoint_categories`. The
    keypoint lists are checked when called, before the first byte."""
    names = pose_keypoint_names(cats)
    entries = (_pose_image(image, cats, slot) for image in images)
    return stream_yolo_layout([c["name"] for c in cats], entries, data_yaml=True,
                              yaml_extra=f"kpt_shape: [{len(names)}, 3]\n",
                              extra_files=[("keypoints.txt", "".join(f"{n}\n" for n in names))])
