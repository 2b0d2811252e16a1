"""Imported masks in Chromium, through the server: COCO RLE coins (skimage.data.coins) imported into
an instance-segmentation project, PNG masks into a semantic one, appear in the mask elements, the
worker submits them, the server accepts the elements' PNGs, and the export gives the same masks."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from factories import PASSWORD, Factory
from image_labeling import login
from labelworks.core.consolidation.structured.segmentation import crop_mask
from labelworks.core.enums import Role
from labelworks.core.formats.coco_masks import InstanceDataset, InstanceImage, read_coco_masks, write_coco_masks
from labelworks.core.formats.masks import MaskDataset, MaskImage, read_masks_zip, write_masks_zip
from labelworks.services import imports

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))


def _coins() -> tuple[np.ndarray, list[np.ndarray]]:
    from scipy import ndimage as ndi
    from skimage import data
    from skimage.filters import sobel
    from skimage.segmentation import watershed

    coins = data.coins()
    markers = np.zeros_like(coins)
    markers[coins < 30] = 1
    markers[coins > 150] = 2
    labelled, n = ndi.label(ndi.binary_fill_holes(watershed(sobel(coins), markers) - 1))
    return coins, [m for m in (labelled == i for i in range(1, n + 1)) if m.sum() >= 100]


def _setup(live_server: Any, task_type: str, labels: list[str], fmt: str, data: bytes) -> tuple[Any, int]:
    factory: Factory = live_server.factory
    org_id = factory.org(f"{task_type} masks org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email=f"lead@{task_type}.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email=f"ann@{task_type}.test", password=PASSWORD)
    pid = factory.project(manager, name=f"Masks {task_type}", task_type=task_type, labels=labels).id
    report = imports.import_file(live_server.db, manager.actor, pid, lambda: io.BytesIO(data), fmt)
    assert report.created == 1
    return manager, pid


def _open(chromium: Any, live_server: Any, task_type: str, pid: int) -> tuple[Any, Any, Any]:
    context, page = login(chromium, live_server.url, f"ann@{task_type}.test", PASSWORD)
    page.goto(f"/label/{pid}")
    element = f"lw-{task_type}"
    shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
    shown.wait_for(timeout=15_000)
    frame = shown.element_handle().content_frame()
    frame.locator(element).wait_for(timeout=15_000)
    deadline = time.monotonic() + 15
    while not frame.locator(element).evaluate("el => !!(el.editor && el.editor.ready && !el.editor.loading)"):
        assert time.monotonic() < deadline, "the mask element did not load"
        page.wait_for_timeout(50)
    page.wait_for_timeout(200)
    return context, page, frame


def _coin_image(live_server: Any) -> tuple[Path, np.ndarray, list[np.ndarray]]:
    coins, masks = _coins()
    path = live_server.settings.media_dir / "coins" / "coins.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(coins).save(path)
    return path, coins, masks


def test_imported_coco_instances_are_submitted_and_exported_unchanged(live_server: Any, chromium: Any) -> None:
    path, coins, masks = _coin_image(live_server)
    h, w = coins.shape
    dataset = InstanceDataset((InstanceImage(str(path), w, h, tuple(("coin", crop_mask(m)) for m in masks)),),
                              ("coin",))
    manager, pid = _setup(live_server, "instance-segmentation", ["coin"], "coco", write_coco_masks(dataset))
    context, page, frame = _open(chromium, live_server, "instance-segmentation", pid)
    el = frame.locator("lw-instance-segmentation")
    assert el.evaluate("el => el.editor.model.instances.length") == len(masks) == 24
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "imported-coco-instances.png"))
    frame.get_by_role("button", name="Submit").click()
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()

    r = httpx.get(f"{live_server.url}/api/v1/projects/{pid}/export", params={"format": "coco"},
                  headers=manager.headers, timeout=30)
    assert r.status_code == 200, r.text
    (image,) = read_coco_masks(r.content).images
    assert len(image.instances) == 24
    got = sorted((c.box(), c.area) for _, c in image.instances)
    assert got == sorted((crop_mask(m).box(), int(m.sum())) for m in masks)  # every coin, pixel for pixel
    r = httpx.get(f"{live_server.url}/api/v1/projects/{pid}/export", params={"format": "manifest"},
                  headers=manager.headers, timeout=30)
    meta = json.loads(r.text)[f"{_attr(r.text)}-metadata"]
    assert meta["type"] == "groundtruth/instance-segmentation" and len(meta["internal-color-map"]) == 25


def _attr(manifest: str) -> str:
    row = json.loads(manifest)
    (key,) = [k for k in row if k.endswith("-ref-metadata")]
    return key.removesuffix("-metadata")


def test_imported_png_masks_are_submitted_and_exported_unchanged(live_server: Any, chromium: Any) -> None:
    path, coins, masks = _coin_image(live_server)
    ids = np.zeros(coins.shape, dtype=np.int64)
    median = float(np.median([m.sum() for m in masks]))
    for m in masks:
        ids[m] = 2 if m.sum() > median else 1
    dataset = MaskDataset((("small", "#2ca02c"), ("large", "#1f77b4")),
                          (MaskImage(str(path), coins.shape[1], coins.shape[0], ids),))
    manager, pid = _setup(live_server, "semantic-segmentation", ["small", "large"], "masks", write_masks_zip(dataset))
    context, page, frame = _open(chromium, live_server, "semantic-segmentation", pid)
    el = frame.locator("lw-semantic-segmentation")
    counts = el.evaluate("el => [0, 1, 2].map(v => el.editor.model.count(v))")
    assert counts == [int((ids == v).sum()) for v in (0, 1, 2)]
    page.screenshot(path=str(SHOTS / "imported-png-masks.png"))
    frame.get_by_role("button", name="Submit").click()
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()
    r = httpx.get(f"{live_server.url}/api/v1/projects/{pid}/export", params={"format": "masks"},
                  headers=manager.headers, timeout=30)
    assert r.status_code == 200, r.text
    (image,) = read_masks_zip(r.content).images
    assert image.ids is not None and (image.ids == ids).all()


def test_the_magic_wand_reads_the_served_image_in_the_sandboxed_frame(live_server: Any, chromium: Any) -> None:
    """The frame's origin is "null": the image's pixels are readable only because /media answers CORS."""
    path, coins, _ = _coin_image(live_server)
    line = json.dumps({"source-ref": str(path)}).encode() + b"\n"
    _, pid = _setup(live_server, "semantic-segmentation", ["coin"], "manifest", line)
    context, page, frame = _open(chromium, live_server, "semantic-segmentation", pid)
    el = frame.locator("lw-semantic-segmentation")
    got = el.evaluate("""async el => { const p = await el.editor.imagePixels();
        return p && [p.width, p.height, p.data[0], p.data[4 * (p.width * 100 + 200)]]; }""")
    h, w = coins.shape
    assert got == [w, h, int(coins[0, 0]), int(coins[100, 200])]
    context.close()
