"""Verification and adjustment projects chained from a finished box project, through the real labeling
page in Chromium: the verification frame draws the earlier box over the image (pixels checked in a
screenshot, hidden with O), a verdict by hotkey; the adjustment frame opens the box editor with the
earlier box, the worker drags it and the export says ``adjusted``."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from factories import PASSWORD, Factory, UserHandle
from image_labeling import editor_frame, login, to_page
from labelworks.core.enums import Role
from labelworks.services import annotations, assignments, chaining, imports

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))
VIEW = "lw-label-verification-view"
GREY = (120, 130, 140)
CAR = {"label": "car", "left": 100, "top": 80, "width": 150, "height": 100}
RED = (0xE6, 0x19, 0x4B)  # the first label colour: "car"


def _finished_box_project(live_server: Any, manager: UserHandle, annotator: UserHandle, tmp_path: Path) -> int:
    factory: Factory = live_server.factory
    p = factory.project(manager, name="Street", task_type="bounding-box", labels=["car", "person"])
    folder = tmp_path / "street"
    folder.mkdir()
    Image.new("RGB", (400, 300), GREY).save(folder / "street.png")
    imports.import_folder(live_server.db, manager.actor, p.id, folder, roots=live_server.settings.allowed_media_roots,
                          media_dir=live_server.settings.media_dir)
    lease = assignments.next_for(live_server.db, annotator.actor, p.id)
    assert lease is not None
    annotations.submit(live_server.db, annotator.actor, lease.assignment_id,
                       {"boxes": {"boundingBoxes": [CAR], "inputImageProperties": {"width": 400, "height": 300}}})
    return p.id


def _view_frame(page: Any) -> Any:
    shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
    shown.wait_for(timeout=15_000)
    frame = shown.element_handle().content_frame()
    frame.locator(VIEW).wait_for(timeout=15_000)
    frame.wait_for_function(f"() => {{ const el = document.querySelector('{VIEW}');"
                            " return el && el.shadowRoot && !el.shadowRoot.querySelector('.status'); }",
                            timeout=15_000)
    page.wait_for_timeout(300)  # the host sizes the frame, the view refits
    return frame


def _view_to_page(page: Any, frame: Any, x: float, y: float) -> tuple[float, float]:
    box = page.locator("iframe.lw-frame:not(.lw-frame-pending)").bounding_box()
    m = frame.locator(VIEW).evaluate("""el => {
        const r = el.shadowRoot.querySelector('canvas').getBoundingClientRect();
        const v = el.viewport;
        return {left: r.left, top: r.top, scale: v.scale, x: v.x, y: v.y}; }""")
    return box["x"] + m["left"] + m["x"] + x * m["scale"], box["y"] + m["top"] + m["y"] + y * m["scale"]


def _pixel(page: Any, at: tuple[float, float]) -> tuple[int, int, int]:
    """The colour at a page point, from a screenshot of the 5 × 5 px around it (its most saturated pixel)."""
    shot = page.screenshot(clip={"x": at[0] - 2, "y": at[1] - 2, "width": 5, "height": 5})
    img = Image.open(io.BytesIO(shot)).convert("RGB")
    pixels = [img.getpixel((x, y)) for x in range(img.width) for y in range(img.height)]
    return max(pixels, key=lambda p: max(p) - min(p))  # type: ignore[no-any-return]


def _near(got: tuple[int, int, int], want: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(got, want, strict=True))


def test_verification_shows_the_earlier_box_and_stores_the_verdict(live_server: Any, chromium: Any,
                                                                     tmp_path: Path) -> None:
    factory: Factory = live_server.factory
    org_id = factory.org("Verify Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@verify.test", password=PASSWORD)
    annotator = factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@verify.test", password=PASSWORD)
    source = _finished_box_project(live_server, manager, annotator, tmp_path)

    # the manager makes the verification project from the project page's form
    context, page = login(chromium, live_server.url, "lead@verify.test", PASSWORD)
    page.goto(f"/projects/{source}")
    page.get_by_role("link", name="Verify or adjust labels").click()
    page.fill("#name", "Check street")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "chain-form.png"), full_page=True)
    page.get_by_role("button", name="Create project").click()
    page.wait_for_url(lambda url: "/chain" not in url and "/projects/" in url)
    verify_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert page.get_by_role("heading", name="Check street").is_visible()
    context.close()

    context, page = login(chromium, live_server.url, "ann@verify.test", PASSWORD)
    page.goto(f"/label/{verify_id}")
    frame = _view_frame(page)
    left_edge = _view_to_page(page, frame, 100, 130)  # the middle of the box's left side
    inside = _view_to_page(page, frame, 175, 130)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "verification-overlay.png"))
    assert _near(_pixel(page, left_edge), RED), _pixel(page, left_edge)
    assert _near(_pixel(page, inside), GREY, 12)  # boxes are outlined, the object stays visible
    assert "car" in frame.locator(VIEW).evaluate("el => el.shadowRoot.querySelector('.legend').textContent")

    frame.locator(VIEW).locator("canvas").click()  # focus in the frame: O reaches the view
    page.keyboard.press("o")
    page.wait_for_timeout(100)
    assert frame.locator(VIEW).evaluate("el => el.overlayVisible") is False
    assert _near(_pixel(page, left_edge), GREY, 12)
    page.keyboard.press("o")
    page.wait_for_timeout(100)
    assert _near(_pixel(page, left_edge), RED)

    page.mouse.move(*inside)  # wheel zoom about the cursor keeps the box under it
    page.mouse.wheel(0, -300)
    page.wait_for_timeout(150)
    assert frame.locator(VIEW).evaluate("el => el.viewport.scale") > 1.2
    page.keyboard.press("2")  # the second verdict: Incorrect
    frame.locator("textarea[name=comment]").fill("the box misses the bumper")
    page.screenshot(path=str(SHOTS / "verification-verdict.png"))
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()

    r = httpx.get(f"{live_server.url}/api/v1/projects/{verify_id}/export", params={"format": "manifest"},
                  headers=manager.headers, timeout=30)
    (line,) = [json.loads(x) for x in r.text.splitlines()]
    meta = line["check-street-metadata"]
    assert line["check-street"] == 1 and meta["class-name"] == "Incorrect"
    assert meta["type"] == "groundtruth/label-verification"
    assert meta["worker-feedback"] == [{"comment": "the box misses the bumper"}]
    assert line["street"]["annotations"][0]["left"] == 100  # the verified label rides along


def test_adjustment_loads_the_earlier_box_and_a_drag_marks_it_adjusted(live_server: Any, chromium: Any,
                                                                       tmp_path: Path) -> None:
    factory: Factory = live_server.factory
    org_id = factory.org("Adjust Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@adjust.test", password=PASSWORD)
    annotator = factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@adjust.test", password=PASSWORD)
    source = _finished_box_project(live_server, manager, annotator, tmp_path)

    # through the form: the source's own label attribute is refused, the field marked; then it is made
    context, page = login(chromium, live_server.url, "lead@adjust.test", PASSWORD)
    page.goto(f"/projects/{source}/chain")
    page.check("input[name=mode][value=adjustment]")
    page.fill("#name", "Fix street")
    page.fill("#label_attribute", "street")
    page.get_by_role("button", name="Create project").click()
    error = page.locator(".lw-field-error[data-field=label_attribute]")
    error.wait_for(timeout=10_000)
    assert "needs its own" in error.inner_text()
    assert page.locator("input[name=mode][value=adjustment]").is_checked()  # the form keeps what was typed
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "chain-form-error.png"), full_page=True)
    page.fill("#label_attribute", "")
    page.get_by_role("button", name="Create project").click()
    page.wait_for_url(lambda url: "/chain" not in url and "/projects/" in url)
    adjust_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    context.close()

    context, page = login(chromium, live_server.url, "ann@adjust.test", PASSWORD)
    page.goto(f"/label/{adjust_id}")
    element = "lw-bounding-box"
    frame = editor_frame(page, element)
    assert frame.locator(element).evaluate("el => el.editor.model.boxes.length") == 1
    start = to_page(page, frame, element, 175, 130)
    page.mouse.click(*start)  # select the earlier box
    page.mouse.move(*start)
    page.mouse.down()
    end = to_page(page, frame, element, 215, 130)
    for t in (0.3, 0.6, 1.0):
        page.mouse.move(start[0] + (end[0] - start[0]) * t, start[1])
    page.mouse.up()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "adjustment-moved.png"))
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()

    r = httpx.get(f"{live_server.url}/api/v1/projects/{adjust_id}/export", params={"format": "manifest"},
                  headers=manager.headers, timeout=30)
    (line,) = [json.loads(x) for x in r.text.splitlines()]
    meta = line["fix-street-metadata"]
    assert meta["adjustment-status"] == "adjusted" and meta["type"] == "groundtruth/object-detection"
    (box,) = line["fix-street"]["annotations"]
    assert abs(box["left"] - 140) <= 3 and box["top"] == 80 and (box["width"], box["height"]) == (150, 100)
