"""Majority vote: ties by label order, confidence = share (0.00 for one worker), multi-label."""

from __future__ import annotations

import pytest

from labelworks.core.consolidation.majority import majority_multi, majority_single

ORDER = ("cat", "dog", "bird")


def test_majority_single_and_share() -> None:
    answer = majority_single(["dog", "cat", "dog"], ORDER)
    assert answer is not None
    assert answer.value == {"label": "dog"}
    assert answer.confidence == 0.67
    assert answer.votes == 3
    assert answer.method == "majority-vote"


def test_unanimous_is_full_confidence() -> None:
    answer = majority_single(["bird"] * 4, ORDER)
    assert answer is not None and answer.confidence == 1.0


@pytest.mark.parametrize(("labels", "winner"), [
    (["dog", "cat"], "cat"),  # tie: the label listed first in the project wins
    (["bird", "dog"], "dog"),
    (["bird", "cat", "dog"], "cat"),
    (["dog", "bird", "bird", "dog"], "dog"),
])
def test_ties_go_to_label_order(labels: list[str], winner: str) -> None:
    answer = majority_single(labels, ORDER)
    assert answer is not None and answer.value == {"label": winner}
    assert answer.confidence == round(labels.count(winner) / len(labels), 2)


def test_tie_order_does_not_depend_on_vote_order() -> None:
    assert majority_single(["dog", "cat"], ORDER) == majority_single(["cat", "dog"], ORDER)


def test_one_worker_has_zero_confidence() -> None:
    answer = majority_single(["dog"], ORDER)
    assert answer is not None and answer.value == {"label": "dog"} and answer.confidence == 0.0


def test_no_votes_no_answer() -> None:
    assert majority_single([], ORDER) is None
    assert majority_multi([], ORDER) is None


def test_multi_label_keeps_labels_chosen_by_more_than_half() -> None:
    answer = majority_multi([["cat", "dog"], ["dog"], ["dog", "bird", "cat"]], ORDER)
    assert answer is not None
    assert answer.value == {"labels": ["cat", "dog"]}  # in the project's order
    assert answer.confidence_map == {"cat": 0.67, "dog": 1.0}
    assert answer.confidence == 0.67  # the least certain kept label
    assert answer.votes == 3


def test_multi_label_half_is_not_a_majority() -> None:
    answer = majority_multi([["cat"], ["dog"]], ORDER)
    assert answer is not None and answer.value == {"labels": []}


def test_multi_label_one_worker_keeps_everything_at_zero_confidence() -> None:
    answer = majority_multi([["bird", "cat"]], ORDER)
    assert answer is not None
    assert answer.value == {"labels": ["cat", "bird"]}
    assert answer.confidence_map == {"cat": 0.0, "bird": 0.0}
    assert answer.confidence == 0.0


def test_multi_label_counts_a_label_once_per_worker() -> None:
    answer = majority_multi([["cat", "cat"], ["dog"], ["bird"]], ORDER)
    assert answer is not None and answer.value == {"labels": []}
