"""The truth-inference consolidators through the registry: fit, update from state, gold, multi-label."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.core.consolidation.base import Answer
from labelworks.core.labels import LabelConfig
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.plugins.manager import get_registry

NAMES = ["majority-vote", "dawid-skene", "one-coin-dawid-skene", "glad", "mace", "wawa", "zero-based-skill"]
WORKER_MODELS = ["dawid-skene", "one-coin-dawid-skene", "glad", "mace"]
SPEC = ProjectSpec(LabelConfig(("a", "b")))
FLIP = {"a": "b", "b": "a"}


def spammers() -> tuple[list[Answer], dict[str, str]]:
    """Two constant-"a" spammers and three good workers who err on disjoint items (see the
    algorithm tests): votes get items 0, 2, 4, 6 wrong, worker models none."""
    answers, truth = [], {}
    for i in range(30):
        item = f"i{i:02d}"
        truth[item] = "b" if i % 2 == 0 else "a"
        given = {"S1": "a", "S2": "a", "G1": truth[item],
                 "G2": FLIP[truth[item]] if i in (0, 2) else truth[item],
                 "G3": FLIP[truth[item]] if i in (4, 6) else truth[item]}
        answers += [Answer(item, worker, {"label": label}) for worker, label in given.items()]
    return answers, truth


def test_every_categorical_method_is_registered_for_labels() -> None:
    registry = get_registry()
    for name in NAMES:
        consolidator = registry.consolidator(name)
        assert consolidator.name == name
        assert {"label", "labels"} <= consolidator.value_kinds
        assert consolidator.worker_model == (name != "majority-vote")
    assert {c.name for c in registry.consolidators_for("label")} >= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_fit_answers_every_item_with_rounded_confidence_and_json_state(name: str) -> None:
    answers, truth = spammers()
    answers.append(Answer("solo", "G1", {"label": "b"}))
    fit = get_registry().consolidator(name).fit(answers, SPEC, {})
    assert fit.method == name
    assert set(fit.results) == {*truth, "solo"}
    assert fit.results["solo"].confidence == 0.0  # one worker: Ground Truth's 0.00
    assert fit.results["solo"].value == {"label": "b"}
    for result in fit.results.values():
        assert 0.0 <= result.confidence <= 1.0
        assert result.confidence == round(result.confidence, 4)
        assert result.method == name
    assert fit.results["i10"].votes == 5
    assert set(fit.worker_quality) == {"S1", "S2", "G1", "G2", "G3"}
    json.dumps(fit.state)  # stored as is beside the results
    wrong = sorted(i for i, t in truth.items() if fit.results[i].value["label"] != t)
    assert wrong == ([] if name in WORKER_MODELS else ["i00", "i02", "i04", "i06"])


@pytest.mark.parametrize("name", WORKER_MODELS)
def test_update_is_the_e_step_of_the_fitted_state(name: str) -> None:
    answers, _ = spammers()
    consolidator = get_registry().consolidator(name)
    fit = consolidator.fit(answers, SPEC, {})
    some = [a for a in answers if a.item in {"i00", "i05"}]
    again = consolidator.update(some, SPEC, {}, json.loads(json.dumps(fit.state)))
    assert {k: v.value for k, v in again.items()} == {"i00": {"label": "b"}, "i05": {"label": "a"}}
    if name == "dawid-skene" or name == "one-coin-dawid-skene" or name == "mace":
        # the state is the last M-step, so the E-step reproduces the fit's posteriors
        assert again["i00"].confidence == pytest.approx(fit.results["i00"].confidence, abs=1e-4)
    # a worker the fit never saw counts as the mean worker: their vote moves the answer a little
    newcomer = consolidator.update([*some, Answer("i05", "newcomer", {"label": "b"})], SPEC, {}, fit.state)
    assert newcomer["i05"].votes == 6
    assert newcomer["i05"].confidence_map["a"] <= again["i05"].confidence_map["a"]


def test_update_from_another_methods_state_refits() -> None:
    answers, _ = spammers()
    state = get_registry().consolidator("glad").fit(answers, SPEC, {}).state
    consolidator = get_registry().consolidator("dawid-skene")
    some = [a for a in answers if a.item == "i00"]
    assert consolidator.update(some, SPEC, {}, state) == consolidator.fit(some, SPEC, {}).results


def test_update_with_a_label_the_fit_never_saw_refits_those_items() -> None:
    answers, _ = spammers()
    consolidator = get_registry().consolidator("dawid-skene")
    fit = consolidator.fit(answers, SPEC, {})
    spec = ProjectSpec(LabelConfig(("a", "b", "c")))
    fresh = [Answer("n1", "G1", {"label": "c"}), Answer("n1", "G2", {"label": "c"})]
    result = consolidator.update(fresh, spec, {}, fit.state)
    assert result["n1"].value == {"label": "c"}


@pytest.mark.parametrize("name", NAMES)
def test_gold_fixes_the_item_and_informs_the_rest(name: str) -> None:
    # three adversaries and two honest workers: only gold tells which is which
    answers, truth = [], {}
    for i in range(24):
        item = f"i{i:02d}"
        truth[item] = "ab"[i % 2]
        for worker in ("A1", "A2", "A3", "H1", "H2"):
            label = FLIP[truth[item]] if worker.startswith("A") else truth[item]
            answers.append(Answer(item, worker, {"label": label}))
    gold = {"i00": {"label": "a"}, "i01": {"label": "b"}, "i02": {"label": "a"}}
    fit = get_registry().consolidator(name).fit(answers, SPEC, {}, gold)
    assert fit.results["i00"].value == {"label": "a"} and fit.results["i00"].confidence == 1.0
    correct = sum(fit.results[i].value["label"] == t for i, t in truth.items())
    if name in WORKER_MODELS:
        assert correct == 24
    else:
        assert correct == 3  # votes follow the adversaries except where gold pins the item


@pytest.mark.parametrize("name", NAMES)
def test_multi_label_is_one_binary_problem_per_label(name: str) -> None:
    spec = ProjectSpec(LabelConfig(("x", "y", "z")), multi_label=True)
    cycle = [["x"], ["y", "z"], [], ["x", "z"]]
    truth = {f"m{i:02d}": cycle[i % 4] for i in range(24)}
    answers = [Answer("solo", "w1", {"labels": ["y"]})]
    for i, (item, labels) in enumerate(truth.items()):
        for k, worker in enumerate(("w1", "w2", "w3", "w4")):
            given = set(labels)
            if (i + k) % 6 == 0:  # each worker slips once in six items, on a different label
                given ^= {"xyz"[(i + k) % 3]}
            answers.append(Answer(item, worker, {"labels": sorted(given)}))
    consolidator = get_registry().consolidator(name)
    fit = consolidator.fit(answers, spec, {})
    assert {item: fit.results[item].value["labels"] for item in truth} == truth
    assert fit.results["solo"].value == {"labels": ["y"]} and fit.results["solo"].confidence == 0.0
    assert set(fit.results["m03"].confidence_map) == {"x", "z"}  # kept labels, in project order
    assert list(fit.results["m03"].value["labels"]) == ["x", "z"]
    assert 0.5 <= fit.results["m03"].confidence <= 1.0
    json.dumps(fit.state)
    again = consolidator.update([a for a in answers if a.item == "m01"], spec, {}, fit.state)
    assert again["m01"].value == {"labels": ["y", "z"]}


def test_the_exclusion_category_is_never_kept_beside_another_label() -> None:
    """Labels are decided one by one, so "None" and "cat" may both pass 0.5: the likelier stays."""
    import numpy as np

    from labelworks.core.consolidation.truth.consolidators import NOT_CHOSEN, CHOSEN, _multi_results
    from labelworks.core.consolidation.truth.encode import encode_binary_columns

    base, _ = encode_binary_columns(["a", "a", "b", "b"], ["w1", "w2", "w1", "w2"],
                                    [{"None"}, {"cat"}, {"cat"}, {"None"}], ["cat", "None"],
                                    classes=(NOT_CHOSEN, CHOSEN))
    posts = {"cat": np.array([0.6, 0.9]), "None": np.array([0.8, 0.7])}
    out = _multi_results(base, ["cat", "None"], posts, "dawid-skene", exclusion="None")
    assert out["a"].value == {"labels": ["None"]} and out["b"].value == {"labels": ["cat"]}
    assert set(out["a"].confidence_map) == {"None"}
    kept_both = _multi_results(base, ["cat", "None"], posts, "dawid-skene")  # no exclusion declared
    assert kept_both["a"].value == {"labels": ["cat", "None"]}


@pytest.mark.parametrize("duplicates", ["last", "first", "all"])
def test_binary_columns_code_like_one_encode_per_label(duplicates: str) -> None:
    from labelworks.core.consolidation.truth.consolidators import NOT_CHOSEN, CHOSEN
    from labelworks.core.consolidation.truth.encode import encode, encode_binary_columns

    items = ["i2", "i1", "i2", "i1", "i3", "i2"]
    workers = ["w1", "w1", "w2", "w2", "w1", "w1"]  # (i2, w1) answered twice
    chosen = [{"x"}, {"x", "y"}, set(), {"y"}, {"z"}, {"y"}]
    base, columns = encode_binary_columns(items, workers, chosen, ["x", "y", "z"], classes=(NOT_CHOSEN, CHOSEN),
                                          duplicates=duplicates)  # type: ignore[arg-type]
    for name in ("x", "y", "z"):
        one = encode(items, workers, [CHOSEN if name in c else NOT_CHOSEN for c in chosen],
                     class_order=(NOT_CHOSEN, CHOSEN), duplicates=duplicates)  # type: ignore[arg-type]
        assert (one.tasks == base.tasks).all() and (one.workers == base.workers).all()
        assert (one.labels == columns[name]).all() and one.class_names == base.class_names


def test_parameters_are_checked_and_empty_input_is_empty() -> None:
    consolidator = get_registry().consolidator("dawid-skene")
    with pytest.raises(KeyError, match="dawid-skene has no parameter 'epochs'"):
        consolidator.fit([], SPEC, {"epochs": 3})
    fit = consolidator.fit([], SPEC, {"max_iter": 5})
    assert fit.results == {} and fit.params["max_iter"] == 5
    assert consolidator.update([], SPEC, {}, {}) == {}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("uvwxyz"),
                          st.sampled_from(["cat", "dog", "bird", "zebra", "ant"])),
                min_size=1, max_size=40, unique_by=lambda t: (t[0], t[1])))
def test_majority_vote_fast_path_equals_the_fit(rows: list[tuple[str, str, str]]) -> None:
    """update() counts small inputs in plain Python; it must give exactly what fit() gives."""
    from labelworks.core.consolidation.truth.consolidators import MajorityVote
    from labelworks.core.labels import parse_label_config

    spec = ProjectSpec(labels=parse_label_config(["cat", "dog", "bird"]))  # zebra and ant: not in the project
    answers = [Answer(item, worker, {"label": label}) for item, worker, label in rows]
    mv = MajorityVote()
    assert mv.update(answers, spec, {}, {}) == mv.fit(answers, spec, {}).results
