"""Rankings and pairwise preferences: Bradley-Terry (``..pairwise``) with bootstrap intervals.

Value shapes::

    {"ranking": ["b", "a", "c"]}                               # best first
    {"left": "answer-1", "right": "answer-2", "winner": "left"}  # or "right" / "tie"

* :func:`consolidate_ranking`: every worker's ranking becomes its pairwise preferences (each item
  beats every item below it); Bradley-Terry on all of them gives a score per item (sum 1) and, with
  ``bootstrap`` > 0, a percentile interval per score. The consolidated ranking orders items by
  score (equal scores by name). An item's confidence is the weighted share of the workers' pairwise
  judgements involving it that agree with the consolidated order (the item's own Kendall
  agreement); the item's confidence is that share over all pairs. Bradley-Terry itself has no
  worker weights; weights enter the agreement shares.
* :func:`consolidate_pairwise`: one comparison item answered by several workers is a weighted vote
  among "left wins", "right wins" and "tie" (a tie between two outcomes gives "tie"), with each
  answer turned to a common orientation first; confidence = the winning share. Answers from a
  Likert comparison carry a ``strength`` (0 = about the same, 1 = slightly, 2 = much…): the
  consensus then has the weighted mean strength of the answers preferring the winner (halves up).
  A text-ranking answer's ``pairwiseChoice`` is read as such a comparison.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np

from ..majority import Consolidated
from ..pairwise import WINNERS, bradley_terry
from ._common import confidence, resolve_weights
from .preferences import is_preference_value, preference_similarity

__all__ = ["consolidate_pairwise", "consolidate_ranking", "parse_pairwise", "parse_ranking",
           "pairwise_similarity", "ranking_similarity"]


def parse_ranking(value: Mapping[str, Any], where: str = "value") -> list[str]:
    if not isinstance(value, Mapping) or not isinstance(value.get("ranking"), list):
        raise ValueError(f"{where}.ranking: expected a list of item ids, best first")
    out: list[str] = []
    for i, x in enumerate(value["ranking"]):
        if not isinstance(x, str):
            raise ValueError(f"{where}.ranking[{i}]: expected a string id, got {x!r}")
        out.append(x)
    if len(set(out)) != len(out):
        dup = next(x for x in out if out.count(x) > 1)
        raise ValueError(f"{where}.ranking: {dup!r} is listed twice")
    return out


def _pairwise_view(value: Any) -> Any:
    """A text-ranking answer's Likert comparison (``pairwiseChoice``), else the value itself."""
    if isinstance(value, Mapping) and isinstance(value.get("pairwiseChoice"), Mapping):
        return value["pairwiseChoice"]
    return value


def _strength(value: Any, where: str) -> int | None:
    strength = _pairwise_view(value).get("strength")
    if strength is None:
        return None
    if isinstance(strength, bool) or not isinstance(strength, int) or strength < 0:
        raise ValueError(f"{where}.strength: expected a whole number >= 0, got {strength!r}")
    return strength


def parse_pairwise(value: Mapping[str, Any], where: str = "value") -> tuple[str, str, str]:
    value = _pairwise_view(value)
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: expected an object with left, right, winner")
    left, right, winner = value.get("left"), value.get("right"), value.get("winner")
    if not isinstance(left, str) or not isinstance(right, str):
        raise ValueError(f"{where}.left/right: expected the two compared ids as strings")
    if left == right:
        raise ValueError(f"{where}: left and right are the same item {left!r}")
    if winner not in WINNERS:
        raise ValueError(f"{where}.winner: expected one of left, right, tie, got {winner!r}")
    return left, right, str(winner)


def _pairs(ranking: Sequence[str]) -> list[tuple[str, str]]:
    """(better, worse) for every pair of one ranking."""
    return list(combinations(ranking, 2))


def ranking_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """Share of the item pairs ranked by both answers that they order the same way: (tau + 1) / 2."""
    if is_preference_value(a) or is_preference_value(b):  # text-ranking answers: per dimension, ties
        return preference_similarity(a, b)
    ra, rb = parse_ranking(a, "a"), parse_ranking(b, "b")
    pos_b = {x: i for i, x in enumerate(rb)}
    common = [x for x in ra if x in pos_b]
    if len(common) < 2:
        return 1.0 if common or (not ra and not rb) else 0.0
    pairs = _pairs(common)
    agree = sum(1 for x, y in pairs if pos_b[x] < pos_b[y])
    return agree / len(pairs)


def pairwise_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """1 for the same preferred item (or both ties), 0.5 when one is a tie, 0 when opposite."""
    winner_a, winner_b = _preferred(*parse_pairwise(a, "a")), _preferred(*parse_pairwise(b, "b"))
    if winner_a == winner_b:
        return 1.0
    return 0.5 if None in (winner_a, winner_b) else 0.0


def _preferred(left: str, right: str, winner: str) -> str | None:
    return left if winner == "left" else right if winner == "right" else None


def consolidate_ranking(
    answers: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    weights: Mapping[str, float] | None = None,
    bootstrap: int = 200,
    seed: int = 0,
    method: str = "ranking-bradley-terry",
) -> Consolidated:
    """One item's consensus ranking from ``(worker, value)`` answers (see the module doc)."""
    if not answers:
        raise ValueError("no answers to consolidate")
    rankings = [parse_ranking(v, f"answer of {w!r}") for w, v in answers]
    w = resolve_weights([w for w, _ in answers], weights)
    n = len(answers)
    # sorted, so the bootstrap's resampling does not depend on the order answers arrived in
    comparisons = sorted(p for r in rankings for p in _pairs(r))
    everything = sorted({x for r in rankings for x in r})
    if not comparisons:
        order = everything
        value: dict[str, object] = {"ranking": order, "scores": {x: round(1 / len(order), 6) for x in order}}
        return Consolidated(value=value, confidence=confidence(1.0, n) if order else 0.0, votes=n, method=method,
                            object_confidence=tuple(confidence(1.0, n) for _ in order))
    bt = bradley_terry([a for a, _ in comparisons], [b for _, b in comparisons],
                       ["left"] * len(comparisons), bootstrap=bootstrap, seed=seed)
    order = list(bt.items)
    pos = {x: i for i, x in enumerate(order)}
    agree = dict.fromkeys(order, 0.0)
    total = dict.fromkeys(order, 0.0)
    for r, weight in zip(rankings, w.tolist(), strict=True):
        for better, worse in _pairs(r):
            ok = weight if pos[better] < pos[worse] else 0.0
            for x in (better, worse):
                agree[x] += ok
                total[x] += weight
    shares = [agree[x] / total[x] if total[x] > 0 else 0.0 for x in order]
    item_share = sum(agree.values()) / sum(total.values()) if sum(total.values()) > 0 else 0.0
    value = {"ranking": order, "scores": {x: round(s, 6) for x, s in zip(order, bt.scores, strict=True)}}
    if bootstrap > 0:
        value["intervals"] = {x: [round(lo, 6), round(hi, 6)]
                              for x, lo, hi in zip(order, bt.ci_low, bt.ci_high, strict=True)}
    return Consolidated(
        value=value,
        confidence=confidence(item_share, n),
        confidence_map={x: confidence(s, n) for x, s in zip(order, shares, strict=True)},
        votes=n,
        method=method,
        object_confidence=tuple(confidence(s, n) for s in shares),
    )


def consolidate_pairwise(
    answers: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    weights: Mapping[str, float] | None = None,
    method: str = "pairwise-vote",
) -> Consolidated:
    """One comparison's consensus from ``(worker, value)`` answers (see the module doc)."""
    if not answers:
        raise ValueError("no answers to consolidate")
    parsed = [parse_pairwise(v, f"answer of {w!r}") for w, v in answers]
    w = resolve_weights([w for w, _ in answers], weights)
    pair = {frozenset((a, b)) for a, b, _ in parsed}
    if len(pair) != 1:
        raise ValueError("answers of one item compare different pairs: " + ", ".join(sorted(
            " vs ".join(sorted(p)) for p in pair)))
    # the orientation most workers saw (ties: alphabetical), so the output reads like the task
    shown: dict[tuple[str, str], int] = {}
    for a, b, _ in parsed:
        shown[(a, b)] = shown.get((a, b), 0) + 1
    left, right = min(shown, key=lambda k: (-shown[k], k))
    votes = {"left": 0.0, "right": 0.0, "tie": 0.0}
    for (a, b, winner), weight in zip(parsed, w.tolist(), strict=True):
        preferred = _preferred(a, b, winner)
        votes["tie" if preferred is None else "left" if preferred == left else "right"] += weight
    top = max(round(v, 9) for v in votes.values())
    leaders = [k for k, v in votes.items() if round(v, 9) == top]
    winner = leaders[0] if len(leaders) == 1 else "tie"
    share = votes[winner] / float(np.sum(list(votes.values())))
    value: dict[str, object] = {"left": left, "right": right, "winner": winner}
    strengths = [_strength(v, f"answer of {w!r}") for w, v in answers]
    if any(s is not None for s in strengths):
        chosen = None if winner == "tie" else left if winner == "left" else right
        side = [(s or 0, weight) for (a, b, won), s, weight in zip(parsed, strengths, w.tolist(), strict=True)
                if chosen is not None and _preferred(a, b, won) == chosen]
        total = sum(weight for _, weight in side)
        # halves round up (1.5 -> 2), not to even
        value["strength"] = int(sum(s * weight for s, weight in side) / total + 0.5) if total > 0 else 0
    return Consolidated(
        value=value,
        confidence=confidence(share, len(parsed)),
        confidence_map={k: round(v / float(w.sum()), 4) for k, v in votes.items()},
        votes=len(parsed),
        method=method,
    )
