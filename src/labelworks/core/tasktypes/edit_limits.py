"""Ground Truth's ``editsAllowed`` in an adjustment job: what the worker may not change of the earlier label.

The label-category file may say ``"editsAllowed": "none"`` (the default is ``"any"``) on

- a **label**: the earlier objects of that category stay exactly as they were: not moved, reshaped,
  relabelled or deleted, and no object of it is added or relabelled to it. Its attributes are governed
  by their own ``editsAllowed`` (Ground Truth's verification example locks ``Car`` but lets ``Y`` change);
- an **object attribute** (``categoryAttributes`` / ``categoryGlobalAttributes``): its value on each
  earlier object stays as it was (set, changed or cleared is refused); an object the worker adds has no
  earlier value, so it may be given one;
- a **frame attribute**: the image's earlier value stays.

Which answer object is which earlier one: the same label and geometry (coordinates within 0.001 px);
then the same geometry under another label (relabelled); then, among objects of the same label, the
one whose extent overlaps the earlier one's most, or a point dragged up to 20 px (moved or reshaped).
An earlier object left without a partner was deleted; an answer object without one was added.

Label maps (segmentation): a label that may not change keeps exactly its pixels (instances: also
their grouping). Each refusal names the object and field, e.g.
``value.boxes.boundingBoxes[3].label: the category 'car' may not be changed (editsAllowed: none)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
import math
from typing import Any

import numpy as np

from ..errors import ValidationFailed
from ..labels import AttributeSpec
from .base import ProjectSpec
from .image_objects import FRAME_ATTRIBUTES_KEY, OBJECT_ATTRIBUTES_KEY
from .label_map_adjustment import class_names_per_pixel

__all__ = ["EditCheck", "object_edit_check", "label_map_edit_check", "NOT_ALLOWED"]

NOT_ALLOWED = "(editsAllowed: none)"
# (the submitted value, its canonical form, the earlier label's canonical form, the project)
EditCheck = Callable[[Any, Mapping[str, Any], Mapping[str, Any], ProjectSpec], None]
# what an object carries besides its geometry
_NOT_GEOMETRY = frozenset({"label", OBJECT_ATTRIBUTES_KEY, "attributes", "source", "model", "edited", "score"})
_TOLERANCE = 1e-3
# how far a point may be dragged and still be the same point; the grid cell used to find neighbours
_NEAR = 20.0
_CELL = 64.0


def _rounded(v: Any) -> Any:
    if isinstance(v, int | float) and not isinstance(v, bool):  # 10 and 10.0000001 alike
        return round(v / _TOLERANCE) * _TOLERANCE
    if isinstance(v, list):
        return [_rounded(x) for x in v]
    if isinstance(v, dict):
        return {k: _rounded(x) for k, x in sorted(v.items())}
    return v


def _geometry(obj: Mapping[str, Any]) -> str:
    return repr(_rounded({k: v for k, v in obj.items() if k not in _NOT_GEOMETRY}))


def _extent(obj: Mapping[str, Any]) -> tuple[float, float, float, float] | None:
    """(x0, y0, x1, y1) of a box, a vertex list or a point."""
    if all(isinstance(obj.get(k), int | float) for k in ("left", "top", "width", "height")):
        return obj["left"], obj["top"], obj["left"] + obj["width"], obj["top"] + obj["height"]
    vertices = obj.get("vertices")
    points: list[Any] = vertices if isinstance(vertices, list) else [obj]
    xs = [p["x"] for p in points if isinstance(p, Mapping) and isinstance(p.get("x"), int | float)]
    ys = [p["y"] for p in points if isinstance(p, Mapping) and isinstance(p.get("y"), int | float)]
    return (min(xs), min(ys), max(xs), max(ys)) if xs and len(xs) == len(ys) else None


def _padded(obj: Mapping[str, Any]) -> tuple[float, float, float, float] | None:
    """The extent with half a pixel around it, so that points and straight lines have an area."""
    e = _extent(obj)
    return None if e is None else (e[0] - 0.5, e[1] - 0.5, e[2] + 0.5, e[3] + 0.5)


def _closeness(ea: tuple[float, float, float, float], eb: tuple[float, float, float, float]) -> float | None:
    """How well extent ``ea`` stands where ``eb`` stood: their IoU when they overlap, else minus the
    distance of their centres when within _NEAR px (a dragged point), else None (not the same object)."""
    w = min(ea[2], eb[2]) - max(ea[0], eb[0])
    h = min(ea[3], eb[3]) - max(ea[1], eb[1])
    if w > 0 and h > 0:
        inter = w * h
        return inter / ((ea[2] - ea[0]) * (ea[3] - ea[1]) + (eb[2] - eb[0]) * (eb[3] - eb[1]) - inter)
    distance = math.dist(((ea[0] + ea[2]) / 2, (ea[1] + ea[3]) / 2), ((eb[0] + eb[2]) / 2, (eb[1] + eb[3]) / 2))
    return -distance if distance <= _NEAR else None


def _cells(e: tuple[float, float, float, float], pad: float) -> list[tuple[int, int]]:
    x0, y0 = int((e[0] - pad) // _CELL), int((e[1] - pad) // _CELL)
    x1, y1 = int((e[2] + pad) // _CELL), int((e[3] + pad) // _CELL)
    return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def _pairs(answer: Sequence[Mapping[str, Any]], earlier: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """answer index -> earlier index: same label and geometry, then same geometry, then the nearest."""
    pair: dict[int, int] = {}
    taken: set[int] = set()
    geo_a, geo_e = [_geometry(o) for o in answer], [_geometry(o) for o in earlier]

    def match(key: Callable[[Mapping[str, Any], str], Any]) -> None:
        waiting: dict[Any, list[int]] = {}
        for j in reversed(range(len(earlier))):
            if j not in taken:
                waiting.setdefault(key(earlier[j], geo_e[j]), []).append(j)
        for i in range(len(answer)):
            queue = waiting.get(key(answer[i], geo_a[i])) if i not in pair else None
            if queue:
                pair[i] = queue.pop()
                taken.add(pair[i])

    match(lambda o, geo: (str(o.get("label")), geo))
    match(lambda o, geo: geo)
    # moved or reshaped: the free earlier objects of the same label near the answer's, found through a
    # grid of _CELL px squares (thousands of boxes moved at once stay fast)
    grid: dict[tuple[str, int, int], list[int]] = {}
    extents: dict[int, tuple[float, float, float, float]] = {}
    for j in range(len(earlier)):
        e = _padded(earlier[j]) if j not in taken else None
        if e is not None:
            extents[j] = e
            for cell in _cells(e, _NEAR):
                grid.setdefault((str(earlier[j].get("label")), *cell), []).append(j)
    for i in range(len(answer)):
        ea = _padded(answer[i]) if i not in pair else None
        if ea is None:
            continue
        label = str(answer[i].get("label"))
        near = {j for cell in _cells(ea, 0) for j in grid.get((label, *cell), ()) if j not in taken}
        scored = [(score, -j) for j in near if (score := _closeness(ea, extents[j])) is not None]
        if scored:
            pair[i] = -max(scored)[1]
            taken.add(pair[i])
    return pair


def _list_fields(value: Any, keys: Sequence[str]) -> tuple[str, str, list[Any]]:
    """(the answer's prefix, its object list's field, the submitted list) as the element posted them:
    a bare answer (one of ``keys`` holds a list, or a label map's ``labeledImage``) or ``{name: answer}``."""

    def bare(body: Any) -> bool:
        return isinstance(body, Mapping) and any(isinstance(body.get(k), list) or (k == "labeledImage" and k in body)
                                                 for k in keys)

    body, prefix = value, "value"
    if not bare(value) and isinstance(value, Mapping) and len(value) == 1:
        (name, inner), = value.items()
        if isinstance(inner, Mapping):
            body, prefix = inner, f"value.{name}"
    key = next((k for k in keys if isinstance(body, Mapping) and k in body), keys[0])
    raw = body.get(key) if isinstance(body, Mapping) else None
    return prefix, f"{prefix}.{key}", raw if isinstance(raw, list) else []


def _attrs(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    got = obj.get(OBJECT_ATTRIBUTES_KEY)
    return got if isinstance(got, Mapping) else {}


def _check_attributes(specs: Sequence[AttributeSpec], before: Mapping[str, Any], after: Mapping[str, Any],
                      has: Callable[[str], bool], field: str) -> None:
    """Each attribute marked "none" (and known before, per ``has``) keeps its earlier value."""
    for spec in specs:
        if spec.edits_allowed != "none" or not has(spec.name):
            continue
        was, now = before.get(spec.name), after.get(spec.name)
        if was != now:
            said = f"it was {was!r}" if was is not None else "it had no value"
            raise ValidationFailed(f"the attribute {spec.name!r} may not be changed {NOT_ALLOWED}: {said}",
                                   field=f"{field}.{spec.name}")


def object_edit_check(key: str, raw_keys: Sequence[str], noun: str) -> EditCheck:
    """The check for an object list under canonical ``key`` (posted under one of ``raw_keys``)."""

    def check(value: Any, answer: Mapping[str, Any], initial: Mapping[str, Any], spec: ProjectSpec) -> None:
        labels = spec.labels
        prefix, list_field, raw = _list_fields(value, raw_keys)
        now = [o for o in answer.get(key, []) if isinstance(o, Mapping)]
        before = [o for o in initial.get(key, []) if isinstance(o, Mapping)]
        fixed = set(labels.fixed_labels)
        pair = _pairs(now, before)
        for i, obj in enumerate(now):
            at = f"{list_field}[{i}]"
            label = str(obj.get("label"))
            j = pair.get(i)
            if j is None:
                if label in fixed:
                    raise ValidationFailed(f"the category {label!r} may not be changed {NOT_ALLOWED}: "
                                           f"no {noun} of it may be added", field=f"{at}.label")
                continue
            old = before[j]
            was = str(old.get("label"))
            if was != label and (was in fixed or label in fixed):
                locked = was if was in fixed else label
                raise ValidationFailed(f"the category {locked!r} may not be changed {NOT_ALLOWED}: "
                                       f"this {noun} was {was!r}", field=f"{at}.label")
            if label in fixed and _geometry(obj) != _geometry(old):
                raise ValidationFailed(f"the category {label!r} may not be changed {NOT_ALLOWED}: "
                                       f"this {noun} was moved or reshaped", field=at)
            known = {a.name for a in labels.attributes_for(was)}
            raw_obj = raw[i] if i < len(raw) and isinstance(raw[i], Mapping) else {}
            attr_key = "attributes" if OBJECT_ATTRIBUTES_KEY not in raw_obj and "attributes" in raw_obj \
                else OBJECT_ATTRIBUTES_KEY
            _check_attributes(labels.attributes_for(label), _attrs(old), _attrs(obj), known.__contains__,
                              f"{at}.{attr_key}")
        kept = set(pair.values())
        for j, old in enumerate(before):
            if j not in kept and str(old.get("label")) in fixed:
                raise ValidationFailed(f"the category {old.get('label')!r} may not be changed {NOT_ALLOWED}: "
                                       f"the earlier {noun} {j + 1} of {len(before)} was deleted", field=list_field)
        _check_attributes(labels.frame_attributes, _frame(initial), _frame(answer), lambda _: True,
                          f"{prefix}.{FRAME_ATTRIBUTES_KEY}")

    return check


def _frame(value: Mapping[str, Any]) -> Mapping[str, Any]:
    got = value.get(FRAME_ATTRIBUTES_KEY)
    return got if isinstance(got, Mapping) else {}


def label_map_edit_check(*, instance: bool) -> EditCheck:
    """A label map's check: the pixels of a label marked "none" (instances: their grouping) stay."""

    def check(value: Any, answer: Mapping[str, Any], initial: Mapping[str, Any], spec: ProjectSpec) -> None:
        fixed = spec.labels.fixed_labels
        if not fixed:
            return
        prefix, _, _ = _list_fields(value, ("labeledImage",))
        field = f"{prefix}.labeledImage"
        now, before = class_names_per_pixel(answer, instance), class_names_per_pixel(initial, instance)
        if now is None or before is None:
            return  # no earlier map to keep (normalize has already refused an unreadable answer)
        (ids_now, names_now), (ids_before, names_before) = now, before
        if ids_now.shape != ids_before.shape:
            raise ValidationFailed(f"the image is {ids_before.shape[1]}×{ids_before.shape[0]}: the categories "
                                   f"{', '.join(map(repr, fixed))} may not be changed {NOT_ALLOWED}", field=field)
        for label in fixed:
            mask_now = _class_mask(ids_now, names_now, label)
            mask_before = _class_mask(ids_before, names_before, label)
            changed = int(np.count_nonzero(mask_now != mask_before))
            if changed:
                raise ValidationFailed(f"the category {label!r} may not be changed {NOT_ALLOWED}: "
                                       f"{changed} of its pixels changed", field=field)
            if instance and mask_before.any():
                a, b = ids_before[mask_before], ids_now[mask_before]
                groups = np.unique(a.astype(np.int64) * (len(names_now) + 1) + b)
                if not len(groups) == len(np.unique(a)) == len(np.unique(b)):
                    raise ValidationFailed(f"the category {label!r} may not be changed {NOT_ALLOWED}: its "
                                           "instances were split or merged", field=field)

    return check


def _class_mask(ids: Any, names: Sequence[str], label: str) -> Any:
    """Pixels whose id (1-based into ``names``) is ``label``."""
    wanted = [i + 1 for i, n in enumerate(names) if n == label]
    return np.isin(ids, wanted)
