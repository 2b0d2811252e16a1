"""<crowd-polyline> and <crowd-line> in the real sandboxed task frame: open shapes drawn with the
mouse (a double click or Enter finishes a polyline, the second click a line), a vertex dragged,
and the posted vertices in the image's own pixels (scene.png is 800 x 500)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness import FRAMES
from test_elements import last, open_frame, wait_for
from test_polygon import IMAGE, click, drag, latest, near, to_page, wait_loaded

pytestmark = pytest.mark.e2e

FRAMES.update({
    "polyline": """
<crowd-form>
  <crowd-polyline name="polylines" src="/media/scene.png" labels='["road", "fence"]'
      header="Trace each road"></crowd-polyline>
</crowd-form>""",
    "line": """
<crowd-form>
  <crowd-line name="lines" src="/media/scene.png" labels='["horizon", "edge"]'
      header="Draw the horizon"></crowd-line>
</crowd-form>""",
})

EL_PL = "crowd-polyline"
EL_L = "crowd-line"
ROAD = [(100, 450), (250, 380), (420, 400)]


def test_draw_polylines_edit_and_submit(page: Any, shots: Path) -> None:
    frame = open_frame(page, "polyline", width=1100)
    wait_loaded(page, frame, EL_PL)
    for x, y in ROAD[:2]:
        click(page, frame, EL_PL, x, y)
    assert last(page, "lw:change") is None  # an unfinished polyline is not an answer yet
    page.mouse.dblclick(*to_page(page, frame, EL_PL, *ROAD[2]))  # the double click finishes it
    [road] = latest(page, "polylines", "polylines", lambda p: len(p) == 1)
    assert road["label"] == "road"
    assert len(road["vertices"]) == 3 and all(near(v, x, y) for v, (x, y) in zip(road["vertices"], ROAD)), road
    assert wait_for(page, lambda m: m["type"] == "lw:change")["value"]["polylines"]["inputImageProperties"] == IMAGE

    # A two-vertex polyline finished with Enter, relabelled with 2.
    click(page, frame, EL_PL, 600, 300)
    click(page, frame, EL_PL, 700, 200)
    page.keyboard.press("Enter")
    page.keyboard.press("2")
    lines = latest(page, "polylines", "polylines", lambda p: len(p) == 2 and p[1]["label"] == "fence")
    assert near(lines[1]["vertices"][0], 600, 300) and near(lines[1]["vertices"][1], 700, 200), lines

    # Select tool: drag the fence's end 30 px down, then undo it.
    page.keyboard.press("v")
    drag(page, frame, EL_PL, (700, 200), (700, 230))
    moved = latest(page, "polylines", "polylines", lambda p: p[1]["vertices"][1]["y"] > 215)
    assert near(moved[1]["vertices"][1], 700, 230), moved
    page.screenshot(path=str(shots / "polyline-edited.png"))
    page.keyboard.press("Control+z")
    assert latest(page, "polylines", "polylines", lambda p: p[1]["vertices"][1]["y"] < 215) == lines

    frame.get_by_role("button", name="Submit").click()
    assert wait_for(page, lambda m: m["type"] == "lw:submit")["value"] == {
        "polylines": {"polylines": lines, "inputImageProperties": IMAGE}}
    assert page.errors == []


def test_draw_lines_and_submit(page: Any, shots: Path) -> None:
    frame = open_frame(page, "line", width=1100)
    wait_loaded(page, frame, EL_L)
    click(page, frame, EL_L, 20, 240)
    assert last(page, "lw:change") is None
    click(page, frame, EL_L, 780, 260)  # the second click finishes the line
    [horizon] = latest(page, "lines", "lines", lambda p: len(p) == 1)
    assert horizon["label"] == "horizon"
    assert near(horizon["vertices"][0], 20, 240) and near(horizon["vertices"][1], 780, 260), horizon
    page.keyboard.press("2")  # relabels the selected line and draws the next with label 2
    click(page, frame, EL_L, 300, 100)
    click(page, frame, EL_L, 300, 400)
    lines = latest(page, "lines", "lines", lambda p: len(p) == 2)
    assert [ln["label"] for ln in lines] == ["edge", "edge"]
    assert near(lines[1]["vertices"][0], 300, 100) and near(lines[1]["vertices"][1], 300, 400), lines
    assert all(len(ln["vertices"]) == 2 for ln in lines)
    page.screenshot(path=str(shots / "line.png"))
    frame.get_by_role("button", name="Submit").click()
    assert wait_for(page, lambda m: m["type"] == "lw:submit")["value"] == {
        "lines": {"lines": lines, "inputImageProperties": IMAGE}}
    assert page.errors == []
