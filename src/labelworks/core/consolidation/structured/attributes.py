"""Label-category attributes through consolidation: the geometric algorithms build new objects
(mean boxes, voted polygons, median points) that know nothing of the workers' attribute values;
this gives each consolidated object the majority value of every attribute among the objects it
was made from, and the answer the majority of each frame attribute.

Which worker object fed which consolidated one is not reported by the algorithms, so each
worker's nearest object of the same label (by the centre of its bounding rectangle) stands in for
it; a worker contributes at most one object per consolidated object.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..majority import Consolidated

__all__ = ["carry_attributes", "OBJECT_ATTRIBUTES", "FRAME_ATTRIBUTES"]

OBJECT_ATTRIBUTES = "labelCategoryAttributes"
FRAME_ATTRIBUTES = "frameAttributes"
# the list key of each object kind that carries attributes
OBJECT_KEYS = ("boxes", "polygons", "keypoints", "polylines", "lines")


def carry_attributes(answer: Consolidated, values: Sequence[Mapping[str, Any]]) -> Consolidated:
    """``answer`` with its objects' and frame's attribute values voted from ``values`` (the workers'
    canonical answers); returned unchanged when no worker gave any attribute."""
    if not isinstance(answer.value, dict) or not any(_has_attributes(v) for v in values):
        return answer
    value = dict(answer.value)
    for key in OBJECT_KEYS:
        objects = value.get(key)
        if not isinstance(objects, list):
            continue
        workers = [[o for o in v.get(key, []) if isinstance(o, dict)] for v in values]
        value[key] = [_with_votes(obj, workers) for obj in objects]
    frames = [v.get(FRAME_ATTRIBUTES) for v in values]
    voted = _vote([f for f in frames if isinstance(f, dict)], len(values))
    if voted:
        value[FRAME_ATTRIBUTES] = voted
    return replace(answer, value=value)


def _has_attributes(value: Mapping[str, Any]) -> bool:
    if value.get(FRAME_ATTRIBUTES):
        return True
    return any(isinstance(o, dict) and o.get(OBJECT_ATTRIBUTES)
               for key in OBJECT_KEYS if isinstance(value.get(key), list) for o in value[key])


def _with_votes(obj: Any, workers: list[list[dict[str, Any]]]) -> Any:
    if not isinstance(obj, dict) or OBJECT_ATTRIBUTES in obj:
        return obj  # an answer kept whole (a medoid) already has its own values
    centre = _centre(obj)
    if centre is None:
        return obj
    matched = []
    for objects in workers:
        same = [(o, c) for o in objects if o.get("label") == obj.get("label") and (c := _centre(o)) is not None]
        if same:
            matched.append(min(same, key=lambda oc: (oc[1][0] - centre[0]) ** 2 + (oc[1][1] - centre[1]) ** 2)[0])
    voted = _vote([m.get(OBJECT_ATTRIBUTES) or {} for m in matched], len(matched))
    return {**obj, OBJECT_ATTRIBUTES: voted} if voted else obj


def _vote(dicts: list[dict[str, Any]], voters: int) -> dict[str, Any]:
    """Per name, the most common value among those who gave one (ties: the first given), kept when
    at least half the voters gave a value."""
    names: dict[str, list[Any]] = {}
    for d in dicts:
        for name, v in d.items():
            names.setdefault(name, []).append(v)
    out: dict[str, Any] = {}
    for name, given in names.items():
        if 2 * len(given) < voters:
            continue
        counts = Counter(repr(v) for v in given)
        best = max(given, key=lambda v: counts[repr(v)])  # max keeps the first of equal counts
        out[name] = best
    return out


def _centre(obj: Mapping[str, Any]) -> tuple[float, float] | None:
    try:
        if "left" in obj:
            return float(obj["left"]) + float(obj["width"]) / 2, float(obj["top"]) + float(obj["height"]) / 2
        if "vertices" in obj:
            xs = [float(v["x"]) for v in obj["vertices"]]
            ys = [float(v["y"]) for v in obj["vertices"]]
            return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        if "x" in obj:
            return float(obj["x"]), float(obj["y"])
    except (KeyError, TypeError, ValueError):
        return None
    return None
