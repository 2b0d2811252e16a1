"""The project page's consensus card in Chromium: agreement figures, then a method change that runs a job."""

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


@pytest.fixture
def page(chromium: Any, live_server: Any) -> Iterator[Any]:
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield pg
    context.close()
    assert not errors, errors


@pytest.mark.e2e
def test_consensus_card_shows_agreement_and_changes_the_method(page: Any, live_server: Any) -> None:
    factory: Factory = live_server.factory
    org_id = factory.org("Consensus Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@consensus.test", password=PASSWORD)
    p = factory.project(manager, name="Sentiment", labels=["positive", "negative", "neutral"], workers_per_item=3)
    factory.items(manager, p.id, rows=[{"source": f"review {i}"} for i in range(6)])
    people = factory.annotators(3, org_id)
    answers = [["positive"] * 3, ["negative"] * 3, ["positive", "positive", "neutral"],
               ["neutral", "negative", "neutral"], ["positive"] * 3, ["negative", "negative", "positive"]]
    for row in answers:
        for who, label in zip(people, row, strict=True):
            task = assignments.next_for(live_server.db, who.actor, p.id)
            assert task is not None
            annotations.submit(live_server.db, who.actor, task.assignment_id, {"label": label}, active_ms=3000)

    page.goto("/login")
    page.fill("#email", "lead@consensus.test")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"/projects/{p.id}")
    card = page.locator("#lw-consensus")
    card.locator("[data-testid=alpha]").wait_for()
    assert card.locator("[data-testid=method]").inner_text() == "Majority vote"
    alpha = float(card.locator("[data-testid=alpha]").inner_text())
    assert 0.0 < alpha < 1.0
    assert card.locator("text=negative").count() >= 1  # the per-label table
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "consensus-card.png"), full_page=True)

    card.locator("select[name=method]").select_option("dawid-skene")
    card.locator("button:has-text('Apply and run')").click()
    page.wait_for_url(f"**/projects/{p.id}/jobs/*")
    page.wait_for_timeout(3000)
    page.screenshot(path=str(SHOTS / "consensus-job.png"), full_page=True)
    page.goto(f"/projects/{p.id}")
    page.locator("#lw-consensus [data-testid=last-run]").wait_for(timeout=15000)
    assert "Dawid" in page.locator("#lw-consensus [data-testid=method]").inner_text()
    assert "6 items from 18 answers" in page.locator("#lw-consensus [data-testid=last-run]").inner_text()
