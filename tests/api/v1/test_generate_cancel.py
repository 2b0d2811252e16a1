"""A reply whose caller goes away stops at the model too: over a real uvicorn server, a client that
closes the generate stream after two pieces makes the server stop reading from the (loopback,
OpenAI-compatible) model and hang up on it before the reply's end; the generation is stored as
cancelled with the text that arrived, its tokens counted from that text."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from labelworks.core.chat import count_tokens
from labelworks.core.enums import Role
from labelworks.services import model_connections as conns

from factories import PASSWORD, Factory
from openai_server import OpenAIServer

WORDS = 40


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    s = OpenAIServer()
    yield s
    s.stop()


def _until(check: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_closing_the_stream_stops_the_model_and_stores_a_cancelled_generation(live_server: Any,
                                                                              server: OpenAIServer) -> None:
    live_server.settings.outbound_allow_private = True
    factory: Factory = live_server.factory
    org_id = factory.org("Cancel Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@cancel.test", password=PASSWORD)
    p = factory.project(manager, name="Cancelled replies", task_type="chat-demonstration",
                        labels={"labels": [{"label": "reply"}]})
    r = httpx.post(f"{live_server.url}/api/v1/projects/{p.id}/models", headers=manager.headers, timeout=10,
                   json={"name": "slow", "kind": "openai", "base_url": server.base_url, "model": "tiny"})
    assert r.status_code == 201, r.text
    server.chunk_delay_s = 0.1  # 40 words: four seconds if read to the end
    prompt = " ".join(f"w{i}" for i in range(WORDS))
    seen: list[str] = []
    with httpx.stream("POST", f"{live_server.url}/api/v1/projects/{p.id}/models/{r.json()['id']}/generate",
                      headers=manager.headers, timeout=10,
                      json={"messages": [{"role": "user", "content": prompt}]}) as answer:
        assert answer.status_code == 200
        for line in answer.iter_lines():
            if line.startswith("data: "):
                seen.append(json.loads(line[6:])["text"])
            if len(seen) == 2:
                break  # leaving the block closes the connection, as an aborted fetch does
    started = time.monotonic()
    _until(lambda: server.cut_short)  # the server hung up on the model…
    assert time.monotonic() - started < 3.0  # the whole reply would take 4 s
    assert 2 <= server.cut_short[0] < WORDS and server.completed == 0  # …well before the end of its reply

    actor = manager.actor
    _until(lambda: bool(conns.list_generations(live_server.db, actor, p.id)))
    (g,) = conns.list_generations(live_server.db, actor, p.id)
    assert g.error == "cancelled: the client disconnected" and g.finish_reason == "error"
    assert g.response_text.startswith("".join(seen)) and len(g.response_text.split()) < WORDS
    assert g.tokens_counted and g.completion_tokens == count_tokens(g.response_text)
    assert g.prompt_tokens == count_tokens(prompt)
