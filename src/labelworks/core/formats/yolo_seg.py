"""YOLO segmentation (Ultralytics): ``class x1 y1 x2 y2 ...`` lines, normalised to the image size.

The zip is the detection zip's layout (``yolo.py``): ``classes.txt``, ``labels/<stem>.txt``,
``images.jsonl`` with each image's reference and size (or, without it, the images under
``images/``), plus on export an Ultralytics ``data.yaml`` naming the classes; on import class names
come from ``classes.txt``, else ``data.yaml``. Each line is one polygon (at least 3 points). Numbers
are written with 8 decimals and read back to pixels rounded to 2 decimals, exact for vertices with
two decimals or fewer on images up to 20,000 pixels a side. YOLO has one ring per line, so the parts
of one COCO annotation become separate polygons here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..errors import ValidationFailed
from .detection import coord
from .objects import ImageObjects, ObjectDataset, object_labels
from .yolo import YoloImage, _num, _px, read_yolo_layout, stream_yolo_layout

__all__ = ["read_yolo_seg_zip", "write_yolo_seg_zip", "yolo_seg_lines", "parse_yolo_seg_lines", "stream_yolo_seg_zip"]


def yolo_seg_lines(shapes: Sequence[dict[str, Any]], width: int, height: int, labels: Sequence[str]) -> str:
    """One image's label file: a line per polygon."""
    ids = {name: i for i, name in enumerate(labels)}
    return "".join(
        f"{ids[s['label']]} " + " ".join(f"{_num(v['x'] / width)} {_num(v['y'] / height)}" for v in s["vertices"]) + "\n"
        for s in shapes)


def parse_yolo_seg_lines(text: str, width: int, height: int, labels: Sequence[str], where: str) -> list[dict[str, Any]]:
    """Polygons in pixels from one label file; ValidationFailed names ``<where>:<line>``."""
    shapes = []
    for n, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        at = f"{where}:{n}"
        if len(parts) < 7 or len(parts) % 2 == 0:
            raise ValidationFailed(f"{at}: expected 'class x1 y1 x2 y2 x3 y3 ...' (a polygon of 3 points or more), "
                                   f"got {len(parts)} fields", field=at)
        try:
            cls = int(parts[0])
            nums = [float(p) for p in parts[1:]]
        except ValueError as exc:
            raise ValidationFailed(f"{at}: not numbers ({exc})", field=at) from exc
        if not 0 <= cls < len(labels):
            raise ValidationFailed(f"{at}: class {cls} is not in the class list ({len(labels)} classes)", field=at)
        for v in nums:
            coord(v, at)
        shapes.append({"label": labels[cls], "vertices": [{"x": _px(nums[k] * width), "y": _px(nums[k + 1] * height)}
                                                          for k in range(0, len(nums), 2)]})
    return shapes


def read_yolo_seg_zip(data: bytes) -> ObjectDataset:
    labels, entries = read_yolo_layout(data)
    images = []
    for ref, w, h, text, lab in entries:
        shapes = parse_yolo_seg_lines(text, w, h, labels, lab or ref) if text is not None else []
        images.append(ImageObjects(ref, w, h, tuple(shapes)))
    return ObjectDataset("polygons", tuple(images), tuple(labels))


def write_yolo_seg_zip(dataset: ObjectDataset) -> bytes:
    """The zip; every image needs its size (ValidationFailed names the image)."""
    if dataset.kind != "polygons":
        raise ValidationFailed(f"YOLO segmentation holds polygons, not {dataset.kind}", field="format")
    return b"".join(stream_yolo_seg_zip(dataset.images, object_labels(dataset.images, dataset.labels)))


def _seg_image(image: ImageObjects, labels: Sequence[str]) -> YoloImage:
    text = yolo_seg_lines([{k: v for k, v in o.items() if k != "instance"} for o in image.objects], image.width,
                          image.height, labels) if image.width and image.height else ""
    return image.image, image.width, image.height, text


def stream_yolo_seg_zip(images: Iterable[ImageObjects], labels: Sequence[str]) -> Iterator[bytes]:
    """:func:`write_yolo_seg_zip` a member at a time (``labels`` holds every shape's label)."""
    return stream_yolo_layout(labels, (_seg_image(image, labels) for image in images), data_yaml=True)
