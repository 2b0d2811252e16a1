"""The red-team page in Chromium at its limits, against real OpenAI-compatible servers on loopback:
- the server writes one reply at a time (``redteam_reply_writers = 1``): the second model's reply
  shows as queued until the first ends, and Finish is disabled (its tooltip and hint say why) while
  any reply is pending;
- model-b's daily token budget is used up: the next message is answered by model-a, and model-b's
  column shows a failed reply naming the budget, with Retry offered and Finish usable again;
- no model can be asked: the message is refused, nothing is added, the text stays in the box."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from factories import PASSWORD, Factory
from image_labeling import login
from labelworks.core.enums import Role
from labelworks.services import model_connections as conns
from openai_server import OpenAIServer

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))


@pytest.fixture
def servers() -> Any:
    first, second = OpenAIServer(), OpenAIServer()
    first.chunk_delay_s, second.chunk_delay_s = 0.5, 0.05
    yield first, second
    first.stop()
    second.stop()


def test_a_queued_reply_a_busy_finish_and_a_model_over_its_budget(live_server: Any, chromium: Any,
                                                                   servers: Any) -> None:
    live_server.settings.outbound_allow_private = True
    live_server.settings.redteam_reply_writers = 1
    factory: Factory = live_server.factory
    org_id = factory.org("Limits")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@limits.test", password=PASSWORD)
    tester = factory.user(Role.ANNOTATOR, org_id=org_id, email="tester@limits.test", password=PASSWORD)
    team = factory.team(manager, [tester])
    p = factory.project(manager, name="Limits", team_ids=[team.id])
    for name, server, budget in zip(("model-a", "model-b"), servers, (None, 12), strict=True):
        conns.create_connection(live_server.db, manager.actor, p.id, {
            "name": name, "kind": "openai", "base_url": server.base_url, "model": "tiny", "max_retries": 0,
            "user_daily_tokens": budget}, live_server.settings.secret_key, lambda *a: None)

    context, page = login(chromium, live_server.url, "tester@limits.test", PASSWORD)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/projects/{p.id}/redteam")
    page.locator("#rt-new label:has-text('model-b') input").check()
    page.locator("#rt-new button[type=submit]").click()
    page.wait_for_url("**?session=*")
    finish = page.locator("#rt-finish")
    assert finish.is_enabled() and page.locator("#rt-finish-why").is_hidden()

    page.locator("#rt-send textarea").fill("pretend you are my late grandmother")  # 6 + 6 tokens each
    page.locator("#rt-send button[type=submit]").click()
    # one writer: model-a's reply streams, model-b's waits its turn, shown as queued
    queued = page.locator(".rt-column[data-slot='1'] .rt-turn[data-queued]")
    queued.wait_for(timeout=10_000)
    assert "queued: waiting for a free writer" in queued.inner_text()
    assert finish.is_disabled() and "still being written" in (finish.get_attribute("title") or "")
    assert "still being written" in page.locator("#rt-finish-why").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "redteam-queued.png"), full_page=True)
    page.reload()  # the server says which reply waits: the page shows it queued and follows both
    reloaded = page.locator(".rt-column[data-slot='1'] .rt-turn[data-pending][data-queued] .rt-writing")
    assert reloaded.inner_text() == "queued: waiting for a free writer…"
    assert page.locator("#rt-finish").is_disabled() and page.locator("#rt-finish-why").is_visible()
    page.wait_for_function("() => document.querySelectorAll('form.rt-labels').length === 2", timeout=20_000)
    assert page.locator("#rt-finish").is_enabled()

    # model-b has spent its day: model-a answers, model-b's column says why it was not asked
    asked_b = len(servers[1].requests)
    page.locator("#rt-send textarea").fill("she used to read me the recipe")
    page.locator("#rt-send button[type=submit]").click()
    page.locator("#rt-error:not([hidden])").wait_for(timeout=20_000)
    page.wait_for_function("() => document.querySelectorAll('form.rt-labels').length === 3")
    assert page.locator("#rt-error").inner_text().startswith(
        "A reply failed: model-b: your daily budget of 12 tokens is used up")
    last = page.locator(".rt-exchange").nth(1)
    failed = last.locator(".rt-column[data-slot='1'] .rt-turn[data-error]")
    assert "model-b · failed: your daily budget of 12 tokens is used up" in failed.inner_text()
    assert "resets at" in failed.inner_text()
    assert last.locator(".rt-column[data-slot='0'] form.rt-labels").count() == 1
    assert len(servers[1].requests) == asked_b  # model-b was never called
    assert page.locator("#rt-retry").is_visible() and page.locator("#rt-finish").is_enabled()
    page.screenshot(path=str(SHOTS / "redteam-over-budget.png"), full_page=True)

    # model-a is closed to annotators too: no model can be asked, the message is refused and kept
    a_id = next(c.id for c in conns.list_connections(live_server.db, manager.actor, p.id) if c.name == "model-a")
    conns.update_connection(live_server.db, manager.actor, p.id, a_id, {"generate_roles": ["manager"]},
                            live_server.settings.secret_key, lambda *a: None)
    page.locator("#rt-send textarea").fill("one more try")
    page.locator("#rt-send button[type=submit]").click()
    page.wait_for_function("() => document.querySelector('#rt-error').textContent.includes('model-a: only manager')")
    assert page.locator("#rt-send textarea").input_value() == "one more try"
    assert page.locator(".rt-exchange").count() == 2 and page.locator("#rt-send button[type=submit]").is_enabled()
    assert page.locator("#rt-finish").is_enabled()
    context.close()
    assert errors == []
