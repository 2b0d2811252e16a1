"""Readers: manifests and CSV, line numbers as an editor shows them, BOM, blank lines."""

from __future__ import annotations

import io
from typing import Any

import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.core.formats.readers import detect_format, read_csv, read_file, read_manifest, read_rows, scan_file
from labelworks.core.formats.records import BadLine, ParsedLine


def _read(reader: Any, data: bytes) -> list[ParsedLine | BadLine]:
    return list(reader(io.BytesIO(data)))


def _bad(lines: list[ParsedLine | BadLine]) -> dict[int, str]:
    return {b.line_no: b.reason for b in lines if isinstance(b, BadLine)}


def _good(lines: list[ParsedLine | BadLine]) -> list[tuple[int, dict[str, Any]]]:
    return [(p.line_no, p.data) for p in lines if isinstance(p, ParsedLine)]


MANIFEST = (
    b'{"source": "first"}\n'
    b"\n"
    b'{"source-ref": "s3://bucket/a.jpg", "meta": {"x": 1}}\n'
    b"{not json}\n"
    b'{"other": "no source"}\n'
    b"[1, 2]\n"
    b'{"source": ""}\n'
    b"   \n"
    b'{"text": "plain text key"}\n'
)


def test_manifest_line_numbers_count_blank_lines() -> None:
    lines = _read(read_manifest, MANIFEST)
    assert _good(lines) == [(1, {"source": "first"}), (3, {"source-ref": "s3://bucket/a.jpg", "meta": {"x": 1}}),
                            (9, {"text": "plain text key"})]
    bad = _bad(lines)
    assert sorted(bad) == [4, 5, 6, 7]
    assert "not valid JSON" in bad[4]
    assert "source" in bad[5] and "source-ref" in bad[5]
    assert "expected a JSON object" in bad[6]


def test_scan_pass_agrees_with_the_read_pass() -> None:
    scanned = list(scan_file(io.BytesIO(MANIFEST), "manifest"))
    read = _read(read_manifest, MANIFEST)
    assert [(s.line_no, s.reason) if s else None for s in scanned] == [
        (r.line_no, r.reason) if isinstance(r, BadLine) else None for r in read]


def test_manifest_bom_and_crlf() -> None:
    lines = _read(read_manifest, b'\xef\xbb\xbf{"source": "a"}\r\n{"source": "b"}\r\n')
    assert _good(lines) == [(1, {"source": "a"}), (2, {"source": "b"})]
    assert list(scan_file(io.BytesIO(b'\xef\xbb\xbf{"source": "a"}\n'), "manifest")) == [None]


def test_manifest_lines_are_kept_verbatim() -> None:
    raw = b'{"source":"x",  "z": 1, "a": [1,2]}'
    (line,) = _read(read_manifest, raw + b"\n")
    assert isinstance(line, ParsedLine)
    assert line.raw == raw


CSV = (
    b"source,category\n"
    b"hello,a\n"
    b"\n"
    b"world,b\n"
    b"only-one-column\n"
    b",c\n"
    b'"multi\nline",d\n'
    b"after,e\n"
)


def test_csv_line_numbers_count_the_header() -> None:
    lines = _read(read_csv, CSV)
    assert _good(lines)[:2] == [(2, {"source": "hello", "category": "a"}), (4, {"source": "world", "category": "b"})]
    bad = _bad(lines)
    assert "expected 2 columns, found 1" in bad[5]
    assert "source" in bad[6]
    good = dict(_good(lines))
    assert good[8] == {"source": "multi\nline", "category": "d"}  # a quoted newline: the row ends on line 8
    assert good[9] == {"source": "after", "category": "e"}


def test_csv_bom_and_one_column_file() -> None:
    lines = _read(read_csv, b"\xef\xbb\xbfsource\nx\ny\n")
    assert _good(lines) == [(2, {"source": "x"}), (3, {"source": "y"})]
    lines = _read(read_csv, b"sentence\nfirst\nsecond\n")  # one column of anything: a list of sources
    assert _good(lines) == [(2, {"source": "first"}), (3, {"source": "second"})]


@pytest.mark.parametrize(("data", "reason"), [
    (b"a,b\n1,2\n", "needs a column named"),
    (b"source,source\nx,y\n", "repeats a column"),
    (b"\xff\xfesource\nx\n", "not UTF-8"),
])
def test_csv_header_problems(data: bytes, reason: str) -> None:
    bad = _bad(_read(read_csv, data))
    assert bad and reason in next(iter(bad.values()))


def test_csv_invalid_utf8_names_its_own_line_and_keeps_the_others() -> None:
    lines = _read(read_csv, b"source\nfirst\nbad \xff byte\nlast\n")
    assert list(_bad(lines)) == [3]
    assert _good(lines) == [(2, {"source": "first"}), (4, {"source": "last"})]


def test_empty_csv_has_no_lines() -> None:
    assert _read(read_csv, b"") == []


def test_rows_and_json_arrays() -> None:
    lines = list(read_rows([{"source": "a"}, {"x": 1}, "text"]))
    assert _good(lines) == [(1, {"source": "a"})]
    assert sorted(_bad(lines)) == [2, 3]
    lines = list(read_file(io.BytesIO(b'[{"source": "a"}, {"source": ""}]'), "json"))
    assert _good(lines) == [(1, {"source": "a"})] and sorted(_bad(lines)) == [2]
    assert "array" in _bad(list(read_file(io.BytesIO(b'{"source": "a"}'), "json")))[1]
    assert "not valid JSON" in _bad(list(read_file(io.BytesIO(b"[{"), "json")))[1]


def test_unknown_format_names_the_field() -> None:
    with pytest.raises(ValidationFailed) as info:
        read_file(io.BytesIO(b""), "xml")
    assert info.value.field == "format"


@pytest.mark.parametrize(("name", "head", "fmt"), [
    ("data.jsonl", b"", "manifest"),
    ("data.manifest", b"", "manifest"),
    ("data.csv", b"source\n", "csv"),
    ("upload", b'\xef\xbb\xbf  [{"source": 1}]', "json"),
    ("upload", b'{"source": "a"}', "manifest"),
    ("data.json", b"", "json"),
    ("upload", b"source\nabc", "csv"),
])
def test_detect_format(name: str, head: bytes, fmt: str) -> None:
    assert detect_format(name, head) == fmt
