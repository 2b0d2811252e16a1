"""A keypoint project end to end in Chromium, with a project template that gives <lw-keypoint> a skeleton
and keypoint-set mode: points placed with clicks arm the next label by themselves, two instances are
joined by their skeleton edges, a point is dragged, relabelled, undone and deleted, and the export
holds Ground Truth's flat keypoint list in the order placed."""

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
ELEMENT = "lw-keypoint"
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))
LABELS = ["nose", "left_eye", "right_eye"]
# The default template plus a skeleton (COCO's 1-based numbers and names both work) and keypoint-set mode.
TEMPLATE = """<lw-form>
  <lw-keypoint name="keypoints" header="{{ header }}" labels="{{ labels | to_json }}" keypoint-set
    skeleton='[[1, 2], ["nose", "right_eye"], ["left_eye", "right_eye"]]'
    src="{{ task.input.source-ref | default: task.input.source | grant_read_access }}">
  </lw-keypoint>
</lw-form>
"""


def near(got: dict[str, float], x: float, y: float, tol: float = 3) -> bool:
    return abs(got["x"] - x) <= tol and abs(got["y"] - y) <= tol


def test_annotator_places_two_skeletons_of_keypoints(live_server: Any, chromium: Any, tmp_path: Path) -> None:
    factory: Factory = live_server.factory
    org_id = factory.org("Faces Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@faces.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@faces.test", password=PASSWORD)
    p = factory.project(manager, name="Faces", task_type="keypoint", labels=LABELS, template=TEMPLATE)
    folder = tmp_path / "faces"
    folder.mkdir()
    Image.new("RGB", (400, 300), (230, 200, 170)).save(folder / "faces.png")
    imports.import_folder(live_server.db, manager.actor, p.id, folder, roots=live_server.settings.allowed_media_roots,
                          media_dir=live_server.settings.media_dir)

    context, page = login(chromium, live_server.url, "ann@faces.test", PASSWORD)
    page.goto(f"/label/{p.id}")
    frame = editor_frame(page, ELEMENT)
    el = frame.locator(ELEMENT)
    assert el.evaluate("el => el.skeletonEdges") == {
        "edges": [["nose", "left_eye"], ["nose", "right_eye"], ["left_eye", "right_eye"]], "problems": []}

    def click(x: float, y: float) -> None:
        page.mouse.click(*to_page(page, frame, ELEMENT, x, y))
        page.wait_for_timeout(60)

    def points() -> list[dict[str, Any]]:
        return list(el.evaluate("el => el.editor.output().keypoints"))

    # Face 1 then face 2: no label key pressed, the next label is armed after each point.
    for x, y in ((100, 120), (80, 90), (120, 90), (280, 150), (260, 120), (300, 120)):
        click(x, y)
    assert [k["label"] for k in points()] == LABELS * 2
    segments = el.evaluate("""el => { const v = el.editor.view; return v.skeletonSegmentsInView(
        [-1e9, -1e9, 1e9, 1e9]).map(s => [s.a.label, s.b.label, s.from.x < 200 ? 1 : 2]); }""")
    assert sorted(segments) == sorted([[a, b, face] for face in (1, 2) for a, b in
                                       (("nose", "left_eye"), ("nose", "right_eye"), ("left_eye", "right_eye"))])
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "keypoint-skeleton.png"))

    # Drag face 2's nose down (its edges follow), undo it, then redo.
    nose2 = to_page(page, frame, ELEMENT, 280, 150)
    page.mouse.move(*nose2)
    page.mouse.down()
    page.mouse.move(nose2[0], nose2[1] + 15)
    page.mouse.move(nose2[0], nose2[1] + 30)
    page.mouse.up()
    assert points()[3]["y"] > 160
    page.keyboard.press("Control+z")
    assert near(points()[3], 280, 150)
    # A stray seventh point (nose of a third face), deleted after selecting it by a press.
    click(200, 260)
    assert len(points()) == 7 and points()[6]["label"] == "nose"
    stray = to_page(page, frame, ELEMENT, 200, 260)
    page.mouse.move(*stray)
    page.mouse.down()
    page.mouse.up()
    page.keyboard.press("Delete")
    assert len(points()) == 6
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()

    r = httpx.get(f"{live_server.url}/api/v1/projects/{p.id}/export", params={"format": "jsonl"},
                  headers=manager.headers, timeout=30)
    (row,) = [json.loads(x) for x in r.text.splitlines()]
    (answer,) = row["annotations"]
    kps = answer["value"]["keypoints"]
    assert [k["label"] for k in kps] == LABELS * 2
    for got, (x, y) in zip(kps, ((100, 120), (80, 90), (120, 90), (280, 150), (260, 120), (300, 120)), strict=True):
        assert near(got, x, y), kps
    assert answer["value"]["inputImageProperties"] == {"width": 400, "height": 300}
