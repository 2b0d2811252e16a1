"""Chaining through Ground Truth output manifests: ``import --format gt-objects`` turns a polygon /
polyline / line / keypoint job's output into pre-annotations of the next job, and
``--format gt-verification`` keeps a verification job's verdicts for the next verification."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from labelworks.db.engine import Database
from labelworks.services import accounts, annotations, assignments

SIZE = {"width": 640, "height": 480}
ANSWERS: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "polygon": ("polygons", [{"label": "car", "vertices": [{"x": 10, "y": 10}, {"x": 50, "y": 10},
                                                           {"x": 50, "y": 40}, {"x": 10, "y": 40}]}]),
    "polyline": ("polylines", [{"label": "lane", "vertices": [{"x": 0, "y": 479}, {"x": 300.5, "y": 200},
                                                              {"x": 320, "y": 0}]}]),
    "line": ("lines", [{"label": "lane", "vertices": [{"x": 5, "y": 6}, {"x": 600, "y": 470.25}]}]),
    # in the consolidator's order (the project's label order), so that the answer reads back as given
    "keypoint": ("keypoints", [{"label": "car", "x": 1, "y": 2}, {"label": "nose", "x": 320, "y": 240.5}]),
}


def _label_everything(db: Database, email: str, project: int, value: dict[str, Any]) -> None:
    actor = accounts.actor_for(accounts.find_user(db, email))
    while (lease := assignments.next_for(db, actor, project)) is not None:
        annotations.submit(db, actor, lease.assignment_id, value)


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


@pytest.mark.parametrize("task_type", sorted(ANSWERS))
def test_an_object_job_output_chains_into_the_next_job(cli, db: Database, owner: str,
                                                       make_project: Callable[..., int], tmp_path: Path,
                                                       task_type: str) -> None:
    key, objects = ANSWERS[task_type]
    labels = "car,lane,nose"
    first = make_project(name="First", task_type=task_type, labels=labels)
    inputs = tmp_path / "in.manifest"
    inputs.write_text('{"source-ref": "s3://b/a.jpg"}\n{"source-ref": "s3://b/b.jpg"}\n')
    cli("import", str(first), str(inputs))
    _label_everything(db, owner, first, {key: objects, "inputImageProperties": SIZE})
    output = tmp_path / "first.manifest"
    cli("export", str(first), "--format", "manifest", "-o", str(output))
    first_rows = _rows(output)

    second = make_project(name="Second", task_type=task_type, labels=labels)
    assert "2 lines: 2 items created" in cli("import", str(second), str(output), "--format", "gt-objects").stdout
    unlabeled = tmp_path / "second-in.manifest"
    cli("export", str(second), "--format", "manifest", "-o", str(unlabeled))
    for row, before in zip(_rows(unlabeled), first_rows, strict=True):
        assert row["lw-pre-annotations"] == {key: objects, "inputImageProperties": SIZE}
        assert row["first"] == before["first"]  # the earlier label rides along unchanged
    # the next worker accepts the pre-annotations: the output carries the same annotations again
    _label_everything(db, owner, second, {key: objects, "inputImageProperties": SIZE})
    done = tmp_path / "second.manifest"
    cli("export", str(second), "--format", "manifest", "-o", str(done))
    for row, before in zip(_rows(done), first_rows, strict=True):
        assert row["second"] == before["first"]
        assert row["second-metadata"]["type"] == before["first-metadata"]["type"] == f"groundtruth/{task_type}"
        assert row["second-metadata"]["class-map"] == before["first-metadata"]["class-map"]


def test_gt_objects_on_a_box_project_reads_object_detection(cli, make_project: Callable[..., int],
                                                            tmp_path: Path) -> None:
    project = make_project(name="Boxes", task_type="bounding-box", labels="car")
    line = {"source-ref": "a.jpg", "cars": {"annotations": [{"class_id": 0, "left": 1, "top": 2, "width": 3, "height": 4}],
                                             "image_size": [{"width": 64, "height": 48, "depth": 3}]},
            "cars-metadata": {"class-map": {"0": "car"}, "type": "groundtruth/object-detection"}}
    source = tmp_path / "in.manifest"
    source.write_text(json.dumps(line) + "\n")
    cli("import", str(project), str(source), "--format", "gt-objects")
    out = tmp_path / "out.manifest"
    cli("export", str(project), "--format", "manifest", "-o", str(out))
    (row,) = _rows(out)
    assert row["lw-pre-annotations"] == {"boundingBoxes": [{"label": "car", "left": 1, "top": 2, "width": 3, "height": 4}],
                                         "inputImageProperties": {"width": 64, "height": 48}}


def test_bad_gt_object_lines_are_reported_with_their_numbers(cli, make_project: Callable[..., int],
                                                             tmp_path: Path) -> None:
    project = make_project(name="Lanes", task_type="polyline", labels="lane")
    meta = {"class-map": {"0": "lane"}, "type": "groundtruth/polyline"}
    lines = [
        {"source-ref": "a.jpg"},
        {"source-ref": "b.jpg", "l": {"annotations": [{"class_id": 0, "points": [{"x": 1, "y": "2"}, {"x": 3, "y": 4}]}]},
         "l-metadata": meta},
        {"source-ref": "c.jpg", "l": {"annotations": [{"class_id": 4, "points": []}]}, "l-metadata": meta},
        {"source-ref": "d.jpg", "l": {"annotations": []}, "l-metadata": meta, "m": {}, "m-metadata": meta},
    ]
    source = tmp_path / "bad.manifest"
    source.write_text("".join(json.dumps(x) + "\n" for x in lines))
    result = cli("import", str(project), str(source), "--format", "gt-objects", code=2)
    assert "line 2: l.annotations[0].points[0].y: expected a number, got '2'" in result.output
    assert "(and 2 more)" in result.output
    result = cli("import", str(project), str(source), "--format", "gt-objects", "--skip-invalid")
    assert "4 lines: 1 items created" in result.stdout
    assert "line 3: l.annotations[0].class_id: 4 is not in the class-map" in result.stderr
    assert "line 4: several groundtruth/polyline labels (l, m); keep one" in result.stderr


def test_a_verification_chains_into_another_verification(cli, db: Database, owner: str,
                                                         make_project: Callable[..., int], tmp_path: Path) -> None:
    boxes = make_project(name="Birds", task_type="bounding-box", labels="bird")
    inputs = tmp_path / "in.manifest"
    inputs.write_text('{"source-ref": "s3://b/a.jpg"}\n')
    cli("import", str(boxes), str(inputs))
    _label_everything(db, owner, boxes, {"boxes": [{"label": "bird", "left": 1, "top": 1, "width": 9, "height": 9}],
                                         "inputImageProperties": SIZE})
    birds = tmp_path / "birds.manifest"
    cli("export", str(boxes), "--format", "manifest", "-o", str(birds))

    check = make_project(name="Check", task_type="label-verification", labels="Correct,Incorrect")
    cli("import", str(check), str(birds))
    _label_everything(db, owner, check, {"verdict": {"label": "Incorrect"}, "comment": "the tail is cut off"})
    checked = tmp_path / "checked.manifest"
    cli("export", str(check), "--format", "manifest", "-o", str(checked))

    audit = make_project(name="Audit", task_type="label-verification", labels="Correct,Incorrect")
    assert "1 lines: 1 items created" in cli("import", str(audit), str(checked), "--format", "gt-verification").stdout
    out = tmp_path / "audit-in.manifest"
    cli("export", str(audit), "--format", "manifest", "-o", str(out))
    (row,) = _rows(out)
    assert row["lw-verifications"] == [{"attribute": "check", "verdict": "Incorrect", "confidence": row["check-metadata"]["confidence"],
                                        "job-name": "labeling-job/check", "comments": ["the tail is cut off"]}]
    assert row["birds"] == _rows(birds)[0]["birds"] and row["check"] == 1  # both earlier labels kept
    bad = tmp_path / "bad.manifest"
    bad.write_text('{"source-ref": "a.jpg", "v": 0, "v-metadata": {"type": "groundtruth/label-verification"}}\n')
    result = cli("import", str(audit), str(bad), "--format", "gt-verification", code=2)
    assert "line 1: v-metadata.class-name: expected the verdict's name" in result.output
    result = cli("import", str(boxes), str(bad), "--format", "gt-verification", code=2)
    assert "--format gt-verification does not fit a bounding-box project" in result.output
