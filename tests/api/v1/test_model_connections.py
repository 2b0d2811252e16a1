"""Model connections over HTTP, against a real OpenAI-compatible server on loopback: the real
connector streams, retries, times out and is refused private addresses; keys are sealed at rest and
never returned; every generation is stored; batch generation respects the concurrency limit."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from labelworks.db.engine import Database

from factories import Factory, OrgUsers, wait_for_job
from openai_server import OpenAIServer

pytestmark = pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                                    indirect=True)

KEY = "sk-test-0123456789abcdef"


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    s = OpenAIServer()
    yield s
    s.stop()


@pytest.fixture
def lan(make_client: Callable[..., TestClient]) -> TestClient:
    """A server whose settings allow model endpoints on loopback (the test server is there)."""
    return make_client(outbound_allow_private=True)


def connect(client: TestClient, org: OrgUsers, pid: int, server: OpenAIServer, **fields: Any) -> dict[str, Any]:
    body = {"name": "echo-model", "kind": "openai", "base_url": server.base_url, "model": "tiny",
            "api_key": KEY, **fields}
    r = client.post(f"/api/v1/projects/{pid}/models", json=body, headers=org.manager.headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def sse(client: TestClient, org: OrgUsers, pid: int, mid: int, content: str, **extra: Any) -> list[dict[str, Any]]:
    events = []
    with client.stream("POST", f"/api/v1/projects/{pid}/models/{mid}/generate",
                       json={"messages": [{"role": "user", "content": content}], **extra},
                       headers=org.manager.headers) as r:
        assert r.status_code == 200, r.read()
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    return events


def test_a_streamed_reply_arrives_in_order_and_is_stored_with_usage(lan: TestClient, factory: Factory,
                                                                    org: OrgUsers, server: OpenAIServer) -> None:
    pid = factory.project(org.manager).id
    m = connect(lan, org, pid, server, params={"temperature": 0.2, "max_tokens": 50, "system_prompt": "Be brief.",
                                               "extra": {"seed": 7}})
    events = sse(lan, org, pid, m["id"], "one two three four five")
    chunks = [e["text"] for e in events if e["type"] == "chunk"]
    assert chunks == ["one", " two", " three", " four", " five"]
    done = events[-1]
    assert done["type"] == "done" and done["text"] == "one two three four five" and done["finish_reason"] == "stop"
    assert (done["prompt_tokens"], done["completion_tokens"], done["tokens_counted"]) == (7, 5, False)
    sent = server.requests[0]
    assert sent["stream"] is True and sent["model"] == "tiny" and sent["temperature"] == 0.2 and sent["seed"] == 7
    assert sent["messages"][0] == {"role": "system", "content": "Be brief."}
    assert server.headers[0]["Authorization"] == f"Bearer {KEY}"
    listed = lan.get(f"/api/v1/projects/{pid}/generations", headers=org.manager.headers).json()
    assert len(listed) == 1
    g = listed[0]
    assert g["id"] == done["generation_id"] and g["model_name"] == "echo-model" and g["response_text"] == done["text"]
    assert g["params"]["temperature"] == 0.2 and g["messages"][-1]["content"] == "one two three four five"
    assert g["latency_ms"] >= g["first_token_ms"] >= 0 and g["prompt_tokens"] == 7 and g["error"] is None


def test_chunks_reach_the_client_as_the_model_sends_them(lan: TestClient, factory: Factory, org: OrgUsers,
                                                         server: OpenAIServer) -> None:
    pid = factory.project(org.manager).id
    m = connect(lan, org, pid, server)
    server.chunk_delay_s = 0.25
    arrivals = []
    with lan.stream("POST", f"/api/v1/projects/{pid}/models/{m['id']}/generate", headers=org.manager.headers,
                    json={"messages": [{"role": "user", "content": "a b c d e"}]}) as r:
        for line in r.iter_lines():
            if line.startswith("data: "):
                arrivals.append((json.loads(line[6:])["type"], time.monotonic()))
    assert [t for t, _ in arrivals] == ["chunk"] * 5 + ["done"]
    assert arrivals[-1][1] - arrivals[0][1] > 0.8  # relayed one by one, not buffered to the end
    g = lan.get(f"/api/v1/projects/{pid}/generations", headers=org.manager.headers).json()[0]
    assert g["latency_ms"] - g["first_token_ms"] >= 900


def test_without_usage_the_tokens_are_counted_and_flagged(lan: TestClient, factory: Factory, org: OrgUsers,
                                                          server: OpenAIServer) -> None:
    pid = factory.project(org.manager).id
    m = connect(lan, org, pid, server)
    server.no_usage = True
    done = sse(lan, org, pid, m["id"], "alpha beta, gamma")[-1]
    assert done["type"] == "done" and done["tokens_counted"] is True and done["completion_tokens"] == 4


def test_retries_back_off_then_succeed_honouring_retry_after(lan: TestClient, factory: Factory, org: OrgUsers,
                                                             server: OpenAIServer) -> None:
    pid = factory.project(org.manager).id
    m = connect(lan, org, pid, server, max_retries=3)
    server.fail_times, server.fail_status, server.retry_after = 2, 429, "0.3"
    done = sse(lan, org, pid, m["id"], "hello there")[-1]
    assert done["type"] == "done" and done["text"] == "hello there" and done["attempts"] == 3
    gaps = [b - a for a, b in zip(server.arrivals, server.arrivals[1:], strict=False)]
    assert len(gaps) == 2 and all(gap >= 0.29 for gap in gaps), gaps
    server.fail_times, server.fail_status = 1, 503
    server.retry_after = None
    assert sse(lan, org, pid, m["id"], "again")[-1]["attempts"] == 2


def test_retries_exhausted_give_a_clear_error_and_a_stored_failure(lan: TestClient, factory: Factory,
                                                                   org: OrgUsers, server: OpenAIServer) -> None:
    pid = factory.project(org.manager).id
    m = connect(lan, org, pid, server, max_retries=2)
    server.fail_times, server.fail_status = 10, 500
    events = sse(lan, org, pid, m["id"], "hello")
    assert [e["type"] for e in events] == ["error"]
    assert events[0]["message"] == 'the model answered HTTP 500: {"error": {"message": "try again later"}}, after 3 attempts'
    assert len(server.requests) == 3
    g = lan.get(f"/api/v1/projects/{pid}/generations", headers=org.manager.headers).json()[0]
    assert g["error"] == events[0]["message"] and g["finish_reason"] == "error" and g["attempts"] == 3
    server.fail_times, server.fail_status = 1, 400  # a client error is not retried
    events = sse(lan, org, pid, m["id"], "hello")
    assert events[-1]["message"].startswith("the model answered HTTP 400") and len(server.requests) == 4


def test_a_slow_endpoint_and_a_stalled_stream_time_out(lan: TestClient, factory: Factory, org: OrgUsers,
                                                       server: OpenAIServer) -> None:
    pid = factory.project(org.manager).id
    m = connect(lan, org, pid, server, timeout_s=0.5)
    server.delay_s = 1.5
    started = time.monotonic()
    events = sse(lan, org, pid, m["id"], "hello")
    assert events == [pytest.approx(events[0])] and events[0]["message"] == "the model did not answer within 0.5 s"
    assert time.monotonic() - started < 1.4
    server.delay_s, server.hang_after_chunks = 0, 2
    events = sse(lan, org, pid, m["id"], "a b c d")
    assert [e["type"] for e in events] == ["chunk", "chunk", "error"]
    assert events[-1]["message"] == "the model stopped sending for 0.5 s in the middle of its answer"
    g = lan.get(f"/api/v1/projects/{pid}/generations", headers=org.manager.headers).json()[0]
    assert g["response_text"] == "a b" and g["error"] == events[-1]["message"]


def test_a_private_address_is_refused_unless_allowed(client: TestClient, factory: Factory, org: OrgUsers,
                                                     server: OpenAIServer) -> None:
    pid = factory.project(org.manager).id
    r = client.post(f"/api/v1/projects/{pid}/models", headers=org.manager.headers,
                    json={"name": "m", "kind": "openai", "base_url": server.base_url, "model": "tiny"})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "base_url" and "private or local address" in r.json()["error"]["message"]
    assert server.requests == []


def test_the_key_is_sealed_at_rest_and_never_returned(lan: TestClient, factory: Factory, org: OrgUsers,
                                                      server: OpenAIServer, db: Database) -> None:
    pid = factory.project(org.manager).id
    m = connect(lan, org, pid, server)
    assert m["api_key"] == "set"
    with db.read() as s:
        sealed = s.execute(text("SELECT api_key_sealed FROM model_connections WHERE id = :i"), {"i": m["id"]}).scalar()
    assert sealed.startswith("lw1:") and KEY not in sealed
    for path in (f"/api/v1/projects/{pid}/models", f"/api/v1/projects/{pid}/models/{m['id']}"):
        assert KEY not in lan.get(path, headers=org.manager.headers).text
    r = lan.patch(f"/api/v1/projects/{pid}/models/{m['id']}", json={"model": "tiny-2"}, headers=org.manager.headers)
    assert r.json()["api_key"] == "set" and r.json()["model"] == "tiny-2"  # absent: the key is kept
    sse(lan, org, pid, m["id"], "hi")
    assert server.headers[-1]["Authorization"] == f"Bearer {KEY}"
    r = lan.patch(f"/api/v1/projects/{pid}/models/{m['id']}", json={"api_key": None}, headers=org.manager.headers)
    assert r.json()["api_key"] == "not set"
    sse(lan, org, pid, m["id"], "hi")
    assert "Authorization" not in server.headers[-1]


def test_only_managers_manage_connections(lan: TestClient, factory: Factory, org: OrgUsers,
                                          server: OpenAIServer) -> None:
    pid = factory.project(org.manager).id
    m = connect(lan, org, pid, server)
    body = {"name": "x", "kind": "openai", "base_url": server.base_url, "model": "tiny"}
    for user in (org.reviewer, org.annotator):
        assert lan.post(f"/api/v1/projects/{pid}/models", json=body, headers=user.headers).status_code == 403
        assert lan.patch(f"/api/v1/projects/{pid}/models/{m['id']}", json={"model": "y"},
                         headers=user.headers).status_code == 403
        assert lan.delete(f"/api/v1/projects/{pid}/models/{m['id']}", headers=user.headers).status_code == 403
        assert lan.post(f"/api/v1/projects/{pid}/generate", json={"connections": [m["id"]]},
                        headers=user.headers).status_code == 403
        assert lan.post(f"/api/v1/projects/{pid}/models/{m['id']}/test", headers=user.headers).status_code == 403
    assert lan.get(f"/api/v1/projects/{pid}/generations", headers=org.annotator.headers).status_code == 403
    listed = lan.get(f"/api/v1/projects/{pid}/models", headers=org.annotator.headers).json()
    assert [(c["name"], c["base_url"]) for c in listed] == [("echo-model", None)]  # where it runs: managers only
    other = factory.org_users("Org B")
    assert lan.get(f"/api/v1/projects/{pid}/models", headers=other.manager.headers).status_code == 404
    assert lan.post(f"/api/v1/projects/{pid}/models/{m['id']}/generate", headers=other.manager.headers,
                    json={"messages": [{"role": "user", "content": "x"}]}).status_code == 404
    assert lan.delete(f"/api/v1/projects/{pid}/models/{m['id']}", headers=org.manager.headers).status_code == 204


def test_bad_input_names_the_field(lan: TestClient, factory: Factory, org: OrgUsers, server: OpenAIServer) -> None:
    pid = factory.project(org.manager).id
    m = connect(lan, org, pid, server)
    r = lan.post(f"/api/v1/projects/{pid}/models/{m['id']}/generate", headers=org.manager.headers,
                 json={"messages": [{"role": "wizard", "content": "x"}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "messages[0].role"
    r = lan.post(f"/api/v1/projects/{pid}/models", headers=org.manager.headers,
                 json={"name": "echo-model", "kind": "openai", "base_url": server.base_url, "model": "tiny"})
    assert r.status_code == 409 and r.json()["error"]["field"] == "name"
    r = lan.post(f"/api/v1/projects/{pid}/models", headers=org.manager.headers,
                 json={"name": "b", "kind": "openai", "base_url": server.base_url, "model": "t",
                       "params": {"temperature": 5}})
    assert r.status_code == 422 and r.json()["error"]["field"] == "params.temperature"
    r = lan.post(f"/api/v1/projects/{pid}/models", headers=org.manager.headers,
                 json={"name": "c", "kind": "python", "model": "no-such-model"})
    assert r.status_code == 422 and "echo" in r.json()["error"]["message"]


def test_test_connection_and_an_in_process_model(lan: TestClient, factory: Factory, org: OrgUsers,
                                                 server: OpenAIServer) -> None:
    pid = factory.project(org.manager).id
    m = connect(lan, org, pid, server)
    r = lan.post(f"/api/v1/projects/{pid}/models/{m['id']}/test", headers=org.manager.headers)
    assert r.status_code == 200 and r.json()["ok"] is True and r.json()["text"] == "Say hello in five words."
    r = lan.post(f"/api/v1/projects/{pid}/models", headers=org.manager.headers,
                 json={"name": "local", "kind": "python", "model": "echo"})
    assert r.status_code == 201 and r.json()["base_url"] is None
    events = sse(lan, org, pid, r.json()["id"], "plugins answer too")
    assert [e["text"] for e in events if e["type"] == "chunk"] == ["plugins", " answer", " too"]
    assert events[-1]["type"] == "done" and events[-1]["model"] == "local"
    sources = [g["source"] for g in lan.get(f"/api/v1/projects/{pid}/generations", headers=org.manager.headers).json()]
    assert sources == ["api", "test"]


def _item_data(db: Database, item_id: int) -> dict[str, Any]:
    with db.read() as s:
        return json.loads(s.execute(text("SELECT data FROM items WHERE id = :i"), {"i": item_id}).scalar())  # type: ignore[no-any-return]


def test_batch_generation_stays_within_the_concurrency_limit_and_resumes(lan: TestClient, factory: Factory,
                                                                         org: OrgUsers, server: OpenAIServer,
                                                                         db: Database) -> None:
    pid = factory.project(org.manager).id
    # the item needs a source to be imported; the prompt is taken from messages, then prompt, then source
    rows: list[dict[str, Any]] = [{"source": f"s{i}", "prompt": f"prompt number {i}"} for i in range(18)]
    rows += [{"source": "s", "messages": [{"role": "user", "content": "chat form"}]},
             {"source": "plain source text"}]
    ids = factory.items(org.manager, pid, rows=rows)
    m = connect(lan, org, pid, server, concurrency=3)
    server.delay_s = 0.15
    r = lan.post(f"/api/v1/projects/{pid}/generate", json={"connections": [m["id"]]}, headers=org.manager.headers)
    assert r.status_code == 202, r.text
    job = wait_for_job(lan, r.json()["id"], org.manager.headers)
    assert job["status"] == "done", job
    assert job["result"]["models"]["echo-model"] == {"generated": 20, "skipped": 0, "failed": []}
    assert job["progress_done"] == job["progress_total"] == 20
    assert len(server.requests) == 20 and server.max_in_flight == 3
    stored = _item_data(db, ids[0])["lw-generations"]["echo-model"]
    assert stored["text"] == "prompt number 0" and isinstance(stored["generation_id"], int)
    texts = [_item_data(db, i)["lw-generations"]["echo-model"]["text"] for i in ids[-2:]]
    assert texts == ["chat form", "plain source text"]
    r = lan.post(f"/api/v1/projects/{pid}/generate", json={"connections": [m["id"]]}, headers=org.manager.headers)
    job = wait_for_job(lan, r.json()["id"], org.manager.headers)
    assert job["result"]["models"]["echo-model"] == {"generated": 0, "skipped": 20, "failed": []}
    assert len(server.requests) == 20
