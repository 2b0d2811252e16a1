"""Rankings (Bradley-Terry over implied pairs) and pairwise votes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.core.consolidation.structured import similarity
from labelworks.core.consolidation.structured.ranking import consolidate_pairwise, consolidate_ranking


def test_consensus_order_scores_intervals_and_agreement() -> None:
    answers = [("a", {"ranking": ["x", "y", "z"]}), ("b", {"ranking": ["x", "z", "y"]}),
               ("c", {"ranking": ["x", "y", "z"]})]
    result = consolidate_ranking(answers, bootstrap=50)
    assert result.value["ranking"] == ["x", "y", "z"]
    scores = result.value["scores"]
    assert isinstance(scores, dict) and sum(scores.values()) == pytest.approx(1.0, abs=1e-5)
    intervals = result.value["intervals"]
    assert isinstance(intervals, dict)
    for item, (lo, hi) in intervals.items():
        assert lo <= scores[item] <= hi
    # x agrees in all 6 of its pair judgements; y and z in 5 of 6; overall 8 of 9 pairs
    assert result.object_confidence == (1.0, pytest.approx(0.8333), pytest.approx(0.8333))
    assert result.confidence == pytest.approx(0.8889)


def test_single_worker_and_reproducibility() -> None:
    one = consolidate_ranking([("a", {"ranking": ["b", "a"]})])
    assert one.value["ranking"] == ["b", "a"] and one.confidence == 0.0
    answers = [("a", {"ranking": ["p", "q", "r"]}), ("b", {"ranking": ["q", "p", "r"]})]
    assert consolidate_ranking(answers) == consolidate_ranking(list(reversed(answers)))


def test_duplicate_item_is_refused() -> None:
    with pytest.raises(ValueError, match="listed twice"):
        consolidate_ranking([("a", {"ranking": ["x", "x"]})])


def test_pairwise_vote_normalises_orientation() -> None:
    answers = [("a", {"left": "p", "right": "q", "winner": "left"}),
               ("b", {"left": "q", "right": "p", "winner": "right"}),  # also prefers p
               ("c", {"left": "p", "right": "q", "winner": "tie"})]
    result = consolidate_pairwise(answers)
    assert result.value == {"left": "p", "right": "q", "winner": "left"}
    assert result.confidence == pytest.approx(0.6667)
    split = consolidate_pairwise(answers[:1] + [("d", {"left": "p", "right": "q", "winner": "right"})])
    assert split.value["winner"] == "tie" and split.confidence == 0.0
    with pytest.raises(ValueError, match="different pairs"):
        consolidate_pairwise([answers[0], ("e", {"left": "p", "right": "z", "winner": "left"})])


def test_similarities() -> None:
    assert similarity("ranking", {"ranking": ["a", "b", "c"]}, {"ranking": ["a", "b", "c"]}) == 1.0
    assert similarity("ranking", {"ranking": ["a", "b", "c"]}, {"ranking": ["c", "b", "a"]}) == 0.0
    assert similarity("ranking", {"ranking": ["a", "b", "c"]}, {"ranking": ["b", "a", "c"]}) == pytest.approx(2 / 3)
    left = {"left": "p", "right": "q", "winner": "left"}
    assert similarity("pairwise", left, {"left": "q", "right": "p", "winner": "right"}) == 1.0
    assert similarity("pairwise", left, {"left": "p", "right": "q", "winner": "tie"}) == 0.5


@settings(max_examples=25, deadline=None)
@given(st.lists(st.permutations(["a", "b", "c", "d"]), min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_worker_order_does_not_change_the_ranking(raw: list[list[str]], rnd: object) -> None:
    answers = [(f"w{i}", {"ranking": list(r)}) for i, r in enumerate(raw)]
    base = consolidate_ranking(answers, bootstrap=20)
    shuffled = list(answers)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert consolidate_ranking([(f"v{i}", v) for i, (_, v) in enumerate(shuffled)], bootstrap=20) == base
