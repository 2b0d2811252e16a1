"""The streaming pieces the dataset exports are built from give the bytes zipfile and orjson give."""

from __future__ import annotations

import io
import os
import zipfile

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.core.formats.streaming import (DiskList, Streamed, UniqueStems, ZipStream, closing, indented_array,
                                               indented_document, rechunk)
from labelworks.core.formats.detection import file_stems

EPOCH = (1980, 1, 1, 0, 0, 0)


def _zipfile_bytes(members: list[tuple[str, bytes, bool]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, compress in members:
            zf.writestr(zipfile.ZipInfo(name, EPOCH), data, zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)
    return buf.getvalue()


def test_a_streamed_zip_is_what_zipfile_writes() -> None:
    index = b"".join(orjson.dumps({"image": f"s3://b/{i}.jpg", "n": i}) + b"\n" for i in range(20_000))
    members = [("classes.txt", b"car\nperson\n", True), ("labels/straße-ü.txt", b"0 0.5 0.5 0.1 0.1\n" * 40, True),
               ("masks/a.png", os.urandom(5000), False), ("empty.txt", b"", True)]
    out = ZipStream(EPOCH)
    pieces = [out.member(name, data, compress=compress) for name, data, compress in members]
    pieces += out.member_from("images.jsonl", (index[i:i + 999] for i in range(0, len(index), 999)))
    pieces += out.close()
    data = b"".join(pieces)
    assert data == _zipfile_bytes([*members, ("images.jsonl", index, True)])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        assert zf.read("images.jsonl") == index and zf.read("labels/straße-ü.txt").startswith(b"0 0.5")


def test_past_65535_members_the_zip64_end_record_is_written_as_zipfile_does() -> None:
    members = [(f"labels/{i}.txt", b"", True) for i in range(65_600)]
    out = ZipStream(EPOCH)
    data = b"".join([*(out.member(n, d) for n, d, _ in members), *out.close()])
    assert data == _zipfile_bytes(members)
    assert b"PK\x06\x06" in data[-200:]  # zip64 end of central directory
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert len(zf.infolist()) == 65_600


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(head=st.dictionaries(st.text(max_size=5), json_values, max_size=3), rows=st.lists(json_values, max_size=5),
       tail=json_values)
def test_documents_written_piece_by_piece_are_orjson_indented(head: dict, rows: list, tail: object) -> None:
    doc = {"info": head, "images": rows, "categories": tail}
    whole = orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"
    fields = [("info", head), ("images", Streamed(iter(rows))), ("categories", tail)]
    assert b"".join(indented_document(fields)) == whole
    assert b"".join(indented_array(iter(rows))) == orjson.dumps(rows, option=orjson.OPT_INDENT_2) + b"\n"


def test_a_disk_list_reads_back_in_order_as_often_as_needed() -> None:
    spool = DiskList()
    for i in range(1000):
        spool.append([f"item-{i}", i * 0.5, {"k": [i]}])
    assert len(spool) == 1000
    first, second = list(spool), list(spool.mapped(lambda row: row[0]))
    assert first[999] == ["item-999", 499.5, {"k": [999]}] and second[:2] == ["item-0", "item-1"]
    spool.append(["late", 0, {}])  # appends go on after a read
    assert list(spool)[-1] == ["late", 0, {}] and len(list(spool)) == 1001
    spool.close()


def test_stems_and_chunks() -> None:
    refs = ["a/0001.jpg", "b/0001.jpg", "0001.png", "x/", "s3://b/c.jpg?v=1"]
    stems = UniqueStems()
    assert [stems(r) for r in refs] == file_stems(refs)
    chunks = list(rechunk([b"x" * 1000] * 200 + [b"y" * 70_000, b"z"], size=64 * 1024))
    assert [len(c) for c in chunks] == [65_000, 65_000, 65_000, 5_000, 70_000, 1]


def test_the_spool_goes_when_the_reader_stops_early() -> None:
    spool = DiskList()
    for i in range(3000):
        spool.append([i, "x" * 50])
    chunks = closing((orjson.dumps(row) for row in spool), spool)
    first = next(chunks)
    assert 0 < len(first) <= 64 * 1024
    chunks.close()  # a dropped download: the generator is closed
    assert spool._fh.closed
