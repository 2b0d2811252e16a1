"""``evaluation-criteria``: model-evaluation answers consolidated per criterion by the registered
algorithms — simulated raters (lenient and harsh Likert raters, choice spammers) where the
bias-corrected ratings and Dawid-Skene beat the naive median and majority, order independence,
one answer -> confidence 0, update from a fit's state, parameters, gold, and the project's criteria."""

from __future__ import annotations

import math
import random
import statistics
from typing import Any

import pytest

from labelworks.core.consolidation.base import Answer
from labelworks.core.consolidation.structured import similarity
from labelworks.core.consolidation.structured.evaluation import EVALUATION_CRITERIA, LABEL_ALGORITHMS
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.evaluation import MODEL_EVALUATION
from labelworks.plugins.manager import get_registry

CRITERIA = ["accuracy", "toxicity", {"name": "preferred", "method": "choice"},
            {"name": "overall", "method": "rank"}]
SPEC = ProjectSpec(parse_label_config({"labels": [{"label": "evaluation"}], "criteria": CRITERIA}))
MODELS = ["m1", "m2", "m3"]
# Likert biases: two harsh, two lenient, four fair raters. Choice: r0-r3 careful (right 80 % of the
# time), r4 and r5 pick at random, r6 and r7 always pick m1 whatever they read
BIASES = {"r0": -1.2, "r1": -0.8, "r2": 0.0, "r3": 0.0, "r4": 0.6, "r5": 1.0, "r6": 0.0, "r7": 0.0}


def _answer(item: str, worker: str, ratings: dict[str, int], chosen: str, thumbs: dict[str, str] | None = None,
            ranks: dict[str, int] | None = None) -> Answer:
    crit: dict[str, Any] = {"accuracy": {"method": "likert", "ratings": ratings},
                            "preferred": {"method": "choice", "chosen": chosen}}
    if thumbs is not None:
        crit["toxicity"] = {"method": "thumbs", "ratings": thumbs}
    if ranks is not None:
        crit["overall"] = {"method": "rank", "ranks": ranks}
    return Answer(item, worker, {"models": list(ratings), "criteria": crit})


def _simulate(seed: int, items: int = 150, per_item: int = 5) -> tuple[dict[str, dict[str, float]], dict[str, str],
                                                                        list[Answer]]:
    rng = random.Random(seed)
    true_rating: dict[str, dict[str, float]] = {}
    best: dict[str, str] = {}
    answers = []
    for i in range(items):
        item = f"p{i:03d}"
        true_rating[item] = {m: rng.uniform(1.5, 4.5) for m in MODELS}
        best[item] = rng.choice(MODELS)
        for r in rng.sample(sorted(BIASES), per_item):
            ratings = {m: min(5, max(1, round(true_rating[item][m] + BIASES[r] + rng.gauss(0, 0.5)))) for m in MODELS}
            k = int(r[1:])
            if k < 4:
                chosen = best[item] if rng.random() < 0.8 else rng.choice([m for m in MODELS if m != best[item]])
            else:
                chosen = rng.choice(MODELS) if k < 6 else "m1"
            answers.append(_answer(item, r, ratings, chosen))
    return true_rating, best, answers


def test_simulated_raters_bias_corrected_likert_and_dawid_skene_beat_median_and_majority() -> None:
    true_rating, best, answers = _simulate(seed=0)
    ds = EVALUATION_CRITERIA.fit(answers, SPEC, {"labels": "dawid-skene"})
    mv = EVALUATION_CRITERIA.fit(answers, SPEC, {})
    by_item: dict[str, list[Any]] = {}
    for a in answers:
        by_item.setdefault(a.item, []).append(a.value)
    median_sq, model_sq = [], []
    for item, values in by_item.items():
        for m in MODELS:
            naive = statistics.median(v["criteria"]["accuracy"]["ratings"][m] for v in values)
            median_sq.append((naive - true_rating[item][m]) ** 2)
            model_sq.append((ds.results[item].value["criteria"]["accuracy"]["ratings"][m] - true_rating[item][m]) ** 2)
    rmse_median, rmse_model = math.sqrt(statistics.mean(median_sq)), math.sqrt(statistics.mean(model_sq))
    # measured: median 0.485, bias-corrected 0.253 (seeds 0-4: 0.47-0.49 against 0.24-0.26)
    assert rmse_median == pytest.approx(0.485, abs=0.005) and rmse_model == pytest.approx(0.253, abs=0.005)
    naive_right = sum(Counter_top([v["criteria"]["preferred"]["chosen"] for v in vs]) == best[i]
                      for i, vs in by_item.items())
    mv_right = sum(mv.results[i].value["criteria"]["preferred"]["chosen"] == best[i] for i in by_item)
    ds_right = sum(ds.results[i].value["criteria"]["preferred"]["chosen"] == best[i] for i in by_item)
    # measured: majority 97 of 150 (the delegate is the plain count), Dawid-Skene 128 of 150
    assert mv_right == naive_right == 97 and ds_right == 128
    # the spammers are found: every careful rater's quality above every spammer's
    q = ds.worker_quality
    assert min(q[r] for r in ("r0", "r1", "r2", "r3")) > max(q[r] for r in ("r4", "r5", "r6", "r7"))
    assert ds.params["labels"] == "dawid-skene" and set(ds.state["criteria"]) == {"accuracy", "preferred"}
    assert ds.state["criteria"]["preferred"]["algorithm"] == "dawid-skene"
    assert ds.state["criteria"]["accuracy"]["algorithm"] == "rating-robust-mean"
    biases = ds.state["criteria"]["accuracy"]["state"]["biases"]
    assert biases["r0"] < biases["r1"] < 0 < biases["r4"] < biases["r5"]  # harsh below zero, lenient above


def Counter_top(votes: list[str]) -> str:  # noqa: N802 (reads like the Counter call it stands for)
    """The naive majority: most votes, ties to the first model by name (as the label delegate's order)."""
    return min(set(votes), key=lambda v: (-votes.count(v), v))


def test_the_answer_does_not_depend_on_the_order_of_the_answers() -> None:
    _, _, answers = _simulate(seed=1, items=30)
    shuffled = list(answers)
    random.Random(7).shuffle(shuffled)
    for params in ({}, {"labels": "dawid-skene"}):
        a, b = EVALUATION_CRITERIA.fit(answers, SPEC, params), EVALUATION_CRITERIA.fit(shuffled, SPEC, params)
        assert {k: (r.value, r.confidence, r.confidence_map) for k, r in a.results.items()} == \
            {k: (r.value, r.confidence, r.confidence_map) for k, r in b.results.items()}
        assert a.worker_quality == b.worker_quality


def test_a_single_answer_has_confidence_zero_and_keeps_its_values() -> None:
    one = _answer("i", "w", {"m1": 4, "m2": 2}, "m2", {"m1": "up", "m2": "down"}, {"m1": 2, "m2": 1})
    (result,) = EVALUATION_CRITERIA.fit([one], SPEC, {"labels": "dawid-skene"}).results.values()
    assert result.confidence == 0.0 and result.votes == 1
    assert result.confidence_map == {"accuracy": 0.0, "toxicity": 0.0, "preferred": 0.0, "overall": 0.0}
    crit = result.value["criteria"]
    assert crit["accuracy"] == {"method": "likert", "ratings": {"m1": 4, "m2": 2}}  # whole numbers stay whole
    assert crit["toxicity"] == {"method": "thumbs", "ratings": {"m1": "up", "m2": "down"}}
    assert crit["preferred"] == {"method": "choice", "chosen": "m2"}
    assert crit["overall"]["ranks"] == {"m1": 2, "m2": 1}
    assert list(crit) == ["accuracy", "toxicity", "preferred", "overall"]  # the project's order


def test_ranks_by_bradley_terry_thumbs_by_vote_and_per_criterion_confidence() -> None:
    answers = [_answer("i", "a", {"m1": 5, "m2": 2, "m3": 4}, "m1", {"m1": "up", "m2": "down", "m3": "up"},
                       {"m1": 1, "m2": 3, "m3": 2}),
               _answer("i", "b", {"m1": 5, "m2": 1, "m3": 4}, "m1", {"m1": "up", "m2": "down", "m3": "down"},
                       {"m1": 1, "m2": 3, "m3": 2}),
               _answer("i", "c", {"m1": 4, "m2": 1, "m3": 5}, "m3", {"m1": "up", "m2": "up", "m3": "up"},
                       {"m1": 2, "m2": 3, "m3": 1})]
    result = EVALUATION_CRITERIA.fit(answers, SPEC, {}).results["i"]
    crit = result.value["criteria"]
    assert crit["overall"]["ranks"] == {"m1": 1, "m2": 3, "m3": 2}  # consensus positions, not mean ranks
    assert sum(crit["overall"]["scores"].values()) == pytest.approx(1.0, abs=1e-4)
    assert crit["toxicity"]["ratings"] == {"m1": "up", "m2": "down", "m3": "up"}
    assert crit["preferred"] == {"method": "choice", "chosen": "m1"}
    assert result.confidence_map["preferred"] == pytest.approx(0.6667, abs=1e-4)
    assert result.confidence_map["toxicity"] == pytest.approx(0.6667, abs=1e-4)  # the least agreed model's
    assert result.confidence == min(result.confidence_map.values()) and result.votes == 3


def test_comparison_winner_by_the_label_algorithm_and_its_strength_from_those_agreeing() -> None:
    spec = ProjectSpec(parse_label_config({"labels": [{"label": "e"}],
                                           "criteria": [{"name": "duel", "method": "comparison-likert"}]}))

    def duel(worker: str, choice: int, item: str = "i") -> Answer:
        winner = "a" if choice < 3 else "b" if choice > 3 else "tie"
        return Answer(item, worker, {"models": ["a", "b"], "criteria": {"duel": {
            "method": "comparison-likert", "left": "a", "right": "b", "choice": choice, "winner": winner}}})

    got = EVALUATION_CRITERIA.fit([duel("x", 1), duel("y", 2), duel("z", 5)], spec, {}).results["i"]
    assert got.value["criteria"]["duel"] == {"method": "comparison-likert", "left": "a", "right": "b",
                                             "winner": "a", "choice": 1.5}
    even = EVALUATION_CRITERIA.fit([duel("x", 1), duel("z", 5)], spec, {}).results["i"]
    assert even.value["criteria"]["duel"]["winner"] == "tie" and even.value["criteria"]["duel"]["choice"] == 3


def test_update_from_the_fit_state_matches_the_fit() -> None:
    _, _, answers = _simulate(seed=2, items=60)
    for params in ({}, {"labels": "dawid-skene"}):
        fit = EVALUATION_CRITERIA.fit(answers, SPEC, params)
        item = "p007"
        again = EVALUATION_CRITERIA.update([a for a in answers if a.item == item], SPEC, params, fit.state)[item]
        want = fit.results[item].value["criteria"]
        assert again.value["criteria"]["preferred"] == want["preferred"]  # type: ignore[index]
        for m in MODELS:  # the biases of the full fit are applied, not re-estimated from one item
            assert again.value["criteria"]["accuracy"]["ratings"][m] == pytest.approx(  # type: ignore[index]
                want["accuracy"]["ratings"][m], abs=0.02)  # type: ignore[index]
    # without a state (no full run yet): the item's answers alone
    alone = EVALUATION_CRITERIA.update([a for a in answers if a.item == "p007"], SPEC, {}, {})
    assert set(alone) == {"p007"}


def test_parameters_are_checked_and_name_the_key() -> None:
    assert EVALUATION_CRITERIA.params({"labels": "mace", "labels_params": {"restarts": 2}})["labels"] == "mace"
    with pytest.raises(KeyError, match="labels: 'nope' is no label algorithm .*dawid-skene"):
        EVALUATION_CRITERIA.params({"labels": "nope"})
    with pytest.raises(KeyError, match="labels_params: dawid-skene has no parameter 'restarts'"):
        EVALUATION_CRITERIA.params({"labels": "dawid-skene", "labels_params": {"restarts": 2}})
    with pytest.raises(KeyError, match="ratings_params: rating-robust-mean has no parameter 'k'"):
        EVALUATION_CRITERIA.params({"ratings_params": {"k": 1}})
    with pytest.raises(KeyError, match="no parameter 'bootstrap'"):
        EVALUATION_CRITERIA.params({"bootstrap": 10})  # ranking parameters go in ranking_params
    assert set(LABEL_ALGORITHMS) >= {"majority-vote", "dawid-skene", "glad", "mace", "wawa"}


def test_gold_fixes_its_criteria_and_malformed_answers_name_item_worker_and_field() -> None:
    answers = [_answer("g", "a", {"m1": 5, "m2": 1}, "m1"), _answer("g", "b", {"m1": 4, "m2": 2}, "m1")]
    gold = {"g": {"models": ["m1", "m2"], "criteria": {"accuracy": {"method": "likert", "ratings": {"m1": 3, "m2": 3}},
                                                      "preferred": {"method": "choice", "chosen": "m2"}}}}
    got = EVALUATION_CRITERIA.fit(answers, SPEC, {"labels": "dawid-skene"}, gold).results["g"]
    assert got.value["criteria"]["accuracy"]["ratings"] == {"m1": 3, "m2": 3}  # type: ignore[index]
    assert got.value["criteria"]["preferred"]["chosen"] == "m2"  # type: ignore[index]
    bad = Answer("i9", "w3", {"models": ["m1"], "criteria": {"toxicity": {"method": "thumbs", "ratings": {"m1": 1}}}})
    with pytest.raises(ValueError, match=r"item 'i9', worker 'w3': criteria.toxicity: ratings.m1: a thumb"):
        EVALUATION_CRITERIA.fit([bad], SPEC, {})


def test_only_the_projects_criteria_count_with_its_methods() -> None:
    old = Answer("i", "w", {"models": ["m1"], "criteria": {
        "accuracy": {"method": "thumbs", "ratings": {"m1": "up"}},  # the method since changed to likert
        "dropped": {"method": "choice", "chosen": "m1"}}})  # no longer a criterion
    new = _answer("i", "v", {"m1": 4}, "m1")
    result = EVALUATION_CRITERIA.fit([old, new], SPEC, {}).results["i"]
    assert set(result.value["criteria"]) == {"accuracy", "preferred"}  # type: ignore[arg-type]
    assert result.value["criteria"]["accuracy"]["ratings"] == {"m1": 4}  # type: ignore[index]


def test_registered_and_the_task_types_default() -> None:
    registry = get_registry()
    assert registry.consolidator("evaluation-criteria") is EVALUATION_CRITERIA
    assert MODEL_EVALUATION.default_consolidator == "evaluation-criteria"
    assert EVALUATION_CRITERIA in registry.consolidators_for(MODEL_EVALUATION.value_kind(SPEC))
    assert EVALUATION_CRITERIA.worker_model


def test_similarity_of_two_answers_per_criterion_for_gold_and_agreement() -> None:
    a = _answer("i", "x", {"m1": 5, "m2": 1}, "m1", {"m1": "up", "m2": "down"}, {"m1": 1, "m2": 2})
    b = _answer("i", "y", {"m1": 4, "m2": 1}, "m2", {"m1": "up", "m2": "up"}, {"m1": 1, "m2": 2})
    assert similarity("model-evaluation", a.value, a.value) == 1.0
    # accuracy (1 - 1/4 + 1) / 2 = 0.875, toxicity 1/2, preferred 0, overall 1: mean 0.59375
    assert similarity("model-evaluation", a.value, b.value) == pytest.approx(0.59375)
    assert similarity("model-evaluation", b.value, a.value) == pytest.approx(0.59375)
    consolidated = EVALUATION_CRITERIA.fit([a], SPEC, {}).results["i"].value  # no models, no displayOrder
    assert similarity("model-evaluation", a.value, consolidated) == 1.0
    duel = {"criteria": {"d": {"method": "comparison-likert", "left": "m1", "right": "m2", "choice": 1,
                               "winner": "m1"}}}
    other = {"criteria": {"d": {**duel["criteria"]["d"], "choice": 4, "winner": "m2"}}}
    assert similarity("model-evaluation", duel, other) == pytest.approx(0.25)
    assert similarity("model-evaluation", duel, a.value) == 0.0  # nothing in common
    with pytest.raises(ValueError, match=r"a.criteria.accuracy.ratings.m1: expected a number"):
        similarity("model-evaluation", {"criteria": {"accuracy": {"method": "likert", "ratings": {"m1": "x"}}}},
                   a.value)
