"""The consensus card of a model-evaluation project in Chromium: its method is the registered
``evaluation-criteria``, the parameters form switches its label algorithm to Dawid-Skene, and the
raters' agreement is measured."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from factories import PASSWORD, Factory
from labelworks.core.enums import Role
from labelworks.services import annotations, assignments

SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))
DOC = {"labels": [{"label": "evaluation"}], "criteria": ["accuracy", {"name": "preferred", "method": "choice"}]}
MODELS = [{"response": "four", "modelIdentifier": "a"}, {"response": "five", "modelIdentifier": "b"}]


@pytest.fixture
def page(chromium: Any, live_server: Any) -> Iterator[Any]:
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, errors


@pytest.mark.e2e
def test_evaluation_project_consolidates_per_criterion_and_takes_parameters(page: Any, live_server: Any) -> None:
    factory: Factory = live_server.factory
    org_id = factory.org("Eval Consensus Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@evalconsensus.test", password=PASSWORD)
    p = factory.project(manager, "model-evaluation", name="Chatbots", labels=DOC, workers_per_item=3)
    factory.items(manager, p.id, rows=[{"prompt": f"q{i}", "modelResponses": MODELS} for i in range(3)])
    for n, who in enumerate(factory.annotators(3, org_id)):
        while (task := assignments.next_for(live_server.db, who.actor, p.id)) is not None:
            value = {"evaluation": {"criteria": {"accuracy": [5 - n, 2], "preferred": 1 if n < 2 else 2}}}
            annotations.submit(live_server.db, who.actor, task.assignment_id, value, active_ms=2000)

    page.goto("/login")
    page.fill("#email", "lead@evalconsensus.test")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"/projects/{p.id}")
    card = page.locator("#lw-consensus")
    card.locator("[data-testid=method]").wait_for()
    assert card.locator("[data-testid=method]").inner_text().startswith("Model evaluation: per criterion")
    assert card.locator("text=(the task type's default)").count() == 1
    options = card.locator("select[name=method] option").all_inner_texts()
    assert len(options) == 1 and "(worker model)" in options[0]

    card.locator("input[name=params]").fill('{"labels": "dawid-skene"}')
    card.locator("button:has-text('Apply and run')").click()
    page.wait_for_url(f"**/projects/{p.id}/jobs/*")
    for _ in range(30):  # the job runs in the server's worker: reload the card until the run is there
        page.goto(f"/projects/{p.id}")
        page.locator("#lw-consensus [data-testid=method]").wait_for()
        if page.locator("#lw-consensus [data-testid=last-run]").count():
            break
        page.wait_for_timeout(500)
    card = page.locator("#lw-consensus")
    assert "3 items from 9 answers" in card.locator("[data-testid=last-run]").inner_text()
    assert card.locator("code:has-text('labels=dawid-skene')").count() == 1
    # agreement: the mean similarity of the raters' answers over the criteria (evaluation_similarity)
    assert 0.0 < float(card.locator("[data-testid=similarity]").inner_text()) < 1.0
    SHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=str(SHOTS / "evaluation-consensus-card.png"))
