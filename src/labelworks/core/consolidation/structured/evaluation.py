"""Model-evaluation answers consolidated per criterion by the registered algorithms (``evaluation-criteria``).

A ``model-evaluation`` answer (``core/tasktypes/evaluation.py``) holds one answer per criterion::

    {"models": ["m1", "m2"], "criteria": {
        "accuracy":  {"method": "likert", "ratings": {"m1": 5, "m2": 3}},
        "toxicity":  {"method": "thumbs", "ratings": {"m1": "up", "m2": "down"}},
        "preferred": {"method": "choice", "chosen": "m1"},
        "overall":   {"method": "rank", "ranks": {"m1": 1, "m2": 2}},
        "duel":      {"method": "comparison-likert", "left": "m1", "right": "m2", "choice": 2, "winner": "m1"}}}

:class:`EvaluationCriteria` splits every answer into the questions it answers and hands each
criterion, over the whole project, to the algorithm made for its kind of answer:

* thumbs (one question per item and model), choice and the comparison's winner (one per item) are
  categorical: a truth-inference consolidator (``labels``: majority vote by default; Dawid-Skene,
  one-coin DS, GLAD, MACE, Wawa or zero-based skill learn each rater's confusion per criterion, so a
  spammer's or a contrarian's votes count for what they are worth);
* Likert (one question per item and model) goes to ``rating-robust-mean``: each rater's additive
  bias (a lenient or a harsh rater) is fitted across the criterion's answers and removed before a
  Huber mean on the 1-5 scale;
* rank goes to ``ranking-bradley-terry`` per item: the consensus order of the implied pairs.

The consolidated value keeps the answers' shape (thumbs per model, a Likert number per model, the
chosen model, a rank 1..k per model, the comparison's winner with its 1-5 ``choice`` as the median of
the answers that agree with the winner); ``confidence_map`` holds each criterion's confidence (the
least certain model's for per-response methods) and ``confidence`` the smallest of them. The fit's
``state`` keeps every delegate's state per criterion, so :meth:`EvaluationCriteria.update` runs the
delegates' own updates (the rating biases and the Dawid-Skene confusions of the last full fit).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from ...labels import LabelConfig
from ...tasktypes.base import ProjectSpec
from ..base import Answer, Consolidator, Fit
from ..majority import Consolidated
from ..truth.consolidators import CATEGORICAL
from .consolidators import RankingBradleyTerry, RatingRobustMean

__all__ = ["EvaluationCriteria", "EVALUATION_CRITERIA", "LABEL_ALGORITHMS"]

# the methods in the order that breaks a tie between two methods of one criterion (a label file
# edited between answers): the first wins; kept here, not imported, so the task type can import us
METHOD_ORDER = ("thumbs", "likert", "comparison-likert", "choice", "rank")
LIKERT_SCALE = (1, 5)
TIE = "tie"
_SEP = "\x1f"  # between an item id and a model id in the key of a per-response question

LABEL_ALGORITHMS: dict[str, Consolidator] = {c.name: c for c in CATEGORICAL}
_RATINGS = RatingRobustMean()
_RANKING = RankingBradleyTerry()


@dataclass
class _Criterion:
    """One criterion's questions over the answers given: what goes to its delegate."""

    name: str
    method: str
    answers: list[Answer] = field(default_factory=list)
    gold: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    keys: dict[str, dict[str, str]] = field(default_factory=dict)  # item -> model -> its question's key
    models: dict[str, list[str]] = field(default_factory=dict)  # item -> its models, in the item's order
    pairs: dict[str, tuple[str, str]] = field(default_factory=dict)  # comparison: item -> (left, right)
    choices: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # comparison: item -> (winner, 1-5)


def _models_of(value: Mapping[str, Any], ans: Mapping[str, Any]) -> list[str]:
    models = value.get("models")
    if isinstance(models, list) and models:
        return [str(m) for m in models]
    per = ans.get("ranks" if ans.get("method") == "rank" else "ratings")
    return [str(m) for m in per] if isinstance(per, Mapping) else []


def _split(name: str, method: str, item: str, worker: str, value: Mapping[str, Any],
           into: _Criterion, gold: bool = False) -> None:
    """Add one worker's (or the gold) answer to one criterion as its delegate's questions."""
    ans = value["criteria"][name]
    out: list[tuple[str, dict[str, Any]]] = []
    if item not in into.models:  # the same for every answer of the item: read once
        into.models[item] = _models_of(value, ans)
    models = into.models[item]
    if method in ("thumbs", "likert"):
        ratings = ans["ratings"]
        if not isinstance(ratings, Mapping):
            raise ValueError("ratings: expected an object of model -> answer")
        for model, v in ratings.items():
            key = f"{item}{_SEP}{model}"
            into.keys.setdefault(item, {})[str(model)] = key
            if method == "thumbs" and v not in ("up", "down"):
                raise ValueError(f"ratings.{model}: a thumb is 'up' or 'down', got {v!r}")
            out.append((key, {"label": v} if method == "thumbs" else {"rating": v}))
    elif method == "choice":
        out.append((item, {"label": str(ans["chosen"])}))
    elif method == "comparison-likert":
        left, right, winner = str(ans["left"]), str(ans["right"]), str(ans["winner"])
        if winner not in (left, right, TIE):
            raise ValueError(f"winner: expected {left!r}, {right!r} or 'tie', got {winner!r}")
        into.pairs.setdefault(item, (left, right))
        if not gold:
            into.choices.setdefault(item, []).append((winner, int(ans["choice"])))
        out.append((item, {"label": winner}))
    else:  # rank: best first; equal ranks (a gold of mean ranks) by the item's order
        ranks = ans["ranks"]
        order = {m: i for i, m in enumerate(models)}
        out.append((item, {"ranking": sorted((str(m) for m in ranks), key=lambda m: (ranks[m], order.get(m, 0), m))}))
    for key, question in out:
        if gold:
            into.gold[key] = question
        else:
            into.answers.append(Answer(key, worker, question))


def _project_criteria(spec: ProjectSpec) -> dict[str, str] | None:
    """The project's criteria (name -> method, in order) when its label file declares them."""
    # imported here: the task type module imports this one to consolidate
    from ...errors import ValidationFailed
    from ...tasktypes.evaluation import evaluation_criteria

    try:
        return {c.name: c.method for c in evaluation_criteria(spec)}
    except ValidationFailed:  # a bare spec (the algorithm run on its own): the answers say it all
        return None


def _criteria(answers: Sequence[Answer], gold: Mapping[str, Mapping[str, Any]] | None,
              spec: ProjectSpec) -> list[_Criterion]:
    """Every criterion to answer, with its questions.

    With the project's criteria: those, in its order and with its methods (answers of a criterion
    since dropped, or given with a method since changed, are left out). Without: the criteria the
    answers hold, in the order they list them, each with the method most of its answers used.
    """
    ordered = sorted(answers, key=lambda a: (a.item, a.worker))
    methods: dict[str, Counter[str]] = {}
    for a in ordered:
        crit = a.value.get("criteria") if isinstance(a.value, Mapping) else None
        if not isinstance(crit, Mapping):
            raise ValueError(f"item {a.item!r}, worker {a.worker!r}: criteria: expected an object")
        for name, ans in crit.items():
            method = ans.get("method") if isinstance(ans, Mapping) else None
            if method not in METHOD_ORDER:
                raise ValueError(f"item {a.item!r}, worker {a.worker!r}: criteria.{name}.method: "
                                 f"expected one of {', '.join(METHOD_ORDER)}, got {method!r}")
            counts = methods.get(name)
            if counts is None:
                counts = methods[str(name)] = Counter()
            counts[str(method)] += 1
    declared = _project_criteria(spec)
    chosen = {name: min(counts, key=lambda m: (-counts[m], METHOD_ORDER.index(m))) for name, counts in methods.items()}
    if declared is not None:
        chosen = {name: method for name, method in declared.items() if name in methods}
    out: list[_Criterion] = []
    for name, method in chosen.items():
        into = _Criterion(name, method)
        for a in ordered:
            if a.value["criteria"].get(name, {}).get("method") == method:
                _split_checked(name, method, a.item, a.worker, a.value, into)
        for item, value in sorted((gold or {}).items()):
            ans = value.get("criteria", {}).get(name) if isinstance(value, Mapping) else None
            if isinstance(ans, Mapping) and ans.get("method") == method:
                _split_checked(name, method, item, "gold", value, into, gold=True)
        out.append(into)
    return out


def _split_checked(name: str, method: str, item: str, worker: str, value: Mapping[str, Any],
                   into: _Criterion, gold: bool = False) -> None:
    try:
        _split(name, method, item, worker, value, into, gold)
    except (KeyError, TypeError, ValueError) as exc:
        what = "the gold answer" if gold else f"worker {worker!r}"
        detail = f"missing {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)
        raise ValueError(f"item {item!r}, {what}: criteria.{name}: {detail}") from None


class EvaluationCriteria(Consolidator):
    """Per criterion, the registered algorithm for its method (see the module doc)."""

    name = "evaluation-criteria"
    title = "Model evaluation: per criterion, label truth inference, bias-corrected Likert, Bradley-Terry ranks"
    value_kinds = frozenset({"model-evaluation"})
    # ``labels``: the algorithm for thumbs, choice and comparison winners (any of LABEL_ALGORITHMS);
    # the ``*_params`` are handed to the delegates (the Likert scale is fixed at 1-5 unless overridden)
    defaults: Mapping[str, Any] = {"labels": "majority-vote", "labels_params": {}, "ratings_params": {},
                                   "ranking_params": {}}
    # the Likert delegate fits rater biases over the project: update() applies the last fit's
    worker_model = True

    def params(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        merged = super().params(overrides)
        if merged["labels"] not in LABEL_ALGORITHMS:
            raise KeyError(f"labels: {merged['labels']!r} is no label algorithm (known: "
                           f"{', '.join(sorted(LABEL_ALGORITHMS))})")
        for key, delegate in (("labels_params", LABEL_ALGORITHMS[merged["labels"]]), ("ratings_params", _RATINGS),
                              ("ranking_params", _RANKING)):
            if not isinstance(merged[key], Mapping):
                raise KeyError(f"{key}: expected an object of {delegate.name} parameters")
            try:
                delegate.params(merged[key])
            except KeyError as exc:
                raise KeyError(f"{key}: {exc.args[0]}") from None
        return merged

    def _delegate(self, c: _Criterion, params: Mapping[str, Any]) -> tuple[Consolidator, dict[str, Any], ProjectSpec]:
        """The criterion's algorithm, its parameters and the project it sees (its classes as labels)."""
        if c.method == "likert":
            scale = {"scale_min": LIKERT_SCALE[0], "scale_max": LIKERT_SCALE[1]}
            return _RATINGS, _RATINGS.params({**scale, **params["ratings_params"]}), _plain_spec(())
        if c.method == "rank":
            return _RANKING, _RANKING.params(params["ranking_params"]), _plain_spec(())
        labels = LABEL_ALGORITHMS[params["labels"]]
        if c.method == "thumbs":
            classes: tuple[str, ...] = ("up", "down")
        else:  # the models, by name (a comparison also "tie": as likely left as right is a tie too)
            seen = sorted({str(a.value["label"]) for a in c.answers} | {str(g["label"]) for g in c.gold.values()}
                          - {TIE})
            classes = (TIE, *seen) if c.method == "comparison-likert" else tuple(seen)
        return labels, labels.params(params["labels_params"]), _plain_spec(classes)

    def fit(
        self,
        answers: Sequence[Answer],
        spec: ProjectSpec,
        params: Mapping[str, Any],
        gold: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Fit:
        merged = self.params(params)
        criteria = _criteria(answers, gold, spec)
        per_criterion: dict[str, dict[str, Consolidated]] = {}
        state: dict[str, Any] = {}
        quality: dict[str, list[float]] = {}
        iterations = 0
        for c in criteria:
            delegate, sub_params, sub_spec = self._delegate(c, merged)
            fitted = delegate.fit(c.answers, sub_spec, sub_params, c.gold or None)
            per_criterion[c.name] = fitted.results
            state[c.name] = {"method": c.method, "algorithm": delegate.name, "state": fitted.state}
            iterations = max(iterations, fitted.iterations)
            for worker, q in fitted.worker_quality.items():
                quality.setdefault(worker, []).append(q)
        results = _assemble(answers, criteria, per_criterion, self.name)
        # a rater's quality: the mean over the criteria they answered of each delegate's estimate
        worker_quality = {w: round(sum(qs) / len(qs), 4) for w, qs in sorted(quality.items())}
        return Fit(self.name, merged, results, worker_quality, {"criteria": state}, iterations)

    def update(
        self,
        answers: Sequence[Answer],
        spec: ProjectSpec,
        params: Mapping[str, Any],
        state: Mapping[str, Any],
        gold: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> dict[str, Consolidated]:
        merged = self.params(params)
        criteria = _criteria(answers, gold, spec)
        saved = state.get("criteria")
        fitted_criteria: Mapping[str, Any] = saved if isinstance(saved, Mapping) else {}
        per_criterion: dict[str, dict[str, Consolidated]] = {}
        for c in criteria:
            delegate, sub_params, sub_spec = self._delegate(c, merged)
            last = fitted_criteria.get(c.name)
            if isinstance(last, Mapping) and last.get("method") == c.method and last.get("algorithm") == delegate.name:
                per_criterion[c.name] = delegate.update(c.answers, sub_spec, sub_params, last.get("state") or {},
                                                        c.gold or None)
            else:  # no fit of this criterion with this algorithm yet: these answers alone
                per_criterion[c.name] = delegate.fit(c.answers, sub_spec, sub_params, c.gold or None).results
        return _assemble(answers, criteria, per_criterion, self.name)


def _plain_spec(classes: tuple[str, ...]) -> ProjectSpec:
    return ProjectSpec(LabelConfig(labels=classes))


def _whole(x: float) -> int | float:
    """A Likert value as answers write it: 4, not 4.0; else two decimals."""
    rounded = round(float(x), 2)
    return int(rounded) if rounded.is_integer() else rounded


def _assemble(answers: Sequence[Answer], criteria: Sequence[_Criterion],
              per_criterion: Mapping[str, Mapping[str, Consolidated]], method: str) -> dict[str, Consolidated]:
    """The delegates' answers put back together into one value per item."""
    workers: dict[str, set[str]] = {}
    for a in answers:
        workers.setdefault(a.item, set()).add(a.worker)
    out: dict[str, Consolidated] = {}
    for item in sorted(workers):
        merged: dict[str, Any] = {}
        conf: dict[str, float] = {}
        for c in criteria:
            got = _criterion_answer(item, c, per_criterion[c.name])
            if got is not None:
                merged[c.name], conf[c.name] = got
        if not merged:
            continue
        votes = len(workers[item])
        overall = 0.0 if votes <= 1 else min(conf.values())
        out[item] = Consolidated({"criteria": merged}, overall, conf, votes=votes, method=method)
    return out


def _criterion_answer(item: str, c: _Criterion,
                      results: Mapping[str, Consolidated]) -> tuple[dict[str, Any], float] | None:
    """One item's answer to one criterion from its delegate's results, and its confidence."""
    if item not in c.models:
        return None
    if c.method in ("thumbs", "likert"):
        got = {m: results[k] for m, k in sorted(c.keys.get(item, {}).items()) if k in results}
        if not got:
            return None
        models = [m for m in c.models[item] if m in got] + sorted(set(got) - set(c.models[item]))
        if c.method == "thumbs":
            ratings: dict[str, Any] = {m: got[m].value["label"] for m in models}
        else:
            ratings = {m: _whole(float(got[m].value["rating"])) for m in models}  # type: ignore[arg-type]
        return {"method": c.method, "ratings": ratings}, min(got[m].confidence for m in models)
    result = results.get(item)
    if result is None:
        return None
    if c.method == "choice":
        return {"method": c.method, "chosen": result.value["label"]}, result.confidence
    if c.method == "rank":
        ranking = list(result.value["ranking"])  # type: ignore[call-overload]
        models = [m for m in c.models[item] if m in ranking] + [m for m in ranking if m not in c.models[item]]
        value: dict[str, Any] = {"method": c.method, "ranks": {m: ranking.index(m) + 1 for m in models}}
        if isinstance(result.value.get("scores"), Mapping):  # Bradley-Terry's strengths, summing to 1
            value["scores"] = {m: result.value["scores"][m] for m in models}  # type: ignore[index]
        return value, result.confidence
    # comparison-likert: the winner from the label algorithm, its strength from the answers agreeing
    winner = str(result.value["label"])
    left, right = c.pairs[item]
    posterior = result.confidence_map
    if winner != TIE and posterior.get(left, 0.0) == posterior.get(right, 0.0):  # as likely either way: a tie
        winner = TIE
    given = c.choices.get(item, [])
    agreeing = [choice for w, choice in given if w == winner] or [choice for _, choice in given]
    choice = median(agreeing) if agreeing else 3
    return ({"method": c.method, "left": left, "right": right, "winner": winner, "choice": choice},
            result.confidence)


EVALUATION_CRITERIA = EvaluationCriteria()
