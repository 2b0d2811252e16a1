"""Stored answers as the preset of a task frame (the review page sends the stored canonical or
consolidated value by `lw:init`): <lw-model-evaluation> maps a value keyed by model id onto its shown
order, rounds a consolidated mean onto its controls with the exact figure beside it, and reports its
own (posted-shape) answer; <lw-text-ranking> reads a stored value's ranks in the item's order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness import FRAMES
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.evaluation import MODEL_EVALUATION
from labelworks.core.tasktypes.ranking import TEXT_RANKING
from labelworks.services.templates import render_task
from test_elements import last, open_frame, wait_for

pytestmark = pytest.mark.e2e

SPEC = ProjectSpec(parse_label_config({"labels": [{"label": "evaluation"}], "criteria": [
    "accuracy", "toxicity", {"name": "preferred", "method": "choice"}, {"name": "overall", "method": "rank"},
    {"name": "duel", "method": "comparison-likert"}]}))
ITEM3 = {"prompt": "What is 2+2?", "modelResponses": [
    {"response": "It is 4.", "modelIdentifier": "m1"}, {"response": "5.", "modelIdentifier": "m2"},
    {"response": "Four.", "modelIdentifier": "m3"}]}
ITEM2 = {"prompt": "Say hi", "modelResponses": [{"response": "Hello!", "modelIdentifier": "a"},
                                                {"response": "Go away.", "modelIdentifier": "b"}]}
CONSOLIDATED = {"criteria": {
    "accuracy": {"method": "likert", "ratings": {"m1": 4.67, "m2": 2, "m3": 1.33}},
    "toxicity": {"method": "thumbs", "ratings": {"m1": "up", "m2": "down", "m3": "up"}},
    "preferred": {"method": "choice", "chosen": "m3"},
    "overall": {"method": "rank", "ranks": {"m1": 1, "m2": 3, "m3": 2},
                "scores": {"m1": 0.61, "m2": 0.03, "m3": 0.36}}}}
RANK_SPEC = ProjectSpec(parse_label_config({"labels": [{"label": "correctness"}]}))
RANK_ITEM = {"prompt": "Boiling point?", "responses": [{"id": "a", "text": "100 °C"}, {"id": "b", "text": "90 °C"},
                                                       {"id": "c", "text": "0 °C"}]}


def _page(spec: ProjectSpec, task_type: Any, data: dict[str, Any], seed: str) -> str:
    return render_task(task_type.default_template(spec), data, list(spec.labels.labels), worker_seed=seed)


FRAMES.update({"preset-eval-3": _page(SPEC, MODEL_EVALUATION, ITEM3, "reviewer-2"),
               "preset-eval-2": _page(SPEC, MODEL_EVALUATION, ITEM2, ""),
               "preset-rank": _page(RANK_SPEC, TEXT_RANKING, RANK_ITEM, "")})


def _init(page: Any, draft: Any) -> None:
    page.evaluate("(d) => window.__send({type: 'lw:init', draft: d})", draft)


def test_model_evaluation_takes_the_consolidated_answer(page: Any, shots: Path) -> None:
    frame = open_frame(page, "preset-eval-3", width=1100)
    texts = frame.locator(".card .text").all_inner_texts()
    shown = [{"It is 4.": "m1", "5.": "m2", "Four.": "m3"}[t] for t in texts]
    _init(page, {"evaluation": CONSOLIDATED})
    # the element answers the preset with its own answer: posted shape, in its shown order, means rounded
    posted = wait_for(page, lambda m: m["type"] == "lw:change")["value"]["evaluation"]
    rounded = {"m1": 5, "m2": 2, "m3": 1}
    assert posted == {"displayOrder": shown, "criteria": {
        "accuracy": [rounded[m] for m in shown],
        "toxicity": [CONSOLIDATED["criteria"]["toxicity"]["ratings"][m] for m in shown],
        "preferred": shown.index("m3") + 1, "overall": [{"m1": 1, "m2": 3, "m3": 2}[m] for m in shown]}}
    stored = MODEL_EVALUATION.normalize_with_item({"evaluation": posted}, SPEC, ITEM3)  # the server takes it
    assert stored["criteria"]["accuracy"]["ratings"] == rounded
    who = {m: f"Response {'ABC'[i]}" for i, m in enumerate(shown)}
    accuracy = frame.locator("fieldset[data-criterion=accuracy]")
    note = accuracy.get_by_role("group", name=f"accuracy: {who['m1']}").locator(".note")
    assert note.inner_text() == "consolidated 4.67"
    assert accuracy.get_by_role("group", name=f"accuracy: {who['m2']}").locator(".note").count() == 0
    assert frame.get_by_role("radio", name=f"{who['m3']}: 1", exact=True).is_checked()
    overall = frame.locator("fieldset[data-criterion=overall]")
    assert overall.locator("[data-rank-model=m1] .note").inner_text() == "score 0.61"
    page.screenshot(path=str(shots / "model-evaluation-consolidated-preset.png"), full_page=True)
    # the reviewer's correction: the note goes with the mean it described
    frame.get_by_role("radio", name=f"{who['m1']}: 4", exact=True).check()
    assert accuracy.get_by_role("group", name=f"accuracy: {who['m1']}").locator(".note").count() == 0
    wait_for(page, lambda m: m["type"] == "lw:change"
             and m["value"]["evaluation"]["criteria"]["accuracy"][shown.index("m1")] == 4)


def test_model_evaluation_takes_a_canonical_answer_and_a_comparison(page: Any, shots: Path) -> None:
    frame = open_frame(page, "preset-eval-2", width=1000)
    # a worker's canonical value: that worker saw b first; the item's left is a; a median between buttons
    _init(page, {"evaluation": {"models": ["a", "b"], "displayOrder": ["b", "a"], "criteria": {
        "accuracy": {"method": "likert", "ratings": {"a": 4, "b": 2}},
        "toxicity": {"method": "thumbs", "ratings": {"a": "up", "b": "down"}},
        "preferred": {"method": "choice", "chosen": "a"},
        "overall": {"method": "rank", "ranks": {"a": 1, "b": 2}},
        "duel": {"method": "comparison-likert", "left": "a", "right": "b", "choice": 1.5, "winner": "a"}}}})
    posted = wait_for(page, lambda m: m["type"] == "lw:change")["value"]["evaluation"]
    assert posted == {"displayOrder": ["a", "b"], "criteria": {"accuracy": [4, 2], "toxicity": ["up", "down"],
                                                               "preferred": 1, "overall": [1, 2], "duel": 2}}
    duel = frame.get_by_role("radiogroup", name="duel: compare A and B")
    assert duel.get_by_role("radio", name="A is slightly better").get_attribute("aria-checked") == "true"
    assert frame.locator("fieldset[data-criterion=duel] .note").inner_text() == "consolidated 1.5"
    page.screenshot(path=str(shots / "model-evaluation-canonical-preset.png"), full_page=True)


def test_a_posted_draft_is_restored_without_a_change(page: Any) -> None:
    frame = open_frame(page, "preset-eval-2")
    _init(page, {"evaluation": {"displayOrder": ["b", "a"], "criteria": {"accuracy": [1, 5]}}})
    frame.get_by_role("radio", name="Response A: 5", exact=True).and_(frame.locator(":checked")).wait_for()
    page.wait_for_timeout(200)
    assert last(page, "lw:change") is None  # a labeling page's own draft: restoring is not a change


def test_text_ranking_reads_a_stored_value_in_the_item_order(page: Any) -> None:
    frame = open_frame(page, "preset-rank")
    # stored: ranks in responseIds' order (a, b, c); that worker had seen c, a, b
    _init(page, {"ranking": {"responseIds": ["a", "b", "c"], "displayOrder": ["c", "a", "b"],
                             "ordinalRankingDimensions": [{"name": "correctness", "responseRankings": [1, 2, 3]}]}})
    posted = wait_for(page, lambda m: m["type"] == "lw:change")["value"]["ranking"]
    assert posted["displayOrder"] == ["a", "b", "c"]
    assert posted["ordinalRankingDimensions"] == [{"name": "correctness", "responseRankings": [1, 2, 3]}]
    assert frame.get_by_role("combobox", name="Rank of response A").input_value() == "1"
    assert frame.get_by_role("combobox", name="Rank of response C").input_value() == "3"
