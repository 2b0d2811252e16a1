"""<crowd-polygon> and <crowd-keypoint> in the real sandboxed task frame: a triangle drawn with the
mouse, a vertex dragged, undo, keypoints placed with label hotkeys, and the posted values in the
image's own pixels (scene.png is 800 x 500)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from harness import FRAMES
from test_elements import last, open_frame, wait_for

pytestmark = pytest.mark.e2e

FRAMES.update({
    "polygon": """
<crowd-form>
  <crowd-polygon name="regions" src="/media/scene.png" labels='["house", "tree", "sun"]'
      header="Outline each object">
    <short-instructions><p>Outline the roof of the house.</p></short-instructions>
  </crowd-polygon>
</crowd-form>""",
    "polygon-required": """
<crowd-form>
  <crowd-polygon name="regions" src="/media/scene.png" labels="['house', 'tree']" required
      initial-value='{"polygons": [{"label": "tree", "vertices": [{"x": 476, "y": 366}, {"x": 535, "y": 176}, {"x": 594, "y": 366}]}]}'>
  </crowd-polygon>
</crowd-form>""",
    "keypoint": """
<crowd-form>
  <crowd-keypoint name="points" src="/media/scene.png" labels='["door", "window", "sun"]'
      header="Mark the door and the sun"></crowd-keypoint>
</crowd-form>""",
})

IMAGE = {"width": 800, "height": 500}


def wait_loaded(page: Any, frame: Any, el: str) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        size = frame.locator(el).evaluate("el => el.editor ? el.editor.model.image : null")
        if size and size["width"]:
            page.wait_for_timeout(150)  # the host resizes the frame, then the stage refits
            return
        page.wait_for_timeout(30)
    raise AssertionError("the image did not load")


def to_page(page: Any, frame: Any, el: str, x: float, y: float) -> tuple[float, float]:
    """Page coordinates of image pixel (x, y), through the frame, the canvas and the viewport."""
    frame_box = page.locator("iframe").bounding_box()
    m = frame.locator(el).evaluate("""el => {
        const r = el.shadowRoot.querySelector('.canvas').getBoundingClientRect();
        const v = el.editor.view.viewport;
        return {left: r.left, top: r.top, scale: v.scale, x: v.x, y: v.y}; }""")
    return (frame_box["x"] + m["left"] + m["x"] + x * m["scale"],
            frame_box["y"] + m["top"] + m["y"] + y * m["scale"])


def click(page: Any, frame: Any, el: str, x: float, y: float) -> None:
    page.mouse.click(*to_page(page, frame, el, x, y))


def drag(page: Any, frame: Any, el: str, a: tuple[float, float], b: tuple[float, float]) -> None:
    page.mouse.move(*to_page(page, frame, el, *a))
    page.mouse.down()
    for t in (0.25, 0.5, 0.75, 1.0):
        page.mouse.move(*to_page(page, frame, el, a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t))
    page.mouse.up()


def latest(page: Any, name: str, key: str, pred: Any, timeout: float = 3.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    items: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        m = last(page, "lw:change")
        items = m["value"][name][key] if m else []
        if pred(items):
            return items
        page.wait_for_timeout(20)
    raise AssertionError(f"last {key}: {items}")


def near(p: dict[str, Any], x: float, y: float) -> bool:
    """Mouse positions are whole CSS pixels: a vertex lands within a pixel or two of the aim."""
    return abs(p["x"] - x) <= 2 and abs(p["y"] - y) <= 2


EL_P = "crowd-polygon"
EL_K = "crowd-keypoint"
ROOF = [(150, 205), (230, 120), (310, 205)]


def test_draw_a_triangle_edit_undo_and_submit(page: Any, shots: Path) -> None:
    frame = open_frame(page, "polygon", width=1100)
    wait_loaded(page, frame, EL_P)
    assert frame.get_by_text("Outline the roof").is_visible()

    for x, y in ROOF:
        click(page, frame, EL_P, x, y)
    page.screenshot(path=str(shots / "polygon-drawing.png"))
    assert last(page, "lw:change") is None  # an open polygon is not an answer yet
    click(page, frame, EL_P, *ROOF[0])  # the first vertex closes it
    [roof] = latest(page, "regions", "polygons", lambda p: len(p) == 1)
    assert roof["label"] == "house"
    assert len(roof["vertices"]) == 3 and all(near(v, x, y) for v, (x, y) in zip(roof["vertices"], ROOF)), roof
    assert wait_for(page, lambda m: m["type"] == "lw:change")["value"]["regions"]["inputImageProperties"] == IMAGE

    # A second polygon closed with Enter, after a stray vertex taken back with Backspace, then label 2.
    for x, y in [(476, 366), (535, 176), (700, 450), (594, 366)]:
        click(page, frame, EL_P, x, y)
        if (x, y) == (700, 450):
            page.keyboard.press("Backspace")
    page.keyboard.press("Enter")
    page.keyboard.press("2")
    polys = latest(page, "regions", "polygons", lambda p: len(p) == 2 and p[1]["label"] == "tree")
    assert [len(p["vertices"]) for p in polys] == [3, 3]

    # Select tool: drag the tree's top vertex 20 px up, then undo it.
    page.keyboard.press("v")
    drag(page, frame, EL_P, (535, 176), (535, 156))
    moved = latest(page, "regions", "polygons", lambda p: p[1]["vertices"][1]["y"] < 170)
    assert near(moved[1]["vertices"][1], 535, 156), moved
    page.screenshot(path=str(shots / "polygon-edited.png"))
    page.keyboard.press("Control+z")
    back = latest(page, "regions", "polygons", lambda p: p[1]["vertices"][1]["y"] > 170)
    assert back == polys

    # Esc drops a polygon being drawn.
    page.keyboard.press("p")
    click(page, frame, EL_P, 50, 50)
    click(page, frame, EL_P, 90, 50)
    page.keyboard.press("Escape")
    assert frame.locator(EL_P).evaluate("el => el.editor.controller.drafting") is False

    frame.get_by_role("button", name="Submit").click()
    submitted = wait_for(page, lambda m: m["type"] == "lw:submit")["value"]
    assert submitted == {"regions": {"polygons": polys, "inputImageProperties": IMAGE}}
    assert all(isinstance(v["x"], (int, float)) for p in polys for v in p["vertices"])
    assert page.errors == []


def test_required_polygon_and_initial_value(page: Any, shots: Path) -> None:
    frame = open_frame(page, "polygon-required")
    wait_loaded(page, frame, EL_P)
    frame.get_by_role("button", name="Select polygon 1: tree").click()
    page.keyboard.press("Delete")
    frame.get_by_role("button", name="Submit").click()
    assert "at least one polygon" in frame.locator(EL_P).get_by_role("alert").inner_text()
    assert last(page, "lw:submit") is None
    frame.get_by_role("button", name="Undo").click()
    frame.locator(EL_P).get_by_role("alert").wait_for(state="detached")
    # Hidden and locked: not drawn, not deletable, still in the answer.
    frame.get_by_role("button", name="Hide polygon 1").click()
    frame.get_by_role("button", name="Lock polygon 1").click()
    assert frame.get_by_role("button", name="Show polygon 1").get_attribute("aria-pressed") == "true"
    frame.get_by_role("button", name="Select polygon 1: tree").click()
    page.keyboard.press("Delete")
    assert frame.locator(EL_P).evaluate("el => el.editor.model.size") == 1
    page.screenshot(path=str(shots / "polygon-hidden-locked.png"))
    frame.get_by_role("button", name="Submit").click()
    assert wait_for(page, lambda m: m["type"] == "lw:submit")["value"] == {"regions": {"polygons": [
        {"label": "tree", "vertices": [{"x": 476, "y": 366}, {"x": 535, "y": 176}, {"x": 594, "y": 366}]}],
        "inputImageProperties": IMAGE}}


def test_place_and_move_keypoints(page: Any, shots: Path) -> None:
    frame = open_frame(page, "keypoint", width=1100)
    wait_loaded(page, frame, EL_K)
    click(page, frame, EL_K, 230, 330)  # label 1: door
    page.keyboard.press("3")
    click(page, frame, EL_K, 680, 80)  # label 3: sun
    points = latest(page, "points", "keypoints", lambda k: len(k) == 2)
    assert [p["label"] for p in points] == ["door", "sun"]
    assert near(points[0], 230, 330) and near(points[1], 680, 80), points
    drag(page, frame, EL_K, (680, 80), (700, 100))
    moved = latest(page, "points", "keypoints", lambda k: k[1]["x"] > 690)
    assert near(moved[1], 700, 100) and len(moved) == 2, moved
    # Brightness / contrast: a view aid on the image layer, not in the value.
    frame.get_by_title("Brightness and contrast").click()
    frame.get_by_label("Brightness").fill("180")
    assert "brightness(1.8)" in frame.locator(EL_K).evaluate(
        "el => el.editor.view.stage.getLayers()[0].getCanvas()._canvas.style.filter")
    page.screenshot(path=str(shots / "keypoint.png"))
    frame.get_by_role("button", name="Submit").click()
    assert wait_for(page, lambda m: m["type"] == "lw:submit")["value"] == {
        "points": {"keypoints": moved, "inputImageProperties": IMAGE}}
    assert page.errors == []


def test_a_draft_of_many_polygons_is_restored_and_stays_responsive(page: Any, shots: Path) -> None:
    frame = open_frame(page, "polygon", width=1100)
    wait_loaded(page, frame, EL_P)
    polys = [{"label": ["house", "tree", "sun"][i % 3],
              "vertices": [{"x": (i * 37) % 760 + dx, "y": (i * 53) % 470 + dy}
                           for dx, dy in ((0, 0), (12, 2), (20, 10), (14, 22), (4, 20), (-4, 10))]}
             for i in range(2000)]
    draft = {"regions": {"polygons": polys, "inputImageProperties": IMAGE}}
    page.evaluate(f"window.__send({{type: 'lw:init', draft: {json.dumps(draft)}}})")
    frame.get_by_text("2000", exact=True).wait_for()
    took = frame.locator(EL_P).evaluate("""el => {
        const c = el.editor.controller, stage = el.editor.view.stage;
        const t0 = performance.now();
        for (let i = 0; i < 10; i++) { c.zoomAt(1.1, {x: 200, y: 150}); stage.draw(); }
        const t1 = performance.now();
        for (let i = 0; i < 10; i++) { c.setViewport({...el.editor.view.viewport, x: el.editor.view.viewport.x + 5}); stage.draw(); }
        const t2 = performance.now();
        c.fit(); stage.draw();
        return {zoom: (t1 - t0) / 10, pan: (t2 - t1) / 10}; }""")
    print(f"2000 polygons: zoom step {took['zoom']:.1f} ms, pan step {took['pan']:.1f} ms")
    assert took["zoom"] < 100 and took["pan"] < 100, took
    page.wait_for_timeout(100)
    page.screenshot(path=str(shots / "polygon-2000.png"))
    frame.get_by_role("button", name="Submit").click()
    assert len(wait_for(page, lambda m: m["type"] == "lw:submit")["value"]["regions"]["polygons"]) == 2000
