"""COCO polygons and keypoints, YOLO segmentation, Ground Truth object output: round trips,
regrouping of answered keypoints, task-type dispatch and field-named errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.core.consolidation.majority import Consolidated
from labelworks.core.errors import ValidationFailed
from labelworks.core.formats.coco_keypoints import read_coco_keypoints, write_coco_keypoints
from labelworks.core.formats.coco_shapes import polygon_area, read_coco_polygons, write_coco_polygons
from labelworks.core.formats.gt_objects import gt_object_rows, gt_verification_rows
from labelworks.core.formats.objects import ImageObjects, ObjectDataset, object_item_rows, objects_from_items
from labelworks.core.formats.records import ExportItem
from labelworks.core.formats.task_formats import resolve_export, resolve_import
from labelworks.core.formats.yolo_pose import read_yolo_pose_zip, write_yolo_pose_zip
from labelworks.core.formats.yolo_seg import parse_yolo_seg_lines, read_yolo_seg_zip, write_yolo_seg_zip

# two decimals on images up to 20,000 px: what the YOLO writer's 8 decimals keep exactly
coords = st.integers(0, 400_000).map(lambda n: n // 100 if n % 100 == 0 else n / 100)


def _poly(label: str, pts: list[tuple[float, float]], **extra: Any) -> dict[str, Any]:
    return {"label": label, "vertices": [{"x": x, "y": y} for x, y in pts], **extra}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["car", "road", "sky"]),
                          st.lists(st.tuples(coords, coords), min_size=3, max_size=8)), max_size=6))
def test_yolo_segmentation_round_trips_to_the_hundredth_of_a_pixel(shapes: list[Any]) -> None:
    image = ImageObjects("s3://b/a.jpg", 4000, 4000, tuple(_poly(label, pts) for label, pts in shapes))
    ds = ObjectDataset("polygons", (image,), ("car", "road", "sky"))
    assert read_yolo_seg_zip(write_yolo_seg_zip(ds)) == ds


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["car", "road"]), st.integers(1, 3),
                          st.lists(st.tuples(coords, coords), min_size=3, max_size=6)), max_size=5))
def test_coco_polygons_round_trip_with_their_instances(shapes: list[Any]) -> None:
    objects: list[dict[str, Any]] = []
    for n, (label, rings, pts) in enumerate(shapes):
        for r in range(rings):
            objects.append(_poly(label, [(x + r, y) for x, y in pts], **({"instance": n} if rings > 1 else {})))
    ds = ObjectDataset("polygons", (ImageObjects("a.jpg", 640, 480, tuple(objects)),), ("car", "road"))
    written = write_coco_polygons(ds)
    doc = json.loads(written)
    assert len(doc["annotations"]) == len(shapes)
    assert read_coco_polygons(written) == ds  # instance numbers are the annotation's position
    assert write_coco_polygons(read_coco_polygons(written)) == written


def test_polygon_area_is_the_shoelace_area() -> None:
    assert polygon_area(_poly("a", [(0, 0), (4, 0), (4, 3)])["vertices"]) == 6
    assert polygon_area(_poly("a", [(0, 0), (0, 3), (4, 3), (4, 0)])["vertices"]) == 12


def _coco(annotations: list[dict[str, Any]], categories: list[dict[str, Any]]) -> bytes:
    return json.dumps({"images": [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 100}],
                       "annotations": annotations, "categories": categories}).encode()


def test_several_keypoint_categories_prefix_their_labels() -> None:
    data = _coco([{"id": 1, "image_id": 1, "category_id": 1, "keypoints": [1, 2, 2, 0, 0, 0]},
                  {"id": 2, "image_id": 1, "category_id": 2, "keypoints": [5, 6, 1]},
                  {"id": 3, "image_id": 1, "category_id": 3, "bbox": [1, 1, 2, 2]}],  # a box category: skipped
                 [{"id": 1, "name": "person", "keypoints": ["nose", "tail"], "skeleton": [[1, 2]]},
                  {"id": 2, "name": "dog", "keypoints": ["nose"]}, {"id": 3, "name": "car"}])
    ds = read_coco_keypoints(data)
    assert ds.labels == ("person/nose", "person/tail", "dog/nose")
    assert ds.images[0].objects == ({"label": "person/nose", "x": 1, "y": 2, "instance": 0, "visibility": 2},
                                    {"label": "dog/nose", "x": 5, "y": 6, "instance": 1, "visibility": 1})
    back = json.loads(write_coco_keypoints(ds))
    assert [a["keypoints"] for a in back["annotations"]] == [[1, 2, 2, 0, 0, 0], [5, 6, 1]]
    assert [c["name"] for c in back["categories"]] == ["person", "dog"]
    assert back["categories"][0]["skeleton"] == [[1, 2]]
    again = read_coco_keypoints(write_coco_keypoints(ds))
    assert (again.labels, again.images[0].objects) == (ds.labels, ds.images[0].objects)


def test_keypoints_without_kept_categories_use_the_project_labels() -> None:
    ds = ObjectDataset("keypoints", (ImageObjects("a.jpg", 10, 10, ({"label": "tail", "x": 1, "y": 1},)),),
                       ("nose", "tail"))
    doc = json.loads(write_coco_keypoints(ds))
    assert doc["categories"] == [{"id": 1, "name": "object", "supercategory": "", "keypoints": ["nose", "tail"],
                                  "skeleton": []}]
    assert doc["annotations"][0]["keypoints"] == [0, 0, 0, 1, 1, 2]
    assert doc["annotations"][0]["bbox"] == [1, 1, 0, 0]


@pytest.mark.parametrize(("ann", "field"), [
    ({"keypoints": [1, 2, 3]}, "annotations[0].keypoints[2]: visibility must be 0, 1 or 2, got 3"),
    ({"keypoints": [1, 2]}, "annotations[0].keypoints: expected 1 [x, y, v] triplets"),
    ({"keypoints": ["a", 2, 2]}, "annotations[0].keypoints[0]: expected a number"),
])
def test_bad_keypoints_name_the_field(ann: dict[str, Any], field: str) -> None:
    data = _coco([{"id": 1, "image_id": 1, "category_id": 1, **ann}], [{"id": 1, "name": "p", "keypoints": ["nose"]}])
    with pytest.raises(ValidationFailed, match=field.replace("[", r"\[").replace("]", r"\]")):
        read_coco_keypoints(data)


def test_a_skeleton_must_name_existing_keypoints() -> None:
    data = _coco([], [{"id": 1, "name": "p", "keypoints": ["nose"], "skeleton": [[1, 2]]}])
    with pytest.raises(ValidationFailed, match=r"categories\[0\].skeleton"):
        read_coco_keypoints(data)


def test_answered_keypoints_rejoin_their_people() -> None:
    pre = {"keypoints": [{"label": "nose", "x": 10, "y": 10, "instance": 0}, {"label": "nose", "x": 90, "y": 10, "instance": 1},
                         {"label": "tail", "x": 90, "y": 60, "instance": 1}],
           "inputImageProperties": {"width": 100, "height": 100}}
    item = ExportItem(1, "k", json.dumps({"source-ref": "a.jpg", "lw-pre-annotations": pre}).encode())
    # nose points swapped in order, one moved; a new tail near the first person; a third nose
    item.answer = Consolidated({"keypoints": [{"label": "nose", "x": 88, "y": 12}, {"label": "tail", "x": 12, "y": 50},
                                              {"label": "nose", "x": 11, "y": 10}, {"label": "nose", "x": 50, "y": 99},
                                              {"label": "tail", "x": 91, "y": 61}]}, 1.0)
    (image,) = objects_from_items([item], ("nose", "tail"), "keypoints").images
    assert [o["instance"] for o in image.objects] == [1, 0, 0, -1, 1]


def test_answered_keypoints_without_imported_people_split_in_placing_order() -> None:
    item = ExportItem(1, "k", json.dumps({"source-ref": "a.jpg"}).encode())
    labels = ["nose", "eye", "nose", "eye", "ear", "eye"]  # the first person has no ear
    item.answer = Consolidated({"keypoints": [{"label": x, "x": i, "y": i} for i, x in enumerate(labels)]}, 1.0)
    (image,) = objects_from_items([item], ("nose", "eye", "ear"), "keypoints").images
    assert [o["instance"] for o in image.objects] == [-1, -1, -2, -2, -2, -3]
    doc = json.loads(write_coco_keypoints(ObjectDataset("keypoints", (image,), ("nose", "eye", "ear"))))
    assert [a["keypoints"] for a in doc["annotations"]] == [[0, 0, 2, 1, 1, 2, 0, 0, 0], [2, 2, 2, 3, 3, 2, 4, 4, 2],
                                                            [0, 0, 0, 5, 5, 2, 0, 0, 0]]


def test_items_carry_the_objects_as_pre_annotations() -> None:
    ds = ObjectDataset("polylines", (ImageObjects("a.jpg", 10, 20, (_poly("lane", [(0, 0), (1, 1)]),)),
                                     ImageObjects("b.jpg", None, None)), ("lane",))
    assert object_item_rows(ds) == [
        {"source-ref": "a.jpg", "lw-pre-annotations": {"polylines": [_poly("lane", [(0, 0), (1, 1)])],
                                                       "inputImageProperties": {"width": 10, "height": 20}}},
        {"source-ref": "b.jpg", "lw-pre-annotations": {"polylines": []}}]


def test_yolo_segmentation_lines_name_the_line() -> None:
    with pytest.raises(ValidationFailed, match="a.txt:2: class 3 is not in the class list"):
        parse_yolo_seg_lines("0 0 0 1 0 1 1\n3 0 0 1 0 1 1\n", 10, 10, ["car"], "a.txt")
    with pytest.raises(ValidationFailed, match="a.txt:1: expected 'class x1 y1"):
        parse_yolo_seg_lines("0 0 0 1 0 1\n", 10, 10, ["car"], "a.txt")


def test_gt_object_rows_read_keypoints_and_skip_other_types() -> None:
    lines = [
        {"source-ref": "a.jpg", "p": {"annotations": [{"class_id": 1, "x": 3, "y": 4}],
                                      "image_size": [{"width": 8, "height": 9, "depth": 3}]},
         "p-metadata": {"class-map": {"1": "nose"}, "type": "groundtruth/keypoint"}},
        {"source-ref": "b.jpg", "q": {"annotations": []}, "q-metadata": {"class-map": {}, "type": "groundtruth/polygon"}},
    ]
    data = b"".join(json.dumps(x).encode() + b"\n" for x in lines)
    (n1, first), (n2, second) = gt_object_rows(data, "keypoints")
    assert (n1, n2) == (1, 2)
    assert isinstance(first, dict) and first["lw-pre-annotations"] == {
        "keypoints": [{"label": "nose", "x": 3, "y": 4}], "inputImageProperties": {"width": 8, "height": 9}}
    assert second == lines[1]  # no keypoint label on it: imported as it is


def test_gt_verification_rows_keep_the_verdicts() -> None:
    line = {"source-ref": "a.jpg", "v": 1, "v-metadata": {"class-name": "No", "confidence": 0.5,
                                                            "type": "groundtruth/label-verification",
                                                            "worker-feedback": [{"comment": "blurry"}]}}
    ((_, row),) = gt_verification_rows(json.dumps(line).encode())
    assert isinstance(row, dict)
    assert row["lw-verifications"] == [{"attribute": "v", "verdict": "No", "confidence": 0.5, "job-name": None,
                                        "comments": ["blurry"]}]
    ((_, bad),) = gt_verification_rows(json.dumps({**line, "v": "1"}).encode())
    assert bad == "v: expected the verdict's class id (a whole number)"


@pytest.mark.parametrize(("fmt", "task_type", "kind", "internal"), [
    ("coco", "bounding-box", "boxes", "coco"), ("coco", "polygon", "polygons", "coco/polygons"),
    ("coco", "keypoint", "keypoints", "coco/keypoints"), ("yolo", "polygon", "polygons", "yolo/polygons"),
    ("gt-objects", "line", "lines", "gt-objects/lines"), ("gt-objects", "bounding-box", "boxes", "gt-detection"),
    ("manifest", "polygon", "polygons", "manifest"), ("gt-verification", "label-verification", "label", "gt-verification"),
])
def test_a_format_means_what_the_task_type_has(fmt: str, task_type: str, kind: str, internal: str) -> None:
    assert resolve_import(fmt, task_type, kind) == internal


def test_a_format_that_does_not_fit_names_the_task_type_and_its_formats() -> None:
    with pytest.raises(ValidationFailed) as err:
        resolve_import("voc", "keypoint", "keypoints")
    assert err.value.message == ("--format voc does not fit a keypoint project; a keypoint project imports "
                                 "manifest, csv, tsv, json, coco, yolo, gt-objects")
    with pytest.raises(ValidationFailed, match="a line project exports manifest, jsonl, csv$"):
        resolve_export("yolo", "line", "lines")
    assert resolve_export("yolo", "polygon", "polygons") == "yolo/polygons"


def _pose_zip(files: dict[str, str]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


def test_a_plain_ultralytics_pose_zip_reads_by_kpt_shape() -> None:
    data = _pose_zip({"data.yaml": "kpt_shape: [2, 3]\nnames:\n  0: person\n",
                      "images.jsonl": '{"image": "a.jpg", "width": 200, "height": 100, "labels": "labels/a.txt"}\n',
                      "labels/a.txt": "0 0.5 0.5 0.2 0.4 0.5 0.25 2 0 0 0\n"})
    ds = read_yolo_pose_zip(data)
    assert ds.labels == ("kp1", "kp2")
    assert ds.images[0].objects == ({"label": "kp1", "x": 100, "y": 25, "instance": 0, "visibility": 2},)
    assert ds.images[0].meta == {"coco": {"categories": [{"name": "person", "supercategory": "", "keypoints": ["kp1", "kp2"],
                                                          "skeleton": []}],
                                          "instances": [{"category": "person", "bbox": [80, 30, 40, 40]}]}}
    written = write_yolo_pose_zip(ds)
    assert write_yolo_pose_zip(read_yolo_pose_zip(written)) == written


def test_yolo_pose_lines_name_the_line() -> None:
    data = _pose_zip({"classes.txt": "person\n", "keypoints.txt": "nose\ntail\n",
                      "images.jsonl": '{"image": "a.jpg", "width": 200, "height": 100, "labels": "labels/a.txt"}\n',
                      "labels/a.txt": "0 0.5 0.5 0.2 0.4 0.5 0.25 2\n"})
    with pytest.raises(ValidationFailed, match=r"labels/a.txt:1: expected 'class cx cy w h' and 2 keypoints of 3 numbers"):
        read_yolo_pose_zip(data)
    with pytest.raises(ValidationFailed, match="needs keypoints.txt"):
        read_yolo_pose_zip(_pose_zip({"classes.txt": "person\n", "images.jsonl": ""}))


def test_coco_polygons_carry_attributes_as_cvat_does() -> None:
    shape = _poly("car", [(0, 0), (10, 0), (10, 8)], labelCategoryAttributes={"occluded": "yes", "parts": 2})
    ds = ObjectDataset("polygons", (ImageObjects("a.jpg", 640, 480, (shape,)),), ("car",))
    written = write_coco_polygons(ds)
    assert json.loads(written)["annotations"][0]["attributes"] == {"occluded": "yes", "parts": 2}
    assert read_coco_polygons(written) == ds
    answer = Consolidated(value={"polygons": [shape], "inputImageProperties": {"width": 640, "height": 480}},
                          confidence=1.0)
    item = ExportItem(1, "k", json.dumps({"source-ref": "a.jpg"}).encode(), answer=answer)
    assert objects_from_items([item], ["car"], "polygons").images[0].objects == (shape,)
