"""Chaining in the services: a verification or adjustment project from a box project's consolidated
output; adjustment answers carry adjustment-status, decided on the server against the earlier label."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from labelworks.core.errors import NotFound, PermissionDenied, ValidationFailed
from labelworks.db.engine import Database
from labelworks.db.models import Item
from labelworks.jobs.runners import run_job
from labelworks.services import annotations, assignments, chaining, exports, projects, templates
from labelworks.settings import Settings

from factories import Factory, OrgUsers, UserHandle

PROPS = {"width": 640, "height": 480}
CAR = {"label": "car", "left": 10, "top": 20, "width": 100, "height": 50}
BIRD = {"label": "bird", "left": 300.5, "top": 40, "width": 30, "height": 30}


def _submit(db: Database, user: UserHandle, pid: int, value: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    lease = assignments.next_for(db, user.actor, pid)
    assert lease is not None
    info, _ = annotations.submit(db, user.actor, lease.assignment_id, value, active_ms=900)
    return lease.item_id, info.value


def _box_project(db: Database, factory: Factory, org: OrgUsers) -> int:
    """A finished bounding-box project: two images, each labeled by one worker."""
    p = factory.project(org.manager, "bounding-box", labels=["car", "bird"], name="Street boxes")
    factory.items(org.manager, p.id, rows=[{"source-ref": "s3://b/one.jpg"}, {"source-ref": "s3://b/two.jpg"}])
    for boxes in ([CAR, BIRD], [CAR]):
        _submit(db, org.annotator, p.id, {"boxes": {"boundingBoxes": boxes, "inputImageProperties": PROPS}})
    return p.id


def _rows(db: Database, project_id: int) -> list[dict[str, Any]]:
    with db.read() as s:
        return [json.loads(d) for d in s.scalars(select(Item.data).where(Item.project_id == project_id)
                                                 .order_by(Item.id))]


def _export(db: Database, user: UserHandle, project_id: int) -> list[dict[str, Any]]:
    stream = exports.open_export(db, user.actor, project_id, "manifest")
    return [json.loads(line) for line in b"".join(stream.chunks).splitlines()]


def test_adjustment_project_items_carry_the_earlier_boxes(db: Database, factory: Factory, org: OrgUsers,
                                                          tmp_path: Path) -> None:
    source = _box_project(db, factory, org)
    out = chaining.chain_project(db, org.manager.actor, source, chaining.ChainRequest("adjustment", "Fix boxes"),
                                 spool_dir=tmp_path / "spool")
    assert (out.items, out.created, out.job_id) == (2, 2, None)
    assert out.project.task_type == "label-adjustment" and out.project.labels.labels == ("car", "bird")
    assert out.project.labels.document["lw-adjusts"] == "bounding-box"
    assert out.project.labels.document["auditLabelAttributeName"] == "street-boxes"
    assert out.project.label_attribute == "fix-boxes"
    assert not list((tmp_path / "spool").iterdir())  # the spooled lines are gone
    first, second = _rows(db, out.project.id)
    # the lines are the source's export: label and metadata as written, plus the editor's initial value
    assert first["street-boxes-metadata"]["type"] == "groundtruth/object-detection"
    assert first["street-boxes"]["annotations"] == [{"class_id": 0, "left": 10, "top": 20, "width": 100, "height": 50},
                                                   {"class_id": 1, "left": 300.5, "top": 40, "width": 30, "height": 30}]
    assert first["lw-pre-annotations"] == {"boundingBoxes": [CAR, BIRD], "inputImageProperties": PROPS}
    assert second["lw-pre-annotations"]["boundingBoxes"] == [CAR]
    # the default template opens the box editor with the earlier boxes
    html = templates.render_task(out.project.effective_template, first, ["car", "bird"])
    assert "<lw-bounding-box" in html and "initial-value=" in html and "300.5" in html


def test_adjustment_status_is_decided_on_the_server(db: Database, factory: Factory, org: OrgUsers,
                                                    tmp_path: Path) -> None:
    source = _box_project(db, factory, org)
    chained = chaining.chain_project(db, org.manager.actor, source, chaining.ChainRequest("adjustment", "Fix"),
                                     spool_dir=tmp_path / "spool").project
    # unchanged (boxes in another order, float noise): unadjusted; a claim of "unadjusted" is not trusted
    same = {"boxes": {"boundingBoxes": [dict(BIRD, left=300.5000001), CAR], "inputImageProperties": PROPS},
            "adjustment-status": "unadjusted"}
    _, value = _submit(db, org.annotator, chained.id, same)
    assert value["adjustment-status"] == "unadjusted" and len(value["boxes"]) == 2
    moved = dict(CAR, left=40)
    _, value = _submit(db, org.annotator, chained.id,
                       {"boxes": {"boundingBoxes": [moved], "inputImageProperties": PROPS},
                        "adjustment-status": "unadjusted"})
    assert value == {"boxes": [moved], "inputImageProperties": PROPS, "adjustment-status": "adjusted"}
    first, second = _export(db, org.manager, chained.id)
    assert first["fix-metadata"]["adjustment-status"] == "unadjusted"
    assert first["fix-metadata"]["type"] == "groundtruth/object-detection"
    assert second["fix-metadata"]["adjustment-status"] == "adjusted"
    assert second["fix"]["annotations"] == [{"class_id": 0, "left": 40, "top": 20, "width": 100, "height": 50}]
    # the earlier label rides along, as in Ground Truth's chained output
    assert second["street-boxes"]["annotations"][0]["left"] == 10


def test_a_deleted_box_is_an_adjustment_and_a_bad_box_is_refused(db: Database, factory: Factory, org: OrgUsers,
                                                                tmp_path: Path) -> None:
    source = _box_project(db, factory, org)
    chained = chaining.chain_project(db, org.manager.actor, source, chaining.ChainRequest("adjustment", "Fix"),
                                     spool_dir=tmp_path / "spool").project
    lease = assignments.next_for(db, org.annotator.actor, chained.id)
    assert lease is not None
    with pytest.raises(ValidationFailed) as bad:
        annotations.submit(db, org.annotator.actor, lease.assignment_id,
                           {"boxes": {"boundingBoxes": [dict(CAR, label="truck")]}})
    assert bad.value.field == "value.boxes.boundingBoxes[0].label"
    info, _ = annotations.submit(db, org.annotator.actor, lease.assignment_id,
                                 {"boxes": {"boundingBoxes": [CAR], "inputImageProperties": PROPS}})
    assert info.value["adjustment-status"] == "adjusted"


def test_verification_project_from_a_box_project(db: Database, factory: Factory, org: OrgUsers,
                                                  tmp_path: Path) -> None:
    source = _box_project(db, factory, org)
    out = chaining.chain_project(db, org.manager.actor, source,
                                 chaining.ChainRequest("verification", "Check boxes", workers_per_item=3),
                                 spool_dir=tmp_path / "spool")
    p = out.project
    assert p.task_type == "label-verification" and p.labels.labels == ("Correct", "Incorrect")
    assert p.workers_per_item == 3 and out.created == 2
    first, _ = _rows(db, p.id)
    assert first["street-boxes-metadata"]["class-map"] == {"0": "car", "1": "bird"}
    html = templates.render_task(p.effective_template, first, list(p.labels.labels))
    assert "<lw-label-verification-view" in html and "groundtruth/object-detection" in html
    _, value = _submit(db, org.annotator, p.id, {"verdict": {"label": "Incorrect"}, "comment": "bird too big"})
    assert value == {"label": "Incorrect", "comment": "bird too big"}
    verdicts = chaining.chain_project(db, org.manager.actor, source,
                                      chaining.ChainRequest("verification", "Finer", labels="Good,Too wide,Missing"),
                                      spool_dir=tmp_path / "spool").project
    assert verdicts.labels.labels == ("Good", "Too wide", "Missing")


def test_a_large_source_is_imported_by_a_job(db: Database, factory: Factory, org: OrgUsers,
                                             settings: Settings) -> None:
    source = _box_project(db, factory, org)
    spool = settings.data_dir / "chains"
    out = chaining.chain_project(db, org.manager.actor, source, chaining.ChainRequest("adjustment", "Big"),
                                 spool_dir=spool, sync_limit=1)
    assert out.created is None and out.job_id is not None and _rows(db, out.project.id) == []
    run_job(db, settings, out.job_id)
    assert [r["lw-pre-annotations"]["boundingBoxes"][0] for r in _rows(db, out.project.id)] == [CAR, CAR]
    assert not list(spool.iterdir())  # the job deleted its file


def test_who_may_chain_and_what(db: Database, factory: Factory, org: OrgUsers, tmp_path: Path) -> None:
    source = _box_project(db, factory, org)
    req = chaining.ChainRequest("adjustment", "Fix")
    for user in (org.annotator, org.reviewer):
        with pytest.raises(PermissionDenied):
            chaining.chain_project(db, user.actor, source, req, spool_dir=tmp_path / "spool")
    other = factory.org_users()
    with pytest.raises(NotFound):
        chaining.chain_project(db, other.manager.actor, source, req, spool_dir=tmp_path / "spool")
    with pytest.raises(ValidationFailed) as mode:
        chaining.chain_project(db, org.manager.actor, source, chaining.ChainRequest("review", "X"), spool_dir=tmp_path / "spool")
    assert mode.value.field == "mode"
    empty = factory.project(org.manager, "bounding-box", labels=["car"])
    factory.items(org.manager, empty.id, rows=[{"source-ref": "s3://b/x.jpg"}])
    with pytest.raises(ValidationFailed, match="no consolidated labels"):
        chaining.chain_project(db, org.manager.actor, empty.id, req, spool_dir=tmp_path / "spool")
    texts = factory.project(org.manager, "text-classification", labels=["a", "b"])
    factory.items(org.manager, texts.id, n=1)
    _submit(db, org.annotator, texts.id, {"label": {"label": "a"}})
    with pytest.raises(ValidationFailed, match="cannot be adjusted") as kind:
        chaining.chain_project(db, org.manager.actor, texts.id, req, spool_dir=tmp_path / "spool")
    assert kind.value.field == "mode"
    with pytest.raises(ValidationFailed) as attr:
        chaining.chain_project(db, org.manager.actor, source,
                               chaining.ChainRequest("adjustment", "Fix", label_attribute="street-boxes"),
                               spool_dir=tmp_path / "spool")
    assert attr.value.field == "label_attribute"


def _png(ids: list[list[int]], colours: list[tuple[int, int, int]], mode: str = "RGB") -> str:
    """A label map PNG (base64): id 0 white, id k the k-th colour."""
    import base64
    import io

    from PIL import Image

    img = Image.new(mode, (len(ids[0]), len(ids)))
    # RGBA as a canvas writes it: unpainted pixels transparent (they count as white)
    blank = (255, 255, 255) if mode == "RGB" else (0, 0, 0, 0)
    img.putdata([blank if k == 0 else colours[k - 1] + ((255,) if mode == "RGBA" else ()) for row in ids for k in row])
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


def test_a_semantic_segmentation_label_is_adjusted_pixel_by_pixel(db: Database, factory: Factory, org: OrgUsers,
                                                                  tmp_path: Path) -> None:
    road, car = (0x1F, 0x77, 0xB4), (0x2C, 0xA0, 0x2C)
    ids = [[0, 1, 1, 0], [2, 2, 1, 0], [0, 0, 0, 0]]
    mapping = {"road": {"color": "#1f77b4"}, "car": {"color": "#2ca02c"}}
    size = {"width": 4, "height": 3}
    p = factory.project(org.manager, "semantic-segmentation", labels=["road", "car"], name="Scenes")
    factory.items(org.manager, p.id, rows=[{"source-ref": "s3://b/scene.jpg"}])
    answer = {"labeledImage": {"pngImageData": _png(ids, [road, car])}, "labelMappings": mapping,
              "inputImageProperties": size}
    _submit(db, org.annotator, p.id, {"mask": answer})
    chained = chaining.chain_project(db, org.manager.actor, p.id, chaining.ChainRequest("adjustment", "Fix scenes"),
                                     spool_dir=tmp_path / "spool").project
    assert chained.labels.document["lw-adjusts"] == "semantic-segmentation"
    (row,) = _rows(db, chained.id)
    pre = row["lw-pre-annotations"]
    assert pre["inputImageProperties"] == size and set(pre["labelMappings"]) == {"road", "car"}
    html = templates.render_task(chained.effective_template, row, ["road", "car"])
    assert "<lw-semantic-segmentation" in html and "<lw-bounding-box" not in html
    # the same pixels in another PNG encoding (RGBA, colours listed the other way round): unadjusted
    same = {"labeledImage": {"pngImageData": _png(ids, [road, car], mode="RGBA")},
            "labelMappings": {"car": mapping["car"], "road": mapping["road"]}, "inputImageProperties": size}
    factory.items(org.manager, chained.id, rows=[dict(row, copy=2)])
    _, value = _submit(db, org.annotator, chained.id, {"mask": same})
    assert value["adjustment-status"] == "unadjusted"
    painted = [[0, 1, 1, 0], [2, 2, 1, 1], [0, 0, 0, 0]]  # one more road pixel
    _, value = _submit(db, org.annotator, chained.id, {"mask": dict(same, labeledImage={
        "pngImageData": _png(painted, [road, car])})})
    assert value["adjustment-status"] == "adjusted"
    lines = _export(db, org.manager, chained.id)
    assert sorted(line["fix-scenes-ref-metadata"]["adjustment-status"] for line in lines) == ["adjusted", "unadjusted"]


@pytest.mark.parametrize(("task_type", "field", "answer", "moved"), [
    ("polygon", "polygons", {"label": "car", "vertices": [{"x": 10, "y": 10}, {"x": 90, "y": 10}, {"x": 50, "y": 70}]},
     {"label": "car", "vertices": [{"x": 10, "y": 10}, {"x": 95, "y": 10}, {"x": 50, "y": 70}]}),
    ("polyline", "polylines", {"label": "car", "vertices": [{"x": 1, "y": 2}, {"x": 30, "y": 40}, {"x": 60, "y": 2}]},
     {"label": "bird", "vertices": [{"x": 1, "y": 2}, {"x": 30, "y": 40}, {"x": 60, "y": 2}]}),
    ("line", "lines", {"label": "car", "vertices": [{"x": 1, "y": 2}, {"x": 30, "y": 40}]},
     {"label": "car", "vertices": [{"x": 1, "y": 2}, {"x": 30, "y": 41}]}),
    ("keypoint", "keypoints", {"label": "bird", "x": 12.5, "y": 7}, {"label": "bird", "x": 13.5, "y": 7}),
])
def test_shapes_and_points_are_adjusted_in_their_editor(db: Database, factory: Factory, org: OrgUsers, tmp_path: Path,
                                                       task_type: str, field: str, answer: dict[str, Any],
                                                       moved: dict[str, Any]) -> None:
    p = factory.project(org.manager, task_type, labels=["car", "bird"], name="Source")
    factory.items(org.manager, p.id, rows=[{"source-ref": "s3://b/a.jpg"}])
    _, stored = _submit(db, org.annotator, p.id, {field: {field: [answer], "inputImageProperties": PROPS}})
    chained = chaining.chain_project(db, org.manager.actor, p.id, chaining.ChainRequest("adjustment", "Fix"),
                                     spool_dir=tmp_path / "spool").project
    (row,) = _rows(db, chained.id)
    # the consolidated label in the editor's shape (a polygon's pixel vote redraws its outline)
    (pre,) = row["lw-pre-annotations"][field]
    assert pre["label"] == answer["label"] and (task_type == "polygon" or [pre] == stored[field])
    html = templates.render_task(chained.effective_template, row, ["car", "bird"])
    assert f'<lw-{task_type} name="{field}"' in html and "<lw-bounding-box" not in html
    factory.items(org.manager, chained.id, rows=[dict(row, copy=2)])
    _, same = _submit(db, org.annotator, chained.id, {field: dict(row["lw-pre-annotations"])})
    _, changed = _submit(db, org.annotator, chained.id, {field: {field: [moved], "inputImageProperties": PROPS}})
    assert (same["adjustment-status"], changed["adjustment-status"]) == ("unadjusted", "adjusted")
    metas = [line["fix-metadata"] for line in _export(db, org.manager, chained.id)]
    assert [m["adjustment-status"] for m in metas] == ["unadjusted", "adjusted"]
    assert {m["type"] for m in metas} == {f"groundtruth/{task_type}"}


def test_label_verify_adjust_chain(db: Database, factory: Factory, org: OrgUsers, tmp_path: Path) -> None:
    """Ground Truth's classic chain: boxes, then a verification of them, then an adjustment of the verified boxes."""
    source = _box_project(db, factory, org)
    spool = tmp_path / "spool"
    verify = chaining.chain_project(db, org.manager.actor, source, chaining.ChainRequest("verification", "Check"),
                                    spool_dir=spool).project
    for verdict in ("Incorrect", "Correct"):
        _submit(db, org.annotator, verify.id, {"verdict": {"label": verdict}})
    out = chaining.chain_project(db, org.manager.actor, verify.id, chaining.ChainRequest("adjustment", "Fix"),
                                 spool_dir=spool)
    p = out.project
    # the boxes' own labels and type, found on the items (the verification project's labels are verdicts)
    assert p.labels.labels == ("car", "bird") and out.created == 2
    assert p.labels.document["lw-adjusts"] == "bounding-box"
    assert p.labels.document["auditLabelAttributeName"] == "street-boxes"
    first, _ = _rows(db, p.id)
    assert first["check-metadata"]["class-name"] == "Incorrect"  # the verdict rides along
    assert first["lw-pre-annotations"]["boundingBoxes"] == [CAR, BIRD]
    _, value = _submit(db, org.annotator, p.id, {"boxes": {"boundingBoxes": [CAR, BIRD], "inputImageProperties": PROPS}})
    assert value["adjustment-status"] == "unadjusted"
    # a verification of labels that cannot be adjusted (image classification) is refused, nothing created
    pets = factory.project(org.manager, "image-classification", labels=["cat", "dog"])
    factory.items(org.manager, pets.id, rows=[{"source-ref": "s3://b/cat.jpg"}])
    _submit(db, org.annotator, pets.id, {"label": {"label": "cat"}})
    checked = chaining.chain_project(db, org.manager.actor, pets.id, chaining.ChainRequest("verification", "Pets?"),
                                     spool_dir=spool).project
    _submit(db, org.annotator, checked.id, {"verdict": {"label": "Correct"}})
    before = len(factory.item_ids(checked.id))
    with pytest.raises(ValidationFailed, match="no adjustable label") as bad:
        chaining.chain_project(db, org.manager.actor, checked.id, chaining.ChainRequest("adjustment", "Never"),
                               spool_dir=spool)
    assert bad.value.field == "mode" and len(factory.item_ids(checked.id)) == before
    assert "Never" not in {p.name for p in projects.list_projects(db, org.manager.actor)}
    assert not list(spool.iterdir())
