"""The review page's task frame, preset with the stored answer, for the task types whose stored
(canonical or consolidated) value is not the shape their element posts: a model-evaluation item
consolidated from three raters opens with every criterion set (a Likert mean between two radios
rounded onto them with the exact figure beside it), saving it untouched stores a valid answer, and
a reviewer's correction is stored as given; the text-ranking, question-answer, chat, image and
video caption frames open showing the consolidated answer."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from factories import PASSWORD, Factory
from image_labeling import login
from labelworks.core.enums import Role
from labelworks.db.models import Annotation
from labelworks.services import annotations, assignments, reviews

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))
MODELS = ["m1", "m2", "m3"]
EVAL_ITEM = {"prompt": "What is the boiling point of water at sea level?", "referenceResponse": "100 °C",
             "modelResponses": [{"response": f"[{m}] answer", "modelIdentifier": m} for m in MODELS]}
EVAL_LABELS = {"labels": [{"label": "evaluation"}], "criteria": [
    "accuracy", "toxicity", {"name": "preferred", "method": "choice"}, {"name": "overall", "method": "rank"}]}
# three raters, answers in the item's order (no displayOrder): m1 best; the accuracy ratings differ
RATERS = [{"accuracy": [5, 3, 1], "toxicity": ["up", "up", "down"], "preferred": 1, "overall": [1, 2, 3]},
          {"accuracy": [4, 3, 2], "toxicity": ["up", "up", "down"], "preferred": 1, "overall": [1, 2, 3]},
          {"accuracy": [5, 2, 1], "toxicity": ["up", "down", "down"], "preferred": 2, "overall": [2, 1, 3]}]


def _label(db: Any, workers: list[Any], pid: int, value_of: Any) -> None:
    for n, who in enumerate(workers):
        while (lease := assignments.next_for(db, who.actor, pid)) is not None:
            annotations.submit(db, who.actor, lease.assignment_id, value_of(n), active_ms=2000)


def _open_review(page: Any, pid: int) -> Any:
    page.goto(f"/projects/{pid}/review")
    page.click("[data-testid=review-start]")
    page.wait_for_url(f"**/projects/{pid}/review/*")
    # no scrolling: the frame may sit below the fold, where Chromium runs no animation frames in it;
    # it must still say it is ready and take its preset (the bootstrap does not wait on a frame)
    return page.frame_locator("#lw-review-frame")


def _review_answers(db: Any) -> list[dict[str, Any]]:
    with db.read() as s:
        return [json.loads(v) for v in s.scalars(select(Annotation.value).where(Annotation.source == "review")
                                                 .order_by(Annotation.id))]


def test_model_evaluation_review_opens_on_the_consolidated_answer(live_server: Any, chromium: Any) -> None:
    factory: Factory = live_server.factory
    db = live_server.db
    org_id = factory.org("Eval Review Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@evalreview.test")
    reviewer = factory.user(Role.REVIEWER, org_id=org_id, email="rev@evalreview.test", password=PASSWORD)
    p = factory.project(manager, "model-evaluation", name="Boiling review", labels=EVAL_LABELS, workers_per_item=3)
    factory.items(manager, p.id, rows=[EVAL_ITEM, {**EVAL_ITEM, "prompt": "And at the top of Everest?"}])
    reviews.update_settings(db, manager.actor, p.id, "all")
    _label(db, factory.annotators(3, org_id), p.id, lambda n: {"evaluation": {"criteria": RATERS[n]}})

    context, page = login(chromium, live_server.url, reviewer.email, PASSWORD)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    frame = _open_review(page, p.id)
    task_id = int(page.url.rstrip("/").split("/")[-1])
    stored = reviews.get_review(db, reviewer.actor, task_id).consolidated
    assert stored is not None and "models" not in stored  # the consolidated shape: criteria keyed by model id
    ratings = stored["criteria"]["accuracy"]["ratings"]
    assert any(r != int(r) for r in ratings.values()), ratings  # a mean between two radios: the case at hand

    accuracy = frame.locator("fieldset[data-criterion=accuracy]")
    accuracy.locator("input:checked").first.wait_for(timeout=15_000)
    for who, model in zip("ABC", MODELS, strict=True):  # the review frame shows the item's order
        row = accuracy.get_by_role("group", name=f"accuracy: Response {who}")
        exact = ratings[model]
        assert row.get_by_role("radio", name=f"Response {who}: {round(exact)}", exact=True).is_checked()
        note = row.locator(".note")
        want = None if exact == int(exact) else f"consolidated {exact:g}"
        assert (note.inner_text() if note.count() else None) == want
    toxicity = stored["criteria"]["toxicity"]["ratings"]
    for who, model in zip("ABC", MODELS, strict=True):
        button = frame.get_by_role("button", name=f"Response {who}: thumbs {toxicity[model]}")
        assert button.get_attribute("aria-pressed") == "true"
    chosen = "ABC"[MODELS.index(stored["criteria"]["preferred"]["chosen"])]
    assert frame.get_by_role("radiogroup", name="preferred: choose one").get_by_role(
        "radio", name=f"Response {chosen}").get_attribute("aria-checked") == "true"
    ranks = stored["criteria"]["overall"]["ranks"]
    for who, model in zip("ABC", MODELS, strict=True):
        assert frame.get_by_role("combobox", name=f"overall: rank of Response {who}").input_value() == str(ranks[model])
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#lw-review-frame").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "review-model-evaluation.png"), full_page=True)

    # saved untouched: the answer shown (the means rounded onto the radios), a valid one
    page.click("[data-testid=review-adjust]")
    page.wait_for_url(f"**/projects/{p.id}/review/*")
    assert page.locator("[data-testid=review-error]").count() == 0
    first = _review_answers(db)[0]
    assert first["criteria"]["accuracy"]["ratings"] == {m: round(ratings[m]) for m in MODELS}
    assert first["criteria"]["overall"]["ranks"] == ranks
    assert first["criteria"]["preferred"]["chosen"] == stored["criteria"]["preferred"]["chosen"]

    # the second item: the reviewer corrects one rating and submits inside the frame
    page.locator("#lw-review-frame").scroll_into_view_if_needed()
    frame = page.frame_locator("#lw-review-frame")
    frame.locator("fieldset[data-criterion=accuracy] input:checked").first.wait_for(timeout=15_000)
    frame.get_by_role("radio", name="Response C: 4", exact=True).check()
    assert frame.locator("fieldset[data-criterion=accuracy]").get_by_role(
        "group", name="accuracy: Response C").locator(".note").count() == 0  # the note went with the mean
    frame.locator("body").press("Enter")
    page.wait_for_url("**/review?notice=empty")
    second = _review_answers(db)[1]
    assert second["criteria"]["accuracy"]["ratings"]["m3"] == 4
    assert not errors, errors
    context.close()


CHAT = [{"role": "user", "content": "What is 2+2?"}]
PASSAGE = "Ada Lovelace wrote the first program in 1843."
# task type, item, the answer both workers give, and how the frame shows it: (selector, expected text)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any], str, str]] = {
    "question-answer-generation": (
        {"source": PASSAGE},
        {"qa": {"questionAnswerPairs": [{"question": "Who wrote the first program?", "answer": "Ada Lovelace.",
                                         "references": [{"startOffset": 0, "endOffset": 12}]}]}},
        "lw-question-answer-generation textarea.question", "Who wrote the first program?"),
    "chat-demonstration": (
        {"messages": CHAT}, {"chat": {"messages": [*CHAT, {"role": "assistant", "content": "It is four."}]}},
        "lw-chat-editor [data-turn='1'] textarea", "It is four."),
    "image-captioning": (
        {"source-ref": "s3://bucket/kite.jpg"}, {"caption": {"caption": "A red kite over a beach."}},
        "lw-image-caption textarea", "A red kite over a beach."),
    "video-captioning": (
        {"source-ref": "s3://bucket/clip.webm"},
        {"captions": {"captions": [{"start": 0, "end": 1.5, "text": "A dog runs."}]}},
        "lw-video-caption [data-caption='0'] textarea", "A dog runs."),
}


@pytest.mark.parametrize("task_type", sorted(CASES))
def test_demonstration_review_frames_show_the_stored_answer(task_type: str, live_server: Any, chromium: Any) -> None:
    factory: Factory = live_server.factory
    db = live_server.db
    item, value, selector, expected = CASES[task_type]
    org_id = factory.org(f"Review {task_type}")
    manager = factory.user(Role.MANAGER, org_id=org_id)
    reviewer = factory.user(Role.REVIEWER, org_id=org_id, email=f"rev@{task_type}.test", password=PASSWORD)
    p = factory.project(manager, task_type, labels=["x"], workers_per_item=2)
    factory.items(manager, p.id, rows=[item])
    reviews.update_settings(db, manager.actor, p.id, "all")
    _label(db, factory.annotators(2, org_id), p.id, lambda n: value)

    context, page = login(chromium, live_server.url, reviewer.email, PASSWORD)
    frame = _open_review(page, p.id)
    box = frame.locator(selector).first
    box.wait_for(timeout=15_000)
    for _ in range(50):  # the preset arrives by message once the frame is ready
        if box.input_value() == expected:
            break
        page.wait_for_timeout(100)
    assert box.input_value() == expected
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"review-{task_type}.png"), full_page=True)
    page.click("[data-testid=review-adjust]")  # saved untouched: the preset is a valid answer
    page.wait_for_url("**/review?notice=empty")
    assert len(_review_answers(db)) == 1
    context.close()


RANKING_ITEM = {"prompt": "Boiling point of water?",
                "responses": [{"id": "a", "text": "100 °C"}, {"id": "b", "text": "90 °C"},
                              {"id": "c", "text": "0 °C"}]}


def test_text_ranking_review_opens_on_the_consensus_ranks(live_server: Any, chromium: Any) -> None:
    factory: Factory = live_server.factory
    db = live_server.db
    org_id = factory.org("Ranking Review Org")
    manager = factory.user(Role.MANAGER, org_id=org_id)
    reviewer = factory.user(Role.REVIEWER, org_id=org_id, email="rev@ranking.test", password=PASSWORD)
    p = factory.project(manager, "text-ranking", labels={"labels": [{"label": "correctness"}]}, workers_per_item=2)
    factory.items(manager, p.id, rows=[RANKING_ITEM])
    reviews.update_settings(db, manager.actor, p.id, "all")
    # each worker saw another order; both rank a > b > c
    _label(db, factory.annotators(2, org_id), p.id, lambda n: {"ranking": {
        "displayOrder": ["c", "a", "b"] if n else ["b", "c", "a"],
        "ordinalRankingDimensions": [{"name": "correctness", "responseRankings": [3, 1, 2] if n else [2, 3, 1]}]}})

    context, page = login(chromium, live_server.url, reviewer.email, PASSWORD)
    frame = _open_review(page, p.id)
    combo = {who: frame.get_by_role("combobox", name=f"Rank of response {who}") for who in "ABC"}
    combo["C"].wait_for(timeout=15_000)
    for _ in range(50):
        if combo["A"].input_value() == "1":
            break
        page.wait_for_timeout(100)
    assert [combo[w].input_value() for w in "ABC"] == ["1", "2", "3"]  # the item's order: a, b, c
    page.click("[data-testid=review-adjust]")
    page.wait_for_url("**/review?notice=empty")
    (saved,) = _review_answers(db)
    assert saved["ordinalRankingDimensions"] == [{"name": "correctness", "responseRankings": [1, 2, 3]}]
    context.close()


def test_saving_the_frame_before_it_loaded_says_so(client: Any, factory: Factory, org: Any) -> None:
    db = client.app.state.db
    p = factory.project(org.manager, labels=["cat", "dog"])
    factory.items(org.manager, p.id, 1)
    reviews.update_settings(db, org.manager.actor, p.id, "all")
    lease = assignments.next_for(db, org.annotator.actor, p.id)
    assert lease is not None
    annotations.submit(db, org.annotator.actor, lease.assignment_id, {"label": "dog"})
    task = reviews.next_review(db, org.reviewer.actor, p.id)
    assert task is not None
    r = client.post(f"/projects/{p.id}/review/{task.id}/adjust", data={"frame_value": "", "note": ""},
                    headers=org.reviewer.headers)
    assert r.status_code == 422 and "has not loaded the answer yet" in r.text
    r = client.post(f"/projects/{p.id}/review/{task.id}/adjust", data={"label": "cat"},  # the picker still works
                    headers=org.reviewer.headers, follow_redirects=False)
    assert r.status_code == 303
