"""Bradley-Terry scores from pairwise preferences, with bootstrap confidence intervals.

``bradley_terry(left, right, winner)`` reads one comparison per position (``winner`` is ``left``,
``right`` or ``tie``; a tie counts half a win each way) and returns every item's strength,
normalised to sum to 1, with its rank (1 = strongest).

The fit is the maximum-likelihood Bradley-Terry model solved by Hunter's (2004) MM iteration
(Zermelo's), vectorised over the distinct compared pairs (``np.bincount``), run until the largest
relative change of a score is below ``tolerance``. On data where every item can be reached from
every other through wins (the comparison graph is strongly connected) this is exactly the MLE that
evalica's ``bradley_terry`` converges to (tests check both agree, and ``bench/consensus.py`` checks
LLMFAO's published scores).

Where the MLE does not exist (an item that never loses or never wins, or groups never compared
with each other), its scores run off to 0 or infinity. Then, and only then, every item also plays
``prior`` virtual tied games against one virtual average item: the smallest change that makes
the graph strongly connected and keeps the scores finite and ordered by the evidence
(``regularized`` says when it was used).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["BradleyTerry", "bradley_terry", "WINNERS"]

WINNERS = ("left", "right", "tie")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class BradleyTerry:
    """Scores in rank order: ``items[k]`` has ``scores[k]`` and ``ranks[k]``.

    ``ci_low``/``ci_high`` hold the bootstrap percentile interval of each score (empty when no
    bootstrap was asked for). ``comparisons`` counts the comparisons each item took part in.
    """

    items: list[str]
    scores: list[float]
    ranks: list[int]
    comparisons: list[int]
    ci_low: list[float]
    ci_high: list[float]
    iterations: int
    regularized: bool
    confidence_level: float

    def as_dict(self) -> dict[str, float]:
        """Item -> score."""
        return dict(zip(self.items, self.scores, strict=True))


def _encode_winners(winner: Sequence[str]) -> IntArray:
    codes = {name: i for i, name in enumerate(WINNERS)}
    out = np.empty(len(winner), dtype=np.int64)
    for pos, value in enumerate(winner):
        code = codes.get(value)
        if code is None:
            raise ValueError(f"comparison {pos + 1}: winner {value!r} is not one of left, right, tie")
        out[pos] = code
    return out


def _pair_weights(
    li: IntArray, ri: IntArray, outcome: IntArray, n_items: int, counts: FloatArray | None = None
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Distinct unordered pairs (a < b) with the credit a got over b and b over a."""
    a = np.minimum(li, ri)
    b = np.maximum(li, ri)
    left_is_a = li <= ri
    w = np.ones(li.size) if counts is None else counts
    # credit to the left item: 1 for a left win, 0.5 for a tie
    left_credit = np.where(outcome == 0, 1.0, np.where(outcome == 2, 0.5, 0.0)) * w
    right_credit = w - left_credit
    credit_a = np.where(left_is_a, left_credit, right_credit)
    credit_b = w - credit_a
    key = a * n_items + b
    uniq, inv = np.unique(key, return_inverse=True)
    wa = np.bincount(inv, weights=credit_a, minlength=uniq.size).astype(np.float64)
    wb = np.bincount(inv, weights=credit_b, minlength=uniq.size).astype(np.float64)
    return (uniq // n_items).astype(np.int64), (uniq % n_items).astype(np.int64), wa, wb


def _strongly_connected(pa: IntArray, pb: IntArray, wa: FloatArray, wb: FloatArray, n: int) -> bool:
    # an edge x -> y means x earned credit against y (y lost to x at least partly)
    src = np.concatenate([pa[wa > 0], pb[wb > 0]])
    dst = np.concatenate([pb[wa > 0], pa[wb > 0]])
    graph = coo_matrix((np.ones(src.size), (src, dst)), shape=(n, n)).tocsr()
    n_comp, _ = connected_components(graph, directed=True, connection="strong")
    return bool(n_comp == 1)


def _solve(
    pa: IntArray, pb: IntArray, wa: FloatArray, wb: FloatArray, n: int, tolerance: float, limit: int
) -> tuple[FloatArray, int]:
    """Hunter's (2004) MM step for all items at once: p_i <- W_i / sum_j n_ij / (p_i + p_j).

    Each step cannot lower the likelihood (unlike the simultaneous form of Newman's faster
    iteration, which can oscillate between two states on tiny inputs).
    """
    p = np.ones(n)
    wins = np.bincount(pa, weights=wa, minlength=n) + np.bincount(pb, weights=wb, minlength=n)
    games = wa + wb
    iterations = 0
    for iterations in range(1, limit + 1):  # noqa: B007 (the count is returned)
        inv = games / (p[pa] + p[pb])
        new = wins / (np.bincount(pa, weights=inv, minlength=n) + np.bincount(pb, weights=inv, minlength=n))
        new /= np.exp(np.mean(np.log(new)))
        change = float(np.max(np.abs(new - p) / new))
        p = new
        if change < tolerance:
            break
    return p, iterations


def _fit(
    li: IntArray, ri: IntArray, outcome: IntArray, n: int, prior: float, tolerance: float, limit: int
) -> tuple[FloatArray, int, bool]:
    pa, pb, wa, wb = _pair_weights(li, ri, outcome, n)
    regularized = not _strongly_connected(pa, pb, wa, wb, n)
    if regularized:
        # one virtual average item (index n) tied `prior` times with every item
        virt = np.full(n, n, dtype=np.int64)
        pa = np.concatenate([pa, np.arange(n, dtype=np.int64)])
        pb = np.concatenate([pb, virt])
        wa = np.concatenate([wa, np.full(n, prior / 2)])
        wb = np.concatenate([wb, np.full(n, prior / 2)])
        p, iterations = _solve(pa, pb, wa, wb, n + 1, tolerance, limit)
        p = p[:n]
    else:
        p, iterations = _solve(pa, pb, wa, wb, n, tolerance, limit)
    return p / p.sum(), iterations, regularized


def _ranks(scores: FloatArray, names: Sequence[str]) -> tuple[IntArray, IntArray]:
    """Order (best first, equal scores by name) and competition ranks (equal scores share one)."""
    rounded = np.round(scores, 12)
    name_rank = np.argsort(np.asarray(names, dtype=object), kind="stable")
    name_pos = np.empty(len(names), dtype=np.int64)
    name_pos[name_rank] = np.arange(len(names))
    order = np.lexsort((name_pos, -rounded))
    ranks = np.empty(len(names), dtype=np.int64)
    sorted_scores = rounded[order]
    first = np.ones(len(names), dtype=bool)
    first[1:] = sorted_scores[1:] != sorted_scores[:-1]
    start = np.maximum.accumulate(np.where(first, np.arange(len(names)), 0))
    ranks[order] = start + 1
    return order.astype(np.int64), ranks


def bradley_terry(
    left: Sequence[str],
    right: Sequence[str],
    winner: Sequence[str],
    *,
    bootstrap: int = 0,
    seed: int = 0,
    confidence_level: float = 0.95,
    prior: float = 1.0,
    tolerance: float = 1e-10,
    limit: int = 10_000,
) -> BradleyTerry:
    """Bradley-Terry scores (sum 1), ranks and optional bootstrap intervals.

    ``left[k]`` and ``right[k]`` are the items of comparison ``k`` and ``winner[k]`` is
    ``"left"``, ``"right"`` or ``"tie"`` (half a win each way). ``bootstrap`` > 0 resamples the
    comparisons that many times (with ``seed``) and reports the percentile interval at
    ``confidence_level`` for each score. ``prior`` is the number of virtual tied games against an
    average item, used only when the data alone has no finite solution (see the module doc).
    Raises ValueError naming the comparison when a winner is not one of the three values or an
    item plays itself.
    """
    if not (len(left) == len(right) == len(winner)):
        raise ValueError(f"left, right and winner differ in length ({len(left)}, {len(right)}, {len(winner)})")
    if not len(left):
        raise ValueError("no comparisons")
    outcome = _encode_winners(winner)
    names, codes = np.unique(np.asarray([*left, *right], dtype=str), return_inverse=True)
    n_cmp = len(left)
    li = codes[:n_cmp].astype(np.int64)
    ri = codes[n_cmp:].astype(np.int64)
    same = np.flatnonzero(li == ri)
    if same.size:
        raise ValueError(f"comparison {int(same[0]) + 1}: item {str(names[li[same[0]]])!r} is compared with itself")
    n = names.size
    item_names = [str(x) for x in names]
    scores, iterations, regularized = _fit(li, ri, outcome, n, prior, tolerance, limit)
    low: list[float] = []
    high: list[float] = []
    order, ranks = _ranks(scores, item_names)
    if bootstrap > 0:
        rng = np.random.default_rng(seed)
        samples = np.empty((bootstrap, n))
        for b in range(bootstrap):
            pick = rng.integers(0, n_cmp, n_cmp)
            samples[b], _, _ = _fit(li[pick], ri[pick], outcome[pick], n, prior, 1e-8, limit)
        alpha = (1.0 - confidence_level) / 2
        lo, hi = np.quantile(samples, [alpha, 1.0 - alpha], axis=0)
        low = [float(x) for x in lo[order]]
        high = [float(x) for x in hi[order]]
    played = np.bincount(li, minlength=n) + np.bincount(ri, minlength=n)
    return BradleyTerry(
        items=[item_names[i] for i in order],
        scores=[float(scores[i]) for i in order],
        ranks=[int(ranks[i]) for i in order],
        comparisons=[int(played[i]) for i in order],
        ci_low=low,
        ci_high=high,
        iterations=iterations,
        regularized=regularized,
        confidence_level=confidence_level,
    )
