"""YOLO detection: ``class cx cy w h`` lines, normalised to the image size, one text file per image.

A whole dataset travels as a zip (the Ultralytics layout plus one Labelworks file)::

    classes.txt        one class name a line; line n (from 0) is class id n
    labels/<stem>.txt  one line per box: ``<class id> <cx> <cy> <w> <h>``, each in [0, 1]
    images.jsonl       {"image": "<reference>", "width": W, "height": H, "labels": "labels/<stem>.txt"}
    images/<stem>.*    optional: the image files themselves

YOLO keeps neither the image's reference nor its size, and both are needed to turn normalised
numbers back into pixels: ``images.jsonl`` carries them. A zip without it (an Ultralytics export)
is read when each ``labels/<stem>.txt`` has its image under ``images/``: the size comes from the
image header, the reference is the path inside the zip. Class names come from ``classes.txt``, or
when there is none from ``data.yaml``'s ``names`` (Ultralytics' own list).

Numbers are written with 8 decimals (enough for pixel-exact round trips of images up to 20,000
pixels a side) and read back to pixels rounded to 2 decimals, as the consolidator rounds them.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

import orjson

from ..errors import ValidationFailed
from .detection import Dataset, ImageBoxes, coord, label_order
from .streaming import UniqueStems, ZipStream

__all__ = ["read_yolo_zip", "write_yolo_zip", "yolo_lines", "parse_yolo_lines", "read_yolo_layout", "write_yolo_layout",
           "stream_yolo_layout", "yolo_image", "YoloImage"]

_IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")
# fixed timestamps: the same dataset always zips to the same bytes
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _num(v: float) -> str:
    text = f"{v:.8f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _px(v: float) -> float | int:
    r = round(v, 2)
    return int(r) if r == int(r) else r


def yolo_lines(boxes: Sequence[dict[str, Any]], width: int, height: int, labels: Sequence[str]) -> str:
    """One image's label file."""
    ids = {name: i for i, name in enumerate(labels)}
    out = []
    for b in boxes:
        cx = (b["left"] + b["width"] / 2) / width
        cy = (b["top"] + b["height"] / 2) / height
        out.append(f"{ids[b['label']]} {_num(cx)} {_num(cy)} {_num(b['width'] / width)} {_num(b['height'] / height)}\n")
    return "".join(out)


def parse_yolo_lines(text: str, width: int, height: int, labels: Sequence[str], where: str) -> list[dict[str, Any]]:
    """Boxes in pixels from one label file; ValidationFailed names ``<where>:<line>``."""
    boxes = []
    for n, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        at = f"{where}:{n}"
        if len(parts) != 5:
            # 5+ even numbers after the class are a segmentation polygon: not a detection box
            raise ValidationFailed(f"{at}: expected 'class cx cy w h', got {len(parts)} fields", field=at)
        try:
            cls = int(parts[0])
            cx, cy, w, h = (float(p) for p in parts[1:])
        except ValueError as exc:
            raise ValidationFailed(f"{at}: not numbers ({exc})", field=at) from exc
        if not 0 <= cls < len(labels):
            raise ValidationFailed(f"{at}: class {cls} is not in classes.txt ({len(labels)} classes)", field=at)
        for v in (cx, cy, w, h):
            coord(v, at)
        if w <= 0 or h <= 0:
            raise ValidationFailed(f"{at}: width and height must be greater than 0", field=at)
        boxes.append({"label": labels[cls], "left": _px((cx - w / 2) * width), "top": _px((cy - h / 2) * height),
                      "width": _px(w * width), "height": _px(h * height)})
    return boxes


def _text(zf: zipfile.ZipFile, name: str) -> str:
    try:
        return zf.read(name).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"{name}: not UTF-8 text", field=name) from exc


def _image_size(data: bytes, name: str) -> tuple[int, int]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:  # reads the header only
            return img.size
    except (UnidentifiedImageError, OSError) as exc:
        raise ValidationFailed(f"{name}: not an image ({exc})", field=name) from exc


def _class_names(zf: zipfile.ZipFile, names: set[str]) -> list[str]:
    """``classes.txt``, else ``data.yaml``'s ``names`` (a list, or ``{id: name}`` from 0)."""
    if "classes.txt" in names:
        return [line.strip() for line in _text(zf, "classes.txt").splitlines() if line.strip()]
    if "data.yaml" not in names:
        raise ValidationFailed("the zip needs classes.txt (one class name a line) or data.yaml with names",
                               field="classes.txt")
    import yaml

    try:
        doc = yaml.safe_load(_text(zf, "data.yaml"))
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"data.yaml: not valid YAML ({exc})", field="data.yaml") from exc
    raw = doc.get("names") if isinstance(doc, dict) else None
    if isinstance(raw, dict) and sorted(raw) == list(range(len(raw))):
        raw = [raw[i] for i in range(len(raw))]
    if not isinstance(raw, list) or not all(isinstance(n, str) and n for n in raw):
        raise ValidationFailed("data.yaml: names must be a list of class names (or {0: name, ...})",
                               field="data.yaml.names")
    return list(raw)


def read_yolo_layout(data: bytes) -> tuple[list[str], list[tuple[str, int, int, str | None, str | None]]]:
    """The class names and, per image, ``(reference, width, height, label file text, its name)``:
    what detection and segmentation zips share (the module doc describes the layout)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ValidationFailed(f"a YOLO dataset is a zip file ({exc})", field="file") from exc
    with zf:
        names = set(zf.namelist())
        labels = _class_names(zf, names)
        entries: list[tuple[str, int, int, str | None]] = []
        if "images.jsonl" in names:
            for n, line in enumerate(_text(zf, "images.jsonl").splitlines(), start=1):
                if not line.strip():
                    continue
                at = f"images.jsonl:{n}"
                try:
                    row = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise ValidationFailed(f"{at}: not valid JSON ({exc})", field=at) from exc
                if not isinstance(row, dict) or not isinstance(row.get("image"), str):
                    raise ValidationFailed(f"{at}: expected {{\"image\", \"width\", \"height\", \"labels\"}}", field=at)
                w, h = row.get("width"), row.get("height")
                if not isinstance(w, int) or not isinstance(h, int) or w <= 0 or h <= 0:
                    raise ValidationFailed(f"{at}: width and height must be whole numbers above 0", field=at)
                lab = row.get("labels")
                if lab is not None and (not isinstance(lab, str) or lab not in names):
                    raise ValidationFailed(f"{at}: labels file {lab!r} is not in the zip", field=at)
                entries.append((row["image"], w, h, lab))
        else:
            by_stem = {posixpath.splitext(posixpath.basename(n))[0]: n for n in sorted(names)
                       if n.startswith("images/") and n.lower().endswith(_IMAGE_EXTS)}
            for name in sorted(n for n in names if n.startswith("labels/") and n.endswith(".txt")):
                stem = posixpath.splitext(posixpath.basename(name))[0]
                image = by_stem.get(stem)
                if image is None:
                    raise ValidationFailed(f"{name}: no image size known (add images.jsonl or images/{stem}.*)", field=name)
                w, h = _image_size(zf.read(image), image)
                entries.append((image, w, h, name))
        return labels, [(ref, w, h, _text(zf, lab) if lab else None, lab) for ref, w, h, lab in entries]


def read_yolo_zip(data: bytes) -> Dataset:
    labels, entries = read_yolo_layout(data)
    images = []
    for ref, w, h, text, lab in entries:
        boxes = parse_yolo_lines(text, w, h, labels, lab or ref) if text is not None else []
        images.append(ImageBoxes(ref, w, h, tuple(boxes)))
    return Dataset(tuple(images), tuple(labels))


YoloImage = tuple[str, int | None, int | None, str]  # (reference, width, height, label file text)


def write_yolo_layout(labels: Sequence[str], images: Collection[YoloImage], data_yaml: bool = False,
                      yaml_extra: str = "", extra_files: Sequence[tuple[str, str]] = ()) -> bytes:
    """The zip: ``classes.txt``, one label file per image (its text given), ``images.jsonl``, and
    with ``data_yaml`` an Ultralytics ``data.yaml`` naming the classes (plus ``yaml_extra`` lines);
    ``extra_files`` are ``(name, text)`` written after ``classes.txt``. Every image needs its size."""
    return b"".join(stream_yolo_layout(labels, images, data_yaml, yaml_extra, extra_files))


def stream_yolo_layout(labels: Sequence[str], images: Iterable[YoloImage], data_yaml: bool = False,
                       yaml_extra: str = "", extra_files: Sequence[tuple[str, str]] = ()) -> Iterator[bytes]:
    """:func:`write_yolo_layout` one member at a time, ``images`` read once."""
    out = ZipStream(_EPOCH)
    yield out.member("classes.txt", "".join(f"{name}\n" for name in labels).encode())
    for name, text in extra_files:
        yield out.member(name, text.encode())
    if data_yaml:
        names = "".join(f"  {i}: {orjson.dumps(name).decode()}\n" for i, name in enumerate(labels))
        yield out.member("data.yaml", f"path: .\ntrain: images\nval: images\n{yaml_extra}names:\n{names}".encode())
    stems = UniqueStems()
    index = out.later("images.jsonl")  # written after the label files, filled in meanwhile
    for ref, width, height, text in images:
        if not width or not height:
            raise ValidationFailed(f"{ref}: YOLO needs the image's size, which is unknown", field="image")
        lab = f"labels/{stems(ref)}.txt"
        yield out.member(lab, text.encode())
        index.write(orjson.dumps({"image": ref, "width": width, "height": height, "labels": lab}) + b"\n")
    yield from index.finish()
    yield from out.close()


def yolo_image(image: ImageBoxes, labels: Sequence[str]) -> YoloImage:
    """One image's entry: its label file's text (empty while its size is unknown)."""
    text = yolo_lines(image.boxes, image.width, image.height, labels) if image.width and image.height else ""
    return image.image, image.width, image.height, text


def write_yolo_zip(dataset: Dataset) -> bytes:
    """The zip described in the module doc; every image needs its size (ValidationFailed names it)."""
    labels = label_order(dataset.images, dataset.labels)
    return write_yolo_layout(labels, [yolo_image(i, labels) for i in dataset.images])
