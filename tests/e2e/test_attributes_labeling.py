"""Label-category attributes end to end in Chromium: a bounding-box project created with a Ground
Truth label-category file that declares object and frame attributes; the labeling page's default
template gives <lw-bounding-box> the file, the annotator's submit is held back until the required
values are given in the side panels, and the manager's manifest export carries them."""

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
LABELS = {
    "document-version": "2018-11-28",
    "labels": [{"label": "car", "categoryAttributes": [
        {"name": "occluded", "type": "string", "enum": ["no", "partly", "fully"], "isRequired": True}]},
        {"label": "person"}],
    "categoryGlobalAttributes": [{"name": "truncated", "type": "number", "minimum": 0, "maximum": 100}],
    "frameAttributes": [{"name": "weather", "type": "string", "enum": ["clear", "rain"], "isRequired": True,
                         "description": "the sky"}],
}


def test_required_attributes_hold_the_submit_and_reach_the_export(live_server: Any, chromium: Any,
                                                                 tmp_path: Path) -> None:
    factory: Factory = live_server.factory
    org_id = factory.org("Attributes Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@attrs.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@attrs.test", password=PASSWORD)
    p = factory.project(manager, name="Cars", task_type="bounding-box", labels=LABELS)
    folder = tmp_path / "street"
    folder.mkdir()
    picture = Image.new("RGB", (400, 300), (200, 210, 220))
    ImageDraw.Draw(picture).rectangle((100, 120, 220, 200), fill=(180, 30, 30))
    picture.save(folder / "street.png")
    imports.import_folder(live_server.db, manager.actor, p.id, folder, roots=live_server.settings.allowed_media_roots,
                          media_dir=live_server.settings.media_dir)

    context, page = login(chromium, live_server.url, "ann@attrs.test", PASSWORD)
    page.goto(f"/label/{p.id}")
    frame = editor_frame(page, ELEMENT)
    element = frame.locator(ELEMENT)
    start, end = to_page(page, frame, ELEMENT, 100, 120), to_page(page, frame, ELEMENT, 220, 200)
    page.mouse.move(*start)
    page.mouse.down()
    for t in (0.3, 0.6, 1.0):
        page.mouse.move(start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t)
    page.mouse.up()

    element.locator("[part=frame-attributes]").get_by_role("radio", name="rain").click()
    page.locator("body").click(position={"x": 5, "y": 5})  # keys go to the host page, which forwards them
    page.keyboard.press("Enter")
    error = element.locator("[part=error]")
    error.wait_for()
    assert error.inner_text() == "Box 1 (car): choose a value for “occluded”."
    panel = element.locator("[part=object-attributes]")
    panel.get_by_role("radio", name="partly").click()
    panel.get_by_label("truncated").fill("25")
    panel.get_by_label("truncated").press("Enter")
    error.wait_for(state="detached")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "attributes-labeling.png"))
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()

    r = httpx.get(f"{live_server.url}/api/v1/projects/{p.id}/export", params={"format": "manifest"},
                  headers=manager.headers, timeout=30)
    (line,) = [json.loads(x) for x in r.text.splitlines()]
    attr = next(k for k in line if k.endswith("-metadata"))[: -len("-metadata")]
    (annotation,) = line[attr]["annotations"]
    assert annotation["label-category-attributes"] == {"occluded": "partly", "truncated": 25}
    assert line[attr]["frame-attributes"] == {"weather": "rain"}
