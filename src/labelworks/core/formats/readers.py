"""Streaming readers: Ground Truth manifests (JSON lines), CSV and JSON arrays.

Each yields ``ParsedLine`` or ``BadLine`` one at a time, so a million-line file never sits in memory.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Iterable, Iterator
from typing import IO, Any

import orjson

from ..errors import ValidationFailed
from .records import SOURCE_KEYS, BadLine, ParsedLine

__all__ = ["scan_file", "scan_manifest", "read_manifest", "read_csv", "read_rows", "read_file", "detect_format", "check_item", "FORMATS",
           "DETECTION_FORMATS", "read_detection"]

FORMATS = ("manifest", "csv", "tsv", "json", "coco", "yolo", "voc", "gt-detection", "gt-objects", "gt-verification",
           "masks", "gt-segmentation", "gt-ner", "conll", "jsonl-spans", "spacy-jsonl", "docbin", "parquet")
# whole-dataset image formats: parsed at once, each image becomes an item with its boxes as
# pre-annotations (``core/formats/detection.py``)
DETECTION_FORMATS = ("coco", "yolo", "voc", "gt-detection")
_NEEDS = "needs a non-empty 'source' or 'source-ref' (or 'text' / 'image' / 'url')"


def check_item(data: Any) -> str | None:
    """Why this object cannot be an item, or None when it can."""
    if not isinstance(data, dict):
        return f"expected a JSON object, got {type(data).__name__}"
    for key in SOURCE_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value:
            return None
    # a conversation (chat-demonstration items: the `messages` of TRL's and OpenAI's chat shape) is content too
    if isinstance(data.get("messages"), list) and data["messages"]:
        return None
    # so is a prompt (preference and evaluation datasets: TRL's and Bedrock's `prompt`)
    if isinstance(data.get("prompt"), str) and data["prompt"]:
        return None
    return _NEEDS


def _parsed(line_no: int, data: dict[str, Any], raw: bytes) -> ParsedLine:
    canonical = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    key = hashlib.blake2b(canonical, digest_size=16).hexdigest()
    return ParsedLine(line_no, data, key, raw)


def read_manifest(stream: IO[bytes]) -> Iterator[ParsedLine | BadLine]:
    """JSON lines; blank lines are skipped but still counted in line numbers."""
    for line_no, line in enumerate(stream, start=1):
        line = line.strip()
        if not line:
            continue
        if line_no == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8):]
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield BadLine(line_no, f"not valid JSON ({exc})")
            continue
        problem = check_item(data)
        if problem:
            yield BadLine(line_no, problem)
            continue
        yield _parsed(line_no, data, line)  # stored verbatim, as the manifest wrote it


def scan_manifest(stream: IO[bytes]) -> Iterator[BadLine | None]:
    """The check pass over a manifest: None for each good line, BadLine for each bad one.

    It skips what only the insert pass needs (keys, re-encoding), which halves its cost.
    """
    loads, bom = orjson.loads, codecs.BOM_UTF8
    for line_no, line in enumerate(stream, start=1):
        line = line.strip()
        if not line:
            continue
        if line_no == 1 and line.startswith(bom):
            line = line[len(bom):]
        try:
            data = loads(line)
        except orjson.JSONDecodeError as exc:
            yield BadLine(line_no, f"not valid JSON ({exc})")
            continue
        if type(data) is dict and (
            (type(data.get("source")) is str and data["source"]) or (type(data.get("source-ref")) is str and data["source-ref"])
        ):
            yield None
            continue
        problem = check_item(data)
        yield BadLine(line_no, problem) if problem else None


def scan_file(stream: IO[bytes], fmt: str) -> Iterator[BadLine | None]:
    """The check pass: one value per non-blank line, None when the line is good."""
    if fmt == "manifest":
        return scan_manifest(stream)
    return (line if isinstance(line, BadLine) else None for line in read_file(stream, fmt))


class _DecodedLines:
    """Physical lines of a byte stream decoded one by one, for csv.reader.

    A line that is not UTF-8 is held back and remembered by its number, so it is reported on
    its own line and every other row still reads.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._lines = iter(stream)
        self.physical = 0  # number of the last physical line handed out
        self.undecodable: list[tuple[int, str]] = []

    def __iter__(self) -> "_DecodedLines":
        return self

    def __next__(self) -> str:
        while True:
            raw = next(self._lines)
            self.physical += 1
            if self.physical == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.undecodable.append((self.physical, f"not UTF-8 text ({exc.reason} at byte {exc.start})"))


def read_csv(stream: IO[bytes], delimiter: str = ",") -> Iterator[ParsedLine | BadLine]:
    """A header row, then one item per row; every column is kept as a string field.

    Line numbers count the header as line 1, as a spreadsheet shows them (a quoted value spanning
    several lines is reported on the line where its row ends).
    """
    lines = _DecodedLines(stream)
    reader = csv.reader(lines, delimiter=delimiter)

    def undecodable() -> Iterator[BadLine]:
        while lines.undecodable:
            yield BadLine(*lines.undecodable.pop(0))

    try:
        header = next(reader)
    except StopIteration:
        yield from undecodable()
        return
    if lines.undecodable:
        yield from undecodable()
        return
    names = [h.strip() for h in header]
    if len(set(names)) != len(names):
        yield BadLine(1, "the header repeats a column name")
        return
    if not any(n in SOURCE_KEYS for n in names):
        if len(names) != 1:
            yield BadLine(1, f"the header needs a column named one of {', '.join(SOURCE_KEYS)}")
            return
        names = ["source"]  # a one-column file is a list of sources
    try:
        for row in reader:
            yield from undecodable()
            line_no = lines.physical
            if not row or all(not cell for cell in row):
                continue
            if len(row) != len(names):
                yield BadLine(line_no, f"expected {len(names)} columns, found {len(row)}")
                continue
            data = dict(zip(names, row, strict=True))
            problem = check_item(data)
            if problem:
                yield BadLine(line_no, problem)
                continue
            yield _parsed(line_no, data, orjson.dumps(data))
        yield from undecodable()
    except csv.Error as exc:
        yield BadLine(lines.physical, f"unreadable CSV ({exc})")


def read_rows(rows: Iterable[Any], first_line: int = 1) -> Iterator[ParsedLine | BadLine]:
    """Objects already decoded (an API body, a JSON array); numbered from ``first_line``."""
    for line_no, data in enumerate(rows, start=first_line):
        problem = check_item(data)
        if problem:
            yield BadLine(line_no, problem)
            continue
        yield _parsed(line_no, data, orjson.dumps(data))


def read_json_array(stream: IO[bytes]) -> Iterator[ParsedLine | BadLine]:
    try:
        rows = orjson.loads(stream.read())
    except orjson.JSONDecodeError as exc:
        yield BadLine(1, f"not valid JSON ({exc})")
        return
    if not isinstance(rows, list):
        yield BadLine(1, "a JSON file must hold an array of objects")
        return
    yield from read_rows(rows)


def detect_format(filename: str, head: bytes) -> str:
    """Guess from the name, then from the first bytes."""
    lower = filename.lower()
    if lower.endswith((".jsonl", ".manifest", ".ndjson")):
        return "manifest"
    if lower.endswith(".tsv"):
        return "tsv"
    if lower.endswith(".csv"):
        return "csv"
    # text datasets (a project whose task type does not take them refuses them by name)
    for suffixes, fmt in (((".conll", ".iob", ".bio"), "conll"), ((".spacy",), "docbin"),
                          ((".parquet",), "parquet")):
        if lower.endswith(suffixes):
            return fmt
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip()
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        return "manifest"
    if lower.endswith(".json"):
        return "json"
    return "csv"


def read_file(stream: IO[bytes], fmt: str) -> Iterator[ParsedLine | BadLine]:
    if fmt == "manifest":
        return read_manifest(stream)
    if fmt == "csv":
        return read_csv(stream)
    if fmt == "tsv":
        return read_csv(stream, delimiter="\t")
    if fmt == "json":
        return read_json_array(stream)
    if fmt in DETECTION_FORMATS:
        return read_detection(stream, fmt)
    from .task_formats import LINE_READERS, OBJECT_READERS, read_objects

    if fmt in OBJECT_READERS or fmt in LINE_READERS:  # as task_formats.resolve_import named it
        return read_objects(stream, fmt)
    from .segmentation_formats import SEGMENTATION_READERS, read_segmentation

    if fmt in SEGMENTATION_READERS:
        return read_segmentation(stream, fmt)
    from .text_spans import TEXT_READERS, read_text

    if fmt in TEXT_READERS:
        return read_text(stream, fmt)
    raise ValidationFailed(f"unknown import format {fmt!r}; known: {', '.join(FORMATS)}", field="format")


def read_detection(stream: IO[bytes], fmt: str) -> Iterator[ParsedLine | BadLine]:
    """A COCO JSON, YOLO zip, VOC zip or Ground Truth object-detection output manifest as items.

    A malformed COCO / YOLO / VOC file is one bad line naming the field; a manifest's bad lines
    are reported one by one with their numbers.
    """
    from .coco import read_coco
    from .detection import item_rows
    from .gt_detection import gt_detection_rows
    from .voc import read_voc_zip
    from .yolo import read_yolo_zip

    data = stream.read()
    if fmt == "gt-detection":  # keeps every key of each line, adds the pre-annotations
        return (BadLine(n, row) if isinstance(row, str) else next(read_rows([row], n))
                for n, row in gt_detection_rows(data))
    parse = {"coco": read_coco, "yolo": read_yolo_zip, "voc": read_voc_zip}[fmt]
    try:
        return read_rows(item_rows(parse(data)))
    except ValidationFailed as exc:
        return iter([BadLine(1, exc.message)])
