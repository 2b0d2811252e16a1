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


def _one_image_project(live_server: Any, tmp_path: Path, task_type: str, labels: list[str],
                       image: np.ndarray) -> tuple[Any, Any]:
    factory: Factory = live_server.factory
    org_id = factory.org(f"Assist {task_type}")
    manager = factory.user(Role.MANAGER, org_id=org_id, email=f"lead@{task_type}.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email=f"ann@{task_type}.test", password=PASSWORD)
    p = factory.project(manager, name=task_type, task_type=task_type, labels=labels)
    folder = tmp_path / task_type
    folder.mkdir()
    Image.fromarray(image).save(folder / "photo.png")
    imports.import_folder(live_server.db, manager.actor, p.id, folder, roots=live_server.settings.allowed_media_roots,
                          media_dir=live_server.settings.media_dir)
    return manager, p


def _submit_and_export(page: Any, live_server: Any, manager: Any, project_id: int) -> dict[str, Any]:
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    r = httpx.get(f"{live_server.url}/api/v1/projects/{project_id}/export", params={"format": "jsonl"},
                  headers=manager.headers, timeout=30)
    (row,) = [json.loads(x) for x in r.text.splitlines()]
    (answer,) = row["annotations"]
    return answer["value"]


def test_detect_faces_adds_an_editable_model_box(live_server: Any, chromium: Any, tmp_path: Path) -> None:
    manager, p = _one_image_project(live_server, tmp_path, "bounding-box", ["face", "helmet"], data.astronaut())
    context, page = login(chromium, live_server.url, "ann@bounding-box.test", PASSWORD)
    page.goto(f"/label/{p.id}")
    element = "lw-bounding-box"
    frame = editor_frame(page, element)
    button = frame.locator(f"{element} button[data-assist=faces]")
    button.wait_for(timeout=15_000)
    button.click()
    frame.locator(f"{element} .assist-status").filter(has_text="added 1 box").wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / "assist-detect-faces.png"))
    # the worker undoes and redoes it like any box they drew
    frame.locator(element).evaluate("el => { el.editor.controller.undo(); el.editor.controller.redo(); }")
    value = _submit_and_export(page, live_server, manager, p.id)
    context.close()
    (box,) = value["boxes"]
    assert box["label"] == "face" and box["source"] == "model" and box["model"].startswith("mediapipe")
    assert 168 < box["left"] < 188 and 73 < box["top"] < 93 and 85 < box["width"] < 105


def test_detect_pose_places_the_tasks_keypoints(live_server: Any, chromium: Any, tmp_path: Path) -> None:
    manager, p = _one_image_project(live_server, tmp_path, "keypoint", ["nose", "left_shoulder", "right_shoulder"],
                                    data.astronaut())
    context, page = login(chromium, live_server.url, "ann@keypoint.test", PASSWORD)
    page.goto(f"/label/{p.id}")
    element = "lw-keypoint"
    frame = editor_frame(page, element)
    button = frame.locator(f"{element} button[data-assist=pose]")
    button.wait_for(timeout=15_000)
    assert button.inner_text() == "Detect pose"
    button.click()
    frame.locator(f"{element} .assist-status").filter(has_text="added 3 points").wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / "assist-detect-pose.png"))
    value = _submit_and_export(page, live_server, manager, p.id)
    context.close()
    points = {k["label"]: k for k in value["keypoints"]}
    assert set(points) == {"nose", "left_shoulder", "right_shoulder"}
    assert all(k["source"] == "model" for k in points.values())
    assert 178 < points["nose"]["x"] < 273 and 83 < points["nose"]["y"] < 178
    assert points["left_shoulder"]["y"] > points["nose"]["y"]


def test_extreme_points_and_magic_wand_in_the_polygon_editor(live_server: Any, chromium: Any, tmp_path: Path) -> None:
    # two flat shapes on a flat background: what the wand and GrabCut should find exactly
    image = np.full((300, 400, 3), 235, np.uint8)
    image[60:160, 40:180] = (40, 90, 200)  # a blue rectangle, 140 × 100
    yy, xx = np.mgrid[:300, :400]
    image[(xx - 290) ** 2 + (yy - 190) ** 2 <= 60 ** 2] = (200, 60, 40)  # a red disc, radius 60
    manager, p = _one_image_project(live_server, tmp_path, "polygon", ["shape", "other"], image)
    context, page = login(chromium, live_server.url, "ann@polygon.test", PASSWORD)
    page.goto(f"/label/{p.id}")
    frame = editor_frame(page, ELEMENT)
    wand = frame.locator(f"{ELEMENT} button[data-assist=magic-wand]")
    wand.wait_for(timeout=15_000)
    wand.click()
    page.mouse.click(*to_page(page, frame, ELEMENT, 100, 100))
    frame.locator(f"{ELEMENT} .assist-status").filter(has_text="Magic wand: added 1 polygon").wait_for(timeout=30_000)
    # Auto-segment from the disc's four extreme points
    frame.locator(f"{ELEMENT} button[data-assist=grabcut]").click()
    for x, y in ((230, 190), (290, 130), (350, 190), (290, 250)):
        page.mouse.click(*to_page(page, frame, ELEMENT, x, y))
        page.wait_for_timeout(50)
    frame.locator(f"{ELEMENT} .assist-status").filter(has_text="Auto-segment: added 1 polygon").wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / "assist-wand-and-extreme-points.png"))
    value = _submit_and_export(page, live_server, manager, p.id)
    context.close()
    rect, disc = value["polygons"]
    xs, ys = [v["x"] for v in rect["vertices"]], [v["y"] for v in rect["vertices"]]
    assert (min(xs), min(ys), max(xs), max(ys)) == (40, 60, 179, 159)  # the rectangle's pixels, exactly
    assert rect["model"].startswith("opencv-floodfill") and disc["model"].startswith("opencv-grabcut")
    xs, ys = [v["x"] for v in disc["vertices"]], [v["y"] for v in disc["vertices"]]
    assert abs(min(xs) - 230) <= 3 and abs(max(xs) - 350) <= 3 and abs(min(ys) - 130) <= 3 and abs(max(ys) - 250) <= 3
    assert len(disc["vertices"]) >= 8  # round, not the box the points span


def test_the_prefetched_next_task_offers_its_assists_too(live_server: Any, chromium: Any, tmp_path: Path) -> None:
    """The page renders the next task in a hidden frame while the worker is on this one; that frame's
    editor asks for its assists then, and must get them (not only the frame on screen)."""
    factory: Factory = live_server.factory
    org_id = factory.org("Assist prefetch")
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@prefetch.test", password=PASSWORD)
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@prefetch.test", password=PASSWORD)
    p = factory.project(manager, name="Faces", task_type="bounding-box", labels=["face"])
    folder = tmp_path / "two"
    folder.mkdir()
    for name in ("a.png", "b.png"):
        Image.fromarray(data.astronaut()).save(folder / name)
    imports.import_folder(live_server.db, manager.actor, p.id, folder, roots=live_server.settings.allowed_media_roots,
                          media_dir=live_server.settings.media_dir)
    context, page = login(chromium, live_server.url, "ann@prefetch.test", PASSWORD)
    page.goto(f"/label/{p.id}")
    element = "lw-bounding-box"
    frame = editor_frame(page, element)
    frame.locator(f"{element} button[data-assist=faces]").click()
    frame.locator(f"{element} .assist-status").filter(has_text="added 1 box").wait_for(timeout=30_000)
    page.wait_for_selector("iframe.lw-frame-pending", state="attached", timeout=15_000)  # the next one, hidden
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("Task 2", exact=False).first.wait_for(timeout=15_000)
    second = editor_frame(page, element)
    second.locator(f"{element} button[data-assist=faces]").wait_for(timeout=5_000)
    assert second.locator(f"{element} button[data-assist]").count() == 2  # faces and text
    context.close()
