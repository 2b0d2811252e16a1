"""model-evaluation: criteria parsing (presets, methods, named errors), responses from
``modelResponses`` and ``lw-generations``, the shown order mapped back to model ids, consolidation."""

from __future__ import annotations

from typing import Any

import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.evaluation import MODEL_EVALUATION, evaluation_criteria, item_model_responses

CRITERIA = ["accuracy", "toxicity", {"name": "preferred", "description": "Which would you ship?", "method": "choice"},
            {"name": "overall", "method": "rank"}, {"name": "head to head", "method": "comparison-likert"}]
SPEC = ProjectSpec(parse_label_config({"labels": [{"label": "evaluation"}], "criteria": CRITERIA}))
ITEM3 = {"prompt": "2+2?", "referenceResponse": "4", "category": "math",
         "modelResponses": [{"response": "4", "modelIdentifier": "m1"}, {"response": "5", "modelIdentifier": "m2"}],
         "lw-generations": {"m3": {"text": "four", "generation_id": 7, "finish_reason": "stop"},
                            "m1": {"text": "ignored: m1 brought its own", "generation_id": 8, "finish_reason": "stop"}}}
ITEM2 = {"prompt": "Hi", "modelResponses": [{"response": "Hello", "modelIdentifier": "a"},
                                            {"response": "Yo", "modelIdentifier": "b"}]}


def _spec(doc: Any) -> ProjectSpec:
    return ProjectSpec(parse_label_config(doc))


def test_presets_bring_description_and_method_and_entries_override() -> None:
    crit = evaluation_criteria(SPEC)
    assert [(c.name, c.method) for c in crit] == [("accuracy", "likert"), ("toxicity", "thumbs"),
                                                  ("preferred", "choice"), ("overall", "rank"),
                                                  ("head to head", "comparison-likert")]
    assert "factually" in crit[0].description
    assert evaluation_criteria(_spec(["fluency", "brand voice"]))[1].method == "likert"
    assert evaluation_criteria(_spec({"labels": [{"label": "style", "method": "thumbs"}]}))[0].method \
        == "thumbs"
    assert evaluation_criteria(_spec(["helpfulness"]))[0].method == "likert"  # a plain label: 1-5


@pytest.mark.parametrize(("criteria", "field", "words"), [
    ([], "labels.criteria", "needs 'criteria'"),
    ([{"name": "vibes"}], "labels.criteria[0].method", "no preset"),
    ([{"name": "x", "method": "stars"}], "labels.criteria[0].method", "method is one of"),
    ([{"method": "likert"}], "labels.criteria[0].name", "name"),
    (["accuracy", "accuracy"], "labels.criteria[1].name", "twice"),
    ([{"name": "x", "method": "likert", "description": 3}], "labels.criteria[0].description", "text"),
    ([7], "labels.criteria[0]", "preset name"),
])
def test_criteria_errors_name_the_field(criteria: list[Any], field: str, words: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        evaluation_criteria(_spec({"labels": [{"label": "x"}], "criteria": criteria}))
    assert err.value.field == field and words in str(err.value)


def test_responses_come_from_model_responses_then_generations() -> None:
    assert [(r.model, r.text) for r in item_model_responses(ITEM3)] == [("m1", "4"), ("m2", "5"), ("m3", "four")]
    with pytest.raises(ValidationFailed) as err:
        item_model_responses({"prompt": "x"})
    assert err.value.field == "item.modelResponses"
    with pytest.raises(ValidationFailed) as err:
        item_model_responses({"modelResponses": [{"response": "a"}]})
    assert err.value.field == "item.modelResponses[0].modelIdentifier"


def test_shown_order_maps_back_to_model_ids_and_comparison_is_skipped_for_three() -> None:
    value = {"evaluation": {"displayOrder": ["m3", "m1", "m2"], "criteria": {
        "accuracy": [5, 4, 1], "toxicity": ["up", "up", "down"], "preferred": 2, "overall": [2, 1, 3]}}}
    out = MODEL_EVALUATION.normalize_with_item(value, SPEC, ITEM3)
    assert out == {"models": ["m1", "m2", "m3"], "displayOrder": ["m3", "m1", "m2"], "criteria": {
        "accuracy": {"method": "likert", "ratings": {"m1": 4, "m2": 1, "m3": 5}},
        "toxicity": {"method": "thumbs", "ratings": {"m1": "up", "m2": "down", "m3": "up"}},
        "preferred": {"method": "choice", "chosen": "m1"},
        "overall": {"method": "rank", "ranks": {"m1": 1, "m2": 3, "m3": 2}}}}


def test_comparison_likert_is_mirrored_when_shown_swapped() -> None:
    value = {"displayOrder": ["b", "a"], "criteria": {"accuracy": [3, 3], "toxicity": ["up", "up"], "preferred": 1,
                                                      "overall": [1, 2], "head to head": 2}}
    out = MODEL_EVALUATION.normalize_with_item(value, SPEC, ITEM2)
    # "the first shown (b) slightly better" is 4 in the item's order (a, b): b wins
    assert out["criteria"]["head to head"] == {"method": "comparison-likert", "left": "a", "right": "b", "choice": 4,
                                               "winner": "b"}
    assert out["criteria"]["preferred"] == {"method": "choice", "chosen": "b"}


@pytest.mark.parametrize(("criteria", "field", "words"), [
    ({"accuracy": [5, 4], "toxicity": ["up"] * 3, "preferred": 1, "overall": [1, 2, 3]},
     "value.evaluation.criteria.accuracy", "each of the 3"),
    ({"accuracy": [5, 4, 6], "toxicity": ["up"] * 3, "preferred": 1, "overall": [1, 2, 3]},
     "value.evaluation.criteria.accuracy[2]", "1 to 5"),
    ({"accuracy": [5, 4, 3], "toxicity": ["up", "meh", "up"], "preferred": 1, "overall": [1, 2, 3]},
     "value.evaluation.criteria.toxicity[1]", "'up' or 'down'"),
    ({"accuracy": [5, 4, 3], "toxicity": ["up"] * 3, "preferred": 4, "overall": [1, 2, 3]},
     "value.evaluation.criteria.preferred", "1 to 3"),
    ({"accuracy": [5, 4, 3], "toxicity": ["up"] * 3, "preferred": 1, "overall": [1, 1, 3]},
     "value.evaluation.criteria.overall[1]", "twice"),
    ({"accuracy": [5, 4, 3], "toxicity": ["up"] * 3, "overall": [1, 2, 3]},
     "value.evaluation.criteria.preferred", "answer 'preferred'"),
    ({"accuracy": [5, 4, 3], "toxicity": ["up"] * 3, "preferred": 1, "overall": [1, 2, 3], "head to head": 1},
     "value.evaluation.criteria.head to head", "exactly two"),
    ({"accuracy": [5, 4, 3], "toxicity": ["up"] * 3, "preferred": 1, "overall": [1, 2, 3], "novelty": 1},
     "value.evaluation.criteria.novelty", "not one of"),
])
def test_answers_are_checked_per_method(criteria: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        MODEL_EVALUATION.normalize_with_item({"evaluation": {"criteria": criteria}}, SPEC, ITEM3)
    assert err.value.field == field and words in str(err.value)


def test_a_stored_canonical_answer_is_accepted_as_it_is_shown_on_the_review_page() -> None:
    """The review page's JSON box holds the stored value (keyed by model id): saving it as it is, or
    corrected, gives the same canonical value back; a consolidated mean is refused, saying to round it."""
    posted = {"displayOrder": ["b", "a"], "criteria": {"accuracy": [3, 5], "toxicity": ["up", "down"], "preferred": 2,
                                                       "overall": [2, 1], "head to head": 4}}
    stored = MODEL_EVALUATION.normalize_with_item(posted, SPEC, ITEM2)
    assert MODEL_EVALUATION.normalize_with_item(stored, SPEC, ITEM2) == stored
    assert MODEL_EVALUATION.normalize_with_item({"evaluation": stored}, SPEC, ITEM2) == stored
    mixed = {"criteria": {**stored["criteria"], "preferred": 1}}  # one criterion in the posted form
    assert MODEL_EVALUATION.normalize_with_item(mixed, SPEC, ITEM2)["criteria"]["preferred"]["chosen"] == "a"
    for patch, field, words in (
            ({"accuracy": {"method": "likert", "ratings": {"a": 4.67, "b": 3}}}, "value.criteria.accuracy[0]",
             "must be rounded"),
            ({"accuracy": {"method": "thumbs", "ratings": {"a": "up", "b": "up"}}}, "value.criteria.accuracy.method",
             "answered with 'likert'"),
            ({"overall": {"method": "rank", "ranks": {"a": 1}}}, "value.criteria.overall.ranks", "each of the item's"),
            ({"preferred": {"method": "choice", "chosen": "z"}}, "value.criteria.preferred.chosen", "one of"),
            ({"head to head": {"method": "comparison-likert", "choice": 2.5}}, "value.criteria.head to head",
             "must be rounded")):
        with pytest.raises(ValidationFailed) as err:
            MODEL_EVALUATION.normalize_with_item({"criteria": {**stored["criteria"], **patch}}, SPEC, ITEM2)
        assert err.value.field == field and words in str(err.value), (field, err.value.field, str(err.value))


def test_display_order_must_be_the_items_models() -> None:
    with pytest.raises(ValidationFailed) as err:
        MODEL_EVALUATION.normalize_with_item({"displayOrder": ["a", "z"], "criteria": {}}, SPEC, ITEM2)
    assert err.value.field == "value.displayOrder"


def test_consolidation_per_criterion_and_output_fields() -> None:
    values = [MODEL_EVALUATION.normalize_with_item({"criteria": c}, SPEC, ITEM3) for c in (
        {"accuracy": [5, 1, 4], "toxicity": ["up", "down", "up"], "preferred": 1, "overall": [1, 3, 2]},
        {"accuracy": [4, 2, 4], "toxicity": ["up", "down", "down"], "preferred": 1, "overall": [1, 3, 2]},
        {"accuracy": [5, 1, 3], "toxicity": ["up", "up", "up"], "preferred": 3, "overall": [2, 3, 1]})]
    answer = MODEL_EVALUATION.consolidate(values, SPEC)
    assert answer is not None and answer.votes == 3
    crit = answer.value["criteria"]
    assert isinstance(crit, dict)
    # through the registered evaluation-criteria: Likert by the bias-corrected Huber mean (anonymous
    # raters of one item: about the mean, 14/3 for m1, no longer the median 5), ranks as the
    # Bradley-Terry consensus positions (no longer the mean ranks 4/3, 3, 5/3)
    assert crit["accuracy"] == {"method": "likert", "ratings": {"m1": 4.67, "m2": 1.33, "m3": 3.67}}
    assert crit["toxicity"] == {"method": "thumbs", "ratings": {"m1": "up", "m2": "down", "m3": "up"}}
    assert crit["preferred"] == {"method": "choice", "chosen": "m1"}
    assert crit["overall"]["ranks"] == {"m1": 1, "m2": 3, "m3": 2}
    assert answer.confidence_map["preferred"] == pytest.approx(2 / 3, abs=1e-4)
    assert answer.method == "evaluation-criteria" and answer.confidence == min(answer.confidence_map.values())
    out = MODEL_EVALUATION.output_fields(answer, SPEC, "2026-01-01T00:00:00")
    assert out["label"]["criteria"] == crit and out["label-metadata"]["type"] == "labelworks/model-evaluation"
    assert MODEL_EVALUATION.consolidate([], SPEC) is None


def test_template_carries_the_criteria_and_the_worker_seed() -> None:
    template = MODEL_EVALUATION.default_template(SPEC)
    assert "<lw-model-evaluation" in template and 'shuffle-seed="{{ task.worker_seed }}"' in template
    assert "&quot;preferred&quot;" in template and "{" not in template.split("criteria=")[1].split(">")[0]


def test_template_renders_the_items_generations() -> None:
    from labelworks.services.templates import render_task

    page = render_task(MODEL_EVALUATION.default_template(SPEC), ITEM3, ["evaluation"], worker_seed="s1")
    assert "ignored: m1 brought its own" in page and "&#34;m3&#34;" in page and 'shuffle-seed="s1"' in page
