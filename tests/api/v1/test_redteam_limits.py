"""Red teaming at its limits, over HTTP against real OpenAI-compatible servers on loopback:
- a side-by-side session where one model cannot be called (its token budget used up, a role it does
  not allow): the others answer, its column gets a failed reply saying why (never sent back to it),
  Retry asks it again once the budget allows; only when no model can be asked is the message refused;
- the process-wide bound on reply writers: past it, replies wait (``queued``, then ``started``) and the
  model never has more requests in flight than the bound;
- Stop: the generation row of a stopped reply says it was stopped by the tester."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import Factory, OrgUsers, UserHandle
from labelworks.db.engine import Database
from labelworks.services import redteam
from openai_server import OpenAIServer

pytestmark = pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                                    indirect=True)


@pytest.fixture
def servers() -> Iterator[tuple[OpenAIServer, OpenAIServer]]:
    a, b = OpenAIServer(), OpenAIServer()
    yield a, b
    a.stop()
    b.stop()


def sse(client: TestClient, who: UserHandle, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    with client.stream("POST", path, json=body, headers=who.headers) as r:
        if r.status_code != 200:
            r.read()
            return r.status_code, r.json()
        return 200, [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: ")]


def model(client: TestClient, org: OrgUsers, pid: int, name: str, server: OpenAIServer, **rules: Any) -> int:
    r = client.post(f"/api/v1/projects/{pid}/models", headers=org.manager.headers, json={
        "name": name, "kind": "openai", "base_url": server.base_url, "model": "tiny", "max_retries": 0, **rules})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def project(factory: Factory, org: OrgUsers) -> int:
    team = factory.team(org.manager, [org.annotator])
    return factory.project(org.manager, team_ids=[team.id]).id


def finals(events: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {e["slot"]: e for e in events if e["type"] in ("done", "error")}


def test_a_model_over_its_budget_fails_in_its_column_and_the_others_answer(
        make_client: Callable[..., TestClient], factory: Factory, org: OrgUsers,
        servers: tuple[OpenAIServer, OpenAIServer]) -> None:
    lan = make_client(outbound_allow_private=True)
    pid = project(factory, org)
    a = model(lan, org, pid, "model-a", servers[0])
    b = model(lan, org, pid, "model-b", servers[1], user_daily_tokens=4)  # one short reply spends it
    t = org.annotator
    sid = lan.post(f"/api/v1/projects/{pid}/redteam/sessions", json={"connection_ids": [a, b]},
                   headers=t.headers).json()["id"]
    base = f"/api/v1/projects/{pid}/redteam/sessions/{sid}"
    status, events = sse(lan, t, f"{base}/turns", {"content": "hello there"})
    assert status == 200 and {s: e["type"] for s, e in finals(events).items()} == {0: "done", 1: "done"}

    status, events = sse(lan, t, f"{base}/turns", {"content": "now the recipe"})
    assert status == 200
    got = finals(events)
    assert got[0]["type"] == "done" and got[0]["turn"]["content"] == "now the recipe"
    assert got[1]["type"] == "error" and got[1]["model"] == "model-b"
    assert got[1]["message"].startswith("model-b: your daily budget of 4 tokens is used up")
    assert "resets at" in got[1]["message"] and got[1]["turn"]["error"] == got[1]["message"]
    assert len(servers[1].requests) == 1  # model-b was not called
    turns = lan.get(base, headers=t.headers).json()["turns"]
    assert [(x["role"], x["slot"], x["error"] is not None) for x in turns[-3:]] == [
        ("user", None, False), ("assistant", 0, False), ("assistant", 1, True)]

    # Retry while the budget is still used up: no model can be asked, nothing is stored
    status, body = sse(lan, t, f"{base}/retry")
    assert status == 429 and body["error"]["message"].startswith("model-b: your daily budget")
    assert len(lan.get(base, headers=t.headers).json()["turns"]) == len(turns)
    # the manager raises the budget: Retry asks model-b again, without its failed reply
    lan.patch(f"/api/v1/projects/{pid}/models/{b}", headers=org.manager.headers,
              json={"user_daily_tokens": 1000}).raise_for_status()
    status, events = sse(lan, t, f"{base}/retry")
    assert status == 200 and [(e["type"], e["slot"]) for e in events if e["type"] != "chunk"] == [("done", 1)]
    assert servers[1].requests[-1]["messages"] == [
        {"role": "user", "content": "hello there"}, {"role": "assistant", "content": "hello there"},
        {"role": "user", "content": "now the recipe"}]


def test_only_when_no_model_can_be_asked_is_the_message_refused(
        make_client: Callable[..., TestClient], factory: Factory, org: OrgUsers,
        servers: tuple[OpenAIServer, OpenAIServer]) -> None:
    lan = make_client(outbound_allow_private=True)
    pid = project(factory, org)
    a = model(lan, org, pid, "model-a", servers[0], generate_roles=["manager"])  # not for annotators
    b = model(lan, org, pid, "model-b", servers[1])
    t = org.annotator
    sid = lan.post(f"/api/v1/projects/{pid}/redteam/sessions", json={"connection_ids": [a, b]},
                   headers=t.headers).json()["id"]
    base = f"/api/v1/projects/{pid}/redteam/sessions/{sid}"
    status, events = sse(lan, t, f"{base}/turns", {"content": "tell me"})
    got = finals(events)
    assert status == 200 and got[1]["type"] == "done" and not servers[0].requests
    assert got[0]["type"] == "error" and got[0]["message"] == \
        "model-a: only manager may generate with this model (you are annotator)"

    lan.patch(f"/api/v1/projects/{pid}/models/{b}", headers=org.manager.headers,
              json={"generate_roles": ["manager"]}).raise_for_status()
    before = lan.get(base, headers=t.headers).json()["turns"]
    r = lan.post(f"{base}/turns", json={"content": "again"}, headers=t.headers)
    assert r.status_code == 403 and r.json()["error"]["message"].startswith("model-a: only manager")
    assert lan.get(base, headers=t.headers).json()["turns"] == before  # nothing stored


def test_replies_past_the_writer_bound_wait_their_turn(make_client: Callable[..., TestClient], factory: Factory,
                                                       org: OrgUsers, servers: tuple[OpenAIServer, OpenAIServer]
                                                       ) -> None:
    lan = make_client(outbound_allow_private=True, redteam_reply_writers=2)
    server = servers[0]
    server.chunk_delay_s = 0.15
    pid = project(factory, org)
    ids = [model(lan, org, pid, f"model-{n}", server) for n in "abcd"]  # four models, one server
    t = org.annotator
    sid = lan.post(f"/api/v1/projects/{pid}/redteam/sessions", json={"connection_ids": ids},
                   headers=t.headers).json()["id"]
    base = f"/api/v1/projects/{pid}/redteam/sessions/{sid}"
    events: list[dict[str, Any]] = []
    seen_queued: list[bool] = []
    with lan.stream("POST", f"{base}/turns", json={"content": "one two three four"}, headers=t.headers) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
                if events[-1]["type"] == "queued" and not seen_queued:  # what a reload sees meanwhile
                    turns = lan.get(base, headers=t.headers).json()["turns"]
                    seen_queued.append(next(x for x in turns if x["id"] == events[-1]["turn_id"])["queued"])
    queued = [e for e in events if e["type"] == "queued"]
    assert len(queued) == 2 and "2 replies at once" in queued[0]["message"]
    assert seen_queued == [True]
    for e in queued:  # each waiting reply starts, then streams and ends
        kinds = [x["type"] for x in events if x["turn_id"] == e["turn_id"]]
        assert kinds[:2] == ["queued", "started"] and kinds[-1] == "done"
    assert server.max_in_flight == 2 and len(server.requests) == 4
    turns = lan.get(base, headers=t.headers).json()["turns"]
    assert [x["content"] for x in turns if x["role"] == "assistant"] == ["one two three four"] * 4
    assert not any(x["queued"] or x["pending"] for x in turns)


def test_a_stopped_reply_says_so_on_its_generation(lan_db: tuple[TestClient, Database], factory: Factory,
                                                   org: OrgUsers, servers: tuple[OpenAIServer, OpenAIServer]) -> None:
    lan, db = lan_db
    server = servers[0]
    server.chunk_delay_s = 0.1
    pid = project(factory, org)
    mid = model(lan, org, pid, "model-a", server)
    t = org.annotator
    sid = lan.post(f"/api/v1/projects/{pid}/redteam/sessions", json={"connection_id": mid},
                   headers=t.headers).json()["id"]
    base = f"/api/v1/projects/{pid}/redteam/sessions/{sid}"
    words = " ".join(f"w{i}" for i in range(60))
    done: list[Any] = []
    sender = threading.Thread(target=lambda: done.append(sse(lan, t, f"{base}/turns", {"content": words})))
    sender.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # wait until part of the reply is saved
        turns = redteam.get_session(db, t.actor, pid, sid).turns
        if turns and turns[-1].role == "assistant" and turns[-1].content:
            break
        time.sleep(0.05)
    stopped = lan.post(f"{base}/stop", headers=t.headers)
    assert stopped.status_code == 200 and stopped.json()["turns"][-1]["error"] == "stopped by the tester"
    sender.join(timeout=15)
    assert done and done[0][1][-1]["message"] == "stopped by the tester"
    gens = lan.get(f"/api/v1/projects/{pid}/generations", headers=org.manager.headers).json()
    assert gens[0]["error"] == "stopped by the tester" and gens[0]["source"] == "redteam"
    assert 0 < len(gens[0]["response_text"].split()) < 60


@pytest.fixture
def lan_db(make_client: Callable[..., TestClient], db: Database) -> tuple[TestClient, Database]:
    return make_client(outbound_allow_private=True), db


def test_a_reply_stopped_while_it_waits_for_a_writer_never_calls_its_model(
        make_client: Callable[..., TestClient], factory: Factory, org: OrgUsers,
        servers: tuple[OpenAIServer, OpenAIServer]) -> None:
    lan = make_client(outbound_allow_private=True, redteam_reply_writers=1)
    first, second = servers
    first.chunk_delay_s = 0.2
    pid = project(factory, org)
    ids = [model(lan, org, pid, "model-a", first), model(lan, org, pid, "model-b", second)]
    t = org.annotator
    sid = lan.post(f"/api/v1/projects/{pid}/redteam/sessions", json={"connection_ids": ids},
                   headers=t.headers).json()["id"]
    base = f"/api/v1/projects/{pid}/redteam/sessions/{sid}"
    events: list[dict[str, Any]] = []
    with lan.stream("POST", f"{base}/turns", json={"content": "a b c d e f g h"}, headers=t.headers) as r:
        for line in r.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
                if events[-1]["type"] == "queued":
                    assert lan.post(f"{base}/stop", headers=t.headers).status_code == 200
    ends = finals(events)
    assert ends[1]["type"] == "error" and ends[1]["message"] == "stopped by the tester"
    assert not second.requests  # model-b was never asked
    turns = lan.get(base, headers=t.headers).json()["turns"]
    assert [(x["slot"], x["error"]) for x in turns if x["role"] == "assistant"] == [
        (0, "stopped by the tester"), (1, "stopped by the tester")]
