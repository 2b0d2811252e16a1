"""Keypoints: per-label clusters, weighted median, radius from the image, invariances."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.core.consolidation.structured import similarity
from labelworks.core.consolidation.structured.keypoints import consolidate_keypoints


def kp(label: str, x: float, y: float) -> dict[str, object]:
    return {"label": label, "x": x, "y": y}


def test_median_point_per_label_and_stray_click_dropped() -> None:
    answers = [
        ("a", {"keypoints": [kp("eye", 10, 10), kp("nose", 50, 50)]}),
        ("b", {"keypoints": [kp("eye", 12, 10), kp("nose", 52, 49)]}),
        ("c", {"keypoints": [kp("eye", 11, 13), kp("eye", 200, 200)]}),
    ]
    result = consolidate_keypoints(answers, label_order=["eye", "nose"], radius_px=10)
    assert result.value == {"keypoints": [kp("eye", 11.0, 10.0), kp("nose", 51.0, 49.5)]}
    eye, nose = result.object_confidence
    s = 5.0
    expected_eye = sum(math.exp(-d2 / (2 * s * s)) for d2 in (1, 1, 9)) / 3
    assert eye == pytest.approx(round(expected_eye, 4))
    assert nose == pytest.approx(round(2 / 3 * math.exp(-1.25 / (2 * s * s)), 4))


def test_radius_defaults_to_a_share_of_the_image_diagonal() -> None:
    props = {"width": 300, "height": 400}  # diagonal 500: radius 0.05 -> 25 px
    near = [("a", {"keypoints": [kp("p", 0, 0)], "inputImageProperties": props}),
            ("b", {"keypoints": [kp("p", 20, 0)], "inputImageProperties": props})]
    assert consolidate_keypoints(near).value["keypoints"] == [kp("p", 10.0, 0.0)]
    far = [("a", {"keypoints": [kp("p", 0, 0)], "inputImageProperties": props}),
           ("b", {"keypoints": [kp("p", 30, 0)], "inputImageProperties": props})]
    assert consolidate_keypoints(far).value["keypoints"] == []


def test_single_worker_and_unanimity() -> None:
    one = consolidate_keypoints([("a", {"keypoints": [kp("p", 3, 4)]})])
    assert one.confidence == 0.0 and one.object_confidence == (0.0,)
    same = {"keypoints": [kp("p", 3, 4)]}
    assert consolidate_keypoints([("a", same), ("b", same)]).confidence == 1.0


def test_bad_point_names_the_field() -> None:
    with pytest.raises(ValueError, match=r"keypoints\[0\]\.y"):
        consolidate_keypoints([("a", {"keypoints": [{"label": "p", "x": 1, "y": None}]})])


def test_similarity() -> None:
    a = {"keypoints": [kp("p", 0, 0), kp("q", 5, 5)]}
    assert similarity("keypoints", a, a) == 1.0
    assert similarity("keypoints", a, {"keypoints": [kp("p", 0, 0)]}) == pytest.approx(2 / 3)
    assert similarity("keypoints", {"keypoints": [kp("p", 0, 0)]}, {"keypoints": [kp("q", 0, 0)]}) == 0.0


pts = st.lists(st.tuples(st.sampled_from(["p", "q"]), st.integers(0, 60), st.integers(0, 60)), max_size=4)


@settings(max_examples=60, deadline=None)
@given(st.lists(pts, min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_worker_order_and_names_do_not_change_the_answer(raw: list[list[tuple[str, int, int]]], rnd: object) -> None:
    answers = [(f"w{i}", {"keypoints": [kp(*p) for p in ps]}) for i, ps in enumerate(raw)]
    base = consolidate_keypoints(answers, radius_px=15)
    shuffled = list(answers)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert consolidate_keypoints(shuffled, radius_px=15) == base
    assert consolidate_keypoints([(f"k{i}", v) for i, (_, v) in enumerate(shuffled)], radius_px=15) == base
