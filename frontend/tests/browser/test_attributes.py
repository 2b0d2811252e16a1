"""Label-category attributes in the image editors, in the real sandboxed task frame: a box and a
polygon get a choice, a text and a number attribute through the side panel, one edit is undone,
a submit with a required attribute missing (the image's, then an object's) is blocked with a
message naming it and selects the object, and the posted value carries Ground Truth's
``labelCategoryAttributes`` / ``frameAttributes``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness import FRAMES
from test_elements import last, open_frame, wait_for
from test_polygon import click, drag, latest, wait_loaded

pytestmark = pytest.mark.e2e

LABELS = json.dumps({
    "document-version": "2018-11-28",
    "labels": [
        {"label": "house", "categoryAttributes": [
            {"name": "occluded", "type": "string", "enum": ["no", "partly", "fully"], "isRequired": True},
            {"name": "material", "type": "string", "enum": ["brick", "wood", "stone", "concrete", "glass", "other"]},
            {"name": "address", "type": "string", "description": "as written on the door"},
        ]},
        {"label": "tree"},
    ],
    "categoryGlobalAttributes": [{"name": "truncated", "type": "number", "minimum": 0, "maximum": 100}],
    "frameAttributes": [
        {"name": "weather", "type": "string", "enum": ["clear", "cloudy", "rain"], "isRequired": True,
         "description": "the sky in the picture"},
        {"name": "people", "type": "number", "minimum": 0, "maximum": 50, "description": "people in view"},
    ],
})

FRAMES.update({
    "bbox-attributes": f"""
<crowd-form>
  <crowd-bounding-box name="objects" src="/media/scene.png" labels='{LABELS}' header="Box each object"></crowd-bounding-box>
</crowd-form>""",
    "polygon-attributes": f"""
<crowd-form>
  <crowd-polygon name="regions" src="/media/scene.png" labels='{LABELS}'></crowd-polygon>
</crowd-form>""",
})

IMAGE = {"width": 800, "height": 500}


def panel(frame: Any, el: str, part: str) -> Any:
    return frame.locator(el).locator(f"[part={part}]")


def alert_text(frame: Any, el: str) -> str:
    return frame.locator(el).locator("[part=error]").inner_text()


def boxes(page: Any, pred: Any) -> list[dict[str, Any]]:
    return latest(page, "objects", "boundingBoxes", pred)


def test_box_attributes_undo_required_and_submit(page: Any, shots: Path) -> None:
    el = "crowd-bounding-box"
    frame = open_frame(page, "bbox-attributes", width=1100)
    wait_loaded(page, frame, el)
    image_panel = panel(frame, el, "frame-attributes")
    assert image_panel.get_by_text("the sky in the picture").is_visible()
    assert panel(frame, el, "object-attributes").count() == 0  # nothing selected yet

    drag(page, frame, el, (150, 205), (310, 395))  # a house; the new box is selected
    obj = panel(frame, el, "object-attributes")
    assert obj.get_by_text("Box 1 · house").is_visible()
    obj.get_by_role("radio", name="partly").click()  # a short choice: chips
    obj.locator("select").select_option("wood")  # a longer one: a select
    obj.get_by_label("address").fill("12 Hill Road")
    obj.get_by_label("address").press("Enter")
    obj.get_by_label("truncated").fill("40")
    obj.get_by_label("truncated").press("Tab")
    [house] = boxes(page, lambda b: len(b) == 1 and "truncated" in b[0].get("labelCategoryAttributes", {}))
    assert house["labelCategoryAttributes"] == {"occluded": "partly", "material": "wood", "address": "12 Hill Road",
                                                "truncated": 40}
    page.screenshot(path=str(shots / "attributes-box-panel.png"))

    # Every edit is one undo step: the number goes, the rest stays.
    frame.get_by_role("button", name="Undo").click()
    [house] = boxes(page, lambda b: "truncated" not in b[0].get("labelCategoryAttributes", {}))
    assert house["labelCategoryAttributes"] == {"occluded": "partly", "material": "wood", "address": "12 Hill Road"}
    assert obj.get_by_label("truncated").input_value() == ""
    # A second click on the chosen chip clears it; undo brings it back.
    obj.get_by_role("radio", name="partly").click()
    boxes(page, lambda b: "occluded" not in b[0].get("labelCategoryAttributes", {}))
    frame.get_by_role("button", name="Undo").click()
    [house] = boxes(page, lambda b: b[0].get("labelCategoryAttributes", {}).get("occluded") == "partly")

    # Copy and paste keep the values (the canvas has the focus after a click on the box).
    click(page, frame, el, 230, 300)
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    pasted = boxes(page, lambda b: len(b) == 2)[1]
    assert pasted["labelCategoryAttributes"] == house["labelCategoryAttributes"]
    page.keyboard.press("Delete")
    boxes(page, lambda b: len(b) == 1)

    # A second house, its required attribute left empty.
    drag(page, frame, el, (476, 176), (594, 366))
    boxes(page, lambda b: len(b) == 2)
    # The region list marks the box whose required value is missing.
    marks = frame.locator(el).locator(".region-list .region")
    assert marks.nth(0).locator(".todo").count() == 0
    assert marks.nth(1).locator(".todo").get_attribute("title") == "Attributes: choose a value for “occluded”"
    frame.get_by_role("button", name="Select box 1: house").click()  # the panel follows the selection
    assert obj.get_by_text("Box 1 · house").is_visible()
    # Text typed and left by a click on another box is kept for the box it was typed for.
    obj.get_by_label("address").fill("7 Oak Lane")
    click(page, frame, el, 535, 300)
    obj.get_by_text("Box 2 · house").wait_for()
    boxes(page, lambda b: b[0]["labelCategoryAttributes"].get("address") == "7 Oak Lane"
          and "address" not in b[1].get("labelCategoryAttributes", {}))
    assert obj.get_by_label("address").input_value() == ""

    # Submit: the image's required weather is missing first.
    frame.get_by_role("button", name="Submit").click()
    assert alert_text(frame, el) == "Image attributes: choose a value for “weather”."
    assert last(page, "lw:submit") is None
    image_panel.get_by_role("radio", name="cloudy").click()
    # The message moves on to the next problem as soon as this one is fixed.
    message = "Box 2 (house): choose a value for “occluded”."
    frame.locator(el).locator("[part=error]").get_by_text(message).wait_for()

    # Submit again: box 2 is selected, its panel open, the missing value marked.
    frame.get_by_role("button", name="Submit").click()
    assert alert_text(frame, el) == message
    assert last(page, "lw:submit") is None
    assert obj.get_by_text("Box 2 · house").is_visible()
    assert "choose a value" in obj.locator(".attr-problem").inner_text()
    page.screenshot(path=str(shots / "attributes-box-blocked.png"))
    obj.get_by_role("radio", name="no").click()
    frame.locator(el).locator("[part=error]").wait_for(state="detached")
    image_panel.get_by_label("people").fill("3")
    image_panel.get_by_label("people").press("Enter")
    final = boxes(page, lambda b: len(b) == 2 and b[1].get("labelCategoryAttributes") == {"occluded": "no"})

    frame.get_by_role("button", name="Submit").click()
    submitted = wait_for(page, lambda m: m["type"] == "lw:submit")["value"]["objects"]
    assert submitted["boundingBoxes"] == final
    assert submitted["frameAttributes"] == {"weather": "cloudy", "people": 3}
    assert submitted["inputImageProperties"] == IMAGE
    assert page.errors == []


def test_polygon_attributes_and_a_relabel(page: Any, shots: Path) -> None:
    el = "crowd-polygon"
    frame = open_frame(page, "polygon-attributes", width=1100)
    wait_loaded(page, frame, el)
    for x, y in [(150, 205), (230, 120), (310, 205), (150, 205)]:
        click(page, frame, el, x, y)
    latest(page, "regions", "polygons", lambda p: len(p) == 1)
    obj = panel(frame, el, "object-attributes")
    assert obj.get_by_text("Polygon 1 · house").is_visible()
    panel(frame, el, "frame-attributes").get_by_role("radio", name="clear").click()
    obj.get_by_role("radio", name="fully").click()
    obj.get_by_label("truncated").fill("150")  # out of range: kept, shown, and blocks the submit
    obj.get_by_label("truncated").press("Enter")
    assert obj.locator(".attr-problem").inner_text() == "“truncated” must be at most 100"
    page.screenshot(path=str(shots / "attributes-polygon-panel.png"))

    frame.get_by_role("button", name="Submit").click()
    assert alert_text(frame, el) == "Polygon 1 (house): “truncated” must be at most 100."
    assert last(page, "lw:submit") is None
    frame.get_by_role("button", name="Undo").click()  # takes the 150 back
    frame.locator(el).locator("[part=error]").wait_for(state="detached")

    # Relabelled as a tree, the house's own attributes leave the answer (the global one would stay).
    page.keyboard.press("2")
    [tree] = latest(page, "regions", "polygons", lambda p: p[0]["label"] == "tree")
    assert "labelCategoryAttributes" not in tree
    page.keyboard.press("1")
    [roof] = latest(page, "regions", "polygons", lambda p: p[0]["label"] == "house")
    assert roof["labelCategoryAttributes"] == {"occluded": "fully"}  # restored with the label

    frame.get_by_role("button", name="Submit").click()
    submitted = wait_for(page, lambda m: m["type"] == "lw:submit")["value"]["regions"]
    assert submitted == {"polygons": [roof], "inputImageProperties": IMAGE, "frameAttributes": {"weather": "clear"}}
    assert page.errors == []
