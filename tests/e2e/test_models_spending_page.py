"""Spending control in Chromium against the loopback OpenAI-compatible server: on the Models card a
manager limits who may generate and sets token budgets (a bad budget refused beside its field), sees
the tokens spent today and this month with the top users, and the Test button shows a used-up
budget's message; on the labeling page an annotator's element asking a model whose budget is used up
gets that message back through the host."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from factories import PASSWORD, Factory
from image_labeling import login
from labelworks.core.enums import Role
from labelworks.db.models import ModelConnection
from openai_server import OpenAIServer

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))

_ASK = """([model, question]) => new Promise((resolve) => {
  const nonce = new URLSearchParams(location.search).get("nonce");
  addEventListener("message", (e) => {
    const m = e.data;
    if (m && m.nonce === nonce && m.id === 78 && m.type === "lw:generate-done")
      resolve({ ok: m.ok, error: m.error || null });
  });
  parent.postMessage({ type: "lw:generate", nonce, id: 78, model,
                       messages: [{ role: "user", content: question }], params: {} }, "*");
})"""


@pytest.fixture
def server() -> Any:
    s = OpenAIServer()
    yield s
    s.stop()


def test_the_models_card_sets_roles_and_budgets_and_shows_usage(live_server: Any, chromium: Any,
                                                                 server: OpenAIServer) -> None:
    live_server.settings.outbound_allow_private = True
    factory: Factory = live_server.factory
    org_id = factory.org("Spending page")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@spend.test", password=PASSWORD)
    annotator = factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@spend.test", password=PASSWORD)
    team = factory.team(manager, [annotator])
    p = factory.project(manager, name="Budgets", task_type="text-classification", labels=["good", "bad"],
                        team_ids=[team.id])
    factory.items(manager, p.id, rows=[{"source": f"s{i}", "prompt": f"prompt {i}"} for i in range(3)])
    context, page = login(chromium, live_server.url, "lead@spend.test", PASSWORD)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/projects/{p.id}")
    card = page.locator("#lw-models")
    card.locator("[data-testid=model-form]").wait_for(timeout=15_000)
    spending = card.locator("[data-testid=spending]")
    assert spending.locator("input[name=generate_roles]:checked").count() == 5  # everyone, as before
    card.locator("#model-name").fill("model-a")
    card.locator("#model-model").fill("tiny")
    card.locator("#model-base_url").fill(server.base_url)
    card.locator("#model-user_daily_tokens").fill("lots")
    card.locator("#model-project_monthly_tokens").fill("100,000")
    card.locator("button:has-text('Add model')").click()
    card.locator(".lw-field-error[data-field=user_daily_tokens]").wait_for()
    assert card.locator(".lw-field-error").inner_text() == "A whole number of tokens, or empty for no budget."
    # the typed values are kept: fix the one field and untick reviewers
    assert card.locator("#model-project_monthly_tokens").input_value() == "100,000"
    card.locator("#model-user_daily_tokens").fill("60")
    card.locator("[data-testid=spending] input[value=reviewer]").uncheck()
    card.locator("button:has-text('Add model')").click()
    usage = card.locator("[data-testid=usage-model-a]")
    usage.wait_for()
    assert "Only owner, admin, manager, annotator" in usage.inner_text()
    with live_server.db.read() as s:
        row = s.query(ModelConnection).one()
        assert (row.generate_roles, row.user_daily_tokens, row.project_monthly_tokens) == \
            ("owner,admin,manager,annotator", 60, 100_000)

    # spend: the manager tests (5 + 5 tokens), the annotator asks twice through the labeling page
    card.locator("[data-testid=test-model-a]").click()
    card.locator("[data-testid=test-result]").wait_for()
    ann_context, ann_page = login(chromium, live_server.url, "ann@spend.test", PASSWORD)
    ann_page.goto(f"/label/{p.id}")
    shown = ann_page.locator("iframe.lw-frame:not(.lw-frame-pending)")
    shown.wait_for(timeout=15_000)
    frame = shown.element_handle().content_frame()
    frame.wait_for_load_state()
    words = " ".join(["word"] * 15)
    for _ in range(2):  # 30 tokens each: the second reaches 60
        assert frame.evaluate(_ASK, ["model-a", words])["ok"] is True
    refused = frame.evaluate(_ASK, ["model-a", words])
    assert refused["ok"] is False
    assert refused["error"]["message"].startswith("model-a: your daily budget of 60 tokens is used up (60 spent); "
                                                  "it resets at ")
    ann_context.close()

    page.reload()
    card.locator("[data-testid=usage-model-a]").wait_for(timeout=15_000)
    text = usage.inner_text()
    assert "Today 70 tokens" in text and "This month 70 of 100,000 tokens" in text, text
    usage.locator("summary").click()
    top = usage.locator("ol li")
    assert top.count() == 2 and top.first.inner_text().endswith(": 60 (60 today)"), top.all_inner_texts()

    # the manager's own budget used up: the Test button says so on the card
    httpx.patch(f"{live_server.url}/api/v1/projects/{p.id}/models/{row.id}", headers=manager.headers, timeout=10,
                json={"user_daily_tokens": 10}).raise_for_status()
    page.reload()
    card.locator("[data-testid=test-model-a]").wait_for(timeout=15_000)
    card.locator("[data-testid=test-model-a]").click()
    result = card.locator("[data-testid=test-result]")
    result.wait_for()
    assert "Model-a: your daily budget of 10 tokens is used up (10 spent); it resets at" in result.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    usage.locator("summary").click()
    card.screenshot(path=str(SHOTS / "models-card-spending.png"))
    card.locator("[data-testid=edit-model-a]").click()
    card.locator("h3:has-text('Edit model-a')").wait_for()
    assert card.locator("#model-user_daily_tokens").input_value() == "10"
    assert not card.locator("[data-testid=spending] input[value=reviewer]").is_checked()
    card.locator("[data-testid=spending]").screenshot(path=str(SHOTS / "models-card-spending-form.png"))
    assert errors == []
    context.close()
