"""COCO, YOLO and Pascal VOC detection: lossless round trips and field-named errors."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from labelworks.core.consolidation.majority import Consolidated
from labelworks.core.errors import ValidationFailed
from labelworks.core.formats.coco import read_coco, write_coco
from labelworks.core.formats.detection import Dataset, ImageBoxes, dataset_from_items, file_stems, item_rows
from labelworks.core.formats.gt_detection import gt_detection_rows
from labelworks.core.formats.records import ExportItem
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.bounding_box import BOUNDING_BOX
from labelworks.core.formats.voc import read_voc_xml, read_voc_zip, write_voc_xml, write_voc_zip
from labelworks.core.formats.yolo import parse_yolo_lines, read_yolo_zip, write_yolo_zip, yolo_lines


def _box(label: str, left: float, top: float, width: float, height: float) -> dict[str, Any]:
    return {"label": label, "left": left, "top": top, "width": width, "height": height}


SAMPLE = Dataset(
    images=(
        ImageBoxes("s3://bucket/a/0001.jpg", 640, 480, (_box("car", 10, 20, 100, 50), _box("person", 300.5, 40.25, 60, 200))),
        ImageBoxes("s3://bucket/b/0001.jpg", 1920, 1080, (_box("car", 0, 0, 1920, 1080),)),  # same file name
        ImageBoxes("images/empty.png", 32, 16, ()),
        ImageBoxes("https://example.org/x.jpg?sig=1", 4000, 3000, (_box("bike", 3999.99, 2999.99, 0.01, 0.01),)),
    ),
    labels=("car", "person", "bike", "unused"),
)

boxes_st = st.builds(
    _box,
    st.sampled_from(["a", "b", "c"]),
    st.integers(0, 150_000).map(lambda v: v / 100),
    st.integers(0, 150_000).map(lambda v: v / 100),
    st.integers(1, 50_000).map(lambda v: v / 100),
    st.integers(1, 50_000).map(lambda v: v / 100),
).map(lambda b: {k: (int(v) if isinstance(v, float) and v.is_integer() else v) for k, v in b.items()})
datasets_st = st.lists(
    st.builds(ImageBoxes, st.sampled_from(["p/1.jpg", "q/1.jpg", "2.png", "s3://b/3.jpg"]),
              st.integers(2000, 20_000), st.integers(2000, 20_000), st.lists(boxes_st, max_size=6).map(tuple)),
    max_size=5,
).map(lambda images: Dataset(tuple(images), ("a", "b", "c")))


# --- COCO ------------------------------------------------------------------------------------


def test_coco_round_trip_is_lossless() -> None:
    written = write_coco(SAMPLE)
    assert read_coco(written) == SAMPLE
    assert write_coco(read_coco(written)) == written
    doc = json.loads(written)
    assert [c["id"] for c in doc["categories"]] == [1, 2, 3, 4]
    first = doc["annotations"][1]
    assert first == {"id": 2, "image_id": 1, "category_id": 2, "bbox": [300.5, 40.25, 60, 200], "area": 12000.0,
                     "iscrowd": 0, "segmentation": []}


@settings(max_examples=40, deadline=None)
@given(datasets_st)
def test_coco_round_trip_property(ds: Dataset) -> None:
    assert read_coco(write_coco(ds)) == ds


def test_coco_from_another_tool() -> None:
    doc = {
        "images": [{"id": "img-7", "file_name": "7.jpg", "width": 10, "height": 10},
                   {"id": 3, "coco_url": "http://x/3.jpg", "width": 0, "height": 0}],
        "categories": [{"id": 5, "name": "dog"}, {"id": 2, "name": "cat"}],
        "annotations": [{"id": 1, "image_id": 3, "category_id": 5, "bbox": [1.0, 2.5, 3, 4.0],
                         "segmentation": [[1, 2, 3, 4, 5, 6]], "iscrowd": 0, "area": 12}],
    }
    ds = read_coco(json.dumps(doc).encode())
    assert ds.labels == ("cat", "dog")  # by category id
    assert ds.images == (ImageBoxes("7.jpg", 10, 10, ()),
                         ImageBoxes("http://x/3.jpg", None, None, (_box("dog", 1, 2.5, 3, 4),)))


def _coco(**change: Any) -> bytes:
    doc: dict[str, Any] = {"images": [{"id": 1, "file_name": "a.jpg", "width": 5, "height": 5}],
                           "categories": [{"id": 1, "name": "car"}],
                           "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}]}
    doc.update(change)
    return json.dumps(doc).encode()


@pytest.mark.parametrize(("data", "field"), [
    (b"{", "file"),
    (b"[]", "file"),
    (_coco(images={}), "images"),
    (_coco(images=[{"id": 1, "width": 5, "height": 5}]), "images[0].file_name"),
    (_coco(images=[{"id": 1, "file_name": "a", "width": 5.5, "height": 5}]), "images[0].width"),
    (_coco(images=[{"id": 1, "file_name": "a"}, {"id": 1, "file_name": "b"}]), "images[1].id"),
    (_coco(categories=[{"id": 1}]), "categories[0].name"),
    (_coco(annotations=[{"image_id": 9, "category_id": 1, "bbox": [0, 0, 1, 1]}]), "annotations[0].image_id"),
    (_coco(annotations=[{"image_id": 1, "category_id": 2, "bbox": [0, 0, 1, 1]}]), "annotations[0].category_id"),
    (_coco(annotations=[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1]}]), "annotations[0].bbox"),
    (_coco(annotations=[{"image_id": 1, "category_id": 1, "bbox": [0, "0", 1, 1]}]), "annotations[0].bbox[1]"),
    (_coco(annotations=[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 0, 1]}]), "annotations[0].bbox"),
])
def test_coco_errors_name_the_field(data: bytes, field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        read_coco(data)
    assert info.value.field == field


# --- YOLO ------------------------------------------------------------------------------------


def test_yolo_round_trip_is_lossless() -> None:
    written = write_yolo_zip(SAMPLE)
    assert read_yolo_zip(written) == SAMPLE
    assert write_yolo_zip(read_yolo_zip(written)) == written  # deterministic bytes
    with zipfile.ZipFile(io.BytesIO(written)) as zf:
        assert zf.read("classes.txt") == b"car\nperson\nbike\nunused\n"
        assert sorted(n for n in zf.namelist() if n.startswith("labels/")) == [
            "labels/0001-2.txt", "labels/0001.txt", "labels/empty.txt", "labels/x.txt"]
        assert zf.read("labels/0001.txt") == b"0 0.09375 0.09375 0.15625 0.10416667\n1 0.51640625 0.2921875 0.09375 0.41666667\n"


@settings(max_examples=40, deadline=None)
@given(datasets_st)
def test_yolo_round_trip_property(ds: Dataset) -> None:
    # 8 decimals of a normalised value are finer than 0.005 px up to 20,000 px a side
    assert read_yolo_zip(write_yolo_zip(ds)) == ds


def test_yolo_lines_match_the_definition() -> None:
    text = yolo_lines([_box("b", 20, 10, 40, 20)], 200, 100, ["a", "b"])
    assert text == "1 0.2 0.2 0.2 0.2\n"
    assert parse_yolo_lines(text, 200, 100, ["a", "b"], "x") == [_box("b", 20, 10, 40, 20)]


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_yolo_ultralytics_zip_takes_sizes_from_the_images() -> None:
    png = io.BytesIO()
    Image.new("RGB", (200, 100)).save(png, format="PNG")
    data = _zip({"classes.txt": b"a\nb\n", "labels/cat1.txt": b"1 0.5 0.5 0.5 0.5\n\n0 0.1 0.1 0.2 0.2\n",
                 "images/cat1.png": png.getvalue()})
    ds = read_yolo_zip(data)
    assert ds.labels == ("a", "b")
    assert ds.images == (ImageBoxes("images/cat1.png", 200, 100, (_box("b", 50, 25, 100, 50), _box("a", 0, 0, 40, 20))),)


@pytest.mark.parametrize(("files", "field"), [
    ({"labels/a.txt": b""}, "classes.txt"),
    ({"classes.txt": b"a\n", "labels/a.txt": b"0 0.5 0.5 0.1 0.1\n"}, "labels/a.txt"),  # no size known
    ({"classes.txt": b"a\n", "images.jsonl": b'{"image": "a.jpg", "width": 10, "height": 10, "labels": "labels/a.txt"}\n',
      "labels/a.txt": b"0 0.5 0.5 0.1 0.1\n1 0.5 0.5 0.1 0.1\n"}, "labels/a.txt:2"),  # class 1 of 1
    ({"classes.txt": b"a\n", "images.jsonl": b'{"image": "a.jpg", "width": 10, "height": 10, "labels": "labels/a.txt"}\n',
      "labels/a.txt": b"0 0.5 0.5 0.1 0.1 0.3\n"}, "labels/a.txt:1"),  # a polygon, not a box
    ({"classes.txt": b"a\n", "images.jsonl": b'{"image": "a.jpg", "width": 10, "height": 10, "labels": "labels/a.txt"}\n',
      "labels/a.txt": b"0 0.5 x 0.1 0.1\n"}, "labels/a.txt:1"),
    ({"classes.txt": b"a\n", "images.jsonl": b'{"image": "a.jpg", "width": 10, "height": 10, "labels": "labels/a.txt"}\n',
      "labels/a.txt": b"0 0.5 0.5 0 0.1\n"}, "labels/a.txt:1"),
    ({"classes.txt": b"a\n", "images.jsonl": b'{"image": "a.jpg", "width": 0, "height": 10}\n'}, "images.jsonl:1"),
    ({"classes.txt": b"a\n", "images.jsonl": b'{"image": "a.jpg", "width": 5, "height": 10, "labels": "nope.txt"}\n'},
     "images.jsonl:1"),
    ({"classes.txt": b"a\n", "images.jsonl": b"\n{not json\n"}, "images.jsonl:2"),
])
def test_yolo_errors_name_the_file_and_line(files: dict[str, bytes], field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        read_yolo_zip(_zip(files))
    assert info.value.field == field


def test_voc_zip_without_annotations_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="no .xml"):
        read_voc_zip(_zip({"README": b"hi"}))


def test_yolo_needs_a_zip_and_image_sizes() -> None:
    with pytest.raises(ValidationFailed, match="zip"):
        read_yolo_zip(b"0 0.5 0.5 0.1 0.1\n")
    with pytest.raises(ValidationFailed, match="size"):
        write_yolo_zip(Dataset((ImageBoxes("a.jpg", None, None, ()),), ()))


# --- Pascal VOC ------------------------------------------------------------------------------


def test_voc_round_trip_is_lossless() -> None:
    for image in SAMPLE.images:
        assert read_voc_xml(write_voc_xml(image)) == image
    written = write_voc_zip(SAMPLE)
    assert read_voc_zip(written) == SAMPLE
    assert write_voc_zip(read_voc_zip(written)) == written
    xml = write_voc_xml(SAMPLE.images[0]).decode()
    assert "<filename>0001.jpg</filename>" in xml and "<path>s3://bucket/a/0001.jpg</path>" in xml
    assert "<xmin>300.5</xmin>" in xml and "<xmax>360.5</xmax>" in xml and "<ymax>240.25</ymax>" in xml


@settings(max_examples=40, deadline=None)
@given(datasets_st)
def test_voc_round_trip_property(ds: Dataset) -> None:
    # corners are rounded to a millionth of a pixel, which undoes x + w - x float noise
    assert read_voc_zip(write_voc_zip(ds)) == ds


def test_voc_from_labelimg() -> None:
    xml = b"""<annotation><folder>JPEGImages</folder><filename>2007_000027.jpg</filename>
      <size><width>486</width><height>500</height><depth>3</depth></size>
      <object><name>person</name><difficult>0</difficult>
        <bndbox><xmin>174</xmin><ymin>101</ymin><xmax>349</xmax><ymax>351</ymax></bndbox></object>
    </annotation>"""
    assert read_voc_xml(xml) == ImageBoxes("JPEGImages/2007_000027.jpg", 486, 500, (_box("person", 174, 101, 175, 250),))


@pytest.mark.parametrize(("xml", "field"), [
    (b"<annotation>", "annotation"),
    (b"<root/>", "annotation"),
    (b"<annotation><object><name>a</name></object></annotation>", "annotation/filename"),
    (b"<annotation><filename>a</filename><object><bndbox/></object></annotation>", "annotation/object[1]/name"),
    (b"<annotation><filename>a</filename><object><name>a</name></object></annotation>", "annotation/object[1]/bndbox"),
    (b"<annotation><filename>a</filename><object><name>a</name><bndbox><xmin>1</xmin><ymin>1</ymin>"
     b"<xmax>x</xmax><ymax>2</ymax></bndbox></object></annotation>", "annotation/object[1]/bndbox/xmax"),
    (b"<annotation><filename>a</filename><object><name>a</name><bndbox><xmin>1</xmin><ymin>1</ymin>"
     b"<xmax>1</xmax><ymax>2</ymax></bndbox></object></annotation>", "annotation/object[1]/bndbox"),
    (b"<annotation><filename>a</filename><size><width>1.5</width></size></annotation>", "annotation/size/width"),
    (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><annotation><filename>&x;</filename></annotation>',
     "annotation"),
])
def test_voc_errors_name_the_element(xml: bytes, field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        read_voc_xml(xml)
    assert info.value.field == field


def test_item_rows_carry_pre_annotations() -> None:
    rows = item_rows(SAMPLE)
    assert rows[0] == {"source-ref": "s3://bucket/a/0001.jpg", "lw-pre-annotations": {
        "boundingBoxes": list(SAMPLE.images[0].boxes), "inputImageProperties": {"width": 640, "height": 480}}}
    assert file_stems(["a/x.jpg", "b/x.png", "x", "https://h/?q"]) == ["x", "x-2", "x-3", "image"]


def _item(item_id: int, data: dict[str, Any], answer: dict[str, Any] | None = None) -> ExportItem:
    done = Consolidated(value=answer, confidence=1.0, votes=2, method="box-iou-consensus") if answer else None
    return ExportItem(id=item_id, key=str(item_id), data_raw=json.dumps(data).encode(), answer=done)


def test_dataset_from_items_prefers_the_answer_then_the_pre_annotations() -> None:
    pre = {"boundingBoxes": [_box("b", 1, 2, 3, 4)], "inputImageProperties": {"width": 10, "height": 10}}
    items = [
        _item(1, {"source-ref": "a.jpg", "lw-pre-annotations": pre}, {"boxes": [{**_box("a", 0, 0, 5, 5), "x": 1}]}),
        _item(2, {"source-ref": "b.jpg", "lw-pre-annotations": pre}),
        _item(3, {"source": "c.jpg"}),
    ]
    ds = dataset_from_items(items, ["a", "b"])
    assert ds == Dataset((ImageBoxes("a.jpg", 10, 10, (_box("a", 0, 0, 5, 5),)),  # size from the pre-annotations
                          ImageBoxes("b.jpg", 10, 10, (_box("b", 1, 2, 3, 4),)),
                          ImageBoxes("c.jpg", None, None, ())), ("a", "b"))


@pytest.mark.parametrize(("pre", "where"), [
    ({"boxes": "car"}, "item 7: lw-pre-annotations.boxes"),
    ({"boxes": [{"left": 1}]}, "item 7: lw-pre-annotations.boxes[0]"),
    ({"boxes": [{**_box("a", 0, 0, 1, 1), "top": "x"}]}, "item 7: lw-pre-annotations.boxes[0].top"),
    ({"boxes": [_box("a", 0, 0, 0, 1)]}, "item 7: lw-pre-annotations.boxes[0]"),
    ({"boxes": [], "inputImageProperties": {"width": 1.5, "height": 2}}, "item 7: lw-pre-annotations.inputImageProperties.width"),
    ({"boundingBoxes": [{"label": "a"}]}, "item 7: lw-pre-annotations.boundingBoxes[0].left"),
])
def test_malformed_pre_annotations_fail_the_export_naming_the_item(pre: dict[str, Any], where: str) -> None:
    with pytest.raises(ValidationFailed, match=re.escape(where)):
        dataset_from_items([_item(7, {"source-ref": "a.jpg", "lw-pre-annotations": pre})], ["a"])


# --- Ground Truth object-detection output manifests ------------------------------------------


def test_gt_detection_lines_become_pre_annotations_and_keep_their_keys() -> None:
    spec = ProjectSpec(labels=parse_label_config(["car", "person"]), job_name="street", label_attribute="street")
    answer = Consolidated(value={"boxes": [_box("person", 300.5, 40.25, 60, 200)],
                                 "inputImageProperties": {"width": 640, "height": 480}},
                          confidence=0.9, votes=3, method="box-iou-consensus", object_confidence=(0.9,))
    line = {"source-ref": "s3://b/a.jpg", "id": 7, **BOUNDING_BOX.output_fields(answer, spec, "t")}
    data = b"\n".join([json.dumps(line).encode(), b"", b'{"source-ref": "s3://b/plain.jpg"}'])
    (n1, row1), (n3, row3) = gt_detection_rows(data)
    assert (n1, n3) == (1, 3)
    assert isinstance(row1, dict) and row1["lw-pre-annotations"] == {
        "boundingBoxes": [_box("person", 300.5, 40.25, 60, 200)], "inputImageProperties": {"width": 640, "height": 480}}
    assert row1["id"] == 7 and row1["street"] == line["street"]  # every key of the line stays
    assert row3 == {"source-ref": "s3://b/plain.jpg"}


def test_gt_detection_bad_lines_are_named() -> None:
    meta = {"type": "groundtruth/object-detection", "class-map": {"0": "car"}}
    ann = {"class_id": 0, "left": 1, "top": 1, "width": 2, "height": 2}
    lines = [
        {"source-ref": "a", "bb": {"annotations": [ann, {**ann, "class_id": 3}]}, "bb-metadata": meta},
        {"source-ref": "a", "bb": {"annotations": [{**ann, "left": "1"}]}, "bb-metadata": meta},
        {"source-ref": "a", "bb": {"annotations": [ann]}, "bb-metadata": {**meta, "class-map": None}},
        {"source-ref": "a", "x": {}, "x-metadata": meta, "y": {}, "y-metadata": meta},
    ]
    data = b"\n".join(json.dumps(x).encode() for x in lines) + b"\n{oops\n[1]\n"
    got = list(gt_detection_rows(data))
    assert got == [
        (1, "bb.annotations[1].class_id: 3 is not in the class-map"),
        (2, "bb.annotations[0].left: expected a number, got '1'"),
        (3, "bb-metadata.class-map: expected an object"),
        (4, "several object-detection labels (x, y); keep one"),
        (5, got[4][1]),
        (6, "expected a JSON object"),
    ]
    assert str(got[4][1]).startswith("not valid JSON")
