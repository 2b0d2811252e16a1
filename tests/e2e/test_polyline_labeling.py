"""A polyline project end to end in Chromium: the default template's <lw-polyline> in the sandboxed frame,
two polylines drawn with clicks (one finished with Enter, one with a double click, its start snapped to
the first one's end), a vertex dragged, Ctrl+Z, and the export holding exactly what was kept."""

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
from labelworks.services import imports

pytestmark = pytest.mark.e2e
ELEMENT = "lw-polyline"
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))


def near(got: dict[str, float], x: float, y: float, tol: float = 3) -> bool:
    return abs(got["x"] - x) <= tol and abs(got["y"] - y) <= tol


def test_annotator_draws_edits_and_undoes_polylines(live_server: Any, chromium: Any, tmp_path: Path) -> None:
    factory: Factory = live_server.factory
    org_id = factory.org("Roads Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@roads.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@roads.test", password=PASSWORD)
    p = factory.project(manager, name="Roads", task_type="polyline", labels=["road", "kerb"])
    folder = tmp_path / "map"
    folder.mkdir()
    Image.new("RGB", (400, 300), (120, 160, 110)).save(folder / "map.png")
    imports.import_folder(live_server.db, manager.actor, p.id, folder, roots=live_server.settings.allowed_media_roots,
                          media_dir=live_server.settings.media_dir)

    context, page = login(chromium, live_server.url, "ann@roads.test", PASSWORD)
    page.goto(f"/label/{p.id}")
    frame = editor_frame(page, ELEMENT)
    el = frame.locator(ELEMENT)

    def click(x: float, y: float) -> None:
        page.mouse.click(*to_page(page, frame, ELEMENT, x, y))
        page.wait_for_timeout(60)

    def count() -> int:
        return int(el.evaluate("el => el.editor.model.size"))

    for x, y in ((60, 60), (160, 100), (260, 60)):
        click(x, y)
    page.keyboard.press("Enter")  # the canvas has focus after the clicks: Enter finishes the polyline
    assert count() == 1
    # The second starts 1 px off the first one's end (snapped onto it); a double click adds its end and finishes it.
    click(261, 61)
    page.mouse.dblclick(*to_page(page, frame, ELEMENT, 340, 200))
    page.wait_for_timeout(60)
    assert count() == 2
    # Edit: the select tool, drag the (selected) second polyline's end; Ctrl+Z puts it back, Ctrl+Shift+Z redoes.
    page.keyboard.press("v")
    end = to_page(page, frame, ELEMENT, 340, 200)
    page.mouse.move(*end)
    page.mouse.down()
    for t in (0.3, 0.6, 1.0):
        page.mouse.move(end[0], end[1] + 40 * t * (to_page(page, frame, ELEMENT, 0, 1)[1] - to_page(page, frame, ELEMENT, 0, 0)[1]))
    page.mouse.up()
    second = lambda: el.evaluate("el => el.editor.model.shapes[1].points")  # noqa: E731
    assert near(second()[1], 340, 240)
    page.keyboard.press("Control+z")
    assert near(second()[1], 340, 200)
    page.keyboard.press("Control+Shift+z")
    assert near(second()[1], 340, 240)
    # A third polyline, then undone: not in the answer.
    page.keyboard.press("l")
    click(50, 250)
    click(120, 280)
    page.keyboard.press("Enter")
    assert count() == 3
    page.keyboard.press("Control+z")
    assert count() == 2
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "polyline-labeling.png"))
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()

    r = httpx.get(f"{live_server.url}/api/v1/projects/{p.id}/export", params={"format": "jsonl"},
                  headers=manager.headers, timeout=30)
    (row,) = [json.loads(x) for x in r.text.splitlines()]
    (answer,) = row["annotations"]
    first, second_line = answer["value"]["polylines"]
    assert first["label"] == "road" and len(first["vertices"]) == 3
    for got, (x, y) in zip(first["vertices"], ((60, 60), (160, 100), (260, 60)), strict=True):
        assert near(got, x, y), first
    assert second_line["vertices"][0] == first["vertices"][2], answer  # snapped: exactly the same point
    assert len(second_line["vertices"]) == 2 and near(second_line["vertices"][1], 340, 240), second_line
    assert answer["value"]["inputImageProperties"] == {"width": 400, "height": 300}
