"""Boxes: known consensus, quorum, label vote, weights, single worker, order and naming invariance."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.core.consolidation.structured import similarity
from labelworks.core.consolidation.structured.boxes import consolidate_boxes, iou_matrix


def box(label: str, left: float, top: float, width: float = 10, height: float = 10) -> dict[str, object]:
    return {"label": label, "left": left, "top": top, "width": width, "height": height}


def test_iou_of_known_boxes() -> None:
    # two 10x10 boxes overlapping on a 5x10 strip: 50 / 150
    iou = iou_matrix([[0, 0, 10, 10]], [[5, 0, 15, 10], [20, 20, 30, 30]])
    assert iou.tolist() == [[pytest.approx(1 / 3), 0.0]]


def test_three_workers_average_the_shared_box_and_drop_a_lone_one() -> None:
    answers = [
        ("w1", {"boxes": [box("car", 0, 0, 20, 20), box("dog", 50, 50)]}),
        ("w2", {"boxes": [box("car", 3, 0, 20, 20)]}),
        ("w3", {"boxes": [box("car", 0, 3, 20, 20)]}),
    ]
    result = consolidate_boxes(answers, label_order=["car", "dog"])
    assert result.value == {"boxes": [box("car", 1.0, 1.0, 20, 20)]}
    assert result.votes == 3
    assert len(result.object_confidence) == 1
    # support 1 x label share 1 x mean IoU to the mean box (each member is offset by (2,-1)-ish)
    assert 0.6 < result.object_confidence[0] < 1.0
    # the lone dog (support 1/3) counts 1 - 1/3 toward the item's confidence
    assert result.confidence == pytest.approx((result.object_confidence[0] + 2 / 3) / 2, abs=1e-3)


def test_unanimous_identical_boxes_are_certain() -> None:
    same = {"boxes": [box("car", 5, 5, 20, 30)]}
    result = consolidate_boxes([("a", same), ("b", same), ("c", same)])
    assert result.value == same
    assert result.confidence == 1.0 and result.object_confidence == (1.0,)


def test_single_worker_keeps_their_boxes_with_zero_confidence() -> None:
    result = consolidate_boxes([("solo", {"boxes": [box("car", 0, 0), box("dog", 40, 40)]})])
    assert len(result.value["boxes"]) == 2  # type: ignore[arg-type]
    assert result.confidence == 0.0 and result.object_confidence == (0.0, 0.0)


def test_label_is_the_weighted_vote_and_weights_move_the_edges() -> None:
    answers = [("a", {"boxes": [box("car", 0, 0)]}), ("b", {"boxes": [box("truck", 2, 0)]}),
               ("c", {"boxes": [box("truck", 2, 0)]})]
    plain = consolidate_boxes(answers, label_order=["car", "truck"])
    assert plain.value["boxes"][0]["label"] == "truck"  # type: ignore[index]
    weighted = consolidate_boxes(answers, label_order=["car", "truck"], weights={"a": 1.0, "b": 0.2, "c": 0.2})
    b0 = weighted.value["boxes"][0]  # type: ignore[index]
    assert b0["label"] == "car"
    assert b0["left"] == pytest.approx(round(0.4 * 2 / 1.4, 2))


def test_quorum_as_count_and_share() -> None:
    answers = [("a", {"boxes": [box("car", 0, 0)]}), ("b", {"boxes": [box("car", 0, 0)]}),
               ("c", {"boxes": []}), ("d", {"boxes": []})]
    assert consolidate_boxes(answers).value["boxes"] == []  # 2 of 4 is not more than half
    assert len(consolidate_boxes(answers, quorum=2).value["boxes"]) == 1  # type: ignore[arg-type]
    assert len(consolidate_boxes(answers, quorum=0.5).value["boxes"]) == 1  # type: ignore[arg-type]


def test_everyone_drew_nothing_is_a_confident_empty_answer() -> None:
    result = consolidate_boxes([("a", {"boxes": []}), ("b", {"boxes": []})])
    assert result.value == {"boxes": []} and result.confidence == 1.0


def test_no_box_joins_a_cluster_twice_from_one_worker() -> None:
    # w1 drew two boxes over the same object; they must not both merge into one cluster
    answers = [("w1", {"boxes": [box("car", 0, 0), box("car", 1, 1)]}), ("w2", {"boxes": [box("car", 0, 0)]}),
               ("w3", {"boxes": [box("car", 0, 0)]})]
    result = consolidate_boxes(answers)
    assert len(result.value["boxes"]) == 1  # type: ignore[arg-type]


def test_bad_box_names_the_field() -> None:
    with pytest.raises(ValueError, match=r"boxes\[0\]\.width"):
        consolidate_boxes([("a", {"boxes": [{"label": "car", "left": 0, "top": 0, "width": "x", "height": 1}]})])
    with pytest.raises(ValueError, match="must not be negative"):
        consolidate_boxes([("a", {"boxes": [box("car", 0, 0, -1, 2)]})])


def test_similarity_is_soft_f1_of_iou() -> None:
    a = {"boxes": [box("car", 0, 0), box("dog", 50, 50)]}
    assert similarity("boxes", a, a) == 1.0
    assert similarity("boxes", a, {"boxes": []}) == 0.0
    assert similarity("boxes", {"boxes": []}, {"boxes": []}) == 1.0
    # one exact match out of 2 + 1 boxes
    assert similarity("boxes", a, {"boxes": [box("car", 0, 0)]}) == pytest.approx(2 / 3)
    # a wrong label scores nothing
    assert similarity("boxes", {"boxes": [box("cat", 0, 0)]}, {"boxes": [box("car", 0, 0)]}) == 0.0


coord = st.integers(min_value=0, max_value=60)
answer_boxes = st.lists(st.tuples(st.sampled_from(["car", "dog"]), coord, coord, st.integers(5, 30), st.integers(5, 30)),
                        max_size=4)


@settings(max_examples=60, deadline=None)
@given(st.lists(answer_boxes, min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_worker_order_and_names_do_not_change_the_answer(raw: list[list[tuple[str, int, int, int, int]]],
                                                         rnd: object) -> None:
    answers = [(f"w{i}", {"boxes": [box(*b) for b in bs]}) for i, bs in enumerate(raw)]
    base = consolidate_boxes(answers, label_order=["car", "dog"])
    shuffled = list(answers)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    # new worker names, and each worker's boxes listed in reverse
    renamed = [(f"x{len(shuffled) - i}", {"boxes": v["boxes"][::-1]}) for i, (_, v) in enumerate(shuffled)]
    assert consolidate_boxes(shuffled, label_order=["car", "dog"]) == base
    assert consolidate_boxes(renamed, label_order=["car", "dog"]) == base


@settings(max_examples=60, deadline=None)
@given(st.lists(answer_boxes, min_size=1, max_size=5), st.permutations(["car", "dog"]))
def test_renaming_the_labels_renames_the_answer(raw: list[list[tuple[str, int, int, int, int]]],
                                                 renamed: list[str]) -> None:
    rename = dict(zip(["car", "dog"], renamed, strict=True))
    answers = [(f"w{i}", {"boxes": [box(*b) for b in bs]}) for i, bs in enumerate(raw)]
    moved = [(w, {"boxes": [{**b, "label": rename[b["label"]]} for b in v["boxes"]]}) for w, v in answers]
    base = consolidate_boxes(answers, label_order=["car", "dog"])
    other = consolidate_boxes(moved, label_order=[rename["car"], rename["dog"]])
    expected = sorted((repr({**b, "label": rename[b["label"]]}), c)
                      for b, c in zip(base.value["boxes"], base.object_confidence, strict=True))  # type: ignore[arg-type]
    assert sorted((repr(b), c) for b, c in zip(other.value["boxes"], other.object_confidence, strict=True)) == expected  # type: ignore[arg-type]
    assert other.confidence == base.confidence
