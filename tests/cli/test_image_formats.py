"""``import --format coco|yolo|voc`` then ``export`` in the same format gives the same boxes back."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from labelworks.core.formats.coco import read_coco, write_coco
from labelworks.core.formats.detection import Dataset, ImageBoxes
from labelworks.core.formats.voc import read_voc_zip, write_voc_zip
from labelworks.core.formats.yolo import read_yolo_zip, write_yolo_zip
from labelworks.db.engine import Database
from labelworks.services import accounts, annotations, assignments

ANNOTATOR = "boxes@example.org"


def _box(label: str, left: float, top: float, width: float = 100, height: float = 50) -> dict[str, Any]:
    return {"label": label, "left": left, "top": top, "width": width, "height": height}


DATASET = Dataset(
    images=(
        ImageBoxes("s3://bucket/street/0001.jpg", 640, 480, (_box("car", 10, 20), _box("person", 300.5, 40.25, 60, 200))),
        ImageBoxes("s3://bucket/park/0001.jpg", 1920, 1080, ()),
        ImageBoxes("s3://bucket/park/0002.jpg", 800, 600, (_box("bike", 0, 0, 800, 600),)),
    ),
    labels=("car", "person", "bike"),
)
FORMATS: dict[str, tuple[Callable[[Dataset], bytes], Callable[[bytes], Dataset], str]] = {
    "coco": (write_coco, read_coco, "in.json"),
    "yolo": (write_yolo_zip, read_yolo_zip, "in.zip"),
    "voc": (write_voc_zip, read_voc_zip, "in.zip"),
}


@pytest.fixture
def box_project(make_project: Callable[..., int]) -> int:
    return make_project("--workers-per-item", "2", name="Street", task_type="bounding-box", labels="car,person,bike")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_import_then_export_gives_the_same_boxes(cli, box_project: int, tmp_path: Path, fmt: str) -> None:
    write, read, name = FORMATS[fmt]
    source = tmp_path / name
    source.write_bytes(write(DATASET))
    assert "3 lines: 3 items created" in cli("import", str(box_project), str(source), "--format", fmt).stdout
    out = tmp_path / f"out-{fmt}"
    cli("export", str(box_project), "--format", fmt, "-o", str(out))
    assert read(out.read_bytes()) == DATASET
    assert out.read_bytes() == source.read_bytes()  # byte for byte: the writers are deterministic


def test_export_gives_the_consensus_once_labeled(cli, db: Database, owner: str, box_project: int,
                                                 tmp_path: Path) -> None:
    one = Dataset((DATASET.images[0],), DATASET.labels)
    source = tmp_path / "in.json"
    source.write_bytes(write_coco(one))
    cli("import", str(box_project), str(source), "--format", "coco")
    cli("user", "create", ANNOTATOR, "--password", "correct-horse-battery", "--role", "annotator")
    # both workers move the car right; only one keeps the person (1 of 2 is no majority)
    drawn = [[_box("car", 20, 20), _box("person", 300.5, 40.25, 60, 200)], [_box("car", 30, 20)]]
    for email, boxes in zip((owner, ANNOTATOR), drawn, strict=True):
        actor = accounts.actor_for(accounts.find_user(db, email))
        lease = assignments.next_for(db, actor, box_project)
        assert lease is not None
        annotations.submit(db, actor, lease.assignment_id,
                           {"boxes": {"boundingBoxes": boxes, "inputImageProperties": {"width": 640, "height": 480}}})
    out = tmp_path / "out.json"
    cli("export", str(box_project), "--format", "coco", "-o", str(out))
    (image,) = read_coco(out.read_bytes()).images
    assert image == ImageBoxes("s3://bucket/street/0001.jpg", 640, 480, (_box("car", 25, 20),))
    manifest = tmp_path / "out.manifest"
    cli("export", str(box_project), "--format", "manifest", "-o", str(manifest))
    row = json.loads(manifest.read_bytes())
    assert row["lw-pre-annotations"]["boundingBoxes"][0] == _box("car", 10, 20)  # the input stays as imported
    (meta,) = [v for k, v in row.items() if k.endswith("-metadata")]
    assert meta["type"] == "groundtruth/object-detection" and meta["class-map"] == {"0": "car"}


def test_detection_formats_are_refused_elsewhere(cli, make_project: Callable[..., int], tmp_path: Path) -> None:
    text_project = make_project()
    result = cli("export", str(text_project), "--format", "coco", "-o", str(tmp_path / "x.json"), code=2)
    assert "--format coco does not fit a text-classification project" in result.stderr
    assert "exports manifest, jsonl, csv" in result.stderr
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"images": [{"id": 1, "file_name": "a.jpg"}],
                               "annotations": [{"image_id": 2, "category_id": 1, "bbox": [0, 0, 1, 1]}]}))
    result = cli("import", str(text_project), str(bad), "--format", "coco", code=2)
    assert "does not fit a text-classification project" in result.output
    box_project = make_project(name="Boxes", task_type="bounding-box", labels="car")
    result = cli("import", str(box_project), str(bad), "--format", "coco", code=2)
    assert "annotations[0].image_id" in result.output


def test_a_ground_truth_output_manifest_chains_into_a_new_project(cli, db: Database, owner: str,
                                                                  make_project: Callable[..., int],
                                                                  tmp_path: Path) -> None:
    first = make_project("--workers-per-item", "1", name="Street", task_type="bounding-box", labels="car,person,bike")
    source = tmp_path / "in.json"
    source.write_bytes(write_coco(DATASET))
    cli("import", str(first), str(source), "--format", "coco")
    actor = accounts.actor_for(accounts.find_user(db, owner))
    while (lease := assignments.next_for(db, actor, first)) is not None:
        annotations.submit(db, actor, lease.assignment_id, {"boxes": [_box("person", 1, 2)],
                                                            "inputImageProperties": {"width": 640, "height": 480}})
    manifest = tmp_path / "output.manifest"
    cli("export", str(first), "--format", "manifest", "-o", str(manifest))
    # the output manifest carries an object-detection label: a second project starts from it
    second = make_project(name="Adjust", task_type="bounding-box", labels="car,person,bike")
    assert "3 lines: 3 items created" in cli("import", str(second), str(manifest), "--format", "gt-detection").stdout
    out = tmp_path / "out.json"
    cli("export", str(second), "--format", "coco", "-o", str(out))
    images = read_coco(out.read_bytes()).images
    assert [i.boxes for i in images] == [(_box("person", 1, 2),)] * 3
    assert [i.image for i in images] == [i.image for i in DATASET.images]
    bad = tmp_path / "bad.manifest"
    bad.write_bytes(b'{"source-ref": "a"}\n{"source-ref": "b", "l": {"annotations": [{"class_id": 9}]}, '
                    b'"l-metadata": {"type": "groundtruth/object-detection", "class-map": {}}}\n')
    result = cli("import", str(second), str(bad), "--format", "gt-detection", code=2)
    assert "line 2: l.annotations[0].class_id: 9 is not in the class-map" in result.output
