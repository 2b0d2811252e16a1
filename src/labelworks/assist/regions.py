"""Turning model outputs into regions (core/assist.py's shapes) and reading the tools' parameters.

Masks become two regions: the mask itself (a base64 PNG the size of the image) and the polygon of
its largest outer contour, simplified with ``cv2.approxPolyDP`` so an editor gets a few dozen
vertices it can adjust rather than one per boundary pixel.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from ..core.errors import ValidationFailed

__all__ = ["mask_regions", "mask_polygon", "png_base64", "superpixels_region", "read_box", "read_point",
           "read_points", "read_number", "box_region"]

# Simplification tolerance: this fraction of the contour's perimeter, at least one pixel.
_SIMPLIFY = 0.004


def png_base64(array: npt.NDArray[Any]) -> str:
    ok, buf = cv2.imencode(".png", array)
    if not ok:  # cv2 only fails here on an empty or unsupported array: a bug, not bad input
        raise RuntimeError("could not encode a PNG")
    return base64.b64encode(buf.tobytes()).decode("ascii")


def mask_polygon(mask: npt.NDArray[np.bool_]) -> list[dict[str, float]] | None:
    """The largest outer contour of ``mask``, simplified; None when the mask is empty."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    largest = max(contours, key=cv2.contourArea)
    epsilon = max(1.0, _SIMPLIFY * cv2.arcLength(largest, True))
    simplified = cv2.approxPolyDP(largest, epsilon, True).reshape(-1, 2)
    if len(simplified) < 3:
        simplified = largest.reshape(-1, 2)
        if len(simplified) < 3:
            return None
    return [{"x": float(x), "y": float(y)} for x, y in simplified]


def mask_regions(mask: npt.NDArray[np.bool_], label: str | None = None,
                 score: float | None = None) -> list[dict[str, Any]]:
    """A mask region and, when the mask is not empty, the polygon of its largest part."""
    h, w = mask.shape
    extra: dict[str, Any] = {}
    if label is not None:
        extra["label"] = label
    if score is not None:
        extra["score"] = round(float(score), 4)
    regions: list[dict[str, Any]] = [{"kind": "mask", "width": w, "height": h, "source": "model",
                                      "png": png_base64(mask.astype(np.uint8) * 255), **extra}]
    polygon = mask_polygon(mask)
    if polygon is not None:
        regions.append({"kind": "polygon", "points": polygon, "source": "model", **extra})
    return regions


def superpixels_region(labels: npt.NDArray[np.integer[Any]]) -> dict[str, Any]:
    """Segment ids packed into an RGB PNG (id = r + 256 g + 65536 b)."""
    h, w = labels.shape
    ids = labels.astype(np.uint32)
    rgb = np.stack([ids & 0xFF, (ids >> 8) & 0xFF, (ids >> 16) & 0xFF], axis=-1).astype(np.uint8)
    count = int(ids.max()) + 1 if ids.size else 0
    # cv2 writes BGR: reverse so the PNG's red channel holds the low byte
    return {"kind": "superpixels", "width": w, "height": h, "count": count, "source": "model",
            "png": png_base64(rgb[:, :, ::-1])}


def box_region(left: float, top: float, width: float, height: float, **extra: Any) -> dict[str, Any]:
    return {"kind": "box", "left": round(left, 2), "top": round(top, 2), "width": round(width, 2),
            "height": round(height, 2), "source": "model", **extra}


def read_number(params: Mapping[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = params.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise ValidationFailed(f"params.{key}: expected a number", field=f"params.{key}")
    if not low <= value <= high:
        raise ValidationFailed(f"params.{key}: {value} is outside {low}..{high}", field=f"params.{key}")
    return float(value)


def _coord(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise ValidationFailed(f"{where}: expected a number of pixels", field=where)
    return float(value)


def read_point(raw: Any, where: str, width: int, height: int) -> tuple[int, int]:
    """A point inside the image, in whole pixels."""
    if not isinstance(raw, Mapping):
        raise ValidationFailed(f"{where}: expected {{x, y}}", field=where)
    x, y = _coord(raw.get("x"), f"{where}.x"), _coord(raw.get("y"), f"{where}.y")
    if not (0 <= x <= width and 0 <= y <= height):
        raise ValidationFailed(f"{where}: ({x:g}, {y:g}) is outside the {width}×{height} image", field=where)
    return min(int(x), width - 1), min(int(y), height - 1)


def read_points(params: Mapping[str, Any], count: int, width: int, height: int) -> list[tuple[int, int]]:
    raw = params.get("points")
    if not isinstance(raw, list) or len(raw) != count:
        raise ValidationFailed(f"params.points: expected {count} points", field="params.points")
    return [read_point(p, f"params.points[{i}]", width, height) for i, p in enumerate(raw)]


def read_box(params: Mapping[str, Any], width: int, height: int) -> tuple[int, int, int, int]:
    """``params.box`` clipped to the image: (left, top, width, height), at least 2 pixels each way."""
    raw = params.get("box")
    if not isinstance(raw, Mapping):
        raise ValidationFailed("params.box: expected {left, top, width, height}", field="params.box")
    left, top = _coord(raw.get("left"), "params.box.left"), _coord(raw.get("top"), "params.box.top")
    w, h = _coord(raw.get("width"), "params.box.width"), _coord(raw.get("height"), "params.box.height")
    x0, y0 = max(0, int(left)), max(0, int(top))
    x1, y1 = min(width, int(np.ceil(left + w))), min(height, int(np.ceil(top + h)))
    if x1 - x0 < 2 or y1 - y0 < 2:
        raise ValidationFailed("params.box: the box covers less than 2×2 pixels of the image", field="params.box")
    return x0, y0, x1 - x0, y1 - y0
