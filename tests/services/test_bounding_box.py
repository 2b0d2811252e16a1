"""A bounding-box project end to end in the services: three workers, consensus boxes stored on submit."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.core.tasktypes.bounding_box import BOUNDING_BOX, PRE_ANNOTATIONS_KEY
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.labels import parse_label_config
from labelworks.db.engine import Database
from labelworks.db.models import Consolidation
from labelworks.services import annotations, assignments, templates

from factories import Factory, OrgUsers, UserHandle

PROPS = {"width": 640, "height": 480}


def _submit(db: Database, user: UserHandle, pid: int, boxes: list[dict[str, Any]]) -> int:
    lease = assignments.next_for(db, user.actor, pid)
    assert lease is not None
    value = {"boxes": {"boundingBoxes": boxes, "inputImageProperties": PROPS}}
    annotations.submit(db, user.actor, lease.assignment_id, value, active_ms=2000)
    return lease.item_id


def _box(label: str, left: float, top: float = 20) -> dict[str, Any]:
    return {"label": label, "left": left, "top": top, "width": 100, "height": 50}


def test_three_workers_give_a_stored_box_consensus(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, "bounding-box", labels=["car", "person"], workers_per_item=3)
    (item,) = factory.items(org.manager, p.id, rows=[{"source-ref": "s3://bucket/street.jpg"}])
    w1, w2, w3 = factory.annotators(3, org.org_id)
    _submit(db, w1, p.id, [_box("car", 10), _box("person", 400, 300)])
    _submit(db, w2, p.id, [_box("car", 12)])
    assert _submit(db, w3, p.id, [_box("car", 14), _box("person", 402, 300)]) == item
    with db.read() as s:
        row = s.get(Consolidation, item)
        assert row is not None
        assert row.method == "box-iou-consensus" and row.votes == 3
        value = json.loads(row.value)
    # the car is seen by all three (mean left 12), the person by two of three: both kept
    assert value == {"boxes": [_box("car", 12), _box("person", 401, 300)], "inputImageProperties": PROPS}
    assert 0 < row.confidence <= 1


def test_a_box_outside_the_image_is_refused_with_its_field(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, "bounding-box", labels=["car"])
    factory.items(org.manager, p.id, rows=[{"source-ref": "s3://bucket/a.jpg"}])
    lease = assignments.next_for(db, org.annotator.actor, p.id)
    assert lease is not None
    with pytest.raises(ValidationFailed) as info:
        annotations.submit(db, org.annotator.actor, lease.assignment_id,
                           {"boxes": {"boundingBoxes": [_box("car", 600)], "inputImageProperties": PROPS}})
    assert info.value.field == "value.boxes.boundingBoxes[0].width"


def test_default_template_renders_the_element_with_pre_annotations() -> None:
    spec = ProjectSpec(labels=parse_label_config(["car", "person"]))
    pre = {"boundingBoxes": [_box("car", 1)], "inputImageProperties": PROPS}
    page = templates.render_task(BOUNDING_BOX.default_template(spec), {"source-ref": "s3://b/a.jpg",
                                 PRE_ANNOTATIONS_KEY: pre}, ["car", "person"], header="Draw the cars")
    assert '<lw-bounding-box name="boxes" header="Draw the cars"' in page
    labels = re.search(r'labels="([^"]*)"', page)
    initial = re.search(r'initial-value="([^"]*)"', page)
    assert labels is not None and json.loads(html.unescape(labels.group(1))) == ["car", "person"]
    assert initial is not None and json.loads(html.unescape(initial.group(1))) == pre
    plain = templates.render_task(BOUNDING_BOX.default_template(spec), {"source-ref": "s3://b/a.jpg"}, ["car"])
    assert "initial-value" not in plain and "s3://b/a.jpg" in plain
