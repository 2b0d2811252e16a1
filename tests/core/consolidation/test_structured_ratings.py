"""Ratings: worker biases recovered, robust to a wild answer, confidence from spread."""

from __future__ import annotations

import numpy as np
import pytest

from labelworks.core.consolidation.structured import similarity
from labelworks.core.consolidation.structured.ratings import fit_ratings


def test_additive_biases_are_removed() -> None:
    rng = np.random.default_rng(1)
    truth = rng.uniform(0, 10, 60)
    bias = {"hi": 2.0, "lo": -2.0, "mid": 0.0, "mid2": 0.0}
    items, workers, ratings = [], [], []
    for i, t in enumerate(truth):
        for w, b in bias.items():
            items.append(f"i{i}")
            workers.append(w)
            ratings.append(t + b + rng.normal(0, 0.1))
    fit = fit_ratings(items, workers, ratings, scale_min=-5, scale_max=15, shrinkage=0)
    assert fit.biases["hi"] == pytest.approx(2.0, abs=0.1)
    assert fit.biases["lo"] == pytest.approx(-2.0, abs=0.1)
    order = np.argsort([int(x[1:]) for x in fit.items])
    assert np.abs(fit.values[order] - truth).max() < 0.2
    assert min(fit.confidences) > 0.9


def test_a_wild_answer_barely_moves_the_value() -> None:
    items = ["a"] * 5 + ["b"] * 5
    workers = ["w1", "w2", "w3", "w4", "w5"] * 2
    ratings = [50, 51, 49, 50, -100, 20, 21, 19, 20, 20]
    fit = fit_ratings(items, workers, ratings, scale_min=-100, scale_max=100, huber_k=1.345)
    value = dict(zip(fit.items, fit.values, strict=True))
    assert value["a"] > 40  # the plain mean would be 20
    assert value["b"] == pytest.approx(20, abs=1.5)


def test_confidence_and_single_worker() -> None:
    fit = fit_ratings(["a", "a", "b"], ["x", "y", "x"], [3, 3, 4], scale_min=1, scale_max=5)
    conf = dict(zip(fit.items, fit.confidences, strict=True))
    assert conf["a"] == 1.0 and conf["b"] == 0.0
    # answers spread like random draws on the scale give 0
    spread = fit_ratings(["c", "c"], ["x", "y"], [1, 5], scale_min=1, scale_max=5, biases={})
    assert spread.confidences == [0.0]


def test_fixed_biases_are_applied_to_new_answers() -> None:
    fit = fit_ratings(["a", "a"], ["x", "y"], [5.0, 7.0], biases={"x": -1.0, "y": 1.0})
    assert fit.values.tolist() == [6.0]
    assert fit.biases == {"x": -1.0, "y": 1.0}


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match="rating 2"):
        fit_ratings(["a", "a"], ["x", "y"], [1.0, float("nan")])
    with pytest.raises(ValueError, match="scale_max"):
        fit_ratings(["a"], ["x"], [1.0], scale_min=5, scale_max=1)


def test_similarity() -> None:
    assert similarity("rating", {"rating": 3}, {"rating": 5}, scale_min=1, scale_max=5) == 0.5
    assert similarity("rating", {"rating": 3}, {"rating": 3}) == 1.0


def test_answer_order_and_worker_names_do_not_change_the_values() -> None:
    rng = np.random.default_rng(5)
    rows = [(f"i{i}", f"w{w}", float(rng.integers(-100, 101))) for i in range(30) for w in range(5)]
    base = fit_ratings(*zip(*rows, strict=True), scale_min=-100, scale_max=100)  # type: ignore[arg-type]
    shuffled = [rows[k] for k in rng.permutation(len(rows))]
    renamed = [(i, f"z{9 - int(w[1:])}", r) for i, w, r in shuffled]
    other = fit_ratings(*zip(*renamed, strict=True), scale_min=-100, scale_max=100)  # type: ignore[arg-type]
    assert other.items == base.items
    assert np.allclose(other.values, base.values, atol=1e-9)
    assert other.confidences == base.confidences
