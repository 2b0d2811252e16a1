"""The review pages in Chromium: a reviewer rejects with feedback, approves, the annotator revises from the
feedback on their project page, the item comes back as round 2 and the reviewer adjusts it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from factories import PASSWORD, Factory
from labelworks.core.enums import Role
from labelworks.db.models import Annotation
from labelworks.services import annotations, assignments, review_feedback, reviews

SCREENSHOTS = Path(os.environ.get("LW_SCREENSHOTS", "/tmp/labelworks-screenshots"))


@pytest.fixture
def browser_page(chromium: Any, live_server: Any) -> Iterator[Any]:
    pages: list[Any] = []
    errors: list[str] = []

    def new_page() -> Any:
        context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        pg = context.new_page()
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
        pages.append(pg)
        return pg

    yield new_page
    for pg in pages:
        pg.context.close()
    assert not errors, errors


def _login(pg: Any, email: str) -> None:
    pg.goto("/login")
    pg.fill("#email", email)
    pg.fill("#password", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.e2e
def test_reviewer_rejects_approves_and_adjusts_and_the_annotator_reworks(browser_page: Any, live_server: Any) -> None:
    factory: Factory = live_server.factory
    db = live_server.db
    org_id = factory.org("Review Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="manager@review.test")
    reviewer = factory.user(Role.REVIEWER, org_id=org_id, email="reviewer@review.test", password=PASSWORD)
    ann = factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@review.test", password=PASSWORD)
    other = factory.user(Role.ANNOTATOR, org_id=org_id, email="other@review.test")
    p = factory.project(manager, labels=["positive", "negative"], workers_per_item=2, name="Reviews")
    factory.items(manager, p.id, rows=[{"source": "Great phone, battery lasts two days"},
                                       {"source": "Screen cracked within a week"}])
    reviews.update_settings(db, manager.actor, p.id, "all")
    texts = {}
    for who, answers in ((ann, ["negative", "negative"]), (other, ["positive", "negative"])):
        for _ in range(2):
            lease = assignments.next_for(db, who.actor, p.id)
            assert lease is not None
            label = answers[0] if lease.data["source"].startswith("Great") else answers[1]
            texts[lease.item_id] = lease.data["source"]
            annotations.submit(db, who.actor, lease.assignment_id, {"label": label}, active_ms=3100)

    page = browser_page()
    _login(page, reviewer.email)
    page.goto(f"/projects/{p.id}")
    page.click(f"a[href=\"/projects/{p.id}/review\"]")
    page.wait_for_url(f"**/projects/{p.id}/review")
    assert page.locator("[data-testid=review-pending]").inner_text() == "2"
    page.click("[data-testid=review-start]")
    page.wait_for_url(f"**/projects/{p.id}/review/*")
    assert "Great phone" in page.locator("[data-testid=review-input]").inner_text()
    answers = page.locator("[data-testid=review-answers] tbody tr")
    assert answers.count() == 2
    table = page.locator("[data-testid=review-answers]").inner_text()
    assert "ann@review.test" in table and "other@review.test" in table and "3.1 s" in table
    assert "confidence" in page.locator("[data-testid=review-consolidated]").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "review-item.png"), full_page=True)

    page.click("[data-testid=review-reject]")  # no feedback, nothing chosen: the page says what is missing
    assert "feedback" in page.locator("[data-testid=review-error]").inner_text().lower()
    page.check("text=ann@review.test: negative")
    page.fill("#feedback", "The battery praise makes this positive.")
    page.click("[data-testid=review-reject]")
    page.wait_for_function("document.querySelector('[data-testid=review-input]')?.innerText.includes('Screen')")
    page.click("[data-testid=review-approve]")
    page.wait_for_url("**/review?notice=empty")
    assert "Nothing is waiting" in page.content()
    assert page.locator("[data-testid=review-rework]").inner_text() == "1"

    worker = browser_page()
    _login(worker, ann.email)
    worker.goto(f"/projects/{p.id}")
    card = worker.locator("[data-testid=feedback-card]")
    card.wait_for()
    assert "The battery praise makes this positive." in card.inner_text()
    worker.click("[data-testid=feedback-link]")
    worker.select_option("select[name=label]", "positive")
    worker.click("[data-testid^=rework-]")
    worker.wait_for_url("**/feedback?notice=reworked")
    assert "answered" in worker.locator("section.lw-card").first.inner_text()
    worker.screenshot(path=str(SCREENSHOTS / "review-feedback.png"), full_page=True)

    page.click("[data-testid=review-start]")
    page.wait_for_url(f"**/projects/{p.id}/review/*")
    assert "Round 2" in page.content() and "Earlier rounds" in page.content()
    # adjust in the task frame: it opens preset with the consolidated answer (positive); choosing
    # "negative" there (key 2) and submitting it (Enter) saves the reviewer's answer
    frame = page.frame_locator("#lw-review-frame")
    frame.locator(".choice[aria-checked=true]").wait_for()
    assert "positive" in frame.locator(".choice[aria-checked=true]").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "review-adjust-frame.png"), full_page=True)
    frame.locator(".choice").nth(1).click()
    frame.locator("body").press("Enter")
    page.wait_for_url("**/review?notice=empty")
    with db.read() as s:
        adjusted = s.scalar(select(Annotation.value).where(Annotation.source == "review"))
    assert adjusted == '{"label": "negative"}'

    stages = [s.stage for s in review_feedback.item_stages(db, manager.actor, p.id, min(texts))]
    assert stages == ["labeled", "labeled", "sampled", "in_review", "rejected", "reworked", "sampled", "in_review",
                      "adjusted"]
    page.goto(f"/projects/{p.id}/items")
    page.locator("tbody tr").first.click()
    page.locator("[data-testid=item-stages]").wait_for()
    assert "adjusted" in page.locator("[data-testid=item-stages]").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "review-stages.png"), full_page=True)


# ---------------------------------------------------------------- the pages' contracts, no browser


def test_review_pages_refuse_annotators_and_keep_form_values_on_errors(client: Any, factory: Factory,
                                                                       org: Any) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"])
    r = client.get(f"/projects/{p.id}/review", headers=org.annotator.headers)
    assert r.status_code == 403 and "text/html" in r.headers["content-type"]
    r = client.post(f"/projects/{p.id}/review/next", headers=org.annotator.headers)
    assert r.status_code == 403
    r = client.get(f"/projects/{p.id}/review", headers=org.reviewer.headers)
    assert r.status_code == 200 and "Review next item" in r.text and "Review settings" not in r.text
    r = client.post(f"/projects/{p.id}/review/settings", data={"mode": "percent", "percent": "", "time_limit_s": "900"},
                    headers=org.manager.headers)
    assert r.status_code == 422 and 'data-field="percent"' in r.text
    r = client.post(f"/projects/{p.id}/review/settings", data={"mode": "percent", "percent": "abc"},
                    headers=org.manager.headers)
    assert r.status_code == 422 and "is not a number" in r.text
    r = client.post(f"/projects/{p.id}/review/settings", data={"mode": "percent", "percent": "10", "time_limit_s": "900"},
                    headers=org.manager.headers, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("/review?notice=saved")
    assert reviews.get_settings(client.app.state.db, org.manager.actor, p.id).percent == 10
    r = client.post(f"/projects/{p.id}/review/next", headers=org.reviewer.headers, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("notice=empty")
    r = client.get(f"/projects/{p.id}/feedback/card", headers=org.annotator.headers)
    assert r.status_code == 200 and "Feedback" not in r.text, "no card without open feedback"
    r = client.get(f"/projects/{p.id}/feedback", headers=org.annotator.headers)
    assert r.status_code == 200 and "No feedback yet" in r.text


def test_the_review_frame_is_sandboxed_like_the_labeling_frame(client: Any, factory: Factory, org: Any) -> None:
    db = client.app.state.db
    p = factory.project(org.manager, labels=["cat", "dog"])
    ids = factory.items(org.manager, p.id, 1, rows=[{"source": "<b>whiskers</b>"}])
    reviews.update_settings(db, org.manager.actor, p.id, "all")
    lease = assignments.next_for(db, org.annotator.actor, p.id)
    assert lease is not None
    annotations.submit(db, org.annotator.actor, lease.assignment_id, {"label": "dog"})
    task = reviews.next_review(db, org.reviewer.actor, p.id)
    assert task is not None and task.item_id == ids[0]
    url = f"/projects/{p.id}/review/{task.id}/frame?nonce=abcdefgh12"
    r = client.get(url, headers=org.reviewer.headers)
    assert r.status_code == 200
    assert "connect-src 'none'" in r.headers["content-security-policy"]
    assert "&lt;b&gt;whiskers&lt;/b&gt;" in r.text and "<b>whiskers" not in r.text, "item data is escaped"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=org.annotator.headers).status_code == 403
    assert client.get(f"/projects/{p.id + 1}/review/{task.id}/frame", headers=org.reviewer.headers).status_code == 404
    page = client.get(f"/projects/{p.id}/review/{task.id}", headers=org.reviewer.headers).text
    assert 'sandbox="allow-scripts allow-forms"' in page and "allow-same-origin" not in page
    assert '"label": {"label": "dog"}' in page, "the frame is preset with the consolidated answer"
    # what the frame's form sends (the output keyed by field name) is normalized by the task type
    r = client.post(f"/projects/{p.id}/review/{task.id}/adjust", data={"frame_value": '{"label": {"label": "cat"}}'},
                    headers=org.reviewer.headers, follow_redirects=False)
    assert r.status_code == 303
    with db.read() as s:
        assert s.scalar(select(Annotation.value).where(Annotation.source == "review")) == '{"label": "cat"}'
