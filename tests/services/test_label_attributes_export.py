"""A bounding-box project whose label-category file declares attributes: a submission with a bad
value is refused naming it, a good one is stored, and the manifest, JSON lines and COCO exports
carry the values (Ground Truth's and CVAT's key names); a COCO file with attributes reads back."""

from __future__ import annotations

import json
from typing import Any

import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.core.formats.coco import read_coco
from labelworks.db.engine import Database
from labelworks.services import annotations, assignments, exports

from factories import Factory, OrgUsers

LABELS = {
    "document-version": "2018-11-28",
    "labels": [{"label": "car", "categoryAttributes": [
        {"name": "occluded", "type": "string", "enum": ["no", "partly"], "isRequired": True}]}, {"label": "bird"}],
    "categoryGlobalAttributes": [{"name": "truncated", "type": "number", "minimum": 0, "maximum": 100}],
    "frameAttributes": [{"name": "weather", "type": "string", "enum": ["clear", "rain"], "description": "sky"}],
}
PROPS = {"width": 640, "height": 480}
CAR = {"label": "car", "left": 10, "top": 20, "width": 100, "height": 50,
       "labelCategoryAttributes": {"occluded": "partly", "truncated": 30}}


def _export(db: Database, actor: Any, project_id: int, fmt: str) -> bytes:
    return b"".join(exports.open_export(db, actor, project_id, fmt).chunks)


def test_attributes_are_checked_on_submit_and_carried_by_every_export(db: Database, factory: Factory,
                                                                      org: OrgUsers) -> None:
    p = factory.project(org.manager, "bounding-box", labels=LABELS, workers_per_item=1, name="Street")
    assert [a.name for a in p.labels.attributes_for("car")] == ["occluded", "truncated"]
    assert "&quot;frameAttributes&quot;" in p.type.default_template(p.spec)  # the editor gets the whole file
    factory.items(org.manager, p.id, rows=[{"source-ref": "s3://bucket/street.jpg"}])
    (worker,) = factory.annotators(1, org.org_id)
    lease = assignments.next_for(db, worker.actor, p.id)
    assert lease is not None

    bad = {"boxes": {"boundingBoxes": [{**CAR, "labelCategoryAttributes": {"truncated": 30}}],
                     "inputImageProperties": PROPS, "frameAttributes": {"weather": "rain"}}}
    with pytest.raises(ValidationFailed) as info:
        annotations.submit(db, worker.actor, lease.assignment_id, bad, active_ms=900)
    assert info.value.field == "value.boxes.boundingBoxes[0].labelCategoryAttributes.occluded"

    good = {"boxes": {"boundingBoxes": [CAR], "inputImageProperties": PROPS, "frameAttributes": {"weather": "rain"}}}
    annotations.submit(db, worker.actor, lease.assignment_id, good, active_ms=900)

    (line,) = [json.loads(x) for x in _export(db, org.manager.actor, p.id, "manifest").splitlines()]
    body = line[p.spec.label_attribute]
    assert body["annotations"] == [{"class_id": 0, "left": 10, "top": 20, "width": 100, "height": 50,
                                    "label-category-attributes": {"occluded": "partly", "truncated": 30}}]
    assert body["frame-attributes"] == {"weather": "rain"}

    jsonl = _export(db, org.manager.actor, p.id, "jsonl").decode()
    assert '"labelCategoryAttributes":{"occluded":"partly","truncated":30}' in jsonl.replace(" ", "")
    assert '"frameAttributes":{"weather":"rain"}' in jsonl.replace(" ", "")

    coco = json.loads(_export(db, org.manager.actor, p.id, "coco"))
    assert coco["annotations"][0]["attributes"] == {"occluded": "partly", "truncated": 30}
    # and back: COCO's (CVAT's) attributes become the boxes' labelCategoryAttributes
    (image,) = read_coco(json.dumps(coco).encode()).images
    assert image.boxes[0]["labelCategoryAttributes"] == {"occluded": "partly", "truncated": 30}


def test_a_manifest_export_reads_back_with_its_attributes(db: Database, factory: Factory, org: OrgUsers) -> None:
    from labelworks.core.formats.gt_detection import gt_detection_rows

    p = factory.project(org.manager, "bounding-box", labels=LABELS, workers_per_item=1, name="Round")
    factory.items(org.manager, p.id, rows=[{"source-ref": "s3://bucket/street.jpg"}])
    (worker,) = factory.annotators(1, org.org_id)
    lease = assignments.next_for(db, worker.actor, p.id)
    assert lease is not None
    good = {"boxes": {"boundingBoxes": [CAR], "inputImageProperties": PROPS, "frameAttributes": {"weather": "clear"}}}
    annotations.submit(db, worker.actor, lease.assignment_id, good, active_ms=900)
    ((_, row),) = list(gt_detection_rows(_export(db, org.manager.actor, p.id, "manifest")))
    assert isinstance(row, dict)
    assert row["lw-pre-annotations"] == {"boundingBoxes": [CAR], "inputImageProperties": PROPS,
                                         "frameAttributes": {"weather": "clear"}}
