"""An adjustment project chained from a box project whose label file says ``editsAllowed: "none"`` on
``car`` and on the attribute ``occluded``, through the real labeling page in Chromium: the earlier car
box is locked in the editor (its lock toggle disabled, not hit by a drag, the label not offered), the
person box is dragged, the submit is accepted (nothing the server protects changed), and the export
keeps the car as it was and says ``adjusted``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from factories import PASSWORD, Factory
from image_labeling import editor_frame, login, to_page
from labelworks.core.enums import Role
from labelworks.services import annotations, assignments, chaining, imports

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))
LABEL_FILE = {
    "document-version": "2018-11-28",
    "labels": [{"label": "car", "editsAllowed": "none"}, {"label": "person"}],
    "categoryGlobalAttributes": [{"name": "occluded", "type": "string", "enum": ["no", "partly"],
                                  "editsAllowed": "none"}],
}
CAR = {"label": "car", "left": 100, "top": 80, "width": 150, "height": 100, "labelCategoryAttributes": {"occluded": "no"}}
PERSON = {"label": "person", "left": 300, "top": 60, "width": 50, "height": 120,
          "labelCategoryAttributes": {"occluded": "partly"}}
ELEMENT = "lw-bounding-box"


def _drag(page: Any, frame: Any, a: tuple[float, float], b: tuple[float, float]) -> None:
    start, end = to_page(page, frame, ELEMENT, *a), to_page(page, frame, ELEMENT, *b)
    page.mouse.move(*start)
    page.mouse.down()
    for t in (0.3, 0.6, 1.0):
        page.mouse.move(start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t)
    page.mouse.up()


def test_a_fixed_box_stays_and_the_adjusted_answer_is_accepted(live_server: Any, chromium: Any, tmp_path: Path) -> None:
    factory: Factory = live_server.factory
    org_id = factory.org("Fixed Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@fixed.test", password=PASSWORD)
    annotator = factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@fixed.test", password=PASSWORD)
    db = live_server.db
    source = factory.project(manager, name="Street", task_type="bounding-box", labels=LABEL_FILE)
    folder = tmp_path / "street"
    folder.mkdir()
    Image.new("RGB", (400, 300), (120, 130, 140)).save(folder / "street.png")
    imports.import_folder(db, manager.actor, source.id, folder, roots=live_server.settings.allowed_media_roots,
                          media_dir=live_server.settings.media_dir)
    lease = assignments.next_for(db, annotator.actor, source.id)
    assert lease is not None
    annotations.submit(db, annotator.actor, lease.assignment_id,
                       {"boxes": {"boundingBoxes": [CAR, PERSON], "inputImageProperties": {"width": 400, "height": 300}}})
    chained = chaining.chain_project(db, manager.actor, source.id, chaining.ChainRequest("adjustment", "Fix street"),
                                     spool_dir=tmp_path / "spool").project

    context, page = login(chromium, live_server.url, "ann@fixed.test", PASSWORD)
    page.goto(f"/label/{chained.id}")
    frame = editor_frame(page, ELEMENT)
    el = frame.locator(ELEMENT)
    assert el.evaluate("el => el.editor.model.boxes.map(b => [b.label, !!b.editLocked])") == [["car", True],
                                                                                            ["person", False]]
    rows = el.locator(".region-list .region")
    lock = rows.nth(0).locator("button.mini").nth(1)
    assert lock.is_disabled() and lock.get_attribute("title") == "editsAllowed: none"
    assert el.get_by_role("radio", name="car").is_disabled()
    # the page's sidebar says so too, with no key: the editor does not offer the label
    assert page.locator("[data-fixed-label]").all_inner_texts() == ["car (fixed)"]

    el.locator("[data-tool=select]").click()
    _drag(page, frame, (175, 130), (215, 170))  # on the car: nothing is hit, nothing moves
    _drag(page, frame, (325, 120), (345, 120))  # the person moves 20 px
    boxes = el.evaluate("el => el.editor.model.output().boundingBoxes")
    assert boxes[0] == CAR
    assert abs(boxes[1]["left"] - 320) <= 2 and boxes[1]["top"] == 60
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "edits-allowed-adjustment.png"))
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()

    r = httpx.get(f"{live_server.url}/api/v1/projects/{chained.id}/export", params={"format": "manifest"},
                  headers=manager.headers, timeout=30)
    (line,) = [json.loads(x) for x in r.text.splitlines()]
    meta = line["fix-street-metadata"]
    assert meta["adjustment-status"] == "adjusted"
    car, person = line["fix-street"]["annotations"]
    assert (car["left"], car["top"], car["width"], car["height"]) == (100, 80, 150, 100)
    assert car["label-category-attributes"] == {"occluded": "no"}
    assert abs(person["left"] - 320) <= 2 and person["label-category-attributes"] == {"occluded": "partly"}
