"""<lw-model-evaluation> as the model-evaluation task type renders it (the server's default template
and Liquid renderer, with a worker seed): the prompt, reference and anonymised responses, one
control per criterion (thumbs, 1-5 radios, choice buttons, ranks by keyboard, the two-response
comparison), the required checks, and a posted value the server maps back to model ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness import FRAMES
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.evaluation import MODEL_EVALUATION
from labelworks.services.templates import render_task
from test_elements import last, open_frame, wait_for

pytestmark = pytest.mark.e2e

SPEC = ProjectSpec(parse_label_config({"labels": [{"label": "evaluation"}], "criteria": [
    "accuracy", "toxicity", {"name": "preferred", "description": "Which reply would you ship?", "method": "choice"},
    {"name": "overall", "method": "rank"}, {"name": "head to head", "method": "comparison-likert"}]}))
ITEM3 = {"prompt": "What is 2+2?", "referenceResponse": "4", "category": "math",
         "modelResponses": [{"response": "It is 4.", "modelIdentifier": "m1"},
                            {"response": "5, <b>surely</b>.", "modelIdentifier": "m2"}],
         "lw-generations": {"m3": {"text": "Four.", "generation_id": 1, "finish_reason": "stop"}}}
ITEM2 = {"prompt": "Say hi", "modelResponses": [{"response": "Hello!", "modelIdentifier": "a"},
                                                {"response": "Go away.", "modelIdentifier": "b"}]}


def _page(data: dict[str, Any], seed: str) -> str:
    return render_task(MODEL_EVALUATION.default_template(SPEC), data, list(SPEC.labels.labels),
                       header="Evaluate the responses", worker_seed=seed)


FRAMES.update({"eval-3": _page(ITEM3, ""), "eval-2": _page(ITEM2, ""), "eval-3-seed": _page(ITEM3, "worker-9")})


def test_three_models_every_control_and_submit(page: Any, shots: Path) -> None:
    frame = open_frame(page, "eval-3", width=1200)
    assert frame.get_by_role("region", name="Prompt").inner_text().endswith("What is 2+2?")
    assert "4" in frame.get_by_role("region", name="Reference response").inner_text()
    # the models are anonymised, their markup shown as text; three models: no comparison Likert
    assert frame.locator(".card").nth(1).locator(".text").inner_text() == "5, <b>surely</b>."
    assert "m1" not in frame.locator(".responses").inner_text()
    assert frame.locator("fieldset[data-criterion='head to head']").count() == 0
    frame.get_by_role("group", name="overall: rank of Response A, not ranked").focus()
    page.keyboard.press("Enter")  # nothing answered: the form says what is missing and sends nothing
    assert "accuracy" in frame.get_by_role("alert").inner_text()
    assert last(page, "lw:submit") is None
    for who, rating in (("A", 5), ("B", 1), ("C", 4)):
        frame.get_by_role("radio", name=f"Response {who}: {rating}", exact=True).check()
    for who, thumb in (("A", "up"), ("B", "down"), ("C", "up")):
        frame.get_by_role("button", name=f"Response {who}: thumbs {thumb}").click()
    frame.get_by_role("radiogroup", name="preferred: choose one").get_by_role("radio", name="Response C").click()
    # ranks by keyboard: focus a row, press its rank; a rank given twice moves
    frame.get_by_role("group", name="overall: rank of Response A, not ranked").focus()
    page.keyboard.press("1")
    page.keyboard.press("Tab")  # to A's menu
    page.keyboard.press("Tab")  # to B's row
    page.keyboard.press("1")  # B takes 1 from A
    wait_for(page, lambda m: m["type"] == "lw:change" and m["value"]["evaluation"]["criteria"].get("overall")
             == [None, 1, None])
    frame.get_by_role("group", name="overall: rank of Response A, not ranked").focus()
    page.keyboard.press("2")
    frame.get_by_role("group", name="overall: rank of Response C, not ranked").focus()
    page.keyboard.press("3")
    page.screenshot(path=str(shots / "model-evaluation-three.png"), full_page=True)
    frame.get_by_role("group", name="overall: rank of Response C, 3").focus()
    page.keyboard.press("Enter")
    submitted = wait_for(page, lambda m: m["type"] == "lw:submit")["value"]["evaluation"]
    assert submitted == {"displayOrder": ["m1", "m2", "m3"], "criteria": {
        "accuracy": [5, 1, 4], "toxicity": ["up", "down", "up"], "preferred": 3, "overall": [2, 1, 3]}}
    stored = MODEL_EVALUATION.normalize_with_item({"evaluation": submitted}, SPEC, ITEM3)
    assert stored["criteria"]["preferred"] == {"method": "choice", "chosen": "m3"}


def test_two_models_ask_the_comparison(page: Any, shots: Path) -> None:
    frame = open_frame(page, "eval-2", width=1000)
    group = frame.get_by_role("radiogroup", name="head to head: compare A and B")
    group.get_by_role("radio", name="B is slightly better").click()
    wait_for(page, lambda m: m["type"] == "lw:change" and m["value"]["evaluation"]["criteria"].get("head to head") == 4)
    assert group.get_by_role("radio", name="B is slightly better").get_attribute("aria-checked") == "true"
    page.screenshot(path=str(shots / "model-evaluation-two.png"), full_page=True)


def test_the_seed_fixes_a_per_worker_order_mapped_back_by_the_server(page: Any) -> None:
    open_frame(page, "eval-3-seed")
    order = wait_for(page, lambda m: m["type"] == "lw:change" or m["type"] == "lw:ready")
    frame = page.frame_locator("iframe")
    texts = frame.locator(".card .text").all_inner_texts()
    assert sorted(texts) == sorted(["It is 4.", "5, <b>surely</b>.", "Four."])
    by_text = {"It is 4.": "m1", "5, <b>surely</b>.": "m2", "Four.": "m3"}
    shown = [by_text[t] for t in texts]
    assert order is not None
    frame.get_by_role("radiogroup", name="preferred: choose one").get_by_role("radio", name="Response A").click()
    posted = wait_for(page, lambda m: m["type"] == "lw:change")["value"]["evaluation"]
    assert posted["displayOrder"] == shown and posted["criteria"]["preferred"] == 1
