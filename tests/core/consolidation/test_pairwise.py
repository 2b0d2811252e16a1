"""Bradley-Terry: known answers, ties as half wins, the no-MLE case, bootstrap, LLMFAO's published scores."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.core.consolidation.pairwise import bradley_terry
from shared_data import DATA as SHARED_DATA

LLMFAO = SHARED_DATA / "pw_llmfao"


def test_two_items_score_is_win_share() -> None:
    # a beat b twice, b beat a once: the MLE is p_a / (p_a + p_b) = 2/3
    result = bradley_terry(["a", "a", "b"], ["b", "b", "a"], ["left", "left", "left"])
    assert result.items == ["a", "b"]
    assert result.scores == pytest.approx([2 / 3, 1 / 3], abs=1e-9)
    assert result.ranks == [1, 2]
    assert result.comparisons == [3, 3]
    assert not result.regularized


def test_tie_counts_half_a_win_each_way() -> None:
    # one win each way plus a tie is even; a win and a tie is 1.5 : 0.5 = 3 : 1
    even = bradley_terry(["a", "b", "a"], ["b", "a", "b"], ["left", "left", "tie"])
    assert even.scores == pytest.approx([0.5, 0.5])
    assert even.ranks == [1, 1]  # equal scores share a rank, listed by name
    lean = bradley_terry(["a", "a"], ["b", "b"], ["left", "tie"])
    assert lean.as_dict()["a"] == pytest.approx(0.75, abs=1e-9)


def test_scores_sum_to_one_and_rank_by_strength() -> None:
    rng = np.random.default_rng(3)
    strength = {"w": 8.0, "x": 4.0, "y": 2.0, "z": 1.0}
    names = list(strength)
    left, right, winner = [], [], []
    for _ in range(4000):
        i, j = rng.choice(4, size=2, replace=False)
        a, b = names[i], names[j]
        left.append(a)
        right.append(b)
        winner.append("left" if rng.random() < strength[a] / (strength[a] + strength[b]) else "right")
    result = bradley_terry(left, right, winner)
    assert sum(result.scores) == pytest.approx(1.0)
    assert result.items == ["w", "x", "y", "z"]
    assert result.scores == pytest.approx([8 / 15, 4 / 15, 2 / 15, 1 / 15], abs=0.03)


def test_no_finite_mle_is_regularized_and_keeps_the_order() -> None:
    # a > b > c with no loss for a and no win for c: the plain MLE runs off to infinity
    result = bradley_terry(["a", "b"], ["b", "c"], ["left", "left"])
    assert result.regularized
    assert result.items == ["a", "b", "c"]
    assert result.scores[0] > result.scores[1] > result.scores[2] > 0


def test_bootstrap_interval_holds_the_score_and_is_reproducible() -> None:
    left = ["a", "a", "a", "b", "b", "c"] * 5
    right = ["b", "c", "c", "c", "a", "a"] * 5
    winner = ["left", "left", "tie", "left", "left", "right"] * 5
    one = bradley_terry(left, right, winner, bootstrap=200, seed=7)
    two = bradley_terry(left, right, winner, bootstrap=200, seed=7)
    assert one.ci_low == two.ci_low and one.ci_high == two.ci_high
    for low, score, high in zip(one.ci_low, one.scores, one.ci_high, strict=True):
        assert low <= score <= high
    assert bradley_terry(left, right, winner).ci_low == []


@pytest.mark.parametrize(("winner", "message"), [
    (["left", "draw"], "comparison 2: winner 'draw'"),
])
def test_bad_winner_is_named(winner: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bradley_terry(["a", "b"], ["b", "c"], winner)


def test_self_comparison_and_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="comparison 1: item 'a' is compared with itself"):
        bradley_terry(["a"], ["a"], ["left"])
    with pytest.raises(ValueError, match="differ in length"):
        bradley_terry(["a"], ["b", "c"], ["left"])
    with pytest.raises(ValueError, match="no comparisons"):
        bradley_terry([], [], [])


def _read(name: str) -> list[dict[str, str]]:
    with (LLMFAO / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.skipif(not LLMFAO.exists(), reason="shared LLMFAO data not present")
def test_llmfao_matches_published_scores_and_evalica() -> None:
    evalica = pytest.importorskip("evalica")
    rows = _read("crowd-comparisons.csv")
    left, right, winner = ([r[k] for r in rows] for k in ("left", "right", "winner"))
    ours = bradley_terry(left, right, winner)
    published = _read("reference_bt_scores_crowd.csv")
    assert ours.items == [r["model"] for r in published]  # identical rank order
    ref = {r["model"]: float(r["score"]) for r in published}
    assert max(abs(s - ref[m]) for m, s in ours.as_dict().items()) < 1e-5
    codes = {"left": evalica.Winner.X, "right": evalica.Winner.Y, "tie": evalica.Winner.Draw}
    theirs = evalica.bradley_terry(left, right, [codes[w] for w in winner], tolerance=1e-10, limit=10_000).scores
    theirs = theirs / theirs.sum()
    assert max(abs(s - theirs[m]) for m, s in ours.as_dict().items()) < 1e-6


comparisons = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 5), st.sampled_from(["left", "right", "tie"])).filter(
        lambda c: c[0] != c[1]),
    min_size=1, max_size=40,
)


@settings(max_examples=40, deadline=None)
@given(data=comparisons, seed=st.integers(0, 10_000))
def test_order_sides_and_names_do_not_matter(data: list[tuple[int, int, str]], seed: int) -> None:
    base = bradley_terry([f"m{a}" for a, _, _ in data], [f"m{b}" for _, b, _ in data], [w for _, _, w in data])
    assert sum(base.scores) == pytest.approx(1.0)
    expected = base.as_dict()
    rng = np.random.default_rng(seed)
    # shuffle the comparisons, swap the sides of some (the winner swaps with them), rename items
    swap = {"left": "right", "right": "left", "tie": "tie"}
    left, right, winner = [], [], []
    for i in rng.permutation(len(data)):
        a, b, w = data[i]
        if rng.random() < 0.5:
            a, b, w = b, a, swap[w]
        left.append(f"x{a}")
        right.append(f"x{b}")
        winner.append(w)
    other = bradley_terry(left, right, winner).as_dict()
    assert other.keys() == {f"x{k[1:]}" for k in expected}
    for name, score in expected.items():
        assert other[f"x{name[1:]}"] == pytest.approx(score, abs=1e-6)
