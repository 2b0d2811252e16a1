"""Label maps (semantic and instance segmentation) in an adjustment job: the earlier label as the
editor's initial value, and whether the worker changed it.

A segmentation label in an output manifest is ``<attr>-ref`` (the PNG; Labelworks writes it inline
as a ``data:image/png;base64,`` URI) and ``<attr>-ref-metadata`` with ``internal-color-map``
(``"0"`` the white background, then one entry per class or instance). Two maps are the same label
when every pixel has the same class (and, for instances, the pixels are grouped into the same
instances): PNG bytes are no guide, an editor re-encodes what it did not change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..consolidation.structured.label_maps import decode_png, ids_from_rgb, normalise_colour
from ..errors import ValidationFailed

__all__ = ["label_map_value", "same_label_map", "class_names_per_pixel"]

_DATA_URI = "data:image/png;base64,"


def _classes(meta: Mapping[str, Any], at: str) -> list[tuple[str, str]]:
    """(class name, colour) of ``internal-color-map`` entries 1, 2, … in key order (0 skipped)."""
    raw = meta.get("internal-color-map")
    field = f"{at}-metadata.internal-color-map"
    if not isinstance(raw, Mapping):
        raise ValidationFailed("expected an object", field=field)
    entries = []
    for key, entry in raw.items():
        if not str(key).isdigit() or not isinstance(entry, Mapping) or not isinstance(entry.get("class-name"), str):
            raise ValidationFailed("expected class-name and hex-color", field=f"{field}.{key}")
        if int(key) == 0:
            continue
        try:
            colour = normalise_colour(entry.get("hex-color"), f"{field}.{key}.hex-color")
        except ValueError as exc:
            raise ValidationFailed(str(exc), field=f"{field}.{key}.hex-color") from None
        entries.append((int(key), entry["class-name"], colour))
    return [(name, colour) for _, name, colour in sorted(entries)]


def label_map_value(*, instance: bool) -> Callable[[Any, Mapping[str, Any], str], dict[str, Any]]:
    """The converter from a manifest's label map to the segmentation editor's value."""

    def convert(body: Any, meta: Mapping[str, Any], at: str) -> dict[str, Any]:
        if not isinstance(body, str) or not body.startswith(_DATA_URI):
            raise ValidationFailed("the label map must be inline (a data:image/png;base64, URI, as the manifest "
                                   "export writes it); import a Ground Truth manifest with --format gt-segmentation",
                                   field=at)
        classes = _classes(meta, at)
        try:
            rgb = decode_png(body, at)
        except ValueError as exc:
            raise ValidationFailed(str(exc), field=at) from None
        value: dict[str, Any] = {"labeledImage": {"pngImageData": body[len(_DATA_URI):]}}
        if instance:
            value["instances"] = [{"color": c, "label": name} for name, c in classes]
        else:
            value["labelMappings"] = {name: {"color": c} for name, c in classes}
        value["inputImageProperties"] = {"width": int(rgb.shape[1]), "height": int(rgb.shape[0])}
        return value

    return convert


def _pixels(value: Mapping[str, Any], instance: bool) -> tuple[Any, list[str]] | None:
    """(instance-or-class id per pixel, the label of each id from 1), or None when unreadable."""
    labeled = value.get("labeledImage")
    png = labeled.get("pngImageData") if isinstance(labeled, Mapping) else None
    if instance:
        pairs = [(str(i.get("label")), str(i.get("color"))) for i in value.get("instances", [])
                 if isinstance(i, Mapping)]
    else:
        mappings = value.get("labelMappings", {})
        pairs = [(label, str(m.get("color"))) for label, m in mappings.items() if isinstance(m, Mapping)] \
            if isinstance(mappings, Mapping) else []
    try:
        ids = ids_from_rgb(decode_png(png, "labeledImage"), [c for _, c in pairs], "labeledImage")
    except ValueError:
        return None
    return ids, [label for label, _ in pairs]


def class_names_per_pixel(value: Mapping[str, Any], instance: bool) -> tuple[Any, list[str]] | None:
    """(an id per pixel, 0 the background, and the label of each id from 1), or None when unreadable."""
    return _pixels(value, instance)


def same_label_map(a: Mapping[str, Any], b: Mapping[str, Any], *, instance: bool) -> bool:
    """Every pixel the same class (instances: also the same grouping into instances)."""
    pa, pb = _pixels(a, instance), _pixels(b, instance)
    if pa is None or pb is None:
        return pa is None and pb is None
    (ids_a, labels_a), (ids_b, labels_b) = pa, pb
    if ids_a.shape != ids_b.shape:
        return False
    names = sorted(set(labels_a) | set(labels_b))
    lut_a = np.array([0, *(names.index(n) + 1 for n in labels_a)])
    lut_b = np.array([0, *(names.index(n) + 1 for n in labels_b)])
    if not np.array_equal(lut_a[ids_a], lut_b[ids_b]):
        return False
    if not instance:
        return True
    # the same partition: each instance of one map is exactly one instance of the other
    pairs = np.unique(ids_a * (len(labels_b) + 1) + ids_b)
    return len(pairs) == len(np.unique(ids_a)) == len(np.unique(ids_b))
