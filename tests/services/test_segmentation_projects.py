"""Semantic and instance segmentation projects in the services: three workers' PNG answers
consolidated on submit by the registered consolidators; the default template passes the image and
the pre-annotations to the element."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.segmentation import INSTANCE_SEGMENTATION, SEMANTIC_SEGMENTATION
from labelworks.db.engine import Database
from labelworks.db.models import Consolidation
from labelworks.services import annotations, assignments, templates

from factories import Factory, OrgUsers, UserHandle
from segmentation_pngs import CAR, ROAD, decoded, hexes, instance, semantic


def _submit(db: Database, user: UserHandle, pid: int, value: dict[str, Any]) -> int:
    lease = assignments.next_for(db, user.actor, pid)
    assert lease is not None
    annotations.submit(db, user.actor, lease.assignment_id, value, active_ms=1500)
    return lease.item_id


def _three(db: Database, factory: Factory, org: OrgUsers, task_type: str,
           values: list[dict[str, Any]]) -> tuple[Consolidation, dict[str, Any]]:
    p = factory.project(org.manager, task_type, labels=["car", "road"], workers_per_item=3)
    (item,) = factory.items(org.manager, p.id, rows=[{"source-ref": "s3://bucket/street.jpg"}])
    workers = factory.annotators(3, org.org_id)
    assert [_submit(db, w, p.id, {"mask": v}) for w, v in zip(workers, values, strict=True)] == [item] * 3
    with db.read() as s:
        row = s.get(Consolidation, item)
        assert row is not None
        s.expunge(row)
    return row, json.loads(row.value)


def test_semantic_maps_of_three_workers_are_pixel_voted(db: Database, factory: Factory, org: OrgUsers) -> None:
    gold = np.zeros((20, 30), dtype=int)
    gold[2:10, 3:12] = 1
    gold[14:, :] = 2
    noisy = []
    for k in range(3):
        m = gold.copy()
        m[10 + k, 3:12] = 1  # each worker one row of car too many, each a different row
        noisy.append(semantic(m, {"car": CAR, "road": ROAD}))
    row, value = _three(db, factory, org, "semantic-segmentation", noisy)
    assert row.method == "segmentation-pixel-vote" and row.votes == 3 and 0.9 < row.confidence < 1
    assert (decoded(value) == hexes(gold, [CAR, ROAD])).all()


def test_instances_of_three_workers_are_matched_and_voted(db: Database, factory: Factory, org: OrgUsers) -> None:
    answers = []
    for d in (0, 1, 2):
        ids = np.zeros((20, 30), dtype=int)
        ids[2:10, 2 + d:10 + d] = 1
        ids[12:18, 15:25] = 2
        answers.append(instance(ids, [(CAR, "car"), (ROAD, "road")]))
    row, value = _three(db, factory, org, "instance-segmentation", answers)
    assert row.method == "instance-mask-consensus" and row.votes == 3
    assert [i["label"] for i in value["instances"]] == ["car", "road"]
    expected = np.zeros((20, 30), dtype=int)
    expected[2:10, 3:11] = 1  # the columns at least two of three cars cover
    expected[12:18, 15:25] = 2
    assert (decoded(value) == hexes(expected, [i["color"] for i in value["instances"]])).all()


def test_default_templates_render_the_elements() -> None:
    spec = ProjectSpec(labels=parse_label_config(["car", "road"]))
    pre = semantic(np.ones((2, 2), dtype=int), {"car": CAR})
    line = {"source-ref": "s3://b/a.jpg", "lw-pre-annotations": pre}
    page = templates.render_task(SEMANTIC_SEGMENTATION.default_template(spec), line, ["car", "road"])
    assert '<lw-semantic-segmentation name="mask"' in page and "s3://b/a.jpg" in page
    assert "initial-value=" in page and pre["labeledImage"]["pngImageData"][:40] in page
    page = templates.render_task(INSTANCE_SEGMENTATION.default_template(spec), {"source-ref": "s3://b/a.jpg"},
                                 ["car", "road"])
    assert '<lw-instance-segmentation name="mask"' in page and "initial-value" not in page
