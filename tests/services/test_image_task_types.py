"""Polygon, polyline, line, keypoint and label-verification projects in the services: three workers'
answers consolidated and stored on submit; the verification template shows the earlier label."""

from __future__ import annotations

import json
from typing import Any

import pytest

from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.verification import LABEL_VERIFICATION
from labelworks.db.engine import Database
from labelworks.db.models import Consolidation
from labelworks.services import annotations, assignments, templates

from factories import Factory, OrgUsers, UserHandle

PROPS = {"width": 640, "height": 480}


def _submit(db: Database, user: UserHandle, pid: int, value: dict[str, Any]) -> int:
    lease = assignments.next_for(db, user.actor, pid)
    assert lease is not None
    annotations.submit(db, user.actor, lease.assignment_id, value, active_ms=1500)
    return lease.item_id


def _stored(db: Database, item: int) -> tuple[Consolidation, dict[str, Any]]:
    with db.read() as s:
        row = s.get(Consolidation, item)
        assert row is not None
        s.expunge(row)
    return row, json.loads(row.value)


def _three(db: Database, factory: Factory, org: OrgUsers, task_type: str, labels: list[str],
           values: list[dict[str, Any]]) -> tuple[Consolidation, dict[str, Any]]:
    p = factory.project(org.manager, task_type, labels=labels, workers_per_item=3)
    (item,) = factory.items(org.manager, p.id, rows=[{"source-ref": "s3://bucket/street.jpg"}])
    workers = factory.annotators(3, org.org_id)
    assert [_submit(db, w, p.id, v) for w, v in zip(workers, values, strict=True)] == [item] * 3
    return _stored(db, item)


def _square(x: float, y: float = 100, side: float = 60) -> list[dict[str, float]]:
    return [{"x": x, "y": y}, {"x": x + side, "y": y}, {"x": x + side, "y": y + side}, {"x": x, "y": y + side}]


def test_polygons_of_three_workers_are_pixel_voted(db: Database, factory: Factory, org: OrgUsers) -> None:
    values = [{"polygons": {"polygons": [{"label": "car", "vertices": _square(100 + d)}], "inputImageProperties": PROPS}}
              for d in (0, 4, 8)]
    row, value = _three(db, factory, org, "polygon", ["car", "road"], values)
    assert row.method == "polygon-pixel-vote" and row.votes == 3 and 0.8 < row.confidence <= 1
    (poly,) = value["polygons"]
    xs = [v["x"] for v in poly["vertices"]]
    # the pixels at least two of three squares cover: x from 104 to 164, the middle square
    assert poly["label"] == "car" and min(xs) == pytest.approx(104, abs=1) and max(xs) == pytest.approx(164, abs=1)
    assert value["inputImageProperties"] == PROPS


@pytest.mark.parametrize(("task_type", "key"), [("polyline", "polylines"), ("line", "lines")])
def test_lines_of_three_workers_keep_the_medoid_answer(db: Database, factory: Factory, org: OrgUsers,
                                                       task_type: str, key: str) -> None:
    def answer(y0: float, y1: float) -> dict[str, Any]:
        shape = {"label": "lane", "vertices": [{"x": 0, "y": y0}, {"x": 640, "y": y1}]}
        return {key: {key: [shape], "inputImageProperties": PROPS}}

    row, value = _three(db, factory, org, task_type, ["lane"], [answer(200, 210), answer(203, 212), answer(300, 100)])
    # no registered consolidator reads these kinds: the task type's own consolidate() ran
    assert row.method == f"{task_type}-medoid" and row.votes == 3 and 0 < row.confidence < 1
    assert value == {key: [{"label": "lane", "vertices": [{"x": 0, "y": 203}, {"x": 640, "y": 212}]}],
                     "inputImageProperties": PROPS}


def test_keypoints_of_three_workers_are_clustered(db: Database, factory: Factory, org: OrgUsers) -> None:
    def answer(*pts: tuple[str, float, float]) -> dict[str, Any]:
        return {"keypoints": {"keypoints": [{"label": lab, "x": x, "y": y} for lab, x, y in pts],
                              "inputImageProperties": PROPS}}

    row, value = _three(db, factory, org, "keypoint", ["nose", "chin"], [
        answer(("nose", 320, 240), ("chin", 320, 330)), answer(("nose", 324, 238)), answer(("nose", 321, 250))])
    assert row.method == "keypoint-consensus" and row.votes == 3
    # the nose is the per-axis median; the chin, clicked by one worker of three, misses the quorum
    assert value == {"keypoints": [{"label": "nose", "x": 321, "y": 240}], "inputImageProperties": PROPS}


def test_verdicts_of_three_workers_are_voted_and_comments_kept(db: Database, factory: Factory,
                                                               org: OrgUsers) -> None:
    values = [{"verdict": {"label": "Incorrect"}, "comment": "too wide"}, {"verdict": {"label": "Correct"}},
              {"verdict": {"label": "Incorrect"}, "comment": ""}]
    row, value = _three(db, factory, org, "label-verification", ["Correct", "Incorrect"], values)
    assert row.method == "majority-vote" and row.votes == 3 and value == {"label": "Incorrect"}
    assert row.confidence == pytest.approx(2 / 3, abs=0.01)


def test_verification_template_describes_the_earlier_label_escaped() -> None:
    spec = ProjectSpec(labels=parse_label_config(["Correct", "Incorrect"]))
    line = {
        "source-ref": "s3://b/a.jpg",
        "animal": {"annotations": [{"class_id": 0, "left": 1, "top": 2, "width": 30, "height": 40}],
                   "image_size": [{"width": 640, "height": 480, "depth": 3}]},
        "animal-metadata": {"type": "groundtruth/object-detection", "class-map": {"0": "<i>bird</i>"},
                            "objects": [{"confidence": 0.9}]},
        "species": 1,
        "species-metadata": {"type": "groundtruth/image-classification", "class-name": "<script>x</script>"},
    }
    page = templates.render_task(LABEL_VERIFICATION.default_template(spec), line, ["Correct", "Incorrect"])
    assert '<lw-classifier name="verdict"' in page and 's3://b/a.jpg' in page
    # the last earlier label is drawn: its body and metadata as JSON, escaped inside the attribute
    assert '<lw-label-verification-view attribute="species"' in page and "label-metadata=" in page
    assert '<textarea name="comment"' in page
    assert "&lt;i&gt;bird&lt;/i&gt; at left 1, top 2, 30 &times; 40" in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>" not in page
    assert 'data-attribute="animal"' in page and 'data-attribute="species"' in page
