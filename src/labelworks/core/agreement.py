"""Agreement between annotators: Krippendorff's alpha, Fleiss' kappa, pairwise Cohen's kappa.

Pure functions over integer-coded arrays (``items``, ``workers``, ``values``: one entry per
answer, a worker's latest answer only). All of them are vectorised with numpy and sparse counts,
so a project of a million answers is measured in well under a second.

Conventions: items with fewer than two answers carry no information about agreement and are left
out (as Krippendorff prescribes); a measure that is undefined (no pairable items, or every answer
the same so that chance agreement is 1) is returned as ``None``, never as a made-up number.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse

__all__ = ["Agreement", "encode", "krippendorff_alpha", "krippendorff_alpha_interval", "fleiss_kappa",
           "cohen_kappa_pairs", "per_label", "categorical_agreement", "set_agreement"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Agreement:
    """A project's (or one label's) agreement figures."""

    alpha: float | None
    fleiss_kappa: float | None
    items: int  # items with at least two answers
    answers: int  # answers on those items
    per_label: dict[str, dict[str, float | None]] = field(default_factory=dict)
    # (worker a, worker b, items in common, kappa) for the most active workers
    cohen: list[tuple[str, str, int, float | None]] = field(default_factory=list)


def encode(values: Sequence[Hashable]) -> tuple[IntArray, list[Hashable]]:
    """Integer codes for any hashable values, in first-seen order (and the values they stand for)."""
    index: dict[Hashable, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int64, count=len(values))
    return codes, list(index)


def _counts(items: IntArray, values: IntArray) -> sparse.csr_matrix:
    """Items x values count matrix (duplicates summed)."""
    n_items = int(items.max()) + 1 if items.size else 0
    n_values = int(values.max()) + 1 if values.size else 0
    data = np.ones(items.size, dtype=np.float64)
    return sparse.csr_matrix((data, (items, values)), shape=(n_items, n_values))


def _pairable(counts: sparse.csr_matrix) -> tuple[sparse.csr_matrix, npt.NDArray[np.float64]]:
    m = np.asarray(counts.sum(axis=1)).ravel()
    keep = m >= 2
    return counts[keep], m[keep]


def krippendorff_alpha(items: IntArray, values: IntArray) -> float | None:
    """Nominal alpha = 1 - (n - 1) * D_o / D_e from the coincidence counts."""
    counts, m = _pairable(_counts(items, values))
    if m.size == 0:
        return None
    squares = np.asarray(counts.multiply(counts).sum(axis=1)).ravel()
    observed = float(((m * m - squares) / (m - 1)).sum())  # sum over c != k of the coincidences
    n_c = np.asarray(counts.sum(axis=0)).ravel()
    n = float(m.sum())
    expected = n * n - float((n_c * n_c).sum())
    if expected <= 0:
        return None
    return 1.0 - (n - 1.0) * observed / expected


def krippendorff_alpha_interval(items: IntArray, ratings: npt.NDArray[np.float64]) -> float | None:
    """Interval alpha for numeric ratings (squared difference as the distance)."""
    order = np.argsort(items, kind="stable")
    items, ratings = items[order], ratings[order].astype(np.float64)
    m = np.bincount(items).astype(np.float64)
    keep = m[items] >= 2
    items, ratings = items[keep], ratings[keep]
    if items.size == 0:
        return None
    m = np.bincount(items).astype(np.float64)
    s1 = np.bincount(items, weights=ratings)
    s2 = np.bincount(items, weights=ratings * ratings)
    used = m >= 2
    # within a unit, sum over ordered pairs (i != j) of (x_i - x_j)^2 = 2 (m * s2 - s1^2)
    observed = float((2 * (m[used] * s2[used] - s1[used] ** 2) / (m[used] - 1)).sum())
    n = float(items.size)
    total1, total2 = float(ratings.sum()), float((ratings * ratings).sum())
    expected = 2 * (n * total2 - total1 * total1) / (n - 1)
    if expected <= 0:
        return None
    return 1.0 - observed / expected


def fleiss_kappa(items: IntArray, values: IntArray) -> float | None:
    """Fleiss' kappa, generalised to a varying number of raters per item."""
    counts, m = _pairable(_counts(items, values))
    if m.size == 0:
        return None
    squares = np.asarray(counts.multiply(counts).sum(axis=1)).ravel()
    p_item = (squares - m) / (m * (m - 1))
    p_bar = float(p_item.mean())
    p_c = np.asarray(counts.sum(axis=0)).ravel() / float(m.sum())
    p_e = float((p_c * p_c).sum())
    if p_e >= 1.0:
        return None
    return (p_bar - p_e) / (1.0 - p_e)


def _kappa(a: IntArray, b: IntArray) -> float | None:
    n = a.size
    k = int(max(a.max(), b.max())) + 1
    table = np.bincount(a * k + b, minlength=k * k).reshape(k, k).astype(np.float64)
    p_o = float(np.trace(table)) / n
    p_e = float((table.sum(axis=1) * table.sum(axis=0)).sum()) / (n * n)
    if p_e >= 1.0:
        return None
    return (p_o - p_e) / (1.0 - p_e)


def cohen_kappa_pairs(items: IntArray, workers: IntArray, values: IntArray, *, top: int = 12,
                      min_common: int = 3) -> list[tuple[int, int, int, float | None]]:
    """Cohen's kappa for each pair among the ``top`` most active workers with enough items in common."""
    if items.size == 0:
        return []
    activity = np.bincount(workers)
    chosen = np.argsort(-activity, kind="stable")[:top]
    chosen = chosen[activity[chosen] > 0]
    n_items = int(items.max()) + 1
    # one dense column per chosen worker: the value code + 1, 0 where the worker did not answer
    grid = np.zeros((n_items, chosen.size), dtype=np.int64)
    column = np.full(int(workers.max()) + 1, -1, dtype=np.int64)
    column[chosen] = np.arange(chosen.size)
    mine = column[workers] >= 0
    grid[items[mine], column[workers[mine]]] = values[mine] + 1
    out = []
    for i in range(chosen.size):
        for j in range(i + 1, chosen.size):
            both = (grid[:, i] > 0) & (grid[:, j] > 0)
            common = int(both.sum())
            if common >= min_common:
                out.append((int(chosen[i]), int(chosen[j]), common,
                            _kappa(grid[both, i] - 1, grid[both, j] - 1)))
    return out


def per_label(items: IntArray, values: IntArray, n_values: int) -> list[tuple[float | None, float | None]]:
    """For each value code: (alpha, kappa) of the binary question "is it this label?"."""
    counts, m = _pairable(_counts(items, values))
    out: list[tuple[float | None, float | None]] = []
    if m.size == 0:
        return [(None, None)] * n_values
    n = float(m.sum())
    dense_cols = counts.tocsc()
    for c in range(n_values):
        x = dense_cols[:, c].toarray().ravel() if c < counts.shape[1] else np.zeros(m.size)
        # binary alpha: coincidences between "c" and "not c"
        observed = float((2 * x * (m - x) / (m - 1)).sum())
        n_c = float(x.sum())
        expected = 2 * n_c * (n - n_c)
        alpha = None if expected <= 0 else 1.0 - (n - 1.0) * observed / expected
        p_c = n_c / n
        denom = float((m * (m - 1)).sum()) * p_c * (1 - p_c)
        kappa = None if denom <= 0 else 1.0 - float((x * (m - x)).sum()) / denom
        out.append((alpha, kappa))
    return out


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def categorical_agreement(items: Sequence[Hashable], workers: Sequence[Hashable], values: Sequence[Hashable],
                          labels: Sequence[str] | None = None) -> Agreement:
    """Every categorical figure at once, from plain (item, worker, value) triples."""
    item_codes, _ = encode(items)
    worker_codes, worker_names = encode(workers)
    value_codes, value_names = encode(values)
    pairable = np.bincount(item_codes)[item_codes] >= 2 if item_codes.size else np.zeros(0, dtype=bool)
    names = list(labels) if labels is not None else [str(v) for v in value_names]
    position = {v: i for i, v in enumerate(value_names)}
    label_rows = per_label(item_codes, value_codes, len(value_names))
    per: dict[str, dict[str, float | None]] = {}
    for name in names:
        code = position.get(name)
        alpha, kappa = label_rows[code] if code is not None else (None, None)
        per[str(name)] = {"alpha": _round(alpha), "kappa": _round(kappa)}
    cohen = [(str(worker_names[a]), str(worker_names[b]), common, _round(k))
             for a, b, common, k in cohen_kappa_pairs(item_codes, worker_codes, value_codes)]
    return Agreement(
        alpha=_round(krippendorff_alpha(item_codes, value_codes)),
        fleiss_kappa=_round(fleiss_kappa(item_codes, value_codes)),
        items=int(np.unique(item_codes[pairable]).size), answers=int(pairable.sum()),
        per_label=per, cohen=cohen)


def set_agreement(items: Sequence[Hashable], workers: Sequence[Hashable], chosen: Sequence[Sequence[str]],
                  labels: Sequence[str]) -> Agreement:
    """Agreement on a set of labels per answer (multi-label choices, a document's labels).

    Overall: nominal alpha and Fleiss' kappa on the exact set chosen (the empty set is an answer
    too: "none of them applies"); per label: alpha and kappa of the yes/no question "is this label
    in the set?", from the same answers."""
    overall = categorical_agreement(items, workers, ["|".join(sorted(set(c))) for c in chosen])
    item_codes, _ = encode(items)
    per: dict[str, dict[str, float | None]] = {}
    for label in labels:
        yes = np.fromiter((label in c for c in chosen), dtype=np.int64, count=len(chosen))
        alpha, kappa = per_label(item_codes, yes, 2)[1]
        per[str(label)] = {"alpha": _round(alpha), "kappa": _round(kappa)}
    return Agreement(alpha=overall.alpha, fleiss_kappa=overall.fleiss_kappa, items=overall.items,
                     answers=overall.answers, per_label=per, cohen=overall.cohen)
