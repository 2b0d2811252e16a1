"""A line project end to end in Chromium: the default template's <lw-line> in the sandboxed frame, lines
drawn with two clicks each (the second starting snapped on the first one's end), relabelled with the
number keys, an end dragged with the select tool, undo, a line deleted with the Delete key, and the
export holding exactly the two lines kept."""

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
ELEMENT = "lw-line"
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))


def near(got: dict[str, float], x: float, y: float, tol: float = 3) -> bool:
    return abs(got["x"] - x) <= tol and abs(got["y"] - y) <= tol


def test_annotator_draws_relabels_edits_and_deletes_lines(live_server: Any, chromium: Any, tmp_path: Path) -> None:
    factory: Factory = live_server.factory
    org_id = factory.org("Lines Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@lines.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@lines.test", password=PASSWORD)
    p = factory.project(manager, name="Cracks", task_type="line", labels=["edge", "crack"])
    folder = tmp_path / "wall"
    folder.mkdir()
    Image.new("RGB", (400, 300), (190, 190, 180)).save(folder / "wall.png")
    imports.import_folder(live_server.db, manager.actor, p.id, folder, roots=live_server.settings.allowed_media_roots,
                          media_dir=live_server.settings.media_dir)

    context, page = login(chromium, live_server.url, "ann@lines.test", PASSWORD)
    page.goto(f"/label/{p.id}")
    frame = editor_frame(page, ELEMENT)
    el = frame.locator(ELEMENT)

    def click(x: float, y: float) -> None:
        page.mouse.click(*to_page(page, frame, ELEMENT, x, y))
        page.wait_for_timeout(60)

    def lines() -> list[dict[str, Any]]:
        return list(el.evaluate("el => el.editor.output().lines"))

    click(50, 50)
    click(200, 150)  # the second click finishes a line (and selects it)
    page.keyboard.press("2")  # the selected line becomes a crack, and so will the next
    click(201, 151)  # 1 px off the first line's end: snapped onto it
    click(300, 60)
    assert [x["label"] for x in lines()] == ["crack", "crack"]
    page.keyboard.press("1")  # the second (selected) line becomes an edge
    assert [x["label"] for x in lines()] == ["crack", "edge"]
    assert lines()[1]["vertices"][0] == lines()[0]["vertices"][1]

    # The select tool: click the first line's middle, drag its start; Ctrl+Z takes the drag back.
    page.keyboard.press("v")
    click(125, 100)
    start = to_page(page, frame, ELEMENT, 50, 50)
    to = to_page(page, frame, ELEMENT, 40, 80)
    page.mouse.move(*start)
    page.mouse.down()
    for t in (0.3, 0.6, 1.0):
        page.mouse.move(start[0] + (to[0] - start[0]) * t, start[1] + (to[1] - start[1]) * t)
    page.mouse.up()
    assert near(lines()[0]["vertices"][0], 40, 80)
    page.keyboard.press("Control+z")
    assert near(lines()[0]["vertices"][0], 50, 50)

    # A third line, deleted with the Delete key while selected.
    page.keyboard.press("l")
    click(60, 250)
    click(180, 270)
    assert len(lines()) == 3
    page.keyboard.press("Delete")
    assert len(lines()) == 2
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "line-labeling.png"))
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()

    r = httpx.get(f"{live_server.url}/api/v1/projects/{p.id}/export", params={"format": "jsonl"},
                  headers=manager.headers, timeout=30)
    (row,) = [json.loads(x) for x in r.text.splitlines()]
    (answer,) = row["annotations"]
    first, second = answer["value"]["lines"]
    assert (first["label"], second["label"]) == ("crack", "edge")
    assert near(first["vertices"][0], 50, 50) and near(first["vertices"][1], 200, 150), first
    assert second["vertices"][0] == first["vertices"][1] and near(second["vertices"][1], 300, 60), second
    assert answer["value"]["inputImageProperties"] == {"width": 400, "height": 300}
