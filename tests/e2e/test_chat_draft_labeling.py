"""Draft with model on the real labeling page: an annotator's <lw-chat-editor> in the sandboxed frame
learns the project's model connection through the host, streams a reply from a real
OpenAI-compatible server on loopback (the page relays lw:generate to the generate endpoint), stops
one draft mid-stream — the page aborts its request, so the server hangs up on the model before the
reply's end and stores the generation as cancelled with what had arrived — and undoes it, drafts
again, edits the draft and submits; the stored answer, the manifest and the SFT export say which
model and which stored generation drafted the reply, and that the worker changed it. A worker whose
role the connection leaves out sees Draft disabled, saying why, and sends nothing."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from factories import PASSWORD, Factory
from image_labeling import login
from labelworks.core.chat import count_tokens
from labelworks.core.enums import Role
from openai_server import OpenAIServer

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))
CHAT = [{"role": "system", "content": "You are a careful maths tutor."},
        {"role": "user", "content": "What is 7 times 8?"},
        {"role": "assistant", "content": "7 times 8 is 54."},
        {"role": "user", "content": "Please show how to check that by adding sevens one at a time and counting "
                                    "how many sevens you have added so far"}]
LABELS = {"labels": [{"label": "reply"}], "guidance": {"minWords": 3, "maxWords": 40}}


@pytest.fixture
def server() -> Any:
    s = OpenAIServer()
    yield s
    s.stop()


def test_a_reply_drafted_by_a_connected_model_on_the_labeling_page(live_server: Any, chromium: Any,
                                                                   server: OpenAIServer) -> None:
    live_server.settings.outbound_allow_private = True  # the model server is on loopback
    factory: Factory = live_server.factory
    org_id = factory.org("Draft Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@drafts.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@drafts.test", password=PASSWORD)
    p = factory.project(manager, name="Drafted replies", task_type="chat-demonstration", labels=LABELS,
                        workers_per_item=1)
    factory.items(manager, p.id, rows=[{"messages": CHAT, "id": "conv-1"}])
    r = httpx.post(f"{live_server.url}/api/v1/projects/{p.id}/models", headers=manager.headers, timeout=10,
                   json={"name": "tutor-llm", "kind": "openai", "base_url": server.base_url, "model": "tiny"})
    assert r.status_code == 201, r.text
    server.chunk_delay_s = 0.2  # the echo server says the last user turn back, a word at a time (4.6 s)

    context, page = login(chromium, live_server.url, "ann@drafts.test", PASSWORD)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/label/{p.id}")
    shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
    shown.wait_for(timeout=15_000)
    frame = shown.element_handle().content_frame()
    editor = frame.locator("lw-chat-editor")
    draft = editor.locator("[data-turn='4'] [data-testid=draft]")
    draft.wait_for(timeout=15_000)
    assert "Draft with tutor-llm" in draft.inner_text()
    keys = page.locator(".lw-keys").inner_text()  # the side panel lists the draft keys beside Enter and S
    assert "Alt+G" in keys and "Esc" in keys and "Alt+U" in keys and "undo the draft" in keys
    reply = editor.locator("[data-turn='4'] textarea")
    editor.locator("[data-turn='2'] textarea").fill("7 times 8 is 56.")  # the model sees the corrected turn

    draft.click()  # stopped after the first pieces, then undone
    editor.locator("[data-testid=drafting]").wait_for()
    frame.wait_for_function("() => document.querySelector('lw-chat-editor').turns[4].content.length > 0",
                            timeout=10_000)
    editor.locator("[data-testid=stop-draft]").click()
    assert "(stopped)" in editor.locator("[data-testid=drafted]").inner_text()
    stopped_text = reply.input_value()
    words = len(CHAT[3]["content"].split())
    deadline = time.monotonic() + 10
    while not server.cut_short:  # the model server sees the connection closed…
        assert time.monotonic() < deadline, "the server went on reading the model after Stop"
        time.sleep(0.05)
    assert server.cut_short[0] < words and server.completed == 0  # …before the end of its reply
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "chat-draft-labeling-stopped.png"))
    editor.locator("[data-testid=undo-draft]").click()
    assert reply.input_value() == ""

    draft.click()
    editor.locator("[data-testid=drafting]").wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "chat-draft-labeling-streaming.png"))
    editor.locator("[data-testid=drafted]").wait_for(timeout=15_000)
    drafted = reply.input_value()
    assert drafted == CHAT[3]["content"]
    sent = server.requests[-1]["messages"]
    assert sent == [CHAT[0], CHAT[1], {"role": "assistant", "content": "7 times 8 is 56."}, CHAT[3]]
    reply.fill("Add 7 eight times: 7, 14, 21, 28, 35, 42, 49, 56.")
    page.screenshot(path=str(SHOTS / "chat-draft-labeling-edited.png"))
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()
    assert errors == []

    generations = httpx.get(f"{live_server.url}/api/v1/projects/{p.id}/generations", headers=manager.headers,
                            timeout=10).json()
    cancelled, last = sorted(generations, key=lambda g: g["id"])
    assert last["response_text"] == drafted and last["finish_reason"] == "stop" and last["error"] is None
    # the stopped one: cancelled, holding what reached the server (the worker's part, perhaps a piece more)
    assert cancelled["error"] == "cancelled: the client disconnected"
    assert cancelled["response_text"].startswith(stopped_text) and len(cancelled["response_text"].split()) < words
    assert cancelled["tokens_counted"] and cancelled["completion_tokens"] == count_tokens(cancelled["response_text"])
    assert server.completed == 1  # only the second draft was read to its end
    last_id = last["id"]

    def export(fmt: str) -> list[dict[str, Any]]:
        r = httpx.get(f"{live_server.url}/api/v1/projects/{p.id}/export", params={"format": fmt},
                      headers=manager.headers, timeout=30)
        assert r.status_code == 200, r.text
        return [json.loads(x) for x in r.content.splitlines()]

    (line,) = export("manifest")
    turn = line[p.spec.label_attribute]["messages"][4]
    assert turn == {"role": "assistant", "content": "Add 7 eight times: 7, 14, 21, 28, 35, 42, 49, 56.",
                    "edited": True, "added": True,
                    "source": {"model": "tutor-llm", "generationId": last_id, "draft": drafted, "edited": True}}
    (row,) = export("sft-messages")
    assert [set(m) for m in row["messages"]] == [{"role", "content"}] * 5
    assert row["reply_sources"] == [
        {"turn": 2, "model": "", "generation_id": 0, "draft_edited": False},
        {"turn": 4, "model": "tutor-llm", "generation_id": last_id, "draft_edited": True}]


def test_a_worker_the_connection_leaves_out_sees_draft_disabled_saying_why(live_server: Any, chromium: Any,
                                                                         server: OpenAIServer) -> None:
    live_server.settings.outbound_allow_private = True
    factory: Factory = live_server.factory
    org_id = factory.org("Leads Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@leads.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@leads.test", password=PASSWORD)
    p = factory.project(manager, name="Leads draft", task_type="chat-demonstration", labels=LABELS,
                        workers_per_item=1)
    factory.items(manager, p.id, rows=[{"messages": CHAT, "id": "conv-1"}])
    r = httpx.post(f"{live_server.url}/api/v1/projects/{p.id}/models", headers=manager.headers, timeout=10,
                   json={"name": "tutor-llm", "kind": "openai", "base_url": server.base_url, "model": "tiny",
                         "generate_roles": ["manager", "reviewer"]})
    assert r.status_code == 201, r.text

    context, page = login(chromium, live_server.url, "ann@leads.test", PASSWORD)
    page.goto(f"/label/{p.id}")
    shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
    shown.wait_for(timeout=15_000)
    editor = shown.element_handle().content_frame().locator("lw-chat-editor")
    draft = editor.locator("[data-turn='4'] [data-testid=draft]")
    draft.wait_for(timeout=15_000)
    why = "You cannot draft with tutor-llm: tutor-llm: only manager, reviewer may generate with this model " \
          "(you are annotator)"
    assert draft.is_disabled() and draft.get_attribute("title") == why
    SHOTS.mkdir(parents=True, exist_ok=True)
    draft.hover(force=True)
    page.screenshot(path=str(SHOTS / "chat-draft-labeling-refused.png"))
    editor.locator("[data-turn='4'] textarea").press("Alt+g")
    assert "only manager, reviewer may generate" in editor.locator(".draft-error").inner_text()
    assert server.requests == []  # nothing was asked of the model
    context.close()
