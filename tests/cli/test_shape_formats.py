"""Polygon and keypoint projects through the CLI: ``import --format coco|yolo`` then ``export`` in the
same format gives the same annotations back; a format that does not fit the task type is refused."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pycocotools import mask as mask_utils

from labelworks.core.formats.coco_keypoints import read_coco_keypoints
from labelworks.core.formats.coco_shapes import read_coco_polygons, write_coco_polygons
from labelworks.core.formats.objects import ImageObjects, ObjectDataset
from labelworks.core.formats.yolo_seg import read_yolo_seg_zip, write_yolo_seg_zip
from labelworks.db.engine import Database
from labelworks.services import accounts, annotations, assignments


def _poly(label: str, *xy: float, instance: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"label": label, "vertices": [{"x": xy[k], "y": xy[k + 1]} for k in range(0, len(xy), 2)]}
    if instance is not None:
        out["instance"] = instance
    return out


POLYGONS = ObjectDataset("polygons", (
    ImageObjects("s3://bucket/street/0001.jpg", 640, 480, (
        _poly("car", 10, 20, 110.5, 20, 110.5, 70.25, 10, 70),
        # one car hidden behind a pole: two rings, one annotation
        _poly("car", 200, 100, 260, 100, 260, 160, instance=1), _poly("car", 280, 100, 330, 100, 300, 160, instance=1),
        _poly("road", 0, 400, 639, 400, 639, 479, 0, 479))),
    ImageObjects("s3://bucket/park/0001.jpg", 1920, 1080, ()),
), ("car", "road"))

# a COCO keypoints file as the field writes them: two people, one with an occluded wrist (v=1)
# and an unlabeled ankle (v=0), a skeleton on the category, boxes and segmentation on the people
PEOPLE = {
    "images": [{"id": 7, "file_name": "crowd/0001.jpg", "width": 640, "height": 480},
               {"id": 8, "file_name": "crowd/0002.jpg", "width": 640, "height": 480}],
    "annotations": [
        {"id": 1, "image_id": 7, "category_id": 1, "keypoints": [100, 50, 2, 90, 120, 1, 0, 0, 0],
         "num_keypoints": 2, "bbox": [60, 30, 100, 300], "area": 21000.5, "iscrowd": 0,
         "segmentation": [[60, 30, 160, 30, 160, 330, 60, 330]]},
        {"id": 2, "image_id": 7, "category_id": 1, "keypoints": [400, 60, 2, 410, 130, 2, 405, 300, 2],
         "num_keypoints": 3, "bbox": [350, 40, 120, 290], "area": 30000, "iscrowd": 0,
         "segmentation": [[350, 40, 470, 40, 470, 330, 350, 330]]},
    ],
    "categories": [{"id": 1, "name": "person", "supercategory": "person", "keypoints": ["nose", "wrist", "ankle"],
                    "skeleton": [[1, 2], [2, 3]]}],
}


def _submit(db: Database, email: str, project: int, value: dict[str, Any]) -> None:
    actor = accounts.actor_for(accounts.find_user(db, email))
    lease = assignments.next_for(db, actor, project)
    assert lease is not None
    annotations.submit(db, actor, lease.assignment_id, value)


@pytest.fixture
def polygon_project(make_project: Callable[..., int]) -> int:
    return make_project("--workers-per-item", "1", name="Street", task_type="polygon", labels="car,road")


@pytest.mark.parametrize("fmt", ["coco", "yolo"])
def test_polygons_import_then_export_the_same(cli, polygon_project: int, tmp_path: Path, fmt: str) -> None:
    write, read, name = {"coco": (write_coco_polygons, read_coco_polygons, "in.json"),
                         "yolo": (write_yolo_seg_zip, read_yolo_seg_zip, "in.zip")}[fmt]
    source = tmp_path / name
    source.write_bytes(write(POLYGONS))
    assert "2 lines: 2 items created" in cli("import", str(polygon_project), str(source), "--format", fmt).stdout
    out = tmp_path / f"out-{fmt}"
    cli("export", str(polygon_project), "--format", fmt, "-o", str(out))
    assert out.read_bytes() == source.read_bytes()  # byte for byte
    back = read(out.read_bytes())
    assert [len(i.objects) for i in back.images] == [4, 0]
    assert back.images[0].objects[0] == _poly("car", 10, 20, 110.5, 20, 110.5, 70.25, 10, 70)
    if fmt == "coco":  # the occluded car stays one annotation of two rings
        (car,) = [a for a in json.loads(out.read_bytes())["annotations"] if len(a["segmentation"]) == 2]
        assert car["bbox"] == [200, 100, 130, 60] and car["area"] == 1800 + 1500


def test_a_plain_ultralytics_segmentation_zip_imports(cli, polygon_project: int, tmp_path: Path) -> None:
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (200, 100)).save(png, format="PNG")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("data.yaml", "path: .\ntrain: images\nnames:\n  0: car\n  1: road\n")
        zf.writestr("images/a.png", png.getvalue())
        zf.writestr("labels/a.txt", "1 0 0.5 1 0.5 1 1 0 1\n")
    source = tmp_path / "ultra.zip"
    source.write_bytes(buf.getvalue())
    cli("import", str(polygon_project), str(source), "--format", "yolo")
    out = tmp_path / "out.json"
    cli("export", str(polygon_project), "--format", "coco", "-o", str(out))
    (image,) = read_coco_polygons(out.read_bytes()).images
    assert image == ImageObjects("images/a.png", 200, 100, (_poly("road", 0, 50, 200, 50, 200, 100, 0, 100),))


def test_coco_rle_becomes_polygons(cli, polygon_project: int, tmp_path: Path) -> None:
    mask = np.zeros((60, 80), dtype=np.uint8)
    mask[10:30, 20:50] = 1  # a 30 x 20 rectangle
    rle = mask_utils.encode(np.asfortranarray(mask))
    crowd = {"images": [{"id": 1, "file_name": "a.jpg", "width": 80, "height": 60}],
             "categories": [{"id": 3, "name": "road"}],
             "annotations": [
                 {"id": 1, "image_id": 1, "category_id": 3, "iscrowd": 1,
                  "segmentation": {"size": [60, 80], "counts": rle["counts"].decode()}},
                 # uncompressed runs (column-major), as iscrowd annotations in instances_*.json hold them
                 {"id": 2, "image_id": 1, "category_id": 3, "iscrowd": 1,
                  "segmentation": {"size": [60, 80], "counts": [60 * 20 + 10, 20] + [40, 20] * 29 + [30 + 60 * 30]}}]}
    source = tmp_path / "rle.json"
    source.write_text(json.dumps(crowd))
    cli("import", str(polygon_project), str(source), "--format", "coco")
    out = tmp_path / "out.json"
    cli("export", str(polygon_project), "--format", "coco", "-o", str(out))
    doc = json.loads(out.read_bytes())
    assert [a["bbox"] for a in doc["annotations"]] == [[20, 10, 29, 19]] * 2  # vertices on pixel indices
    assert doc["annotations"][0]["segmentation"] == [[20, 10, 20, 29, 49, 29, 49, 10]]
    bad = dict(crowd, annotations=[dict(crowd["annotations"][1], segmentation={"size": [60, 80], "counts": [5, 6]})])
    source.write_text(json.dumps(bad))
    result = cli("import", str(polygon_project), str(source), "--format", "coco", code=2)
    assert "annotations[0].segmentation.counts: the runs must be whole numbers adding up to" in result.output


def test_polygons_export_the_consensus_once_labeled(cli, db: Database, owner: str, polygon_project: int,
                                                    tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_bytes(write_coco_polygons(ObjectDataset("polygons", POLYGONS.images[:1], POLYGONS.labels)))
    cli("import", str(polygon_project), str(source), "--format", "coco")
    _submit(db, owner, polygon_project, {"polygons": [_poly("road", 10, 10, 50, 10, 50, 40, 10, 40)],
                                         "inputImageProperties": {"width": 640, "height": 480}})
    out = tmp_path / "out.json"
    cli("export", str(polygon_project), "--format", "coco", "-o", str(out))
    (image,) = read_coco_polygons(out.read_bytes()).images
    (road,) = image.objects
    assert road["label"] == "road"
    assert {(v["x"], v["y"]) for v in road["vertices"]} == {(10, 10), (50, 10), (50, 40), (10, 40)}


def test_keypoints_import_then_export_the_same(cli, make_project: Callable[..., int], tmp_path: Path) -> None:
    project = make_project(name="Pose", task_type="keypoint", labels="nose,wrist,ankle")
    source = tmp_path / "people.json"
    source.write_text(json.dumps(PEOPLE))
    assert "2 lines: 2 items created" in cli("import", str(project), str(source), "--format", "coco").stdout
    out = tmp_path / "out.json"
    cli("export", str(project), "--format", "coco", "-o", str(out))
    doc = json.loads(out.read_bytes())
    strip = [{k: v for k, v in a.items() if k not in ("id", "image_id")} for a in PEOPLE["annotations"]]
    assert [{k: v for k, v in a.items() if k not in ("id", "image_id")} for a in doc["annotations"]] == strip
    assert [a["image_id"] for a in doc["annotations"]] == [1, 1]
    assert doc["categories"] == [dict(PEOPLE["categories"][0], id=1)]  # names and skeleton kept
    assert [(i["file_name"], i["width"]) for i in doc["images"]] == [("crowd/0001.jpg", 640), ("crowd/0002.jpg", 640)]
    again = tmp_path / "again.json"
    again.write_bytes(out.read_bytes())
    second = make_project(name="Pose again", task_type="keypoint", labels="nose,wrist,ankle")
    cli("import", str(second), str(again), "--format", "coco")
    out2 = tmp_path / "out2.json"
    cli("export", str(second), "--format", "coco", "-o", str(out2))
    assert out2.read_bytes() == out.read_bytes()  # a file Labelworks wrote comes back byte for byte
    assert read_coco_keypoints(out2.read_bytes()) == read_coco_keypoints(out.read_bytes())


def test_keypoints_go_from_coco_to_yolo_pose_and_back(cli, make_project: Callable[..., int], tmp_path: Path) -> None:
    project = make_project(name="Pose", task_type="keypoint", labels="nose,wrist,ankle")
    source = tmp_path / "people.json"
    source.write_text(json.dumps(PEOPLE))
    cli("import", str(project), str(source), "--format", "coco")
    pose = tmp_path / "pose.zip"
    cli("export", str(project), "--format", "yolo", "-o", str(pose))
    with zipfile.ZipFile(pose) as zf:
        assert zf.read("keypoints.txt") == b"nose\nwrist\nankle\n"
        assert b"kpt_shape: [3, 3]" in zf.read("data.yaml")
        first, second = zf.read("labels/0001.txt").decode().splitlines()
    # box centre and size, then x y v per keypoint, normalised by 640 x 480
    assert first == "0 0.171875 0.375 0.15625 0.625 0.15625 0.10416667 2 0.140625 0.25 1 0 0 0"
    again = make_project(name="Pose from YOLO", task_type="keypoint", labels="nose,wrist,ankle")
    cli("import", str(again), str(pose), "--format", "yolo")
    out = tmp_path / "out.zip"
    cli("export", str(again), "--format", "yolo", "-o", str(out))
    assert out.read_bytes() == pose.read_bytes()
    coco = tmp_path / "back.json"
    cli("export", str(again), "--format", "coco", "-o", str(coco))
    doc = json.loads(coco.read_bytes())
    assert [a["keypoints"] for a in doc["annotations"]] == [a["keypoints"] for a in PEOPLE["annotations"]]
    assert [a["bbox"] for a in doc["annotations"]] == [a["bbox"] for a in PEOPLE["annotations"]]


def test_keypoint_answers_keep_their_people(cli, db: Database, owner: str, make_project: Callable[..., int],
                                            tmp_path: Path) -> None:
    project = make_project("--workers-per-item", "1", name="Pose", task_type="keypoint", labels="nose,wrist,ankle")
    source = tmp_path / "people.json"
    source.write_text(json.dumps(dict(PEOPLE, images=PEOPLE["images"][:1])))
    cli("import", str(project), str(source), "--format", "coco")
    # the worker nudges the second person's nose and adds the first person's ankle
    points = [{"label": "nose", "x": 100, "y": 50}, {"label": "wrist", "x": 90, "y": 120},
              {"label": "ankle", "x": 110, "y": 310}, {"label": "nose", "x": 402, "y": 61},
              {"label": "wrist", "x": 410, "y": 130}, {"label": "ankle", "x": 405, "y": 300}]
    _submit(db, owner, project, {"keypoints": points, "inputImageProperties": {"width": 640, "height": 480}})
    out = tmp_path / "out.json"
    cli("export", str(project), "--format", "coco", "-o", str(out))
    first, second = json.loads(out.read_bytes())["annotations"]
    assert first["keypoints"] == [100, 50, 2, 90, 120, 2, 110, 310, 2] and first["num_keypoints"] == 3
    assert first["bbox"] == [60, 30, 100, 300]  # the points lie inside the kept box
    assert second["keypoints"] == [402, 61, 2, 410, 130, 2, 405, 300, 2]


def test_formats_that_do_not_fit_the_task_type_are_refused(cli, make_project: Callable[..., int],
                                                           tmp_path: Path) -> None:
    polygons = make_project(name="Street", task_type="polygon", labels="car")
    keypoints = make_project(name="Pose", task_type="keypoint", labels="nose")
    polylines = make_project(name="Lanes", task_type="polyline", labels="lane")
    anything = tmp_path / "x.zip"
    anything.write_bytes(b"PK")
    result = cli("import", str(polygons), str(anything), "--format", "voc", code=2)
    assert "--format voc does not fit a polygon project; a polygon project imports" in result.output
    assert "coco, yolo, gt-objects" in result.output
    result = cli("import", str(keypoints), str(anything), "--format", "voc", code=2)
    assert "--format voc does not fit a keypoint project" in result.output
    result = cli("export", str(polylines), "--format", "coco", "-o", str(tmp_path / "o.json"), code=2)
    assert "--format coco does not fit a polyline project; a polyline project exports manifest, jsonl, csv" \
        in result.output
    assert not (tmp_path / "o.json").exists()


def test_bad_files_name_the_field(cli, polygon_project: int, make_project: Callable[..., int],
                                  tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"images": [{"id": 1, "file_name": "a.jpg"}], "categories": [{"id": 1, "name": "car"}],
                               "annotations": [{"image_id": 1, "category_id": 1, "segmentation": [[1, 2, 3]]}]}))
    result = cli("import", str(polygon_project), str(bad), "--format", "coco", code=2)
    assert "annotations[0].segmentation[0]: expected [x1, y1, x2, y2, x3, y3, ...]" in result.output
    project = make_project(name="Pose", task_type="keypoint", labels="nose,wrist,ankle")
    people = json.loads(json.dumps(PEOPLE))
    people["annotations"][1]["keypoints"] = [1, 2, 3]
    bad.write_text(json.dumps(people))
    result = cli("import", str(project), str(bad), "--format", "coco", code=2)
    assert "annotations[1].keypoints: expected 3 [x, y, v] triplets (9 numbers) for 'person'" in result.output
    zipped = tmp_path / "bad.zip"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("classes.txt", "car\n")
        zf.writestr("images.jsonl", '{"image": "a.jpg", "width": 10, "height": 10, "labels": "labels/a.txt"}\n')
        zf.writestr("labels/a.txt", "0 0.1 0.1 0.2 0.2\n")  # a detection box, not a polygon
    zipped.write_bytes(buf.getvalue())
    result = cli("import", str(polygon_project), str(zipped), "--format", "yolo", code=2)
    assert "labels/a.txt:1: expected 'class x1 y1 x2 y2 x3 y3 ...'" in result.output
