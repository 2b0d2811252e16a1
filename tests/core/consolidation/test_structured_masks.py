"""Masks and polygons: pixel-wise weighted vote, per-class and per-instance confidence."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.core.consolidation.structured import similarity
from labelworks.core.consolidation.structured.masks import (
    consolidate_masks,
    consolidate_polygons,
    rasterize,
    trace_outline,
)


def test_pixel_vote_and_class_confidence() -> None:
    m1 = np.zeros((4, 4), dtype=int)
    m1[:2, :2] = 1
    m2 = m1.copy()
    m2[0, 2] = 1  # one extra pixel, outvoted
    m3 = m1.copy()
    m3[3, 3] = 2  # a lone class-2 pixel, outvoted
    result = consolidate_masks([("a", {"mask": m1}), ("b", {"mask": m2.tolist()}),
                                ("c", {"mask": m3, "classes": {"1": "car", "2": "road"}})])
    assert result.value["mask"] == m1.tolist()
    assert result.value["classes"] == {"1": "car", "2": "road"}
    assert result.confidence_map["car"] == 1.0
    # background: 12 pixels, two of them with 2/3 agreement
    assert result.confidence_map["0"] == pytest.approx(round((10 + 2 * 2 / 3) / 12, 4))
    # contested pixels: the 4 car pixels (1.0) and the two stray ones (2/3 each)
    assert result.confidence == pytest.approx(round((4 + 2 * 2 / 3) / 6, 4))


def test_tie_goes_to_the_lower_class_and_weights_break_it() -> None:
    a, b = np.zeros((1, 2), dtype=int), np.ones((1, 2), dtype=int)
    assert consolidate_masks([("a", {"mask": a}), ("b", {"mask": b})]).value["mask"] == [[0, 0]]
    assert consolidate_masks([("a", {"mask": a}), ("b", {"mask": b})],
                             weights={"a": 0.5, "b": 1.0}).value["mask"] == [[1, 1]]


def test_single_worker_and_bad_masks() -> None:
    assert consolidate_masks([("a", {"mask": [[0, 1]]})]).confidence == 0.0
    with pytest.raises(ValueError, match="shape"):
        consolidate_masks([("a", {"mask": [[0, 1]]}), ("b", {"mask": [[0, 1, 1]]})])
    with pytest.raises(ValueError, match=r"mask: rows differ|2-D"):
        consolidate_masks([("a", {"mask": [[0, 1], [1]]})])
    with pytest.raises(ValueError, match="integer"):
        consolidate_masks([("a", {"mask": [[0.5, 1.0]]})])


def test_mask_similarity_is_mean_iou() -> None:
    a = {"mask": [[1, 1, 0, 2]]}
    b = {"mask": [[1, 0, 0, 2]]}
    assert similarity("mask", a, b) == pytest.approx((0.5 + 1.0) / 2)
    assert similarity("mask", {"mask": [[0, 0]]}, {"mask": [[0, 0]]}) == 1.0


def square(label: str, x: float, y: float, size: float) -> dict[str, object]:
    return {"label": label, "vertices": [{"x": x, "y": y}, {"x": x + size, "y": y},
                                         {"x": x + size, "y": y + size}, {"x": x, "y": y + size}]}


def test_rasterize_fills_the_polygon() -> None:
    mask = rasterize([(1, 1), (3, 1), (3, 3), (1, 3)], (0, 0, 5, 5))
    assert mask.sum() == 9 and mask[2, 2] and not mask[0, 0]


def test_polygon_instances_matched_and_voted() -> None:
    answers = [
        ("a", {"polygons": [square("car", 0, 0, 10), square("dog", 50, 50, 5)]}),
        ("b", {"polygons": [square("car", 1, 0, 10)]}),
        ("c", {"polygons": [square("car", 0, 0, 10)]}),
    ]
    result = consolidate_polygons(answers, label_order=["car", "dog"])
    # the vote is the 11x11 square at the origin (a and c agree); their polygon is returned
    assert result.value == {"polygons": [square("car", 0.0, 0.0, 10)]}
    assert len(result.object_confidence) == 1 and 0.9 < result.object_confidence[0] <= 1.0
    single = consolidate_polygons(answers[:1])
    assert single.confidence == 0.0 and len(single.value["polygons"]) == 2  # type: ignore[arg-type]


def rect(label: str, x0: float, y0: float, x1: float, y1: float) -> dict[str, object]:
    return {"label": label, "vertices": [{"x": x0, "y": y0}, {"x": x1, "y": y0}, {"x": x1, "y": y1}, {"x": x0, "y": y1}]}


def test_the_polygon_is_the_outline_of_the_pixel_vote() -> None:
    # covered by two of three: the 11 x 11 square with its 2 x 2 top-left corner cut off
    answers = [("a", {"polygons": [rect("car", 0, 0, 10, 10)]}), ("b", {"polygons": [rect("car", 0, 2, 10, 12)]}),
               ("c", {"polygons": [rect("car", 2, 0, 12, 10)]})]
    result = consolidate_polygons(answers)
    (poly,) = result.value["polygons"]  # type: ignore[misc]
    pts = [(v["x"], v["y"]) for v in poly["vertices"]]
    expected = np.zeros((11, 11), dtype=bool)
    expected[2:, :] = True
    expected[:, 2:] = True
    drawn = rasterize(pts, (0, 0, 13, 13))
    # the outline runs through pixel centres, so the cut corner comes back chamfered: one pixel more
    assert drawn[:11, :11][expected].all() and drawn.sum() == expected.sum() + 1
    assert sorted(pts) == sorted([(2.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 2.0)])


def test_trace_outline_round_trips_a_blob() -> None:
    yy, xx = np.mgrid[:40, :40]
    disc = (yy - 20) ** 2 + (xx - 18) ** 2 <= 144
    back = rasterize(trace_outline(disc), (0, 0, 40, 40))
    assert (back & disc).sum() / (back | disc).sum() > 0.95
    assert trace_outline(np.zeros((3, 3), dtype=bool)) == []


def test_polygon_similarity() -> None:
    a = {"polygons": [square("car", 0, 0, 9)]}  # rasterised with its outline: 10 x 10 pixels
    b = {"polygons": [square("car", 0, 0, 4)]}  # 5 x 5
    assert similarity("polygons", a, a) == 1.0
    assert similarity("polygons", a, b) == pytest.approx(25 / 100)
    assert similarity("polygons", a, {"polygons": [square("dog", 0, 0, 9)]}) == 0.0


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20), st.integers(3, 12)), max_size=3),
                min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_polygon_worker_order_does_not_change_the_answer(raw: list[list[tuple[int, int, int]]], rnd: object) -> None:
    answers = [(f"w{i}", {"polygons": [square("car", *p) for p in ps]}) for i, ps in enumerate(raw)]
    base = consolidate_polygons(answers)
    shuffled = list(answers)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert consolidate_polygons([(f"q{i}", v) for i, (_, v) in enumerate(shuffled)]) == base


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.lists(st.integers(0, 2), min_size=3, max_size=3), min_size=2, max_size=2),
                min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_mask_worker_order_does_not_change_the_answer(raw: list[list[list[int]]], rnd: object) -> None:
    answers = [(f"w{i}", {"mask": m}) for i, m in enumerate(raw)]
    base = consolidate_masks(answers)
    shuffled = list(answers)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert consolidate_masks(shuffled) == base
