"""Agreement measures: published worked examples, and the same figures as evalica and scikit-learn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.core.agreement import (categorical_agreement, cohen_kappa_pairs, encode, fleiss_kappa,
                                       krippendorff_alpha, krippendorff_alpha_interval, per_label)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", nominal example: 4 observers,
# 12 units, missing values as None; the paper gives alpha = 0.743.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]

# Fleiss (1971) as reproduced on Wikipedia: 10 subjects, 14 raters, 5 categories; kappa = 0.210.
FLEISS_TABLE = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]


def _triples(matrix: list[list[int | None]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    items, workers, values = [], [], []
    for w, row in enumerate(matrix):
        for u, v in enumerate(row):
            if v is not None:
                items.append(u)
                workers.append(w)
                values.append(v)
    codes, _ = encode(values)
    return np.array(items), np.array(workers), codes


def test_krippendorff_worked_example() -> None:
    items, _, values = _triples(KRIPPENDORFF_2011)
    assert krippendorff_alpha(items, values) == pytest.approx(0.743, abs=5e-4)


def test_fleiss_worked_example() -> None:
    items, values = [], []
    for i, row in enumerate(FLEISS_TABLE):
        for c, n in enumerate(row):
            items += [i] * n
            values += [c] * n
    assert fleiss_kappa(np.array(items), np.array(values)) == pytest.approx(0.210, abs=5e-4)


def test_alpha_matches_evalica_on_random_data() -> None:
    evalica = pytest.importorskip("evalica")
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 4, 60)
    frame = pd.DataFrame(index=range(5), columns=range(60), dtype=object)
    items, workers, values, ratings = [], [], [], []
    for w in range(5):
        for u in range(60):
            if rng.random() < 0.2:
                continue  # missing answer
            v = truth[u] if rng.random() < 0.7 else rng.integers(0, 4)
            frame.loc[w, u] = int(v)
            items.append(u)
            workers.append(w)
            values.append(int(v))
            ratings.append(float(v))
    expected = evalica.alpha(frame, distance="nominal").alpha
    assert krippendorff_alpha(np.array(items), np.array(values)) == pytest.approx(expected, abs=1e-9)
    expected_interval = evalica.alpha(frame.astype(float), distance="interval").alpha
    assert krippendorff_alpha_interval(np.array(items), np.array(ratings)) == pytest.approx(expected_interval, abs=1e-9)


def test_cohen_matches_scikit_learn() -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(7)
    a = rng.integers(0, 3, 40)
    b = np.where(rng.random(40) < 0.6, a, rng.integers(0, 3, 40))
    items = np.concatenate([np.arange(40), np.arange(40)])
    workers = np.concatenate([np.zeros(40, dtype=np.int64), np.ones(40, dtype=np.int64)])
    ((wa, wb, common, kappa),) = cohen_kappa_pairs(items, workers, np.concatenate([a, b]))
    assert (wa, wb, common) == (0, 1, 40)
    assert kappa == pytest.approx(metrics.cohen_kappa_score(a, b), abs=1e-12)


def test_perfect_and_undefined_agreement() -> None:
    items = np.array([0, 0, 1, 1])
    assert krippendorff_alpha(items, np.array([0, 0, 1, 1])) == pytest.approx(1.0)
    assert krippendorff_alpha(items, np.array([0, 0, 0, 0])) is None  # no variation: alpha is undefined
    assert krippendorff_alpha(np.array([0, 1]), np.array([0, 1])) is None  # no item with two answers


def test_per_label_binary_alpha_equals_alpha_of_the_yes_no_question() -> None:
    items, _, values = _triples(KRIPPENDORFF_2011)
    for code, (alpha, _) in enumerate(per_label(items, values, int(values.max()) + 1)):
        binary = (values == code).astype(np.int64)
        assert alpha == pytest.approx(krippendorff_alpha(items, binary))


def test_categorical_agreement_names_labels_and_workers() -> None:
    result = categorical_agreement(
        ["a", "a", "a", "b", "b", "c"], ["w1", "w2", "w3", "w1", "w2", "w1"],
        ["cat", "cat", "dog", "dog", "dog", "cat"], labels=["cat", "dog", "bird"])
    assert result.items == 2 and result.answers == 5  # item c has one answer: not pairable
    assert set(result.per_label) == {"cat", "dog", "bird"}
    assert result.per_label["bird"] == {"alpha": None, "kappa": None}
    assert result.alpha is not None and -1 <= result.alpha <= 1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 4), st.integers(0, 3)), min_size=2, max_size=60,
                unique_by=lambda t: (t[0], t[1])),
       st.permutations(list(range(4))))
def test_relabelling_and_reordering_do_not_change_agreement(rows: list[tuple[int, int, int]],
                                                            perm: list[int]) -> None:
    items = np.array([r[0] for r in rows])
    values = np.array([r[2] for r in rows])
    base = (krippendorff_alpha(items, values), fleiss_kappa(items, values))
    relabelled = np.array([perm[v] for v in values])
    order = np.random.default_rng(0).permutation(len(rows))
    for got in ((krippendorff_alpha(items, relabelled), fleiss_kappa(items, relabelled)),
                (krippendorff_alpha(items[order], values[order]), fleiss_kappa(items[order], values[order]))):
        for x, y in zip(base, got, strict=True):
            assert (x is None and y is None) or x == pytest.approx(y)
