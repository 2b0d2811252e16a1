"""The region list stays small and usable with thousands of objects: only the rows around its
scroll window are in the DOM (boxes and polygons), the arrow keys, End and Home move the
selection through every row, and a selection made on the canvas scrolls its row into view."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

import test_bounding_box  # noqa: F401  (registers the bbox-5000 frame)
from test_elements import open_frame
from test_polygon import EL_P, IMAGE, wait_loaded

pytestmark = pytest.mark.e2e


def _rows(frame: Any, el: str) -> int:
    return frame.locator(el).evaluate("el => el.shadowRoot.querySelectorAll('.region-list .region').length")


def _selected_index(frame: Any, el: str, key: str) -> int:
    return frame.locator(el).evaluate(
        "el => { const s = el.editor.controller.selected; return s ? el.editor.model.%s.indexOf(s) : -1; }" % key)


def _wait(pred: Any, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met")


def test_3000_polygons_list_few_rows_and_keys_walk_the_whole_list(page: Any, shots: Path) -> None:
    frame = open_frame(page, "polygon", width=1100)
    wait_loaded(page, frame, EL_P)
    polys = [{"label": ["house", "tree", "sun"][i % 3],
              "vertices": [{"x": (i * 37) % 760 + dx, "y": (i * 53) % 470 + dy}
                           for dx, dy in ((0, 0), (12, 2), (20, 10), (4, 20))]}
             for i in range(3000)]
    t0 = time.monotonic()
    page.evaluate(f"window.__send({{type: 'lw:init', draft: {json.dumps({'regions': {'polygons': polys, 'inputImageProperties': IMAGE}})}}})")
    frame.get_by_text("3000", exact=True).wait_for()
    print(f"3000 polygons restored and listed in {(time.monotonic() - t0) * 1000:.0f} ms, {_rows(frame, EL_P)} rows in the DOM")
    assert _rows(frame, EL_P) < 40

    frame.get_by_role("button", name="Select polygon 1: house").click()
    _wait(lambda: _selected_index(frame, EL_P, "shapes") == 0)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    _wait(lambda: _selected_index(frame, EL_P, "shapes") == 2)
    # the focus stays in the list, on the selected row: the canvas got no nudge
    assert frame.locator(EL_P).evaluate("el => el.shadowRoot.activeElement?.closest('[data-row]')?.dataset.row") == "2"
    assert frame.locator(EL_P).evaluate("el => el.editor.model.shapes[2].points[0].x") == polys[2]["vertices"][0]["x"]
    page.keyboard.press("End")
    _wait(lambda: _selected_index(frame, EL_P, "shapes") == 2999)
    assert frame.get_by_role("button", name="Select polygon 3000:").is_visible()
    assert _rows(frame, EL_P) < 40
    page.keyboard.press("Home")
    _wait(lambda: _selected_index(frame, EL_P, "shapes") == 0)
    assert frame.get_by_role("button", name="Select polygon 1: house").is_visible()

    # Selected on the canvas: the list scrolls to its row.
    frame.locator(EL_P).evaluate("el => { el.editor.controller.select(el.editor.model.shapes[1500].id); }")
    frame.get_by_role("button", name="Select polygon 1501: house").wait_for()
    page.screenshot(path=str(shots / "region-list-3000.png"))
    assert page.errors == []


def test_5000_boxes_keep_a_short_list_and_the_keys_work_there_too(page: Any) -> None:
    el = "crowd-bounding-box"
    page.goto("/frame/bbox-5000")
    page.wait_for_function("""() => { const el = document.querySelector('crowd-bounding-box');
        return el && el.editor && el.editor.model.size === 5000 && el.editor.model.image.width > 0; }""")
    frame = page.main_frame
    assert _rows(frame, el) < 40
    frame.get_by_role("button", name="Select box 10:").click()
    page.keyboard.press("ArrowUp")
    _wait(lambda: _selected_index(frame, el, "boxes") == 8)
    page.keyboard.press("PageDown")
    _wait(lambda: _selected_index(frame, el, "boxes") == 18)
    page.keyboard.press("End")
    _wait(lambda: _selected_index(frame, el, "boxes") == 4999)
    assert frame.get_by_role("button", name="Select box 5000:").is_visible()
    assert _rows(frame, el) < 40
    assert page.errors == []
