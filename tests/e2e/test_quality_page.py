"""The project's Quality page in Chromium, and gold secrecy on the annotator's labeling page.

A manager opens Quality from the project page, sees the worker table (a paused worker with the
reason, flags), the gold items and the notification; saves settings (a field error first), marks
an item gold and resumes the paused worker. An annotator labels a gold item in the browser: no
"gold" anywhere in the labeling page or its task frame.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from factories import PASSWORD, Factory
from labelworks.core.enums import Role
from labelworks.services import annotations, assignments, quality

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


def _login(pg: Any, email: str) -> None:
    pg.goto("/login")
    pg.fill("#email", email)
    pg.fill("#password", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.e2e
def test_manager_runs_quality_from_its_page(page: Any, live_server: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    factory: Factory = live_server.factory
    db = live_server.db
    org_id = factory.org("Quality Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@quality.test", password=PASSWORD)
    p = factory.project(manager, name="Animals", labels=["cat", "dog", "bird"], workers_per_item=2)
    rows = [{"source": f"gold sentence {i}", "gold": "dog"} for i in range(2)] + \
        [{"source": f"sentence {i}"} for i in range(6)]
    ids = factory.items(manager, p.id, rows=rows)
    quality.update_settings(db, manager.actor, p.id, {"gold_rate": 1.0, "min_gold_answers": 2,
                                                      "min_gold_accuracy": 0.6, "min_seconds": 1.5})
    careless, careful = factory.annotators(2, org_id)
    for user, label, ms in ((careless, "cat", 400), (careful, "dog", 6000)):
        for _ in range(4 if user is careful else 2):  # the careless one is paused after two gold answers
            lease = assignments.next_for(db, user.actor, p.id)
            assert lease is not None
            annotations.submit(db, user.actor, lease.assignment_id, {"label": label}, active_ms=ms)

    _login(page, "lead@quality.test")
    page.goto(f"/projects/{p.id}")
    page.click("a:has-text('Quality')")
    page.wait_for_url(f"**/projects/{p.id}/quality")
    workers = page.locator("[data-testid=workers]")
    row = workers.locator(f"tr[data-user-id='{careless.id}']")
    assert "paused" in row.inner_text() and "gold accuracy 0.00 below 0.60 after 2 gold items" in row.inner_text()
    assert "answers faster than 1.5 s" in row.inner_text()
    assert "2 / 2" in workers.locator(f"tr[data-user-id='{careful.id}']").inner_text()
    assert "was paused from this project" in page.locator("[data-testid=notifications]").inner_text()
    assert page.locator("[data-testid=gold] tbody tr").count() == 2
    page.screenshot(path=str(SHOTS / "quality-page.png"), full_page=True)

    # settings: a bad value is marked on its field, then saved
    page.fill("#gold_rate", "2")
    page.click("[data-testid=settings] button[type=submit]")
    assert "between 0 and 1" in page.locator("#gold_rate-error").inner_text()
    assert page.input_value("#gold_rate") == "2"
    page.screenshot(path=str(SHOTS / "quality-settings-error.png"), full_page=True)
    page.fill("#gold_rate", "0.1")
    page.check("input[name=routing]")
    page.fill("#initial_workers", "1")
    page.fill("#rules", '[{"rule": "required", "path": "label"}]')
    page.click("[data-testid=settings] button[type=submit]")
    page.wait_for_url("**/quality?msg=saved")
    assert page.input_value("#gold_rate") == "0.1" and page.is_checked("input[name=routing]")
    assert '"required"' in page.input_value("#rules")

    # mark an item gold: a wrong label first
    page.fill("#item_id", str(ids[5]))
    page.fill("#answer", "cow")
    page.click("[data-testid=mark-gold] button[type=submit]")
    assert "'cow' is not one of the project's labels" in page.locator("#answer-error").inner_text()
    page.fill("#answer", "bird")
    page.click("[data-testid=mark-gold] button[type=submit]")
    page.wait_for_url("**/quality?msg=gold")
    assert "bird" in page.locator(f"[data-testid=gold] tr[data-item-id='{ids[5]}']").inner_text()

    page.locator(f"tr[data-user-id='{careless.id}'] button:has-text('Resume')").click()
    page.wait_for_url("**/quality?msg=resumed")
    assert "paused" not in page.locator(f"tr[data-user-id='{careless.id}'] td").first.inner_text()
    page.screenshot(path=str(SHOTS / "quality-page-after.png"), full_page=True)


@pytest.mark.e2e
def test_the_labeling_page_shows_no_gold_marker(page: Any, live_server: Any) -> None:
    factory: Factory = live_server.factory
    org_id = factory.org("Secret Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@secret.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@secret.test", password=PASSWORD)
    p = factory.project(manager, name="Pets", labels=["cat", "dog"])
    factory.items(manager, p.id, rows=[{"source": "A sentence about a pet", "gold": "dog"},
                                       {"source": "Another sentence"}])
    quality.update_settings(live_server.db, manager.actor, p.id, {"gold_rate": 1.0})
    _login(page, "ann@secret.test")
    page.goto(f"/label/{p.id}")
    frame = None
    for _ in range(150):
        shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
        if shown.count() == 1:
            frame = shown.element_handle().content_frame()
            if frame is not None and frame.locator("lw-form").count():
                break
        page.wait_for_timeout(100)
    assert frame is not None, "no task frame"
    assert "A sentence about a pet" in frame.content()  # the gold item is served first (rate 1) …
    for html in (page.content(), frame.content()):  # … and nothing says so
        assert "gold" not in html.lower()
    page.screenshot(path=str(SHOTS / "quality-annotator-gold-task.png"))


@pytest.mark.e2e
def test_a_paused_worker_reads_why_on_the_labeling_page(page: Any, live_server: Any) -> None:
    factory: Factory = live_server.factory
    db = live_server.db
    org_id = factory.org("Paused Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@paused.test", password=PASSWORD)
    worker = factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@paused.test", password=PASSWORD)
    p = factory.project(manager, name="Birds", labels=["cat", "dog"])
    factory.items(manager, p.id, rows=[{"source": "first", "gold": "dog"}, {"source": "second"}])
    quality.update_settings(db, manager.actor, p.id, {"gold_rate": 1.0, "min_gold_answers": 1,
                                                      "min_gold_accuracy": 0.5})
    lease = assignments.next_for(db, worker.actor, p.id)
    assert lease is not None
    annotations.submit(db, worker.actor, lease.assignment_id, {"label": "cat"})
    _login(page, "ann@paused.test")
    page.goto(f"/label/{p.id}")
    alert = page.locator("[data-lw=alert]")
    alert.wait_for(state="visible", timeout=10000)
    assert "paused from this project: gold accuracy 0.00 below 0.50 after 1 gold items" in alert.inner_text()
    page.screenshot(path=str(SHOTS / "quality-paused-worker.png"))
