"""<crowd-semantic-segmentation> and <crowd-instance-segmentation> in the real sandboxed task frame:
paint with the mouse, polygon fill, magic wand, region fill, erase, undo/redo, class hotkeys; the posted
PNG is decoded with Pillow and must hold exactly the class colours and pixel counts painted. A
4000x3000 mask with 50 classes is painted stroke by stroke and the main-thread time per step printed.

The test image is a data: URL (flat colour blocks with known sizes): the frame is sandboxed (an opaque
origin), so the magic wand may read only images served with CORS or inline."""

from __future__ import annotations

import base64
import io
import json
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from harness import FRAMES
from test_elements import last, open_frame, wait_for

pytestmark = pytest.mark.e2e

W, H = 300, 200
SKY = (120, 170, 235)
HOUSE = (214, 180, 140)  # x 100..179, y 90..159: 80 x 70 = 5600 px
ROOF = (170, 60, 50)  # x 60..89, y 40..69 (a separate block): 30 x 30 = 900 px
GROUND = (86, 150, 80)  # y 170..199, full width: 300 x 30 = 9000 px


def _picture() -> str:
    img = Image.new("RGB", (W, H), SKY)
    d = ImageDraw.Draw(img)
    d.rectangle([100, 90, 179, 159], fill=HOUSE)
    d.rectangle([60, 40, 89, 69], fill=ROOF)
    d.rectangle([0, 170, W - 1, H - 1], fill=GROUND)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


PICTURE = _picture()
LABELS = ["house", "roof", "ground"]
COLOURS = {"house": "#2ca02c", "roof": "#1f77b4", "ground": "#ff7f0e"}


def _rgb(hex_: str) -> tuple[int, int, int]:
    return (int(hex_[1:3], 16), int(hex_[3:5], 16), int(hex_[5:7], 16))


def _png_b64(pixels: dict[tuple[int, int, int], list[tuple[int, int, int, int]]]) -> str:
    """A W x H white PNG with rectangles (x0, y0, x1, y1 inclusive) in the given colours."""
    img = Image.new("RGB", (W, H), (255, 255, 255))
    d = ImageDraw.Draw(img)
    for colour, rects in pixels.items():
        for r in rects:
            d.rectangle(r, fill=colour)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


INITIAL = {"labeledImage": {"pngImageData": _png_b64({_rgb("#ff0000"): [(0, 170, 299, 199)], _rgb("#00ff00"): [(100, 90, 179, 159)]})},
           "labelMappings": {"ground": {"color": "#ff0000"}, "house": {"color": "#00ff00"}},
           "inputImageProperties": {"width": W, "height": H}}

FRAMES.update({
    "semseg": f"""
<crowd-form>
  <crowd-semantic-segmentation name="mask" src="{PICTURE}" labels='{json.dumps(LABELS)}' header="Paint the house, roof and ground">
    <short-instructions><p>Paint every object.</p></short-instructions>
  </crowd-semantic-segmentation>
</crowd-form>""",
    "semseg-initial": f"""
<crowd-form>
  <crowd-semantic-segmentation name="mask" src="{PICTURE}" labels='{json.dumps(LABELS)}' required
      initial-value='{json.dumps(INITIAL)}'></crowd-semantic-segmentation>
</crowd-form>""",
    "instseg": f"""
<crowd-form>
  <crowd-instance-segmentation name="objects" src="{PICTURE}" labels='{json.dumps(["house", "roof"])}'
      header="Paint each object"></crowd-instance-segmentation>
</crowd-form>""",
})

EL_S = "crowd-semantic-segmentation"
EL_I = "crowd-instance-segmentation"


def wait_loaded(page: Any, frame: Any, el: str) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        ok = frame.locator(el).evaluate("el => !!(el.editor && el.editor.ready && !el.editor.loading)")
        if ok:
            page.wait_for_timeout(150)  # the host resizes the frame, then the stage refits
            return
        page.wait_for_timeout(30)
    raise AssertionError("the image did not load")


def to_page(page: Any, frame: Any, el: str, x: float, y: float) -> tuple[float, float]:
    frame_box = page.locator("iframe").bounding_box()
    m = frame.locator(el).evaluate("""el => {
        const r = el.shadowRoot.querySelector('.canvas').getBoundingClientRect();
        const v = el.editor.view.viewport;
        return {left: r.left, top: r.top, scale: v.scale, x: v.x, y: v.y}; }""")
    return (frame_box["x"] + m["left"] + m["x"] + x * m["scale"],
            frame_box["y"] + m["top"] + m["y"] + y * m["scale"])


def click(page: Any, frame: Any, el: str, x: float, y: float) -> None:
    page.mouse.click(*to_page(page, frame, el, x, y))


def stroke(page: Any, frame: Any, el: str, points: list[tuple[float, float]]) -> None:
    page.mouse.move(*to_page(page, frame, el, *points[0]))
    page.mouse.down()
    for p in points[1:]:
        page.mouse.move(*to_page(page, frame, el, *p), steps=4)
    page.mouse.up()


def counts(frame: Any, el: str) -> dict[int, int]:
    """The model's own pixel counts by value."""
    got = frame.locator(el).evaluate("""el => { const m = el.editor.model, out = {};
        for (let v = 0; v <= 300; v++) { const n = m.count(v); if (n) out[v] = n; } return out; }""")
    return {int(k): v for k, v in got.items()}


def decode(value: dict[str, Any]) -> dict[tuple[int, int, int], int]:
    """Colour -> pixel count of the posted PNG (which must be the image's size and opaque RGB)."""
    img = Image.open(io.BytesIO(base64.b64decode(value["labeledImage"]["pngImageData"])))
    assert img.size == (W, H)
    assert img.mode in ("RGB", "RGBA"), img.mode
    if img.mode == "RGBA":
        assert img.getextrema()[3] == (255, 255)
    return {c: n for n, c in img.convert("RGB").getcolors(W * H)}


def flush(frame: Any, el: str) -> None:
    frame.locator(el).evaluate("el => el.flushChange()")


def test_paint_fill_erase_undo_and_submit_semantic(page: Any, shots: Path) -> None:
    frame = open_frame(page, "semseg", width=1100)
    wait_loaded(page, frame, EL_S)
    assert frame.get_by_text("Paint every object.").is_visible()
    scale = frame.locator(EL_S).evaluate("el => el.editor.view.viewport.scale")
    assert scale > 1.1  # a click lands within 0.5 / scale image px of its aim: polygon counts are exact

    # 1. Magic wand on the house (class 1 "house"): exactly its 80 x 70 block.
    frame.get_by_role("button", name="Magic wand").click()
    click(page, frame, EL_S, 140, 120)
    deadline = time.monotonic() + 3
    while counts(frame, EL_S).get(1) != 5600 and time.monotonic() < deadline:
        page.wait_for_timeout(30)
    assert counts(frame, EL_S).get(1) == 5600

    # 2. Polygon fill of the roof block with class 2 (hotkey), closed with Enter: exactly 30 x 30.
    page.keyboard.press("2")
    page.keyboard.press("p")
    for x, y in [(60, 40), (90, 40), (90, 70), (60, 70)]:
        click(page, frame, EL_S, x, y)
    page.screenshot(path=str(shots / "semseg-polygon-drawing.png"))
    page.keyboard.press("Enter")
    assert counts(frame, EL_S).get(2) == 900

    # 3. Region fill (G) of the unlabeled area under the ground with class 3: everything unlabeled
    # is one connected region, so it takes all of it.
    page.keyboard.press("3")
    page.keyboard.press("g")
    click(page, frame, EL_S, 150, 185)
    assert counts(frame, EL_S) == {1: 5600, 2: 900, 3: W * H - 6500}
    page.keyboard.press("Control+z")
    assert counts(frame, EL_S) == {0: W * H - 6500, 1: 5600, 2: 900}

    # 4. A brush stroke with class 3 along the ground, then an eraser stroke through part of it.
    page.keyboard.press("b")
    frame.locator(EL_S).evaluate("el => el.editor.controller.setBrushSize(12)")
    stroke(page, frame, EL_S, [(20, 185), (150, 185), (280, 185)])
    painted = counts(frame, EL_S)[3]
    assert 12 * 250 < painted < 12 * 275, painted
    page.keyboard.press("e")
    stroke(page, frame, EL_S, [(150, 175), (150, 195)])
    after_erase = counts(frame, EL_S)[3]
    assert painted - 12 * 25 < after_erase < painted - 12 * 8, (painted, after_erase)
    page.keyboard.press("Control+z")
    assert counts(frame, EL_S)[3] == painted
    page.keyboard.press("Control+Shift+z")
    assert counts(frame, EL_S)[3] == after_erase
    page.screenshot(path=str(shots / "semseg-painted.png"))

    # 5. Hide a class: not drawn, not painted over, still in the value.
    frame.get_by_role("button", name="Hide house").click()
    page.keyboard.press("b")
    page.keyboard.press("3")
    stroke(page, frame, EL_S, [(120, 120), (160, 120)])
    assert counts(frame, EL_S)[1] == 5600
    frame.get_by_role("button", name="Show house").click()

    # View aids, not in the value: mask opacity (the layer's alpha) and brightness (a CSS filter).
    frame.get_by_label("Opacity").fill("80")
    assert frame.locator(EL_S).evaluate("el => el.editor.view.opacity") == 0.8
    frame.get_by_title("Brightness and contrast").click()
    frame.get_by_label("Brightness").fill("150")
    assert "brightness(1.5)" in frame.locator(EL_S).evaluate(
        "el => el.editor.view.stage.getLayers()[0].getCanvas()._canvas.style.filter")
    frame.get_by_title("Brightness and contrast").click()

    # The value is posted after the worker pauses (a PNG per brush step would stall painting).
    final = counts(frame, EL_S)
    deadline = time.monotonic() + 5
    change = None
    while time.monotonic() < deadline:
        change = last(page, "lw:change")
        if change and decode(change["value"]["mask"]).get(_rgb(COLOURS["ground"])) == final[3]:
            break
        page.wait_for_timeout(100)
    assert change is not None

    frame.get_by_role("button", name="Submit").click()
    value = wait_for(page, lambda m: m["type"] == "lw:submit")["value"]["mask"]
    assert value["labelMappings"] == {k: {"color": c} for k, c in COLOURS.items()}
    assert value["inputImageProperties"] == {"width": W, "height": H}
    assert set(value) == {"labeledImage", "labelMappings", "inputImageProperties"}
    colours = decode(value)
    assert colours == {
        (255, 255, 255): final[0],
        _rgb(COLOURS["house"]): 5600,
        _rgb(COLOURS["roof"]): 900,
        _rgb(COLOURS["ground"]): final[3],
    }, colours
    assert page.errors == []


def test_initial_value_loads_and_round_trips(page: Any, shots: Path) -> None:
    frame = open_frame(page, "semseg-initial", width=1100)
    wait_loaded(page, frame, EL_S)
    # Its own colours (#ff0000, #00ff00) map to the labels; the value is re-coded in the palette.
    assert counts(frame, EL_S) == {0: W * H - 9000 - 5600, 1: 5600, 3: 9000}
    page.screenshot(path=str(shots / "semseg-initial.png"))
    frame.get_by_role("button", name="Submit").click()
    value = wait_for(page, lambda m: m["type"] == "lw:submit")["value"]["mask"]
    assert decode(value) == {(255, 255, 255): W * H - 14600, _rgb(COLOURS["house"]): 5600, _rgb(COLOURS["ground"]): 9000}
    # Erasing everything makes a required mask refuse to submit.
    frame.get_by_role("button", name="Eraser").click()
    page.keyboard.press("Control+z")  # nothing to undo after a load
    assert counts(frame, EL_S)[1] == 5600
    frame.locator(EL_S).evaluate("el => el.editor.controller.setBrushSize(400)")
    stroke(page, frame, EL_S, [(150, 0), (150, 199)])
    assert counts(frame, EL_S) == {0: W * H}
    frame.get_by_role("button", name="Submit").click()
    assert "at least one region" in frame.locator(EL_S).get_by_role("alert").inner_text()
    # A draft (the value posted earlier) is restored as it was, without a change event.
    page.wait_for_timeout(900)  # the erase's own change event first
    changes = len([m for m in page.evaluate("window.__messages") if m["type"] == "lw:change"])
    page.evaluate(f"window.__send({{type: 'lw:init', draft: {json.dumps({'mask': value})}}})")
    deadline = time.monotonic() + 3
    while counts(frame, EL_S).get(1) != 5600 and time.monotonic() < deadline:
        page.wait_for_timeout(30)
    assert counts(frame, EL_S) == {0: W * H - 14600, 1: 5600, 3: 9000}
    page.wait_for_timeout(900)
    assert len([m for m in page.evaluate("window.__messages") if m["type"] == "lw:change"]) == changes
    assert page.errors == []


def test_instances_paint_relabel_delete_and_submit(page: Any, shots: Path) -> None:
    frame = open_frame(page, "instseg", width=1100)
    wait_loaded(page, frame, EL_I)
    frame.get_by_role("button", name="Polygon fill").click()
    for x, y in [(100, 90), (180, 90), (180, 160), (100, 160)]:
        click(page, frame, EL_I, x, y)
    page.keyboard.press("Enter")  # instance 1: house
    page.keyboard.press("n")
    page.keyboard.press("w")
    click(page, frame, EL_I, 75, 55)  # instance 2: house too (the wand fills the roof block)
    deadline = time.monotonic() + 3
    while len(counts(frame, EL_I)) < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(30)
    page.keyboard.press("2")  # relabels the selected instance 2 to "roof"
    page.keyboard.press("n")
    page.keyboard.press("b")
    frame.locator(EL_I).evaluate("el => el.editor.controller.setBrushSize(10)")
    stroke(page, frame, EL_I, [(10, 10), (40, 10)])  # instance 3: roof
    assert counts(frame, EL_I)[1] == 5600 and counts(frame, EL_I)[2] == 900
    insts = frame.locator(EL_I).evaluate("el => el.editor.model.instances.map(i => [i.id, i.label, i.color])")
    assert [(i, label) for i, label, _ in insts] == [(1, "house"), (2, "roof"), (3, "roof")]
    assert len({c for _, _, c in insts}) == 3
    page.screenshot(path=str(shots / "instseg-painted.png"))

    frame.get_by_role("button", name="Delete instance 3").click()
    assert [i["id"] for i in frame.locator(EL_I).evaluate("el => el.editor.model.instances")] == [1, 2]
    page.keyboard.press("Control+z")
    assert len(frame.locator(EL_I).evaluate("el => el.editor.model.instances")) == 3
    frame.get_by_role("button", name="Select instance 1: house").click()
    frame.get_by_label("Label of instance 1").select_option("roof")
    assert frame.locator(EL_I).evaluate("el => el.editor.model.instance(1).label") == "roof"
    page.keyboard.press("Control+z")
    final = counts(frame, EL_I)

    frame.get_by_role("button", name="Submit").click()
    value = wait_for(page, lambda m: m["type"] == "lw:submit")["value"]["objects"]
    assert value["instances"] == [{"color": c, "label": label} for _, label, c in insts]
    colours = decode(value)
    assert colours == {(255, 255, 255): final[0], **{_rgb(c): final[i] for i, _, c in insts}}

    # 300 more instances (one pixel row each): the list is virtual, arrow keys walk it.
    frame.locator(EL_I).evaluate("""el => { const m = el.editor.model;
        for (let i = 0; i < 300; i++) { m.begin('x'); const inst = m.addInstance('house');
          const s = m.spansOf(99999); s.push(100 + (i % 60), 200 + Math.floor(i / 60) * 10, 205 + Math.floor(i / 60) * 10); m.paint(s, inst.id); m.commit(); } }""")
    frame.get_by_text("303", exact=True).wait_for()
    assert frame.locator(f"{EL_I} li.region").count() < 40
    frame.get_by_role("button", name="Select instance 2: roof").click()
    page.keyboard.press("End")
    assert frame.locator(EL_I).evaluate("el => el.editor.controller.selectedId") == 303
    assert page.errors == []


def test_a_4000x3000_mask_with_50_classes_paints_fast(page: Any, shots: Path, server: Any) -> None:
    """Main-thread task time (CDP TaskDuration, thread CPU) per brush step, from the input event to
    two animation frames after it, the method of ../shared/bench/peer_ls_ui.py."""
    big = server.media_dir / "big.png"
    if not big.exists():
        img = Image.new("RGB", (4000, 3000), (90, 120, 160))
        d = ImageDraw.Draw(img)
        for i in range(40):
            d.rectangle([i * 100, (i * 70) % 2800, i * 100 + 80, (i * 70) % 2800 + 180], fill=(200, 40 + i * 4, 60))
        img.save(big)
    labels = [f"class {i}" for i in range(50)]
    FRAMES["semseg-big"] = (f"<crowd-form><crowd-semantic-segmentation name=\"mask\" src=\"/media/big.png\" "
                            f"labels='{json.dumps(labels)}'></crowd-semantic-segmentation></crowd-form>")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable", {"timeDomain": "threadTicks"})

    def cpu_ms() -> float:
        return next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"] if m["name"] == "TaskDuration") * 1000

    page.goto("/frame/semseg-big")
    page.wait_for_function("""() => { const el = document.querySelector('crowd-semantic-segmentation');
        return el && el.editor && el.editor.ready; }""", timeout=20000)
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(0))))")
    el = page.locator(EL_S)
    canvas = el.evaluate("el => { const r = el.shadowRoot.querySelector('.canvas').getBoundingClientRect();"
                         " return {x: r.left, y: r.top, w: r.width, h: r.height}; }")
    raf2 = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(0))))"
    # Long-task observer: any task over 50 ms on the main thread while painting.
    page.evaluate("""() => { window.__long = []; new PerformanceObserver(l => { for (const e of l.getEntries())
        window.__long.push(e.duration); }).observe({type: 'longtask', buffered: false}); }""")

    def step(action: Any) -> float:
        c0 = cpu_ms()
        action()
        page.evaluate(raf2)
        return cpu_ms() - c0

    steps: list[float] = []
    for k in range(5):  # five strokes, five classes, big brush (60 image px)
        page.keyboard.press(str(k + 1))
        el.evaluate("el => el.editor.controller.setBrushSize(60)")
        x0, y = canvas["x"] + 40, canvas["y"] + 40 + k * 50
        page.mouse.move(x0, y)
        page.mouse.down()
        steps += [step(lambda i=i, y=y: page.mouse.move(x0 + 12 * (i + 1), y + 3 * (i % 5))) for i in range(40)]
        page.mouse.up()
    page.wait_for_timeout(1500)  # the throttled PNG encode for the draft runs after the strokes
    long_tasks = page.evaluate("window.__long")
    cx, cy = canvas["x"] + canvas["w"] / 2, canvas["y"] + canvas["h"] / 2
    page.mouse.move(cx, cy)
    zoom = [step(lambda: page.mouse.wheel(0, -100)) for _ in range(5)]
    page.mouse.down(button="middle")
    pan = [step(lambda i=i: page.mouse.move(cx + 4 * (i + 1), cy)) for i in range(10)]
    page.mouse.up(button="middle")
    page.keyboard.press("f")

    # Frames, without the CDP polling between steps: the longest gap between animation frames while
    # five more strokes are painted (pointer events at 60 Hz from the driver), and the long tasks.
    page.evaluate("""() => { window.__long = []; window.__gaps = []; let last = performance.now(); window.__raf = true;
        const tick = (t) => { if (!window.__raf) return; window.__gaps.push(t - last); last = t; requestAnimationFrame(tick); };
        requestAnimationFrame(tick); }""")
    phase_cpu = cpu_ms()
    for k in range(5):
        page.keyboard.press(str(k + 5))
        x0, y = canvas["x"] + 60, canvas["y"] + 300 + k * 40
        page.mouse.move(x0, y)
        page.mouse.down()
        for i in range(60):
            page.mouse.move(x0 + 8 * (i + 1), y + 3 * (i % 5))
            page.wait_for_timeout(16)
        page.mouse.up()
    gaps = page.evaluate("(() => { window.__raf = false; return window.__gaps; })()")
    phase_cpu = (cpu_ms() - phase_cpu) / 300
    frame_long = page.evaluate("window.__long")
    # The same loop on a blank page: what this machine's load alone does to frames.
    blank = page.context.new_page()
    blank.set_content("<p>idle</p>")
    blank.evaluate("""() => { window.__gaps = []; let last = performance.now(); window.__raf = true;
        const tick = (t) => { if (!window.__raf) return; window.__gaps.push(t - last); last = t; requestAnimationFrame(tick); };
        requestAnimationFrame(tick); }""")
    for i in range(300):
        blank.mouse.move(100 + i, 100)
        blank.wait_for_timeout(16)
    idle_gap = max(blank.evaluate("(() => { window.__raf = false; return window.__gaps; })()"))
    blank.close()
    page.wait_for_timeout(1500)
    encode_cpu = cpu_ms()
    encode_ms = el.evaluate("async el => { const t = performance.now(); await el.editor.outputAsync(); return performance.now() - t; }")
    encode_cpu = cpu_ms() - encode_cpu
    page.screenshot(path=str(shots / "semseg-4000x3000.png"))
    med = sorted(steps)[len(steps) // 2]
    print(f"4000x3000, 50 classes: brush step main-thread median {med:.1f} ms, max {max(steps):.1f} ms over {len(steps)} steps; "
          f"long tasks {[round(t) for t in long_tasks]} (with CDP polling); without polling: longest frame "
          f"{max(gaps):.0f} ms over {len(gaps)} frames, long tasks {[round(t) for t in frame_long]}, "
          f"main thread {phase_cpu:.1f} ms per pointer move (a blank page's longest frame under the same load: {idle_gap:.0f} ms); "
          f"async PNG encode {encode_ms:.0f} ms wall, {encode_cpu:.0f} ms main thread (in slices); "
          f"zoom step median {sorted(zoom)[2]:.1f} ms, pan step median {sorted(pan)[5]:.1f} ms main thread")
    # The budget: no step over 50 ms of main-thread time. Frame gaps and long tasks are wall clock,
    # printed only: on a loaded shared machine other processes stretch them.
    assert max(steps) < 50, steps
    assert max(zoom) < 50 and max(pan) < 50, (zoom, pan)
    assert page.errors == []


def test_a_4000x3000_pre_label_opens_exactly(page: Any, server: Any) -> None:
    """A Ground Truth pre-label (colour-coded PNG plus labelMappings) of a 4000x3000 image: every
    pixel lands in its class, and the time to open is printed."""
    big = server.media_dir / "big-plain.png"
    if not big.exists():
        Image.new("RGB", (4000, 3000), (90, 120, 160)).save(big)
    mask = Image.new("RGB", (4000, 3000), (255, 255, 255))
    d = ImageDraw.Draw(mask)
    d.rectangle([0, 0, 1999, 999], fill=(255, 0, 0))  # 2,000,000 px "road"
    d.rectangle([100, 2000, 3099, 2999], fill=(0, 0, 255))  # 3,000,000 px "sky"
    buf = io.BytesIO()
    mask.save(buf, "PNG")
    value = {"labeledImage": {"pngImageData": base64.b64encode(buf.getvalue()).decode()},
             "labelMappings": {"road": {"color": "#ff0000"}, "sky": {"color": "#0000ff"}},
             "inputImageProperties": {"width": 4000, "height": 3000}}
    FRAMES["semseg-big-initial"] = ("<crowd-form><crowd-semantic-segmentation name=\"mask\" src=\"/media/big-plain.png\" "
                                    "labels='[\"road\", \"car\", \"sky\"]' "
                                    f"initial-value='{json.dumps(value)}'></crowd-semantic-segmentation></crowd-form>")
    t0 = time.monotonic()
    page.goto("/frame/semseg-big-initial")
    page.wait_for_function("""() => { const el = document.querySelector('crowd-semantic-segmentation');
        return el && el.editor && el.editor.ready && !el.editor.loading && el.editor.model.count(1) > 0; }""", timeout=30000)
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(0))))")
    open_s = time.monotonic() - t0
    got = page.locator(EL_S).evaluate("el => [0, 1, 2, 3].map(v => el.editor.model.count(v))")
    assert got == [12_000_000 - 5_000_000, 2_000_000, 0, 3_000_000]
    t1 = time.monotonic()
    out = page.locator(EL_S).evaluate("el => el.fieldValue")
    submit_s = time.monotonic() - t1
    img = Image.open(io.BytesIO(base64.b64decode(out["labeledImage"]["pngImageData"]))).convert("RGB")
    assert sorted(img.getcolors(4)) == sorted([(7_000_000, (255, 255, 255)), (2_000_000, (44, 160, 44)), (3_000_000, (255, 127, 14))])
    print(f"4000x3000 pre-label: open (image, PNG decode, label map, first paint) {open_s:.2f} s; value read {submit_s:.2f} s")
    assert page.errors == []
