"""Pascal VOC: one XML ``<annotation>`` per image; a dataset is a zip of ``Annotations/<stem>.xml``.

Coordinates are continuous pixels with no 1-based shift: ``xmin = left``, ``xmax = left + width``
(as CVAT and labelImg write them). The image reference is ``<path>`` when present, else
``<folder>/<filename>`` (``<filename>`` alone when there is no folder). ``pose``, ``truncated``,
``difficult`` and ``occluded`` are written with their neutral values and not read back.
Parsing uses the standard library's ElementTree, which does not expand external entities.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import ValidationFailed
from .detection import Dataset, ImageBoxes, coord, label_order
from .streaming import Rereadable, UniqueStems, ZipStream

__all__ = ["read_voc_xml", "write_voc_xml", "read_voc_zip", "write_voc_zip", "stream_voc_zip"]

_EPOCH = (1980, 1, 1, 0, 0, 0)
# VOC stores corners, the boxes store sizes: x + w and xmax - xmin pick up float noise
# (0.1 + 0.2 = 0.30000000000000004), which rounding to a millionth of a pixel removes.
_DECIMALS = 6


def _diff(a: float, b: float, where: str) -> float | int:
    return coord(round(a - b, _DECIMALS), where)


def _number(text: str | None, where: str) -> float | int:
    try:
        value = float((text or "").strip())
    except ValueError as exc:
        raise ValidationFailed(f"{where}: expected a number, got {text!r}", field=where) from exc
    return coord(value, where)


def read_voc_xml(data: bytes, where: str = "annotation") -> ImageBoxes:
    """One image's annotation; ValidationFailed names ``<where>/object[2]/bndbox/xmax``."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValidationFailed(f"{where}: DTDs and entities are not accepted", field=where)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValidationFailed(f"{where}: not well-formed XML ({exc})", field=where) from exc
    if root.tag != "annotation":
        raise ValidationFailed(f"{where}: the root element must be <annotation>, got <{root.tag}>", field=where)
    path = (root.findtext("path") or "").strip()
    filename = (root.findtext("filename") or "").strip()
    folder = (root.findtext("folder") or "").strip()
    ref = path or (posixpath.join(folder, filename) if folder and filename else filename)
    if not ref:
        raise ValidationFailed(f"{where}/filename: the image is not named", field=f"{where}/filename")
    size: list[int | None] = [None, None]
    size_el = root.find("size")
    if size_el is not None:
        for k, key in enumerate(("width", "height")):
            text = size_el.findtext(key)
            if text is not None:
                n = _number(text, f"{where}/size/{key}")
                if not isinstance(n, int) or n < 0:
                    raise ValidationFailed(f"{where}/size/{key}: expected whole pixels", field=f"{where}/size/{key}")
                size[k] = n or None  # 0 means unknown
    boxes = []
    for i, obj in enumerate(root.findall("object"), start=1):
        at = f"{where}/object[{i}]"
        name = (obj.findtext("name") or "").strip()
        if not name:
            raise ValidationFailed(f"{at}/name: the object has no class name", field=f"{at}/name")
        bb = obj.find("bndbox")
        if bb is None:
            raise ValidationFailed(f"{at}/bndbox: missing", field=f"{at}/bndbox")
        x0, y0, x1, y1 = (_number(bb.findtext(k), f"{at}/bndbox/{k}") for k in ("xmin", "ymin", "xmax", "ymax"))
        if x1 <= x0 or y1 <= y0:
            raise ValidationFailed(f"{at}/bndbox: xmax and ymax must exceed xmin and ymin", field=f"{at}/bndbox")
        boxes.append({"label": name, "left": x0, "top": y0, "width": _diff(x1, x0, at), "height": _diff(y1, y0, at)})
    return ImageBoxes(ref, size[0], size[1], tuple(boxes))


def _sub(parent: ET.Element, tag: str, text: Any) -> ET.Element:
    el = ET.SubElement(parent, tag)
    el.text = str(text)
    return el


def write_voc_xml(image: ImageBoxes) -> bytes:
    root = ET.Element("annotation")
    folder, filename = posixpath.split(image.image)
    _sub(root, "folder", folder)
    _sub(root, "filename", filename or image.image)
    _sub(root, "path", image.image)
    source = ET.SubElement(root, "source")
    _sub(source, "database", "Labelworks")
    size = ET.SubElement(root, "size")
    _sub(size, "width", image.width or 0)
    _sub(size, "height", image.height or 0)
    _sub(size, "depth", 3)
    _sub(root, "segmented", 0)
    for box in image.boxes:
        obj = ET.SubElement(root, "object")
        _sub(obj, "name", box["label"])
        _sub(obj, "pose", "Unspecified")
        _sub(obj, "truncated", 0)
        _sub(obj, "difficult", 0)
        bb = ET.SubElement(obj, "bndbox")
        for tag, value in (("xmin", box["left"]), ("ymin", box["top"]),
                           ("xmax", box["left"] + box["width"]), ("ymax", box["top"] + box["height"])):
            _sub(bb, tag, coord(round(value, _DECIMALS), tag))
    ET.indent(root)
    text: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return text + b"\n"


def read_voc_zip(data: bytes) -> Dataset:
    """Every ``*.xml`` in the zip (in name order), wherever it lies (``Annotations/`` by custom)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ValidationFailed(f"a VOC dataset is a zip of XML files ({exc})", field="file") from exc
    with zf:
        names = sorted(n for n in zf.namelist() if n.lower().endswith(".xml"))
        if not names and "labels.txt" not in zf.namelist():  # an empty export still has labels.txt
            raise ValidationFailed("the zip holds no .xml annotation", field="file")
        images = tuple(read_voc_xml(zf.read(n), n) for n in names)
        labels: list[str] = []
        if "labels.txt" in zf.namelist():  # the class order this module writes; VOC itself has none
            labels = [x.strip() for x in zf.read("labels.txt").decode("utf-8-sig").splitlines() if x.strip()]
    return Dataset(images, label_order(images, labels))


def write_voc_zip(dataset: Dataset) -> bytes:
    """``Annotations/<stem>.xml`` for every image, plus ``labels.txt`` (the class names in order).

    Files are named after the images and numbered so that name order is dataset order.
    """
    return b"".join(stream_voc_zip(dataset.images, label_order(dataset.images, dataset.labels)))


def stream_voc_zip(images: Rereadable[ImageBoxes], labels: Sequence[str]) -> Iterator[bytes]:
    """The zip of :func:`write_voc_zip` one member at a time (``labels`` holds every box's label)."""
    out = ZipStream(_EPOCH)
    width = len(str(len(images)))
    stems = UniqueStems()
    for n, image in enumerate(images, start=1):
        yield out.member(f"Annotations/{n:0{width}d}-{stems(image.image)}.xml", write_voc_xml(image))
    yield out.member("labels.txt", "".join(f"{x}\n" for x in labels).encode())
    yield from out.close()
