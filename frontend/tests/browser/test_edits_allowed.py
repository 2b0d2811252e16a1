"""Ground Truth's ``editsAllowed: "none"`` in the image elements, in the real sandboxed task frame:
a loaded box of a fixed label is greyed, cannot be dragged, deleted, relabelled or unlocked (its lock
toggle disabled, "editsAllowed: none"); the fixed label is shown disabled among the label choices;
a fixed attribute is read-only on a loaded box and editable on a new one; a fixed frame attribute
is read-only; the answer keeps the fixed things as loaded. A semantic mask's fixed class keeps its
pixels under the brush and the eraser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness import FRAMES
from test_elements import open_frame, wait_for
from test_polygon import click, drag, latest, wait_loaded
from test_segmentation import INITIAL, PICTURE, counts, stroke
from test_segmentation import wait_loaded as wait_mask

pytestmark = pytest.mark.e2e

LABELS = json.dumps({
    "document-version": "2018-11-28",
    "labels": [{"label": "car", "editsAllowed": "none"}, {"label": "person"}],
    "categoryGlobalAttributes": [
        {"name": "occluded", "type": "string", "enum": ["no", "partly"], "editsAllowed": "none"},
        {"name": "note", "type": "string"},
    ],
    "frameAttributes": [{"name": "weather", "type": "string", "enum": ["clear", "rain"], "editsAllowed": "none"}],
})
CAR = {"label": "car", "left": 150, "top": 205, "width": 160, "height": 190, "labelCategoryAttributes": {"occluded": "no"}}
PERSON = {"label": "person", "left": 476, "top": 176, "width": 118, "height": 190,
          "labelCategoryAttributes": {"occluded": "partly"}}
INITIAL_BOXES = {"boundingBoxes": [CAR, PERSON], "frameAttributes": {"weather": "rain"},
                 "inputImageProperties": {"width": 800, "height": 500}}
MASK_LABELS = json.dumps({"labels": [{"label": "house", "editsAllowed": "none"}, {"label": "roof"}, {"label": "ground"}]})

FRAMES.update({
    "bbox-edits-allowed": f"""
<crowd-form>
  <crowd-bounding-box name="objects" src="/media/scene.png" labels='{LABELS}'
      initial-value='{json.dumps(INITIAL_BOXES)}'></crowd-bounding-box>
</crowd-form>""",
    "semseg-edits-allowed": f"""
<crowd-form>
  <crowd-semantic-segmentation name="mask" src="{PICTURE}" labels='{MASK_LABELS}'
      initial-value='{json.dumps(INITIAL)}'></crowd-semantic-segmentation>
</crowd-form>""",
})

EL = "crowd-bounding-box"


def model_boxes(frame: Any) -> list[dict[str, Any]]:
    return frame.locator(EL).evaluate("el => el.editor.model.output().boundingBoxes")


def test_a_fixed_box_cannot_be_changed_and_the_rest_can(page: Any, shots: Path) -> None:
    frame = open_frame(page, "bbox-edits-allowed", width=1100)
    wait_loaded(page, frame, EL)
    root = frame.locator(EL)
    rows = root.locator(".region-list .region")
    assert rows.count() == 2
    # The car's row: greyed, its lock shown locked and disabled, with the reason.
    assert "is-edit-locked" in (rows.nth(0).get_attribute("class") or "")
    lock = rows.nth(0).locator("button.mini").nth(1)
    assert lock.is_disabled() and lock.get_attribute("title") == "editsAllowed: none"
    assert not rows.nth(1).locator("button.mini").nth(1).is_disabled()
    # The fixed label is shown, disabled, with the reason; person is current.
    car_choice = root.get_by_role("radio", name="car")
    assert car_choice.is_disabled()
    assert "editsAllowed: none" in (car_choice.get_attribute("title") or "")
    assert root.get_by_role("radio", name="person").get_attribute("aria-checked") == "true"
    # The fixed frame attribute is read-only.
    frame_panel = root.locator("[part=frame-attributes]")
    assert frame_panel.get_by_role("radio", name="clear").is_disabled()

    # Dragging the car from its middle moves nothing (it is not hit; a drag there draws a person).
    root.locator("[data-tool=select]").click()
    drag(page, frame, EL, (230, 300), (400, 120))
    page.wait_for_timeout(100)
    assert model_boxes(frame)[0] == CAR
    # Selected from the list: Delete, a label key and the arrows leave it as it was.
    frame.get_by_role("button", name="Select box 1: car").click()
    root.locator(".canvas").focus()
    for key in ("Delete", "2", "ArrowLeft"):
        page.keyboard.press(key)
    assert root.get_by_role("button", name="Delete box").is_disabled()
    assert model_boxes(frame)[0] == CAR
    # Its fixed attribute is read-only, the other one editable.
    obj = root.locator("[part=object-attributes]")
    assert obj.get_by_role("radio", name="no").is_disabled()
    assert obj.locator("[data-attribute=occluded] .attr-fixed").inner_text() == "fixed"
    obj.get_by_label("note").fill("red")
    obj.get_by_label("note").press("Enter")
    latest(page, "objects", "boundingBoxes", lambda b: b and b[0].get("labelCategoryAttributes", {}).get("note") == "red")
    page.screenshot(path=str(shots / "edits-allowed-box.png"))

    # The person box is free: moved; a new box is a person, its "occluded" may be set.
    click(page, frame, EL, 535, 270)
    drag(page, frame, EL, (535, 270), (555, 290))
    latest(page, "objects", "boundingBoxes", lambda b: len(b) == 2 and b[1]["left"] == 496)
    root.locator("[data-tool=draw]").click()
    drag(page, frame, EL, (650, 50), (750, 150))
    boxes = latest(page, "objects", "boundingBoxes", lambda b: len(b) == 3)
    assert boxes[2]["label"] == "person"
    new_panel = root.locator("[part=object-attributes]")
    assert new_panel.get_by_text("Box 3 · person").is_visible()
    assert not new_panel.get_by_role("radio", name="partly").is_disabled()
    new_panel.get_by_role("radio", name="partly").click()
    boxes = latest(page, "objects", "boundingBoxes",
                   lambda b: len(b) == 3 and b[2].get("labelCategoryAttributes") == {"occluded": "partly"})
    # The person's own fixed value is read-only too.
    frame.get_by_role("button", name="Select box 2: person").click()
    assert root.locator("[part=object-attributes]").get_by_role("radio", name="no").is_disabled()
    page.screenshot(path=str(shots / "edits-allowed-box-new.png"))

    frame.get_by_role("button", name="Submit").click()
    submitted = wait_for(page, lambda m: m["type"] == "lw:submit")["value"]["objects"]
    assert submitted["boundingBoxes"][0] == {**CAR, "labelCategoryAttributes": {"occluded": "no", "note": "red"}}
    assert submitted["boundingBoxes"][1]["labelCategoryAttributes"] == {"occluded": "partly"}
    assert submitted["frameAttributes"] == {"weather": "rain"}
    assert page.errors == []


def test_a_fixed_class_keeps_its_pixels(page: Any, shots: Path) -> None:
    el = "crowd-semantic-segmentation"
    frame = open_frame(page, "semseg-edits-allowed", width=1100)
    wait_mask(page, frame, el)
    root = frame.locator(el)
    before = counts(frame, el)
    assert before[1] == 5600  # house (value 1): x 100..179, y 90..159
    assert root.get_by_role("radio", name="house").is_disabled()
    assert root.get_by_role("radio", name="roof").get_attribute("aria-checked") == "true"
    assert "is-edit-locked" in (root.locator(".regions .region").nth(0).get_attribute("class") or "")
    # A roof stroke across the house paints around it, not over it; the eraser leaves it too.
    stroke(page, frame, el, [(60, 120), (220, 120)])
    after = counts(frame, el)
    assert after[1] == 5600 and after.get(2, 0) > 0
    root.locator("[data-tool=eraser]").click()
    stroke(page, frame, el, [(90, 100), (190, 150)])
    assert counts(frame, el)[1] == 5600
    page.screenshot(path=str(shots / "edits-allowed-mask.png"))
    assert page.errors == []
