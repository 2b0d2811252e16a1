"""Imported COCO labels in Chromium: RLE coin masks (skimage.data.coins) imported into a polygon project
appear in <lw-polygon> as editable polygons, the worker submits them, and the COCO export gives
polygons covering the same pixels; COCO keypoints appear in <lw-keypoint> likewise."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as mask_utils

from factories import PASSWORD, Factory
from image_labeling import editor_frame, login
from labelworks.core.consolidation.structured.masks import rasterize
from labelworks.core.enums import Role
from labelworks.core.formats.coco_shapes import read_coco_polygons
from labelworks.services import imports

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))


def _coins() -> tuple[np.ndarray, list[np.ndarray]]:
    """The coins image and one mask per coin (scikit-image's gallery segmentation)."""
    from scipy import ndimage as ndi
    from skimage import data
    from skimage.filters import sobel
    from skimage.segmentation import watershed

    coins = data.coins()
    markers = np.zeros_like(coins)
    markers[coins < 30] = 1
    markers[coins > 150] = 2
    labelled, n = ndi.label(ndi.binary_fill_holes(watershed(sobel(coins), markers) - 1))
    masks = [labelled == i for i in range(1, n + 1)]
    return coins, [m for m in masks if m.sum() >= 100]


def _project_with_annotator(live_server: Any, task_type: str, labels: list[str]) -> tuple[Any, int]:
    factory: Factory = live_server.factory
    org_id = factory.org(f"{task_type} import org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email=f"lead@{task_type}.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email=f"ann@{task_type}.test", password=PASSWORD)
    return manager, factory.project(manager, name=f"Imported {task_type}", task_type=task_type, labels=labels).id


def _import(live_server: Any, manager: Any, project_id: int, doc: dict[str, Any]) -> None:
    data = json.dumps(doc).encode()
    report = imports.import_file(live_server.db, manager.actor, project_id, lambda: io.BytesIO(data), "coco")
    assert report.created == 1


def test_imported_rle_coins_are_editable_polygons(live_server: Any, chromium: Any) -> None:
    manager, pid = _project_with_annotator(live_server, "polygon", ["coin"])
    coins, masks = _coins()
    image_path = live_server.settings.media_dir / "coins" / "coins.png"
    image_path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(coins).save(image_path)
    h, w = coins.shape
    anns = []
    for i, m in enumerate(masks, start=1):
        rle = mask_utils.encode(np.asfortranarray(m.astype(np.uint8)))
        anns.append({"id": i, "image_id": 1, "category_id": 1, "iscrowd": 1,
                     "segmentation": {"size": [h, w], "counts": rle["counts"].decode()}})
    _import(live_server, manager, pid, {"images": [{"id": 1, "file_name": str(image_path), "width": w, "height": h}],
                                        "categories": [{"id": 1, "name": "coin"}], "annotations": anns})

    context, page = login(chromium, live_server.url, "ann@polygon.test", PASSWORD)
    page.goto(f"/label/{pid}")
    frame = editor_frame(page, "lw-polygon")
    assert frame.locator("lw-polygon").evaluate("el => el.editor.model.size") == len(masks) == 24
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "imported-coco-rle-polygons.png"))
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()

    r = httpx.get(f"{live_server.url}/api/v1/projects/{pid}/export", params={"format": "coco"},
                  headers=manager.headers, timeout=30)
    (image,) = read_coco_polygons(r.content).images
    assert len(image.objects) == len(masks)
    drawn = [rasterize([(v["x"], v["y"]) for v in s["vertices"]], (0, 0, w, h)) for s in image.objects]
    for m in masks:  # each coin comes back as a polygon covering its pixels
        best = max((m & d).sum() / (m | d).sum() for d in drawn)
        assert best > 0.9, best


def test_imported_coco_keypoints_show_in_the_keypoint_editor(live_server: Any, chromium: Any) -> None:
    from skimage import data

    manager, pid = _project_with_annotator(live_server, "keypoint", ["nose", "left_eye", "right_eye"])
    image_path = live_server.settings.media_dir / "people" / "astronaut.png"
    image_path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(data.astronaut()).save(image_path)
    _import(live_server, manager, pid, {
        "images": [{"id": 1, "file_name": str(image_path), "width": 512, "height": 512}],
        "categories": [{"id": 1, "name": "person", "keypoints": ["nose", "left_eye", "right_eye"],
                        "skeleton": [[1, 2], [1, 3]]}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [150, 60, 140, 140],
                         "keypoints": [223, 128, 2, 241, 111, 2, 205, 108, 2], "num_keypoints": 3}]})
    context, page = login(chromium, live_server.url, "ann@keypoint.test", PASSWORD)
    page.goto(f"/label/{pid}")
    frame = editor_frame(page, "lw-keypoint")
    assert frame.locator("lw-keypoint").evaluate("el => el.editor.model.size") == 3
    page.screenshot(path=str(SHOTS / "imported-coco-keypoints.png"))
    context.close()
