"""How alike two model-evaluation answers are (value kind ``model-evaluation``), for gold scoring and
worker agreement (``core/quality``): per criterion both answered, a score in [0, 1], then the mean.

* thumbs: the share of the models both rated that got the same thumb;
* Likert: 1 - |a - b| / 4 per model both rated, averaged (the 1-5 scale);
* choice: 1 for the same model, else 0;
* comparison Likert: 1 - |a - b| / 4 on the 1-5 choices (both in the item's left/right order);
* rank: the share of model pairs ordered the same way, (Kendall's tau + 1) / 2.

Only ``criteria`` is read: a worker's ``models`` and ``displayOrder`` do not count, so an answer and a
consolidated answer (which has neither) compare by what they say.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._common import number
from .ranking import ranking_similarity

__all__ = ["evaluation_similarity"]

_SPAN = 4.0  # the 1-5 scale's width


def _criteria(value: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    crit = value.get("criteria") if isinstance(value, Mapping) else None
    if not isinstance(crit, Mapping):
        raise ValueError(f"{where}.criteria: expected an object of criterion -> answer")
    return crit


def _per_model(a: Mapping[str, Any], b: Mapping[str, Any], key: str, where: str) -> tuple[Mapping[str, Any], ...]:
    out = []
    for side, ans in (("a", a), ("b", b)):
        per = ans.get(key)
        if not isinstance(per, Mapping):
            raise ValueError(f"{side}.criteria.{where}.{key}: expected an object of model -> answer")
        out.append(per)
    return tuple(out)


def _one(name: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> float | None:
    """One criterion's score, or None when the two answers cannot be compared on it."""
    method = a.get("method")
    if method != b.get("method"):
        return None
    if method in ("thumbs", "likert"):
        ra, rb = _per_model(a, b, "ratings", name)
        common = [m for m in ra if m in rb]
        if not common:
            return None
        if method == "thumbs":
            return float(sum(ra[m] == rb[m] for m in common)) / len(common)
        return sum(max(0.0, 1.0 - abs(number(ra[m], f"a.criteria.{name}.ratings.{m}")
                                      - number(rb[m], f"b.criteria.{name}.ratings.{m}")) / _SPAN)
                   for m in common) / len(common)
    if method == "choice":
        return 1.0 if a.get("chosen") == b.get("chosen") else 0.0
    if method == "comparison-likert":
        return max(0.0, 1.0 - abs(number(a.get("choice"), f"a.criteria.{name}.choice")
                                  - number(b.get("choice"), f"b.criteria.{name}.choice")) / _SPAN)
    if method == "rank":
        ka, kb = _per_model(a, b, "ranks", name)
        order_a = sorted(ka, key=lambda m: (number(ka[m], f"a.criteria.{name}.ranks.{m}"), m))
        order_b = sorted(kb, key=lambda m: (number(kb[m], f"b.criteria.{name}.ranks.{m}"), m))
        return ranking_similarity({"ranking": order_a}, {"ranking": order_b})
    raise ValueError(f"criteria.{name}.method: unknown method {method!r}")


def evaluation_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """The mean over the criteria both answered of their scores (see the module doc); symmetric.

    Two answers with no criterion in common score 1 when neither answered anything, else 0.
    """
    ca, cb = _criteria(a, "a"), _criteria(b, "b")
    scores = []
    for name in sorted(set(ca) & set(cb)):
        x, y = ca[name], cb[name]
        if not isinstance(x, Mapping) or not isinstance(y, Mapping):
            raise ValueError(f"criteria.{name}: expected an answer object on both sides")
        score = _one(name, x, y)
        if score is not None:
            scores.append(score)
    if not scores:
        return 1.0 if not ca and not cb else 0.0
    return sum(scores) / len(scores)
