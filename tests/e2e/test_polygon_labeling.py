"""A polygon project end to end in Chromium: the default template's <lw-polygon> in the sandboxed frame,
a triangle drawn with clicks, and the manager's export with the consolidated polygon."""

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
ELEMENT = "lw-polygon"
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))


def test_annotator_draws_a_polygon_and_the_export_has_it(live_server: Any, chromium: Any, tmp_path: Path) -> None:
    factory: Factory = live_server.factory
    org_id = factory.org("Polygons Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@poly.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@poly.test", password=PASSWORD)
    p = factory.project(manager, name="Roofs", task_type="polygon", labels=["roof", "tree"])
    folder = tmp_path / "aerial"
    folder.mkdir()
    Image.new("RGB", (400, 300), (90, 140, 90)).save(folder / "aerial.png")
    imports.import_folder(live_server.db, manager.actor, p.id, folder, roots=live_server.settings.allowed_media_roots,
                          media_dir=live_server.settings.media_dir)

    context, page = login(chromium, live_server.url, "ann@poly.test", PASSWORD)
    page.goto(f"/label/{p.id}")
    frame = editor_frame(page, ELEMENT)
    for x, y in ((100, 100), (300, 100), (200, 250), (100, 100)):  # the last click closes it on the first vertex
        page.mouse.click(*to_page(page, frame, ELEMENT, x, y))
        page.wait_for_timeout(60)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "polygon-labeling.png"))
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()

    r = httpx.get(f"{live_server.url}/api/v1/projects/{p.id}/export", params={"format": "jsonl"},
                  headers=manager.headers, timeout=30)
    (row,) = [json.loads(x) for x in r.text.splitlines()]
    (answer,) = row["annotations"]
    (polygon,) = answer["value"]["polygons"]
    assert polygon["label"] == "roof" and len(polygon["vertices"]) == 3
    for got, want in zip(polygon["vertices"], ({"x": 100, "y": 100}, {"x": 300, "y": 100}, {"x": 200, "y": 250}),
                         strict=True):
        assert abs(got["x"] - want["x"]) <= 3 and abs(got["y"] - want["y"]) <= 3, polygon
    assert row["consolidated"]["method"] == "polygon-pixel-vote"
