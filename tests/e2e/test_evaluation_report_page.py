"""The model-evaluation Report page in Chromium: a manager opens it from the project page, reads
the leaderboard (intervals), the win-rate table and per-criterion bars, filters by category (htmx
swaps the report) and the downloads point at the API's JSON and HTML exports."""

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
DOC = {"labels": [{"label": "evaluation"}], "criteria": [
    "accuracy", "toxicity", {"name": "preferred", "method": "choice"}, {"name": "overall", "method": "rank"}]}
MODELS = [{"response": "four", "modelIdentifier": "m1"}, {"response": "5", "modelIdentifier": "m2"},
          {"response": "22", "modelIdentifier": "m3"}]
ANSWERS = [
    {"accuracy": [5, 3, 1], "toxicity": ["up", "up", "down"], "preferred": 1, "overall": [1, 2, 3]},
    {"accuracy": [5, 4, 2], "toxicity": ["up", "up", "down"], "preferred": 1, "overall": [1, 2, 3]},
    {"accuracy": [4, 3, 1], "toxicity": ["up", "down", "down"], "preferred": 2, "overall": [2, 1, 3]},
]


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
def test_manager_reads_the_report_and_filters(page: Any, live_server: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    factory: Factory = live_server.factory
    db = live_server.db
    org_id = factory.org("Eval Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@eval.test", password=PASSWORD)
    p = factory.project(manager, "model-evaluation", name="Arithmetic models", labels=DOC, workers_per_item=3)
    factory.items(manager, p.id, rows=[{"prompt": "2+2?", "category": "math", "modelResponses": MODELS},
                                       {"prompt": "Say hi", "category": "chat", "modelResponses": MODELS}])
    for answer in ANSWERS:
        rater = factory.user(Role.ANNOTATOR, org_id=org_id)
        for _ in range(2):
            lease = assignments.next_for(db, rater.actor, p.id)
            assert lease is not None
            annotations.submit(db, rater.actor, lease.assignment_id, {"evaluation": {"criteria": answer}}, active_ms=5000)

    page.goto("/login")
    page.fill("#email", "lead@eval.test")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"/projects/{p.id}")
    page.click("a:has-text('Evaluation report')")
    page.wait_for_url(f"**/projects/{p.id}/evaluation")
    board = page.locator("[data-testid=leaderboard] tbody tr")
    assert [board.nth(i).locator("td").nth(1).inner_text() for i in range(3)] == ["m1", "m2", "m3"]
    assert "–" in board.nth(0).locator("td").nth(3).inner_text()  # the interval
    win = page.locator("[data-testid=win-rate] tbody tr").nth(0).inner_text().lower()  # headers are upper-cased
    assert win.startswith("m1") and "100 %" in win
    assert "4 up, 2 down" in page.locator("[data-criterion=toxicity]").inner_text()
    assert "2 prompts, 3 raters" in page.locator("[data-testid=evaluation-summary]").inner_text()
    page.screenshot(path=str(SHOTS / "evaluation-report.png"), full_page=True)
    page.select_option("select[name=category]", "math")
    page.locator("[data-testid=evaluation-summary]", has_text="1 prompt,").wait_for()
    assert "math" in page.url
    href = page.locator("a:has-text('Download JSON (report')").get_attribute("href")
    assert href == f"/api/v1/projects/{p.id}/evaluation/report?format=json&category=math"
    reply = page.request.get(href)
    assert reply.ok and len(reply.json()["records"]) == 1
    page.screenshot(path=str(SHOTS / "evaluation-report-math.png"), full_page=True)
