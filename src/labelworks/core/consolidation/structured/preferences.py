"""Preference answers of the ``text-ranking`` task type: ranks per dimension, a Likert comparison
and per-response classes, consolidated together.

Value shape (canonical, response ids in the item's order; see core/tasktypes/ranking.py)::

    {"responseIds": ["r1", "r2", "r3"],
     "ordinalRankingDimensions": [{"name": "helpfulness", "responseRankings": [2, 1, 2]}],
     "pairwiseChoice": {"left": "r1", "right": "r2", "choice": 2, "points": 5, "winner": "left", "strength": 1},
     "responseClassifications": [{"responseId": "r1", "labels": ["helpful"]}, …]}

* Each dimension: every answer's ranks become pairwise outcomes (better rank wins, equal ranks
  tie); Bradley-Terry over all of them gives a score per response; the consensus ranks are
  competition ranks of the scores (equal scores tie). A dimension's confidence is the weighted
  share of the workers' pairwise judgements that the consensus reproduces (a tie agrees with a tie).
* The Likert comparison: a weighted vote among left / right / tie; the strength is the weighted
  mean strength of the answers on the winning side, rounded.
* Classes per response: a class is kept when more than half the weight chose it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

from ..majority import Consolidated
from ..pairwise import bradley_terry
from ._common import confidence, resolve_weights

__all__ = ["consolidate_preferences", "is_preference_value", "preference_similarity", "pair_outcomes",
           "likert_winner"]


def is_preference_value(value: Any) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("ordinalRankingDimensions"), list)


def likert_winner(choice: int, points: int) -> tuple[str, int]:
    """("left" | "right" | "tie", strength) of a choice 1..points (1 = left much better)."""
    doubled = 2 * choice - (points + 1)  # negative favours left
    strength = (abs(doubled) + 1) // 2
    return ("left" if doubled < 0 else "right" if doubled > 0 else "tie"), strength


def pair_outcomes(ids: Sequence[str], ranks: Sequence[int]) -> list[tuple[str, str, str]]:
    """(left, right, winner) for every pair of responses (left before right in ``ids``)."""
    out = []
    for i, j in combinations(range(len(ids)), 2):
        a, b = ranks[i], ranks[j]
        out.append((ids[i], ids[j], "left" if a < b else "right" if a > b else "tie"))
    return out


def _dimension_ranks(value: Mapping[str, Any], name: str) -> list[int] | None:
    for dim in value.get("ordinalRankingDimensions", []):
        if isinstance(dim, Mapping) and dim.get("name") == name:
            return [int(r) for r in dim["responseRankings"]]
    return None


def _ids(value: Mapping[str, Any], where: str) -> list[str]:
    ids = value.get("responseIds")
    if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
        raise ValueError(f"{where}.responseIds: expected the list of response ids")
    for dim in value["ordinalRankingDimensions"]:
        if not isinstance(dim, Mapping) or len(dim.get("responseRankings", [])) != len(ids):
            raise ValueError(f"{where}.ordinalRankingDimensions: one rank per response expected")
    return ids


def _competition_ranks(scores: Sequence[float]) -> list[int]:
    rounded = [round(s, 6) for s in scores]
    return [1 + sum(1 for t in rounded if t > s) for s in rounded]


def _consolidate_dimension(name: str, ids: Sequence[str], answers: Sequence[Mapping[str, Any]],
                           weights: Sequence[float], bootstrap: int, seed: int) -> tuple[dict[str, Any], float]:
    comparisons: list[tuple[str, str, str, float]] = []
    for value, weight in zip(answers, weights, strict=True):
        ranks = _dimension_ranks(value, name)
        if ranks is None:
            continue
        own = {rid: r for rid, r in zip(value["responseIds"], ranks, strict=True)}
        known = [rid for rid in ids if rid in own]
        comparisons += [(a, b, w, weight) for a, b, w in pair_outcomes(known, [own[x] for x in known])]
    if len(answers) == 1:  # one worker: their ranks as given (Bradley-Terry only reorders ties by noise)
        ranks = _dimension_ranks(answers[0], name) or [1] * len(ids)
        own = dict(zip(answers[0]["responseIds"], ranks, strict=True))
        return {"name": name, "responseRankings": [own.get(x, len(ids)) for x in ids]}, 1.0
    if not comparisons:
        return {"name": name, "responseRankings": [1] * len(ids)}, 0.0
    ordered = sorted(comparisons)
    bt = bradley_terry([c[0] for c in ordered], [c[1] for c in ordered], [c[2] for c in ordered],
                       bootstrap=bootstrap, seed=seed)
    score = dict(zip(bt.items, bt.scores, strict=True))
    scores = [score.get(x, 0.0) for x in ids]
    consensus = dict(zip(ids, _competition_ranks(scores), strict=True))
    agree = total = 0.0
    for a, b, winner, weight in comparisons:
        expected = pair_outcomes([a, b], [consensus[a], consensus[b]])[0][2]
        agree += weight if expected == winner else 0.0
        total += weight
    out: dict[str, Any] = {"name": name, "responseRankings": [consensus[x] for x in ids],
                           "scores": [round(s, 6) for s in scores]}
    if bootstrap > 0:
        low = dict(zip(bt.items, bt.ci_low, strict=True))
        high = dict(zip(bt.items, bt.ci_high, strict=True))
        out["intervals"] = [[round(low.get(x, 0.0), 6), round(high.get(x, 0.0), 6)] for x in ids]
    return out, (agree / total if total > 0 else 0.0)


def _consolidate_likert(answers: Sequence[Mapping[str, Any]], weights: Sequence[float]) -> tuple[dict[str, Any], float] | None:
    votes = {"left": 0.0, "right": 0.0, "tie": 0.0}
    strengths: dict[str, list[tuple[int, float]]] = {"left": [], "right": [], "tie": []}
    first: Mapping[str, Any] | None = None
    for value, weight in zip(answers, weights, strict=True):
        choice = value.get("pairwiseChoice")
        if not isinstance(choice, Mapping):
            continue
        first = first or choice
        votes[choice["winner"]] += weight
        strengths[choice["winner"]].append((int(choice["strength"]), weight))
    if first is None:
        return None
    top = max(round(v, 9) for v in votes.values())
    leaders = [k for k, v in votes.items() if round(v, 9) == top]
    winner = leaders[0] if len(leaders) == 1 else "tie"
    side = strengths[winner]
    weight_sum = sum(w for _, w in side)
    # the mean strength, halves rounded up (1.5 -> 2)
    strength = 0 if winner == "tie" or weight_sum == 0 else max(1, int(sum(s * w for s, w in side) / weight_sum + 0.5))
    points = int(first["points"])
    mid2 = points + 1  # 2 * the middle choice
    doubled = {"left": -1, "right": 1, "tie": 0}[winner] * (2 * strength - (points % 2 == 0))
    # a tie on an even scale (the votes split evenly) has no middle choice to name
    middle: int | None = (mid2 + doubled) // 2 if winner != "tie" else (mid2 // 2 if points % 2 else None)
    share = votes[winner] / sum(votes.values()) if sum(votes.values()) > 0 else 0.0
    return ({"left": first["left"], "right": first["right"], "choice": middle, "points": points,
             "winner": winner, "strength": strength}, share)


def _consolidate_classes(ids: Sequence[str], answers: Sequence[Mapping[str, Any]],
                         weights: Sequence[float]) -> tuple[list[dict[str, Any]], dict[str, float]] | None:
    tallies: dict[str, dict[str, float]] = {x: {} for x in ids}
    voters = 0.0
    seen = False
    for value, weight in zip(answers, weights, strict=True):
        entries = value.get("responseClassifications")
        if not isinstance(entries, list):
            continue
        seen = True
        voters += weight
        for entry in entries:
            for label in entry.get("labels", []):
                row = tallies.setdefault(entry["responseId"], {})
                row[label] = row.get(label, 0.0) + weight
    if not seen:
        return None
    out, shares = [], {}
    for rid in ids:
        kept = [lab for lab, w in tallies[rid].items() if voters > 0 and w / voters > 0.5]
        out.append({"responseId": rid, "labels": sorted(kept)})
        for lab, w in tallies[rid].items():
            shares[f"{rid}.{lab}"] = round(w / voters, 4) if voters > 0 else 0.0
    return out, shares


def consolidate_preferences(
    answers: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    weights: Mapping[str, float] | None = None,
    bootstrap: int = 0,
    seed: int = 0,
    method: str = "ranking-bradley-terry",
) -> Consolidated:
    """One item's consensus from ``(worker, value)`` answers (see the module doc)."""
    if not answers:
        raise ValueError("no answers to consolidate")
    values: list[Mapping[str, Any]] = [v for _, v in answers]
    ids: list[str] = []
    names: list[str] = []
    for worker, answer in answers:
        for rid in _ids(answer, f"answer of {worker!r}"):
            if rid not in ids:
                ids.append(rid)
        for dim in answer["ordinalRankingDimensions"]:
            if dim["name"] not in names:
                names.append(dim["name"])
    w = resolve_weights([worker for worker, _ in answers], weights).tolist()
    n = len(answers)
    dims, shares = [], []
    conf_map: dict[str, float] = {}
    for name in names:
        dim, share = _consolidate_dimension(name, ids, values, w, bootstrap, seed)
        dims.append(dim)
        shares.append(share)
        conf_map[name] = confidence(share, n)
    value: dict[str, object] = {"responseIds": ids, "ordinalRankingDimensions": dims}
    likert = _consolidate_likert(values, w)
    if likert is not None:
        value["pairwiseChoice"] = likert[0]
        shares.append(likert[1])
        conf_map["pairwiseChoice"] = confidence(likert[1], n)
    classes = _consolidate_classes(ids, values, w)
    if classes is not None:
        value["responseClassifications"] = classes[0]
        conf_map.update({k: confidence(v, n) for k, v in classes[1].items()})
    overall = sum(shares) / len(shares) if shares else 1.0
    return Consolidated(value=value, confidence=confidence(overall, n), confidence_map=conf_map, votes=n,
                        method=method)


def preference_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """Share of response pairs, over the dimensions both answers rank, that they order alike (a tie
    matches a tie); the Likert comparison counts as one more part (1 same winner, 0.5 one tie)."""
    parts: list[float] = []
    ids_a, ids_b = _ids(a, "a"), _ids(b, "b")
    for dim in a["ordinalRankingDimensions"]:
        ranks_b = _dimension_ranks(b, dim["name"])
        if ranks_b is None:
            continue
        own_a = dict(zip(ids_a, dim["responseRankings"], strict=True))
        own_b = dict(zip(ids_b, ranks_b, strict=True))
        common = [x for x in ids_a if x in own_b]
        pairs_a = pair_outcomes(common, [own_a[x] for x in common])
        pairs_b = pair_outcomes(common, [own_b[x] for x in common])
        if pairs_a:
            parts.append(sum(1 for p, q in zip(pairs_a, pairs_b, strict=True) if p == q) / len(pairs_a))
    ca, cb = a.get("pairwiseChoice"), b.get("pairwiseChoice")
    if isinstance(ca, Mapping) and isinstance(cb, Mapping):
        wa, wb = ca["winner"], cb["winner"]
        parts.append(1.0 if wa == wb else 0.5 if "tie" in (wa, wb) else 0.0)
    return sum(parts) / len(parts) if parts else 1.0
