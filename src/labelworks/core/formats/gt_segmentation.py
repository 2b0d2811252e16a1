"""Ground Truth segmentation output manifests (``--format gt-segmentation``), in and out.

A line of a semantic segmentation job's output::

    {"source-ref": "s3://b/a.jpg",
     "city-ref": "s3://b/output/annotations/a.png",
     "city-ref-metadata": {"internal-color-map": {"0": {"class-name": "BACKGROUND", "hex-color": "#ffffff"},
                                                  "1": {"class-name": "car", "hex-color": "#2ca02c"}},
                           "type": "groundtruth/semantic-segmentation", ...}}

(an instance segmentation job's has ``type`` ``groundtruth/instance-segmentation`` and one colour
map entry per instance). The manifest is a stream and the PNGs are files, so:

* export writes a zip: ``output.manifest`` (the ``--format manifest`` lines, with ``<attr>-ref``
  = ``masks/<image stem>.png``) and those PNGs. An unlabeled item with segmentation pre-annotations
  is written with them as its label (the pre-annotations key itself is left out of the line:
  the PNG carries it), so an imported manifest exports back as it came;
* ``--format manifest`` alone writes ``<attr>-ref`` as a ``data:image/png;base64,`` URI;
* import reads either: a plain manifest whose refs are ``data:`` URIs, or a zip holding one
  ``.manifest`` / ``.jsonl`` file and the PNGs, found by the ref's path in the zip or, failing
  that, by its file name (so Ground Truth's S3 output can be zipped as downloaded).

On import the PNG becomes the item's ``lw-pre-annotations`` in the element's shape (semantic:
``labelMappings`` from the colour map; instance: ``instances`` in colour-map order); every other
key of the line is kept. A line with several segmentation labels (a chain of jobs) gives its last
(the latest job's); a line without one is imported as it is.
"""

from __future__ import annotations

import base64
import posixpath
import zipfile
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from ..consolidation.structured.label_maps import BACKGROUND, decode_rgb, ids_from_rgb, normalise_colour
from ..errors import ValidationFailed
from ..tasktypes.base import ProjectSpec, TaskType
from ..tasktypes.segmentation import DATA_URI_PREFIX, GT_INSTANCE_TYPE, GT_SEMANTIC_TYPE, PRE_ANNOTATIONS_KEY
from .label_map_items import MaskNames, is_segmentation_value, open_zip, zip_member
from .records import ExportItem, source_of
from .streaming import ZipStream, closing

__all__ = ["gt_segmentation_rows", "write_gt_segmentation", "SEGMENTATION_TYPES", "MANIFEST_NAME"]

SEGMENTATION_TYPES = (GT_SEMANTIC_TYPE, GT_INSTANCE_TYPE)
MANIFEST_NAME = "output.manifest"


def _label_keys(row: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(ref key, metadata key, type) of each segmentation label on a line: Ground Truth writes
    ``<attr>-ref`` and ``<attr>-ref-metadata``; ``<attr>-metadata`` beside ``<attr>-ref`` is read too."""
    out = []
    for key, meta in row.items():
        if key.endswith("-metadata") and isinstance(meta, dict) and meta.get("type") in SEGMENTATION_TYPES:
            base = key[: -len("-metadata")]
            ref = base if base.endswith("-ref") else f"{base}-ref"
            out.append((ref, key, str(meta["type"])))
    return out


class _Pngs:
    """Where the refs of a manifest point: ``data:`` URIs, or files in the zip it came in."""

    def __init__(self, zf: zipfile.ZipFile | None) -> None:
        self._zf = zf
        self._by_name: dict[str, list[str]] = {}
        if zf is not None:
            for name in zf.namelist():
                self._by_name.setdefault(posixpath.basename(name), []).append(name)

    def read(self, ref: Any, where: str) -> bytes:
        if not isinstance(ref, str) or not ref:
            raise ValidationFailed(f"{where}: expected the PNG's location", field=where)
        if ref.startswith(DATA_URI_PREFIX):
            try:
                return base64.b64decode(ref[len(DATA_URI_PREFIX):], validate=True)
            except ValueError:
                raise ValidationFailed(f"{where}: the data URI is not valid base64", field=where) from None
        if self._zf is None:
            raise ValidationFailed(f"{where}: {ref} cannot be read from a manifest alone; import a zip of the "
                                   "manifest and its PNGs (what --format gt-segmentation exports)", field=where)
        if ref in self._by_name.get(posixpath.basename(ref), []):
            return zip_member(self._zf, ref, where)
        found = self._by_name.get(posixpath.basename(ref.split("?")[0]), [])
        if len(found) != 1:
            why = "is not in the zip" if not found else f"matches {len(found)} files in the zip"
            raise ValidationFailed(f"{where}: {ref} {why}", field=where)
        return zip_member(self._zf, found[0], where)


def _color_map(meta: dict[str, Any], at: str) -> list[tuple[str, str]]:
    """(class name, colour) for entries 1, 2, … of ``internal-color-map`` (0, the background, skipped)."""
    raw = meta.get("internal-color-map")
    field = f"{at}.internal-color-map"
    if not isinstance(raw, dict):
        raise ValidationFailed(f"{field}: expected an object", field=field)
    entries = []
    for key, entry in raw.items():
        if not str(key).isdigit():
            raise ValidationFailed(f"{field}: key {key!r} is not a class number", field=field)
        if not isinstance(entry, dict) or not isinstance(entry.get("class-name"), str):
            raise ValidationFailed(f"{field}.{key}: expected class-name and hex-color", field=f"{field}.{key}")
        try:
            colour = normalise_colour(entry.get("hex-color"), f"{field}.{key}.hex-color")
        except ValueError as exc:
            raise ValidationFailed(str(exc), field=f"{field}.{key}.hex-color") from None
        if int(key) == 0 or (entry["class-name"] == BACKGROUND and colour == "#ffffff"):
            continue
        entries.append((int(key), entry["class-name"], colour))
    entries.sort()
    return [(name, colour) for _, name, colour in entries]


def _pre_annotation(png: bytes, kind: str, classes: list[tuple[str, str]], where: str) -> dict[str, Any]:
    try:
        rgb = decode_rgb(png, where)
        ids_from_rgb(rgb, [c for _, c in classes], where)  # every colour in the PNG must be in the map
    except ValueError as exc:
        raise ValidationFailed(str(exc), field=where) from None
    colours = [c for _, c in classes]
    if len(set(colours)) != len(colours):
        raise ValidationFailed(f"{where}: two classes share a colour in internal-color-map", field=where)
    value: dict[str, Any] = {"labeledImage": {"pngImageData": base64.b64encode(png).decode()}}
    if kind == GT_INSTANCE_TYPE:
        value["instances"] = [{"color": c, "label": name} for name, c in classes]
    else:
        value["labelMappings"] = {name: {"color": c} for name, c in classes}
    value["inputImageProperties"] = {"width": int(rgb.shape[1]), "height": int(rgb.shape[0])}
    return value


def _lines(data: bytes) -> tuple[bytes, _Pngs]:
    if data[:4] != b"PK\x03\x04":
        return data, _Pngs(None)
    zf = open_zip(data, "")
    manifests = [n for n in zf.namelist() if n.endswith((".manifest", ".jsonl")) and not n.endswith("/")]
    if len(manifests) != 1:
        raise ValidationFailed(f"the zip must hold one .manifest or .jsonl file, found {len(manifests)}", field="file")
    return zip_member(zf, manifests[0], manifests[0], 1 << 31), _Pngs(zf)


def gt_segmentation_rows(data: bytes, kind: str | None = None) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """``(line number, item row)`` per line, or ``(line number, why it is bad)`` naming the field;
    a bad zip is one bad line 1. Blank lines are skipped but counted. ``kind`` ("semantic" or
    "instance", the project's) refuses a label of the other kind: its PNG would mean nothing there."""
    try:
        text, pngs = _lines(data)
    except ValidationFailed as exc:
        yield 1, exc.message
        return
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().removeprefix(b"\xef\xbb\xbf") if n == 1 else raw.strip()
        if not line:
            continue
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield n, f"not valid JSON ({exc})"
            continue
        if not isinstance(row, dict):
            yield n, "expected a JSON object"
            continue
        labels = _label_keys(row)
        if labels:
            # a chained job's line carries each job's label: the last is the latest
            ref, meta_key, gt_type = labels[-1]
            if kind is not None and gt_type != f"groundtruth/{kind}-segmentation":
                yield n, (f"{meta_key}.type: {gt_type} does not fit a {kind}-segmentation project")
                continue
            try:
                png = pngs.read(row.get(ref), ref)
                row[PRE_ANNOTATIONS_KEY] = _pre_annotation(png, gt_type, _color_map(row[meta_key], meta_key), ref)
            except ValidationFailed as exc:
                yield n, exc.message
                continue
        yield n, row


def write_gt_segmentation(items: Iterable[ExportItem], task_type: TaskType, spec: ProjectSpec,
                          created: str) -> Iterator[bytes]:
    """The export writer: a zip of ``masks/*.png`` then ``output.manifest`` (see the module doc),
    streamed: each mask goes out as its line is made, the manifest is deflated meanwhile into a
    temporary file (its header, before its data, needs its size), so memory stays flat."""
    if task_type.value_kind(spec) not in ("semantic-segmentation", "instance-segmentation"):
        raise ValidationFailed(f"gt-segmentation export needs a segmentation project, not {task_type.name}",
                               field="format")
    return closing(_zip_chunks(items, task_type, spec, created))


def _zip_chunks(items: Iterable[ExportItem], task_type: TaskType, spec: ProjectSpec, created: str) -> Iterator[bytes]:
    from .writers import write_manifest

    out = ZipStream()  # fixed timestamps: the same dataset zips to the same bytes
    manifest = out.later(MANIFEST_NAME)
    names = MaskNames()
    pending: deque[ExportItem] = deque()  # items whose line write_manifest has not given back yet

    def tap() -> Iterator[ExportItem]:
        for item in items:
            pending.append(item)
            yield item

    for chunk_line in _split(write_manifest(_with_pre_labels(tap(), task_type, spec, created), task_type, spec,
                                            created)):
        item = pending.popleft()
        row = orjson.loads(chunk_line)
        moved = False
        for ref_key, _, _ in _label_keys(row):
            ref = row.get(ref_key)
            if isinstance(ref, str) and ref.startswith(DATA_URI_PREFIX):
                name = names.for_image(source_of(row) or f"item-{item.id}")
                yield out.member(name, base64.b64decode(ref[len(DATA_URI_PREFIX):]), compress=False)
                row[ref_key] = name
                moved = True
        manifest.write((orjson.dumps(row) if moved else chunk_line) + b"\n")
    yield from manifest.finish()
    yield from out.close()


def _split(chunks: Iterable[bytes]) -> Iterator[bytes]:
    rest = b""
    for chunk in chunks:
        rest += chunk
        *whole, rest = rest.split(b"\n")
        yield from whole
    if rest:
        yield rest


def _with_pre_labels(items: Iterable[ExportItem], task_type: TaskType, spec: ProjectSpec,
                     created: str) -> Iterator[ExportItem]:
    """Unlabeled items with segmentation pre-annotations: their line gets the label from them
    (in place of the key), keeping the metadata the line already had (an imported label's)."""
    from dataclasses import replace

    for item in items:
        data = item.data
        pre = data.get(PRE_ANNOTATIONS_KEY)
        if item.answer is not None or not isinstance(pre, dict) or not is_segmentation_value(pre):
            yield item
            continue
        del data[PRE_ANNOTATIONS_KEY]
        png = pre["labeledImage"].get("pngImageData")
        labels = _label_keys(data)
        # the imported label (the last, as the reader took it), else a new one under the project's name
        attr = labels[-1][0] if labels else f"{spec.label_attribute}-ref"
        data[attr] = f"{DATA_URI_PREFIX}{png}"
        if not labels:
            from ..consolidation.majority import Consolidated

            fields = task_type.output_fields(Consolidated(value=pre, confidence=0.0), spec, created)
            meta = fields[f"{attr}-metadata"]
            meta["human-annotated"] = "no"
            for entry in meta["internal-color-map"].values():
                entry.pop("confidence", None)  # nobody has judged an imported label
            data[f"{attr}-metadata"] = meta
        yield replace(item, data_raw=orjson.dumps(data))
