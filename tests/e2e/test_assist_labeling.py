"""Assists on the real labeling page: a polygon task, Auto-segment with a dragged box (GrabCut on
the server, through the frame → host → API round trip), the polygon appears marked as model
output, the worker submits, and the stored answer keeps the provenance."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from skimage import data

from factories import PASSWORD, Factory
from image_labeling import editor_frame, login, to_page
from labelworks.core.enums import Role
from labelworks.services import imports

pytestmark = pytest.mark.e2e
ELEMENT = "lw-polygon"
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))
# the largest whole coin of skimage's coins picture, with a few pixels of margin (tests/assist/test_builtins.py)
COIN_BOX = (301, 12, 369, 76)


def test_auto_segment_a_coin_with_a_box_then_submit(live_server: Any, chromium: Any, tmp_path: Path) -> None:
    factory: Factory = live_server.factory
    org_id = factory.org("Assist Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@assist.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@assist.test", password=PASSWORD)
    p = factory.project(manager, name="Coins", task_type="polygon", labels=["coin", "table"])
    folder = tmp_path / "coins"
    folder.mkdir()
    Image.fromarray(np.stack([data.coins()] * 3, axis=-1)).save(folder / "coins.png")
    imports.import_folder(live_server.db, manager.actor, p.id, folder, roots=live_server.settings.allowed_media_roots,
                          media_dir=live_server.settings.media_dir)

    context, page = login(chromium, live_server.url, "ann@assist.test", PASSWORD)
    page.goto(f"/label/{p.id}")
    frame = editor_frame(page, ELEMENT)
    button = frame.locator(f"{ELEMENT} button[data-assist=grabcut]")
    button.wait_for(timeout=15_000)
    assert button.inner_text() == "Auto-segment"
    # the project offers what fits polygons: no face boxes, no superpixels
    offered = frame.locator(f"{ELEMENT} button[data-assist]").evaluate_all("bs => bs.map(b => b.dataset.assist)")
    assert sorted(offered) == ["grabcut", "magic-wand", "person", "text"]
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    x0, y0, x1, y1 = COIN_BOX
    page.mouse.move(*to_page(page, frame, ELEMENT, x0, y0))
    page.mouse.down()
    page.mouse.move(*to_page(page, frame, ELEMENT, (x0 + x1) / 2, (y0 + y1) / 2), steps=4)
    page.mouse.move(*to_page(page, frame, ELEMENT, x1, y1), steps=4)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "assist-box-drag.png"))
    page.mouse.up()
    frame.locator(f"{ELEMENT} .assist-status").filter(has_text="added 1 polygon").wait_for(timeout=30_000)
    shapes = frame.locator(ELEMENT).evaluate(
        "el => el.editor.model.shapes.map(s => ({label: s.label, n: s.points.length, source: s.source, model: s.model}))")
    assert len(shapes) == 1 and shapes[0]["source"] == "model" and shapes[0]["model"].startswith("opencv-grabcut")
    assert shapes[0]["label"] == "coin" and shapes[0]["n"] >= 6  # a round outline, not the dragged box
    page.screenshot(path=str(SHOTS / "assist-auto-segment.png"))
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()

    r = httpx.get(f"{live_server.url}/api/v1/projects/{p.id}/export", params={"format": "jsonl"},
                  headers=manager.headers, timeout=30)
    (row,) = [json.loads(x) for x in r.text.splitlines()]
    (answer,) = row["annotations"]
    (polygon,) = answer["value"]["polygons"]
    assert polygon["source"] == "model" and polygon["model"].startswith("opencv-grabcut") and "edited" not in polygon
    xs, ys = [v["x"] for v in polygon["vertices"]], [v["y"] for v in polygon["vertices"]]
    # the coin's outline lies inside the dragged box and fills most of it
    assert x0 - 1 <= min(xs) and max(xs) <= x1 + 1 and y0 - 1 <= min(ys) and max(ys) <= y1 + 1
    assert max(xs) - min(xs) > 0.7 * (x1 - x0) and max(ys) - min(ys) > 0.7 * (y1 - y0)
