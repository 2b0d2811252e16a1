"""Interactive segmentation with classical vision, no model files: GrabCut (from a box or four
extreme points), a magic wand (flood fill within a colour tolerance) and SLIC superpixels.

Speed on large images: GrabCut works on the box plus a margin, scaled so its longer side is at
most ``GRABCUT_SIDE`` pixels (the mask is scaled back up); SLIC segments a copy of at most
``SLIC_PIXELS`` pixels and the segment map is scaled back with nearest-neighbour. Without that a
4000×3000 photo takes tens of seconds per click.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from ...core.assist import AssistResult
from ...core.errors import ValidationFailed
from ..regions import mask_regions, read_box, read_number, read_point, read_points, superpixels_region

__all__ = ["GrabCut", "MagicWand", "Slic", "GRABCUT_SIDE", "SLIC_PIXELS"]

GRABCUT_SIDE = 400
GRABCUT_ITERATIONS = 5
SLIC_PIXELS = 600_000

_SEGMENT_TYPES = ("polygon", "instance-segmentation", "semantic-segmentation")


def _grabcut_region(image: npt.NDArray[np.uint8], x: int, y: int, w: int, h: int,
                    points: list[tuple[int, int]]) -> npt.NDArray[np.bool_]:
    """GrabCut inside the box (x, y, w, h); ``points`` (may be empty) are certain foreground."""
    height, width = image.shape[:2]
    margin = max(8, int(0.15 * max(w, h)))
    cx0, cy0 = max(0, x - margin), max(0, y - margin)
    cx1, cy1 = min(width, x + w + margin), min(height, y + h + margin)
    crop = image[cy0:cy1, cx0:cx1]
    scale = min(1.0, GRABCUT_SIDE / max(crop.shape[:2]))
    if scale < 1.0:
        crop = cv2.resize(crop, (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale))),
                          interpolation=cv2.INTER_AREA)
    ch, cw = crop.shape[:2]
    rx0, ry0 = int((x - cx0) * scale), int((y - cy0) * scale)
    rx1, ry1 = min(cw, int(np.ceil((x + w - cx0) * scale))), min(ch, int(np.ceil((y + h - cy0) * scale)))
    # GrabCut needs some certain background to model: keep a one-pixel frame outside the box
    rx0, ry0, rx1, ry1 = max(rx0, 1), max(ry0, 1), min(rx1, cw - 1), min(ry1, ch - 1)
    if rx1 - rx0 < 2 or ry1 - ry0 < 2:
        raise ValidationFailed("params: the region is too small to segment", field="params")
    mask = np.full((ch, cw), cv2.GC_BGD, np.uint8)
    mask[ry0:ry1, rx0:rx1] = cv2.GC_PR_FGD
    radius = max(2, int(0.02 * max(rx1 - rx0, ry1 - ry0)))
    if points:
        centre = np.mean(np.array(points, np.float64), axis=0)
    for px, py in points:
        # the extreme points lie on the object's border: certain foreground, DEXTR-style, with the
        # disc moved inward by its diameter so it does not claim the background beside the tip
        p = np.array([(px - cx0) * scale, (py - cy0) * scale])
        inward = (centre - np.array([px, py])) * scale
        length = float(np.hypot(*inward))
        if length > 0:
            p = p + inward / length * min(2 * radius, length)
        cv2.circle(mask, (int(round(p[0])), int(round(p[1]))), radius, cv2.GC_FGD, -1)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    bgr = np.ascontiguousarray(crop[:, :, ::-1])
    cv2.grabCut(bgr, mask, None, bgd, fgd, GRABCUT_ITERATIONS, cv2.GC_INIT_WITH_MASK)
    fg = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.uint8) * 255
    if scale < 1.0:
        fg = cv2.resize(fg, (cx1 - cx0, cy1 - cy0), interpolation=cv2.INTER_LINEAR)
    full = np.zeros((height, width), bool)
    full[cy0:cy1, cx0:cx1] = fg > 127
    return full


class GrabCut:
    name = "grabcut"
    title = "Auto-segment"
    kinds = ("mask", "polygon")
    needs = "box"  # or four extreme points: params.points
    task_types = _SEGMENT_TYPES
    model = f"opencv-grabcut-{cv2.__version__}"

    def run(self, image: npt.NDArray[np.uint8], params: Mapping[str, Any]) -> AssistResult:
        height, width = image.shape[:2]
        if "points" in params:
            points = read_points(params, 4, width, height)
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            # the extremes touch the object's border: widen the box a little so the border is inside
            pad = max(2, int(0.03 * max(max(xs) - min(xs), max(ys) - min(ys))))
            x0, y0 = max(0, min(xs) - pad), max(0, min(ys) - pad)
            x1, y1 = min(width, max(xs) + pad + 1), min(height, max(ys) + pad + 1)
            if x1 - x0 < 3 or y1 - y0 < 3:
                raise ValidationFailed("params.points: the four points span less than 3×3 pixels",
                                       field="params.points")
            mask = _grabcut_region(image, x0, y0, x1 - x0, y1 - y0, points)
        elif "box" in params:
            mask = _grabcut_region(image, *read_box(params, width, height), [])
        else:
            raise ValidationFailed("params: give a box {left, top, width, height} or four extreme points",
                                   field="params.box")
        return AssistResult(self.name, self.model, mask_regions(mask))


class MagicWand:
    name = "magic-wand"
    title = "Magic wand"
    kinds = ("mask", "polygon")
    needs = "point"
    task_types = _SEGMENT_TYPES
    model = f"opencv-floodfill-{cv2.__version__}"

    def run(self, image: npt.NDArray[np.uint8], params: Mapping[str, Any]) -> AssistResult:
        height, width = image.shape[:2]
        seed = read_point(params, "params", width, height)
        tolerance = int(read_number(params, "tolerance", 24, 0, 255))
        flood = np.zeros((height + 2, width + 2), np.uint8)
        # fixed range: every pixel is compared with the clicked one, so the region cannot creep
        # along a gradient into the whole image
        flags = 4 | cv2.FLOODFILL_MASK_ONLY | cv2.FLOODFILL_FIXED_RANGE | (255 << 8)
        diff = (tolerance,) * 3
        # OpenCV's binding takes the image as an output even in mask-only mode: it must be writable
        target = image if image.flags.writeable and image.flags.c_contiguous else image.copy()
        cv2.floodFill(target, flood, seed, (0, 0, 0), diff, diff, flags)
        return AssistResult(self.name, self.model, mask_regions(flood[1:-1, 1:-1] > 0))


class Slic:
    name = "slic"
    title = "Superpixels"
    kinds = ("superpixels",)
    needs = "none"
    task_types = ("semantic-segmentation", "instance-segmentation")
    model = "skimage-slic"

    def run(self, image: npt.NDArray[np.uint8], params: Mapping[str, Any]) -> AssistResult:
        from skimage.segmentation import slic

        segments = int(read_number(params, "segments", 400, 2, 10_000))
        compactness = read_number(params, "compactness", 10, 0.01, 1000)
        height, width = image.shape[:2]
        scale = min(1.0, (SLIC_PIXELS / (height * width)) ** 0.5)
        small = image if scale >= 1.0 else cv2.resize(
            image, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
        labels = slic(small, n_segments=segments, compactness=compactness, start_label=0, channel_axis=-1)
        if scale < 1.0:
            labels = cv2.resize(labels.astype(np.int32), (width, height), interpolation=cv2.INTER_NEAREST)
        return AssistResult(self.name, self.model, [superpixels_region(labels)])
