"""Polylines and lines: the answer closest to the others (medoid), and a similarity for any two answers.

Value shape (key ``polylines`` or ``lines``; polygons have their own pixel vote in ``masks``)::

    {"polylines": [{"label": "lane", "vertices": [{"x": 10, "y": 0}, {"x": 20, "y": 100}]}],
     "inputImageProperties": {"width": 640, "height": 480}}   # optional

Two shapes are :func:`shape_distance` pixels apart: the symmetric mean distance from each vertex
to the nearest vertex of the other. Two answers are :func:`answer_distance` apart: the mean, over
the shapes of both, of the distance to the closest same-label shape in the other answer (a shape
with none costs ``miss``). :func:`medoid_answer` keeps the answer with the least total distance to
the others; agreement is ``exp(-distance / scale)`` with scale = 2 % of the image diagonal (10 px
when the size is unknown).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..majority import Consolidated

__all__ = ["answer_distance", "lines_similarity", "medoid_answer", "polylines_similarity", "shape_distance"]

# The distance scale (pixels) that turns a vertex distance into an agreement in (0, 1]:
# a share of the image diagonal when the size is known, else a fixed few pixels.
_SCALE_SHARE = 0.02
_SCALE_PX = 10.0
# A missed or extra shape counts as this many scales off (agreement e^-10, about 0).
_MISS_SCALES = 10

Point = tuple[float, float]


def _points(shape: Mapping[str, Any]) -> list[Point]:
    return [(float(v["x"]), float(v["y"])) for v in shape["vertices"]]


def _mean_nearest(a: Sequence[Point], b: Sequence[Point]) -> float:
    return sum(min(math.dist(p, q) for q in b) for p in a) / len(a)


def shape_distance(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """Symmetric mean distance (pixels) from each vertex of one shape to the nearest vertex of the other."""
    pa, pb = _points(a), _points(b)
    return (_mean_nearest(pa, pb) + _mean_nearest(pb, pa)) / 2


def _scale(values: Sequence[Mapping[str, Any]]) -> float:
    for v in values:
        props = v.get("inputImageProperties")
        if isinstance(props, dict):
            return max(_SCALE_SHARE * math.hypot(float(props["width"]), float(props["height"])), 1.0)
    return _SCALE_PX


def _best_match(shape: Mapping[str, Any], others: Sequence[Mapping[str, Any]]) -> float | None:
    same = [shape_distance(shape, o) for o in others if o["label"] == shape["label"]]
    return min(same) if same else None


def answer_distance(a: Mapping[str, Any], b: Mapping[str, Any], key: str, miss: float) -> float:
    """Mean over both answers' shapes of the distance to the closest same-label shape in the other
    answer; a shape with no counterpart costs ``miss``. Two empty answers are 0 apart."""
    sa, sb = list(a.get(key, [])), list(b.get(key, []))
    costs = [d if (d := _best_match(s, sb)) is not None else miss for s in sa]
    costs += [d if (d := _best_match(s, sa)) is not None else miss for s in sb]
    return sum(costs) / len(costs) if costs else 0.0


def medoid_answer(values: Sequence[Mapping[str, Any]], key: str, *, method: str) -> Consolidated:
    """The answer with the least total distance to the others (ties: the earliest answer).

    Confidence = mean agreement ``exp(-d / scale)`` of the chosen answer with the others; each
    shape's confidence = its mean agreement with its closest same-label shape in each other answer
    (0 where an answer has none). One answer gives confidence 0: nobody confirmed it.
    """
    scale = _scale(values)
    miss = _MISS_SCALES * scale
    n = len(values)
    dist = [[0.0 if i == j else answer_distance(values[i], values[j], key, miss) for j in range(n)]
            for i in range(n)]
    best = min(range(n), key=lambda i: (sum(dist[i]), i))
    chosen = values[best]
    shapes = list(chosen.get(key, []))
    value: dict[str, object] = {key: shapes}
    if isinstance(chosen.get("inputImageProperties"), dict):
        value["inputImageProperties"] = chosen["inputImageProperties"]
    others = [values[j] for j in range(n) if j != best]
    if not others:
        return Consolidated(value=value, confidence=0.0, votes=n, method=method,
                            object_confidence=tuple(0.0 for _ in shapes))
    agreement = sum(math.exp(-dist[best][j] / scale) for j in range(n) if j != best) / len(others)
    per_shape = []
    for shape in shapes:
        scores = [math.exp(-d / scale) if (d := _best_match(shape, list(o.get(key, [])))) is not None else 0.0
                  for o in others]
        per_shape.append(round(sum(scores) / len(scores), 4))
    return Consolidated(value=value, confidence=round(agreement, 4), votes=n, method=method,
                        object_confidence=tuple(per_shape))


def _similarity(key: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    for where, v in (("a", a), ("b", b)):
        if not isinstance(v, Mapping) or not isinstance(v.get(key), list):
            raise ValueError(f"{where}.{key}: expected a list of shapes")
    scale = _scale([a, b])
    return math.exp(-answer_distance(a, b, key, _MISS_SCALES * scale) / scale)


def polylines_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """``exp(-answer_distance / scale)`` of two polyline answers, in (0, 1]."""
    return _similarity("polylines", a, b)


def lines_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """``exp(-answer_distance / scale)`` of two line answers, in (0, 1]."""
    return _similarity("lines", a, b)
