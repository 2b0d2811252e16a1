"""<crowd-bounding-box> in the real sandboxed task frame: drawing with the mouse, label hotkeys,
moving, undo, and the posted value in the image's own pixels (scene.png is 800 x 500)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from harness import FRAMES
from test_elements import last, open_frame, settles, wait_for

pytestmark = pytest.mark.e2e

FRAMES.update({
    "bbox": """
<crowd-form>
  <crowd-bounding-box name="objects" src="/media/scene.png" labels='["house", "tree", "sun"]'
      header="Draw a box around each object">
    <short-instructions><p>Box the house, the tree and the sun.</p></short-instructions>
    <full-instructions header="Box guidelines"><p>Tight boxes, edge to edge.</p></full-instructions>
  </crowd-bounding-box>
</crowd-form>""",
    "bbox-required": """
<crowd-form>
  <crowd-bounding-box name="objects" src="/media/scene.png" labels="['house', 'tree']" required
      initial-value='[{"label": "tree", "left": 476, "top": 176, "width": 118, "height": 190}]'>
  </crowd-bounding-box>
</crowd-form>""",
})

EL = "crowd-bounding-box"


def wait_loaded(page: Any, frame: Any) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        size = frame.locator("crowd-bounding-box, lw-bounding-box").evaluate("el => el.editor ? el.editor.model.image : null")
        if size and size["width"]:
            page.wait_for_timeout(150)  # the host resizes the frame, then the stage refits
            return
        page.wait_for_timeout(30)
    raise AssertionError("the image did not load")


def to_page(page: Any, frame: Any, x: float, y: float) -> tuple[float, float]:
    """Page coordinates of image pixel (x, y), through the frame, the canvas and the viewport."""
    frame_box = page.locator("iframe").bounding_box()
    m = frame.locator(EL).evaluate("""el => {
        const r = el.shadowRoot.querySelector('.canvas').getBoundingClientRect();
        const v = el.editor.view.viewport;
        return {left: r.left, top: r.top, scale: v.scale, x: v.x, y: v.y}; }""")
    return (frame_box["x"] + m["left"] + m["x"] + x * m["scale"],
            frame_box["y"] + m["top"] + m["y"] + y * m["scale"])


def drag(page: Any, frame: Any, a: tuple[float, float], b: tuple[float, float]) -> None:
    page.mouse.move(*to_page(page, frame, *a))
    page.mouse.down()
    for t in (0.25, 0.5, 0.75, 1.0):
        page.mouse.move(*to_page(page, frame, a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t))
    page.mouse.up()


def latest_boxes(page: Any, pred: Any, timeout: float = 3.0) -> list[dict[str, Any]]:
    """The boxes of the last lw:change once they satisfy ``pred`` (messages arrive asynchronously)."""
    deadline = time.monotonic() + timeout
    boxes: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        m = last(page, "lw:change")
        boxes = m["value"]["objects"]["boundingBoxes"] if m else []
        if pred(boxes):
            return boxes
        page.wait_for_timeout(20)
    raise AssertionError(f"last boxes: {boxes}")


def close(box: dict[str, Any], label: str, left: float, top: float, width: float, height: float) -> bool:
    """Mouse positions are whole CSS pixels, so a drawn edge lands within a pixel or two of the aim."""
    return box["label"] == label and all(
        abs(box[k] - v) <= 2 for k, v in (("left", left), ("top", top), ("width", width), ("height", height)))


def test_draw_relabel_move_undo_and_submit(page: Any, shots: Path) -> None:
    frame = open_frame(page, "bbox", width=1100)
    wait_loaded(page, frame)
    assert frame.get_by_text("Box the house").is_visible()

    drag(page, frame, (150, 205), (310, 395))  # the house, label 1 (house) is current
    first = wait_for(page, lambda m: m["type"] == "lw:change")["value"]["objects"]
    assert first["inputImageProperties"] == {"width": 800, "height": 500}
    [house] = first["boundingBoxes"]
    assert close(house, "house", 150, 205, 160, 190), house
    assert all(isinstance(house[k], int) for k in ("left", "top", "width", "height"))

    drag(page, frame, (476, 176), (594, 366))  # the tree, drawn as a house, then relabeled
    page.keyboard.press("2")
    boxes = latest_boxes(page, lambda b: len(b) == 2 and b[1]["label"] == "tree")
    tree = boxes[1]
    assert close(tree, "tree", 476, 176, 118, 190), boxes
    assert frame.get_by_role("radio", name="tree").get_attribute("aria-checked") == "true"
    page.screenshot(path=str(shots / "bbox-two-boxes.png"))

    # Move the selected tree box 60 px right and 40 px up, then undo the move.
    drag(page, frame, (535, 270), (595, 230))
    moved = latest_boxes(page, lambda b: b[1]["left"] != tree["left"])[1]
    assert close(moved, "tree", tree["left"] + 60, tree["top"] - 40, tree["width"], tree["height"]), moved
    assert (moved["width"], moved["height"]) == (tree["width"], tree["height"])  # a move keeps the size
    page.screenshot(path=str(shots / "bbox-moved.png"))
    page.keyboard.press("Control+z")
    settles(page, "lw:change", {"objects": {"boundingBoxes": [house, tree],
                                            "inputImageProperties": {"width": 800, "height": 500}}})
    page.keyboard.press("Control+Shift+z")  # redo, then undo again
    settles(page, "lw:change", {"objects": {"boundingBoxes": [house, moved],
                                            "inputImageProperties": {"width": 800, "height": 500}}})
    page.keyboard.press("Control+z")

    # A box dragged past the image's edge is cut at the edge.
    drag(page, frame, (700, 420), (900, 600))
    edge = latest_boxes(page, lambda b: len(b) == 3)[2]
    assert edge["left"] + edge["width"] == 800 and edge["top"] + edge["height"] == 500, edge
    page.keyboard.press("Delete")
    settles(page, "lw:change", {"objects": {"boundingBoxes": [house, tree],
                                            "inputImageProperties": {"width": 800, "height": 500}}})

    frame.get_by_role("button", name="Submit").click()
    submitted = wait_for(page, lambda m: m["type"] == "lw:submit")["value"]
    assert submitted == {"objects": {"boundingBoxes": [house, tree],
                                     "inputImageProperties": {"width": 800, "height": 500}}}
    page.screenshot(path=str(shots / "bbox-submitted.png"))
    assert page.errors == []


def test_required_initial_value_and_region_list(page: Any, shots: Path) -> None:
    frame = open_frame(page, "bbox-required")
    wait_loaded(page, frame)
    tree = {"label": "tree", "left": 476, "top": 176, "width": 118, "height": 190}
    region = frame.get_by_role("button", name="Select box 1: tree")
    region.click()
    page.keyboard.press("Delete")
    settles(page, "lw:change", {"objects": {"boundingBoxes": [],
                                            "inputImageProperties": {"width": 800, "height": 500}}})
    frame.get_by_role("button", name="Submit").click()
    assert "at least one box" in frame.locator(EL).get_by_role("alert").inner_text()
    assert last(page, "lw:submit") is None
    page.screenshot(path=str(shots / "bbox-required.png"))
    frame.get_by_role("button", name="Undo").click()
    frame.locator(EL).get_by_role("alert").wait_for(state="detached")
    # Moved in the page (disconnected, connected again): a new canvas over the same boxes.
    frame.locator(EL).evaluate("el => { const form = el.parentElement; el.remove(); form.prepend(el); }")
    wait_loaded(page, frame)
    assert frame.locator(EL).evaluate("el => el.editor.model.size") == 1
    assert frame.locator(EL).evaluate("el => el.shadowRoot.querySelectorAll('canvas').length") == 3
    frame.get_by_role("button", name="Submit").click()
    assert wait_for(page, lambda m: m["type"] == "lw:submit")["value"] == {
        "objects": {"boundingBoxes": [tree], "inputImageProperties": {"width": 800, "height": 500}}}


def test_a_draft_is_restored_and_many_boxes_stay_responsive(page: Any, shots: Path) -> None:
    frame = open_frame(page, "bbox", width=1100)
    wait_loaded(page, frame)
    boxes = [{"label": ["house", "tree", "sun"][i % 3], "left": (i * 37) % 760, "top": (i * 53) % 470,
              "width": 12 + i % 30, "height": 10 + i % 20} for i in range(2000)]
    draft = {"objects": {"boundingBoxes": boxes, "inputImageProperties": {"width": 800, "height": 500}}}
    page.evaluate(f"window.__send({{type: 'lw:init', draft: {json.dumps(draft)}}})")
    frame.get_by_text("2000", exact=True).wait_for()
    # The region list is virtual: a few dozen rows in the DOM, and the last box is reachable.
    assert frame.locator(EL).evaluate("el => el.shadowRoot.querySelectorAll('li.region').length") < 60
    frame.locator(EL).evaluate("el => { const l = el.shadowRoot.querySelector('.region-list'); l.scrollTop = l.scrollHeight; }")
    frame.get_by_role("button", name="Select box 2000: tree").click()
    assert frame.locator(EL).evaluate("el => el.editor.controller.selectedId === el.editor.model.boxes[1999].id")
    # Main-thread time of one zoom step and one pan step, drawing included (2,000 boxes).
    took = frame.locator(EL).evaluate("""el => {
        const c = el.editor.controller, stage = el.editor.view.stage;
        const t0 = performance.now();
        for (let i = 0; i < 10; i++) { c.zoomAt(1.1, {x: 200, y: 150}); stage.draw(); }
        const t1 = performance.now();
        for (let i = 0; i < 10; i++) { c.setViewport({...el.editor.view.viewport, x: el.editor.view.viewport.x + 5}); stage.draw(); }
        const t2 = performance.now();
        c.fit(); stage.draw();
        return {zoom: (t1 - t0) / 10, pan: (t2 - t1) / 10}; }""")
    print(f"2000 boxes: zoom step {took['zoom']:.1f} ms, pan step {took['pan']:.1f} ms")
    assert took["zoom"] < 50 and took["pan"] < 50, took
    page.wait_for_timeout(100)
    page.screenshot(path=str(shots / "bbox-2000.png"))
    frame.get_by_role("button", name="Submit").click()
    assert len(wait_for(page, lambda m: m["type"] == "lw:submit")["value"]["objects"]["boundingBoxes"]) == 2000


def _many_boxes(n: int) -> list[dict[str, Any]]:
    return [{"label": ["house", "tree", "sun"][i % 3], "left": (i * 37) % 760, "top": (i * 53) % 470,
             "width": 12 + i % 30, "height": 10 + i % 20} for i in range(n)]


FRAMES["bbox-5000"] = (
    "<crowd-form><crowd-bounding-box name=\"objects\" src=\"/media/scene.png\" labels='[\"house\", \"tree\", \"sun\"]' "
    f"initial-value='{json.dumps(_many_boxes(5000))}'></crowd-bounding-box></crowd-form>")


def test_5000_boxes_open_and_drag_zoom_pan_steps(page: Any, shots: Path) -> None:
    """The frame page on its own (no host) so that CDP's metrics are the frame's main thread:
    main-thread task time (thread CPU) per input step, as ../shared/bench/peer_ls_ui.py measures."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable", {"timeDomain": "threadTicks"})

    def cpu_ms() -> float:
        return next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]
                    if m["name"] == "TaskDuration") * 1000

    page.goto("/frame/bbox-5000")
    page.wait_for_function("""() => { const el = document.querySelector('crowd-bounding-box');
        return el && el.editor && el.editor.model.size === 5000 && el.editor.model.image.width > 0; }""")
    open_ms = page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))")
    load_cpu = cpu_ms()

    canvas = page.locator("crowd-bounding-box").evaluate(
        "el => { const r = el.shadowRoot.querySelector('.canvas').getBoundingClientRect();"
        " return {x: r.left, y: r.top, w: r.width, h: r.height}; }")
    cx, cy = canvas["x"] + canvas["w"] / 2, canvas["y"] + canvas["h"] / 2
    raf2 = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(0))))"

    def step(action: Any) -> float:
        c0 = cpu_ms()
        action()
        page.evaluate(raf2)
        return cpu_ms() - c0

    zoom = [step(lambda: page.mouse.wheel(0, -100)) for _ in range(5)]
    page.mouse.move(cx, cy)
    page.mouse.down(button="middle")
    pan = [step(lambda i=i: page.mouse.move(cx + 4 * (i + 1), cy)) for i in range(10)]
    page.mouse.up(button="middle")
    page.keyboard.press("f")  # fit again, then select the box under the centre and drag it
    page.mouse.click(cx, cy)
    page.locator("crowd-bounding-box").evaluate("el => el.editor.controller.selected !== null") or pytest.fail(
        "no box under the centre")
    page.mouse.down()
    drag = [step(lambda i=i: page.mouse.move(cx + 3 * (i + 1), cy + 2 * (i + 1))) for i in range(10)]
    page.mouse.up()
    page.screenshot(path=str(shots / "bbox-5000.png"))

    med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    print(f"5000 boxes: open {open_ms:.0f} ms (main-thread {load_cpu:.0f} ms); per step (median main-thread ms): "
          f"zoom {med(zoom):.1f}, pan {med(pan):.1f}, drag {med(drag):.1f}")
    assert open_ms < 3000
    # The budget is 16 ms a step; the limit here is looser for a loaded shared test machine.
    assert med(zoom) < 40 and med(pan) < 40 and med(drag) < 40
    assert page.errors == []


@pytest.mark.parametrize("width", [500, 1100])
def test_the_image_is_fitted_after_the_frame_settles(page: Any, shots: Path, width: int) -> None:
    frame = open_frame(page, "bbox", width=width)
    wait_loaded(page, frame)
    page.wait_for_timeout(200)
    m = frame.locator(EL).evaluate("""el => { const c = el.shadowRoot.querySelector('.canvas');
        const v = el.editor.view.viewport; return {w: c.clientWidth, h: c.clientHeight, ...v}; }""")
    shown_w, shown_h = 800 * m["scale"], 500 * m["scale"]
    # Whole and centred, touching the margin on one axis.
    assert shown_w <= m["w"] and shown_h <= m["h"], m
    assert abs(m["x"] - (m["w"] - shown_w) / 2) < 1 and abs(m["y"] - (m["h"] - shown_h) / 2) < 1, m
    assert min(m["w"] - shown_w, m["h"] - shown_h) < 17, m
    page.screenshot(path=str(shots / f"bbox-fitted-{width}.png"), full_page=True)


def test_brightness_and_contrast_filter_the_image_only(page: Any, shots: Path) -> None:
    frame = open_frame(page, "bbox", width=1100)
    wait_loaded(page, frame)
    frame.get_by_title("Brightness and contrast").click()
    frame.get_by_label("Brightness").fill("180")
    frame.get_by_label("Contrast").fill("140")
    image_canvas = "el => el.editor.view.stage.getLayers()[0].getCanvas()._canvas.style.filter"
    assert frame.locator(EL).evaluate(image_canvas) == "brightness(1.8) contrast(1.4)"
    page.wait_for_timeout(100)
    page.screenshot(path=str(shots / "bbox-brightness.png"))
    assert last(page, "lw:change") is None  # a view aid, not part of the answer
    frame.get_by_role("button", name="Reset").click()
    assert frame.locator(EL).evaluate(image_canvas) == ""


FRAMES["bbox-broken"] = """
<crowd-form>
  <crowd-bounding-box name="objects" src="/media/missing.png" labels='["a"]'></crowd-bounding-box>
</crowd-form>"""


def test_a_broken_image_says_so_and_cannot_be_submitted(page: Any, shots: Path) -> None:
    frame = open_frame(page, "bbox-broken")
    frame.get_by_text("The image could not be loaded.").wait_for()
    frame.get_by_role("button", name="Submit").click()
    frame.get_by_text("skip this task.").wait_for()
    assert last(page, "lw:submit") is None
    page.screenshot(path=str(shots / "bbox-broken.png"))
    page.errors.clear()  # the 404 of the missing image is the point of this test


FRAMES["bbox-lw"] = """
<lw-form>
  <lw-bounding-box name="boxes" header="Boxes" src="/media/scene.png" labels='["house", "tree"]'
    initial-value='{"boxes": [{"label": "house", "left": 150, "top": 205, "width": 160, "height": 190}],
                    "inputImageProperties": {"width": 800, "height": 500}}'>
  </lw-bounding-box>
</lw-form>"""


def test_lw_names_and_the_servers_stored_shape_as_initial_value(page: Any) -> None:
    """The task type's default template: <lw-form>/<lw-bounding-box>, pre-annotations as stored."""
    frame = open_frame(page, "bbox-lw")
    wait_loaded(page, frame)
    frame.get_by_role("button", name="Submit").click()
    assert wait_for(page, lambda m: m["type"] == "lw:submit")["value"] == {"boxes": {
        "boundingBoxes": [{"label": "house", "left": 150, "top": 205, "width": 160, "height": 190}],
        "inputImageProperties": {"width": 800, "height": 500}}}
