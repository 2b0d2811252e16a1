"""<lw-label-verification-view> in the real sandboxed task frame: polygons, polylines and keypoints of an
earlier label drawn over the image in their label colours, a segmentation label map blended over the
photo, the overlay hidden with O, zoom about the cursor, and the verdict chosen with a hotkey
(scene.png is 800 x 500)."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from harness import FRAMES
from test_elements import wait_for

pytestmark = pytest.mark.e2e
VIEW = "lw-label-verification-view"
RED, GREEN, BLUE = (0xE6, 0x19, 0x4B), (0x3C, 0xB4, 0x4B), (0x43, 0x63, 0xD8)  # first three label colours

SHAPES = {
    "annotations": [
        {"class_id": 0, "points": [{"x": 100, "y": 100}, {"x": 300, "y": 100}, {"x": 200, "y": 250}]},
        {"class_id": 1, "points": [{"x": 400, "y": 400}, {"x": 700, "y": 400}]},
        {"class_id": 2, "x": 600, "y": 150},
    ],
    "image_size": [{"width": 800, "height": 500, "depth": 3}],
}
META = {"type": "groundtruth/polygon", "class-map": {"0": "roof", "1": "road", "2": "chimney"}}


def _mask_uri() -> str:
    """An 800 x 500 label map: white (background) but a road-coloured band at y 300–399."""
    img = Image.new("RGB", (800, 500), (255, 255, 255))
    img.paste((0, 0, 255), (0, 300, 800, 400))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _frame(label_data: Any, meta: Any, mask: str = "") -> str:
    mask_attr = f' mask-src="{mask}"' if mask else ""
    return f"""
<crowd-form>
  <lw-classifier name="verdict" categories='["Correct", "Incorrect"]' header="Is the label right?">
    <classification-target>
      <lw-label-verification-view src="/media/scene.png" attribute="roofs"{mask_attr}
        label-data='{json.dumps(label_data)}' label-metadata='{json.dumps(meta)}'></lw-label-verification-view>
    </classification-target>
  </lw-classifier>
</crowd-form>"""


BOXES = {
    "annotations": [
        {"class_id": 0, "left": 100, "top": 100, "width": 300, "height": 200,
         "label-category-attributes": {"occluded": "partly", "make": "vw"}},
        {"class_id": 1, "left": 500, "top": 150, "width": 100, "height": 200},
    ],
    "frame-attributes": {"weather": "rain"},
    "image_size": [{"width": 800, "height": 500, "depth": 3}],
}
BOX_META = {"type": "groundtruth/object-detection", "class-map": {"0": "car", "1": "person"}}

FRAMES.update({
    "verify-shapes": _frame(SHAPES, META),
    "verify-attributes": _frame(BOXES, BOX_META),
    "verify-mask": _frame("see mask-src", {"type": "groundtruth/semantic-segmentation", "internal-color-map": {
        "0": {"class-name": "BACKGROUND", "hex-color": "#ffffff"}, "1": {"class-name": "road", "hex-color": "#0000ff"}}},
        mask=_mask_uri()),
})


def open_frame(page: Any, name: str, width: int) -> None:
    """The harness's host page; the first frame of a run may take a while on a loaded machine."""
    page.goto(f"/host/{name}?width={width}")
    wait_for(page, lambda m: m["type"] == "lw:ready", timeout=20)


def _ready(page: Any) -> Any:
    frame = page.frame_locator("iframe")
    view = frame.locator(VIEW)
    view.evaluate("el => new Promise(r => { const t = () => el.shadowRoot && !el.shadowRoot.querySelector('.status')"
                  " ? r() : setTimeout(t, 30); t(); })")
    page.wait_for_timeout(150)
    return view


def _to_page(page: Any, view: Any, x: float, y: float) -> tuple[float, float]:
    box = page.locator("iframe").bounding_box()
    m = view.evaluate("""el => { const r = el.shadowRoot.querySelector('canvas').getBoundingClientRect();
        const v = el.viewport; return {left: r.left, top: r.top, scale: v.scale, x: v.x, y: v.y}; }""")
    return box["x"] + m["left"] + m["x"] + x * m["scale"], box["y"] + m["top"] + m["y"] + y * m["scale"]


def _pixels(page: Any, at: tuple[float, float], r: int = 2) -> list[tuple[int, int, int]]:
    shot = page.screenshot(clip={"x": at[0] - r, "y": at[1] - r, "width": 2 * r + 1, "height": 2 * r + 1})
    img = Image.open(io.BytesIO(shot)).convert("RGB")
    return [img.getpixel((x, y)) for x in range(img.width) for y in range(img.height)]  # type: ignore[misc]


def _has(pixels: list[tuple[int, int, int]], colour: tuple[int, int, int], tol: int = 45) -> bool:
    return any(all(abs(a - b) <= tol for a, b in zip(p, colour, strict=True)) for p in pixels)


def test_shapes_are_drawn_in_their_label_colours_and_hide_with_o(page: Any, shots: Path) -> None:
    open_frame(page, "verify-shapes", width=1000)
    view = _ready(page)
    page.set_viewport_size({"width": 1100, "height": 900})
    page.wait_for_timeout(200)
    edge = _to_page(page, view, 200, 100)  # the roof polygon's top edge
    road = _to_page(page, view, 550, 400)  # the middle of the road polyline
    dot = _to_page(page, view, 600, 150)  # the chimney keypoint
    page.screenshot(path=str(shots / "verification-view-shapes.png"))
    assert _has(_pixels(page, edge), RED) and _has(_pixels(page, road), GREEN) and _has(_pixels(page, dot), BLUE)
    legend = view.evaluate("el => el.shadowRoot.querySelector('.legend').textContent")
    assert "roof" in legend and "road" in legend and "chimney" in legend
    page.mouse.click(*_to_page(page, view, 50, 450))  # focus in the frame (a click does not pan)
    page.keyboard.press("o")
    page.wait_for_timeout(100)
    assert view.evaluate("el => el.overlayVisible") is False
    assert not _has(_pixels(page, edge), RED, 30)
    view.evaluate("el => el.shadowRoot.querySelector('.toggle').click()")
    page.wait_for_timeout(100)
    assert _has(_pixels(page, edge), RED)
    before = view.evaluate("el => el.viewport.scale")
    page.mouse.move(*dot)
    page.mouse.wheel(0, -300)
    page.wait_for_timeout(100)
    assert view.evaluate("el => el.viewport.scale") > before * 1.5
    assert _has(_pixels(page, _to_page(page, view, 600, 150)), BLUE)  # zoomed about the cursor: the dot stays put
    page.keyboard.press("2")
    assert wait_for(page, lambda m: m["type"] == "lw:change" and m["value"].get("verdict") == {"label": "Incorrect"})


def test_a_label_map_is_blended_over_the_photo(page: Any, shots: Path) -> None:
    open_frame(page, "verify-mask", width=1000)
    view = _ready(page)
    page.wait_for_timeout(200)
    road, sky = _to_page(page, view, 150, 350), _to_page(page, view, 150, 60)
    tinted, clear = _pixels(page, road, 0)[0], _pixels(page, sky, 0)[0]
    page.screenshot(path=str(shots / "verification-view-mask.png"))
    page.mouse.click(*_to_page(page, view, 50, 450))
    page.keyboard.press("o")
    page.wait_for_timeout(100)
    plain_road, plain_sky = _pixels(page, road, 0)[0], _pixels(page, sky, 0)[0]
    # the white background leaves the photo as it is; the blue class darkens red and green
    assert all(abs(a - b) <= 3 for a, b in zip(clear, plain_sky, strict=True)), (clear, plain_sky)
    assert tinted[0] < plain_road[0] - 30 and tinted[1] < plain_road[1] - 30, (tinted, plain_road)


MANY = {"annotations": [{"class_id": i % 3, "left": (i % 100) * 8, "top": (i // 100) * 10, "width": 7, "height": 9}
                        for i in range(5000)], "image_size": [{"width": 800, "height": 500, "depth": 3}]}
FRAMES["verify-many"] = _frame(MANY, {"type": "groundtruth/object-detection",
                                      "class-map": {"0": "car", "1": "bus", "2": "bike"}})


def test_five_thousand_boxes_repaint_within_a_frame(page: Any, shots: Path) -> None:
    open_frame(page, "verify-many", width=1000)
    view = _ready(page)
    assert view.evaluate("el => el.earlierLabel.objects.length") == 5000
    # one full repaint (image, 5,000 outlined boxes, no tags past 400), as a zoom or pan step does
    ms = view.evaluate("""el => { el.zoomBy(1.5); const times = [];
        for (let i = 0; i < 20; i++) { const t = performance.now(); el._draw(); times.push(performance.now() - t); }
        times.sort((a, b) => a - b); return times[10]; }""")
    page.screenshot(path=str(shots / "verification-view-5000.png"))
    print(f"5,000 boxes: median repaint {ms:.1f} ms")
    assert ms < 50, ms


def test_earlier_attribute_values_show_on_hover_and_in_the_legend(page: Any, shots: Path) -> None:
    open_frame(page, "verify-attributes", width=1000)
    view = _ready(page)
    legend = view.evaluate("el => el.shadowRoot.querySelector('.legend').textContent")
    assert "Image: weather: rain" in " ".join(legend.split())
    card = view.locator(".hover-card")
    assert card.count() == 0
    page.mouse.move(*_to_page(page, view, 250, 200))  # inside the car
    card.wait_for()
    assert " ".join(card.inner_text().split()) == "car occluded: partly; make: vw"
    page.screenshot(path=str(shots / "verification-view-attributes.png"))
    page.mouse.move(*_to_page(page, view, 550, 250))  # the person has none
    view.locator(".hover-card .none").wait_for()
    assert "person" in card.inner_text()
    page.mouse.move(*_to_page(page, view, 700, 450))  # nothing there
    card.wait_for(state="detached")
    assert page.errors == []
