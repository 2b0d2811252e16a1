"""<crowd-keypoint skeleton keypoint-set> in the real sandboxed task frame: the labels advance by
themselves, skeleton edges are painted between the points of one instance (read back from the
canvas), a pair naming no label is listed under the canvas, and the posted value stays Ground Truth's
flat keypoint list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness import FRAMES
from test_elements import open_frame, wait_for
from test_polygon import IMAGE, click, latest, wait_loaded

pytestmark = pytest.mark.e2e

FRAMES["keypoint-skeleton"] = """
<crowd-form>
  <crowd-keypoint name="pose" src="/media/scene.png" labels='["head", "hand", "foot"]' keypoint-set
      skeleton='[["head", "hand"], [1, 3], ["hand", "tail"]]'></crowd-keypoint>
</crowd-form>"""

EL = "crowd-keypoint"
# The most opaque RGBA within 2 device px of image point (x, y) on the shapes layer's canvas (a
# 2.5 px line lands on whole pixels only roughly).
PIXEL_JS = """(el, [x, y]) => { const v = el.editor.view;
  const c = v.stage.getLayers()[1].getCanvas(); const r = c.getPixelRatio();
  const d = c._canvas.getContext('2d').getImageData(Math.round((v.viewport.x + x * v.viewport.scale) * r) - 2,
    Math.round((v.viewport.y + y * v.viewport.scale) * r) - 2, 5, 5).data;
  let best = [0, 0, 0, 0];
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > best[3]) best = Array.from(d.slice(i, i + 4));
  return best; }"""


def test_skeleton_and_keypoint_set_mode(page: Any, shots: Path) -> None:
    frame = open_frame(page, "keypoint-skeleton", width=1100)
    wait_loaded(page, frame, EL)
    frame.get_by_text('skeleton[2]: "tail" is not one of the labels').wait_for()
    for x, y in ((200, 100), (120, 220), (260, 400), (600, 100), (520, 220)):  # a whole figure, half of another
        click(page, frame, EL, x, y)
    points = latest(page, "pose", "keypoints", lambda k: len(k) == 5)
    assert [p["label"] for p in points] == ["head", "hand", "foot", "head", "hand"]
    page.wait_for_timeout(250)  # past the repaint
    # Figure 1's head-hand and head-foot ([1, 3]) edges are painted in head's colour (#e6194b);
    # figure 2's head-foot edge is not (no foot yet), nor is any edge between the two figures.
    for mid in ([160, 160], [230, 250]):
        r, g, b, a = frame.locator(EL).evaluate(PIXEL_JS, mid)
        assert a > 200 and r > 150 and g < 90 and b < 120, (mid, r, g, b, a)
    assert frame.locator(EL).evaluate(PIXEL_JS, [560, 250])[3] == 0  # figure 2: head-foot, no foot placed
    assert frame.locator(EL).evaluate(PIXEL_JS, [360, 160])[3] == 0  # between figure 1's hand and figure 2's hand
    page.screenshot(path=str(shots / "keypoint-skeleton.png"))
    frame.get_by_role("button", name="Submit").click()
    assert wait_for(page, lambda m: m["type"] == "lw:submit")["value"] == {
        "pose": {"keypoints": points, "inputImageProperties": IMAGE}}
