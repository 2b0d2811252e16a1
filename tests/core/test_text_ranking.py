"""text-ranking: normalisation (every field named), mapping the shown order back to response ids,
the template's configuration, Ground Truth's output shape."""

from __future__ import annotations

from typing import Any

import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.ranking import TEXT_RANKING, item_prompt, item_responses, ranking_config

DOC = {"labels": [{"label": "helpfulness", "description": "Which answers the question best?"},
                  {"label": "honesty", "allowTie": True}],
       "pairwise": True, "responseClasses": {"labels": ["helpful", "harmful", "honest"]}, "rationale": "optional"}
SPEC = ProjectSpec(parse_label_config(DOC))
ITEM2 = {"prompt": "Why is the sky blue?", "responses": [{"id": "a", "text": "Rayleigh", "model": "m1"},
                                                          {"id": "b", "text": "Because", "model": "m2"}]}
ITEM3 = {"source": "Q", "responses": ["one", "two", "three"]}
SPEC3 = ProjectSpec(parse_label_config({"labels": [{"label": "overall", "allowTie": True}]}))


def _value(**body: Any) -> dict[str, Any]:
    return {"ranking": body}


def _dims(h: list[int], o: list[int]) -> list[dict[str, Any]]:
    return [{"name": "helpfulness", "responseRankings": h}, {"name": "honesty", "responseRankings": o}]


def test_shown_order_maps_back_to_the_items_ids() -> None:
    value = _value(displayOrder=["b", "a"], ordinalRankingDimensions=_dims([1, 2], [1, 1]),
                   pairwiseChoice={"left": "b", "right": "a", "choice": 2},
                   responseClassifications=[{"responseId": "b", "labels": ["honest", "helpful"]}], rationale=" b cites ")
    out = TEXT_RANKING.normalize_with_item(value, SPEC, ITEM2)
    assert out == {
        "responseIds": ["a", "b"], "displayOrder": ["b", "a"],
        "ordinalRankingDimensions": [{"name": "helpfulness", "responseRankings": [2, 1]},
                                     {"name": "honesty", "responseRankings": [1, 1]}],
        # "B (shown left) slightly better" is "right slightly better" in the item's order
        "pairwiseChoice": {"left": "a", "right": "b", "choice": 4, "points": 5, "winner": "right", "strength": 1,
                           "label": "B is slightly better"},
        "responseClassifications": [{"responseId": "a", "labels": []},
                                    {"responseId": "b", "labels": ["helpful", "honest"]}],
        "rationale": "b cites"}


def test_ties_become_competition_ranks() -> None:
    out = TEXT_RANKING.normalize_with_item(_value(ordinalRankingDimensions=[
        {"name": "overall", "responseRankings": [1, 1, 2]}]), SPEC3, ITEM3)
    assert out["ordinalRankingDimensions"] == [{"name": "overall", "responseRankings": [1, 1, 3]}]
    assert out["responseIds"] == ["r1", "r2", "r3"] and "displayOrder" not in out


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"ordinalRankingDimensions": _dims([1, 1], [1, 1]), "pairwiseChoice": {"choice": 1}},
     "value.ranking.ordinalRankingDimensions[0].responseRankings[0]", "allows no ties"),
    ({"ordinalRankingDimensions": _dims([1, 3], [1, 1]), "pairwiseChoice": {"choice": 1}},
     "value.ranking.ordinalRankingDimensions[0].responseRankings[1]", "from 1 to 2"),
    ({"ordinalRankingDimensions": _dims([1], [1, 1]), "pairwiseChoice": {"choice": 1}},
     "value.ranking.ordinalRankingDimensions[0].responseRankings", "each of the 2"),
    ({"ordinalRankingDimensions": _dims([1, 2], [1, 1])[:1], "pairwiseChoice": {"choice": 1}},
     "value.ranking.ordinalRankingDimensions", "'honesty'"),
    ({"ordinalRankingDimensions": [*_dims([1, 2], [1, 1]), {"name": "style", "responseRankings": [1, 2]}]},
     "value.ranking.ordinalRankingDimensions[2].name", "not one of the project's dimensions"),
    ({"ordinalRankingDimensions": _dims([1, 2], [1, 1])}, "value.ranking.pairwiseChoice", "compare"),
    ({"ordinalRankingDimensions": _dims([1, 2], [1, 1]), "pairwiseChoice": {"choice": 6}},
     "value.ranking.pairwiseChoice.choice", "1 to 5"),
    ({"ordinalRankingDimensions": _dims([1, 2], [1, 1]), "pairwiseChoice": {"left": "a", "right": "z", "choice": 1}},
     "value.ranking.pairwiseChoice.left", "two responses"),
    ({"ordinalRankingDimensions": _dims([1, 2], [1, 1]), "displayOrder": ["a", "a"], "pairwiseChoice": {"choice": 1}},
     "value.ranking.displayOrder", "once"),
    ({"ordinalRankingDimensions": _dims([1, 2], [1, 1]), "pairwiseChoice": {"choice": 1},
      "responseClassifications": [{"responseId": "a", "labels": ["rude"]}]},
     "value.ranking.responseClassifications[0].labels[0]", "not one of the project's classes"),
    ({"ordinalRankingDimensions": _dims([1, 2], [1, 1]), "pairwiseChoice": {"choice": 1},
      "responseClassifications": [{"responseId": "q", "labels": []}]},
     "value.ranking.responseClassifications[0].responseId", "one of a, b"),
    ({"ordinalRankingDimensions": _dims([1, 2], [1, 1]), "pairwiseChoice": {"choice": 1}, "rationale": 5},
     "value.ranking.rationale", "text"),
])
def test_bad_answers_name_the_field(body: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        TEXT_RANKING.normalize_with_item({"ranking": body}, SPEC, ITEM2)
    assert err.value.field == field and message in err.value.message


def test_required_rationale_and_classes() -> None:
    spec = ProjectSpec(parse_label_config({"labels": [{"label": "overall"}], "rationale": "required",
                                           "responseClasses": {"labels": ["good", "bad"], "multi": False,
                                                               "required": True}}))
    ranks = [{"name": "overall", "responseRankings": [2, 1, 3]}]
    with pytest.raises(ValidationFailed, match="rationale box"):
        TEXT_RANKING.normalize_with_item(_value(ordinalRankingDimensions=ranks, responseClassifications={
            "r1": ["good"], "r2": ["good"], "r3": ["bad"]}), spec, ITEM3)
    with pytest.raises(ValidationFailed, match="missing: r3"):
        TEXT_RANKING.normalize_with_item(_value(ordinalRankingDimensions=ranks, rationale="x",
                                                responseClassifications={"r1": ["good"], "r2": ["bad"]}), spec, ITEM3)
    with pytest.raises(ValidationFailed, match="one class per response") as err:
        TEXT_RANKING.normalize_with_item(_value(ordinalRankingDimensions=ranks, rationale="x",
                                                responseClassifications={"r1": ["good", "bad"]}), spec, ITEM3)
    assert err.value.field == "value.ranking.responseClassifications[0].labels"


def test_item_shapes() -> None:
    assert item_prompt({"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]})[1] == \
        {"role": "user", "content": "u"}
    assert item_prompt({"source": "q"}) == [{"role": "user", "content": "q"}]
    bedrock = item_responses({"modelResponses": [{"response": "x", "modelIdentifier": "m"}]})
    assert [(r.id, r.text, r.model) for r in bedrock] == [("r1", "x", "m")]
    with pytest.raises(ValidationFailed) as err:
        item_responses({"responses": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]})
    assert err.value.field == "item.responses"
    with pytest.raises(ValidationFailed) as err:
        item_responses({"responses": [{"id": "a"}]})
    assert err.value.field == "item.responses[0].text"
    with pytest.raises(ValidationFailed) as err:
        item_prompt({"responses": []})
    assert err.value.field == "item.prompt"


def test_config_and_template() -> None:
    cfg = ranking_config(SPEC)
    assert [d.allow_tie for d in cfg.dimensions] == [False, True] and len(cfg.likert) == 5
    html = TEXT_RANKING.default_template(SPEC)
    assert 'shuffle-seed="{{ task.worker_seed }}"' in html and "likert-scale=" in html and "response-classes=" in html
    assert 'rationale="optional" markdown>' in html
    plain = TEXT_RANKING.default_template(ProjectSpec(parse_label_config({"labels": [{"label": "x"}], "markdown": False})))
    assert " markdown" not in plain
    with pytest.raises(ValidationFailed) as err:
        ranking_config(ProjectSpec(parse_label_config({"labels": [{"label": "x"}], "markdown": "yes"})))
    assert err.value.field == "labels.markdown"
    assert "{{ task.input.responses | default: task.input.modelResponses | to_json }}" in html
    with pytest.raises(ValidationFailed) as err:
        ranking_config(ProjectSpec(parse_label_config({"labels": [{"label": "x", "allowTie": "yes"}]})))
    assert err.value.field == "labels.labels[0].allowTie"


def test_output_manifest_shape() -> None:
    a = TEXT_RANKING.normalize_with_item(_value(ordinalRankingDimensions=_dims([2, 1], [1, 2]),
                                                pairwiseChoice={"choice": 5}), SPEC, ITEM2)
    answer = TEXT_RANKING.consolidate([a], SPEC)
    assert answer is not None
    out = TEXT_RANKING.output_fields(answer, SPEC, "2026-01-01T00:00:00")
    assert out["label"]["ordinalRankingDimensions"] == [{"name": "helpfulness", "responseRankings": [2, 1]},
                                                        {"name": "honesty", "responseRankings": [1, 2]}]
    assert out["label"]["pairwiseChoice"]["winner"] == "right"
    assert out["label-metadata"]["type"] == "groundtruth/text-ranking"
    # one worker: Ground Truth's 0.0 confidence, per dimension too
    assert out["label-metadata"]["dimensions"] == [{"name": "helpfulness", "confidence": 0.0},
                                                   {"name": "honesty", "confidence": 0.0}]
