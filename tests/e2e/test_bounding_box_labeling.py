"""A bounding-box project end to end in Chromium: the labeling page renders the task type's default
template with <lw-bounding-box> in the sandboxed frame, the annotator draws a box with the mouse and
submits, and the manager's export holds it in Ground Truth's object-detection shape."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw

from factories import PASSWORD, Factory
from image_labeling import editor_frame, login, to_page
from labelworks.core.enums import Role
from labelworks.services import imports

pytestmark = pytest.mark.e2e
ELEMENT = "lw-bounding-box"
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))


def test_annotator_draws_a_box_and_the_export_has_it(live_server: Any, chromium: Any, tmp_path: Path) -> None:
    factory: Factory = live_server.factory
    org_id = factory.org("Boxes Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@boxes.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@boxes.test", password=PASSWORD)
    p = factory.project(manager, name="Vehicles", task_type="bounding-box", labels=["car", "person"])
    folder = tmp_path / "street"
    folder.mkdir()
    picture = Image.new("RGB", (400, 300), (200, 210, 220))
    ImageDraw.Draw(picture).rectangle((100, 120, 220, 200), fill=(180, 30, 30))  # "the car"
    picture.save(folder / "street.png")
    imports.import_folder(live_server.db, manager.actor, p.id, folder, roots=live_server.settings.allowed_media_roots,
                          media_dir=live_server.settings.media_dir)

    context, page = login(chromium, live_server.url, "ann@boxes.test", PASSWORD)
    page.goto(f"/label/{p.id}")
    frame = editor_frame(page, ELEMENT)
    start, end = to_page(page, frame, ELEMENT, 100, 120), to_page(page, frame, ELEMENT, 220, 200)
    page.mouse.move(*start)
    page.mouse.down()
    for t in (0.3, 0.6, 1.0):
        page.mouse.move(start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t)
    page.mouse.up()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "bounding-box-labeling.png"))
    page.locator("body").click(position={"x": 5, "y": 5})  # keys go to the host page, which forwards them
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()

    r = httpx.get(f"{live_server.url}/api/v1/projects/{p.id}/export", params={"format": "manifest"},
                  headers=manager.headers, timeout=30)
    (line,) = [json.loads(x) for x in r.text.splitlines()]
    attr = next(k for k in line if k.endswith("-metadata"))[: -len("-metadata")]
    (annotation,) = line[attr]["annotations"]
    assert annotation["class_id"] == 0 and line[f"{attr}-metadata"]["class-map"] == {"0": "car"}
    for key, want in (("left", 100), ("top", 120), ("width", 120), ("height", 80)):
        assert abs(annotation[key] - want) <= 3, (key, annotation)
    assert line[attr]["image_size"] == [{"width": 400, "height": 300, "depth": 3}]
    assert line[f"{attr}-metadata"]["type"] == "groundtruth/object-detection"
