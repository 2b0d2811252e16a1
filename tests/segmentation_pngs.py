"""Hand-made PNG label maps for the segmentation tests (colour-coded, as the elements post them)."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from PIL import Image

CAR, ROAD, PERSON = "#2ca02c", "#1f77b4", "#ff7f0e"


def rgb_png(ids: Sequence[Sequence[int]] | np.ndarray, colours: Sequence[str], *, alpha: bool = False) -> str:
    """Base64 RGB(A) PNG: id 0 white (transparent with ``alpha``), id k the (k-1)-th colour."""
    arr = np.asarray(ids, dtype=np.int64)
    table = np.array([(255, 255, 255)] + [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in colours],
                     dtype=np.uint8)
    rgb = table[arr]
    if alpha:
        a = np.where(arr == 0, 0, 255).astype(np.uint8)
        rgb = np.dstack([np.where(arr[..., None] == 0, 0, rgb), a]).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


def semantic(ids: Any, mappings: Mapping[str, str], **kw: Any) -> dict[str, Any]:
    arr = np.asarray(ids)
    return {"labeledImage": {"pngImageData": rgb_png(arr, list(mappings.values()), **kw)},
            "labelMappings": {label: {"color": c} for label, c in mappings.items()},
            "inputImageProperties": {"width": int(arr.shape[1]), "height": int(arr.shape[0])}}


def instance(ids: Any, instances: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """``instances``: (colour, label) per instance id 1, 2, …"""
    arr = np.asarray(ids)
    return {"labeledImage": {"pngImageData": rgb_png(arr, [c for c, _ in instances])},
            "instances": [{"color": c, "label": label} for c, label in instances],
            "inputImageProperties": {"width": int(arr.shape[1]), "height": int(arr.shape[0])}}


def decoded(value: Mapping[str, Any]) -> np.ndarray:
    """The PNG of a value as RGB hex strings per pixel (to compare maps whatever their encoding)."""
    raw = base64.b64decode(value["labeledImage"]["pngImageData"])
    rgb = np.asarray(Image.open(io.BytesIO(raw)).convert("RGB")).astype(np.int64)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


def hexes(ids: Any, colours: Sequence[str]) -> np.ndarray:
    table = np.array([0xFFFFFF] + [int(c[1:], 16) for c in colours], dtype=np.int64)
    return table[np.asarray(ids, dtype=np.int64)]
