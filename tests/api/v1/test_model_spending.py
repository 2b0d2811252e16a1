"""Spending control over HTTP against the loopback OpenAI-compatible server: managers set the roles
and budgets (bad values named by field), a used-up budget answers 429 with the message and a
Retry-After until it resets, a role left out answers 403, the usage API, and a batch job that
stops at the budget."""

from __future__ import annotations

import json
import re
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


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    s = OpenAIServer()
    yield s
    s.stop()


@pytest.fixture
def lan(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(outbound_allow_private=True)


def _project(factory: Factory, org: OrgUsers) -> int:
    team = factory.team(org.manager, [org.annotator])
    return factory.project(org.manager, team_ids=[team.id]).id


def _generate(client: TestClient, headers: dict[str, str], pid: int, mid: int, content: str = "a b c d e"
              ) -> tuple[int, Any]:
    """The status, and the events (a 200 stream) or the error envelope."""
    with client.stream("POST", f"/api/v1/projects/{pid}/models/{mid}/generate", headers=headers,
                       json={"messages": [{"role": "user", "content": content}]}) as r:
        if r.status_code != 200:
            r.read()
            return r.status_code, (r.json(), r.headers)
        return 200, [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: ")]


def test_managers_set_roles_and_budgets_and_bad_values_name_the_field(lan: TestClient, factory: Factory,
                                                                      org: OrgUsers, server: OpenAIServer) -> None:
    pid = _project(factory, org)
    base = {"name": "m", "kind": "openai", "base_url": server.base_url, "model": "tiny"}
    for field, value in (("generate_roles", ["chief"]), ("generate_roles", []), ("user_daily_tokens", 0),
                         ("project_monthly_tokens", -1)):
        r = lan.post(f"/api/v1/projects/{pid}/models", json={**base, field: value}, headers=org.manager.headers)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, (field, r.text)
    r = lan.post(f"/api/v1/projects/{pid}/models", headers=org.manager.headers,
                 json={**base, "generate_roles": ["annotator", "manager"], "user_daily_tokens": 30})
    assert r.status_code == 201, r.text
    m = r.json()
    assert (m["generate_roles"], m["user_daily_tokens"], m["project_monthly_tokens"]) == \
        (["manager", "annotator"], 30, None)
    r = lan.patch(f"/api/v1/projects/{pid}/models/{m['id']}", headers=org.manager.headers,
                  json={"project_monthly_tokens": 5000, "generate_roles": None})
    assert r.status_code == 200, r.text
    assert (r.json()["generate_roles"], r.json()["user_daily_tokens"], r.json()["project_monthly_tokens"]) == \
        (None, 30, 5000)
    r = lan.patch(f"/api/v1/projects/{pid}/models/{m['id']}", headers=org.annotator.headers,
                  json={"user_daily_tokens": None})
    assert r.status_code == 403  # only managers change the rules


def test_a_used_up_budget_answers_429_saying_when_it_resets(lan: TestClient, db: Database, factory: Factory,
                                                            org: OrgUsers, server: OpenAIServer) -> None:
    pid = _project(factory, org)
    r = lan.post(f"/api/v1/projects/{pid}/models", headers=org.manager.headers,
                 json={"name": "gpt-small", "kind": "openai", "base_url": server.base_url, "model": "tiny",
                       "user_daily_tokens": 25})
    mid = r.json()["id"]
    for _ in range(3):  # 10 tokens a call (5 prompt words + 5 reply words): 0, 10, 20 spent before each
        status, events = _generate(lan, org.annotator.headers, pid, mid)
        assert status == 200 and events[-1]["type"] == "done" and events[-1]["prompt_tokens"] == 5
    status, (body, headers) = _generate(lan, org.annotator.headers, pid, mid)
    assert status == 429 and len(server.requests) == 3  # refused before anything was sent
    error = body["error"]
    assert error["code"] == "rate_limited" and error["field"] == "user_daily_tokens"
    assert re.fullmatch(r"gpt-small: your daily budget of 25 tokens is used up \(30 spent\); it resets at "
                        r"\d{4}-\d\d-\d\d 00:00 UTC \(in (\d+ h )?\d+ min\)", error["message"]), error["message"]
    detail = error["details"][0]
    assert detail["connection"] == "gpt-small" and detail["limit"] == 25 and detail["used"] == 30
    assert detail["resets_at"].endswith("T00:00:00Z")
    assert 0 < int(headers["Retry-After"]) <= 86400 and int(headers["Retry-After"]) == detail["retry_after_s"]
    # the Test button is held to it too, and says so on the card's JSON
    r = lan.post(f"/api/v1/projects/{pid}/models/{mid}/test", headers=org.manager.headers)
    assert r.status_code == 200 and r.json()["ok"] is True  # the manager's own day is untouched
    # yesterday's spending does not count today
    with db.write() as s:
        s.execute(text("UPDATE generations SET created_at = created_at - INTERVAL '1 day'"
                       if db.engine.dialect.name == "postgresql"
                       else "UPDATE generations SET created_at = datetime(created_at, '-1 day')"))
    status, events = _generate(lan, org.annotator.headers, pid, mid)
    assert status == 200 and events[-1]["type"] == "done"


def test_the_projects_monthly_budget_and_the_roles_over_http(lan: TestClient, factory: Factory, org: OrgUsers,
                                                             server: OpenAIServer) -> None:
    pid = _project(factory, org)
    mid = lan.post(f"/api/v1/projects/{pid}/models", headers=org.manager.headers,
                   json={"name": "big", "kind": "openai", "base_url": server.base_url, "model": "tiny",
                         "generate_roles": ["manager", "reviewer"], "project_monthly_tokens": 15}).json()["id"]
    status, (body, _) = _generate(lan, org.annotator.headers, pid, mid)
    assert status == 403 and body["error"]["message"] == \
        "big: only manager, reviewer may generate with this model (you are annotator)"
    assert _generate(lan, org.reviewer.headers, pid, mid)[0] == 200
    assert _generate(lan, org.manager.headers, pid, mid)[0] == 200
    status, (body, _) = _generate(lan, org.manager.headers, pid, mid)
    assert status == 429 and body["error"]["field"] == "project_monthly_tokens"
    assert body["error"]["message"].startswith("big: the project's monthly budget of 15 tokens is used up (20 spent)")
    assert "-01 00:00 UTC" in body["error"]["message"]  # the first of next month

    usage = lan.get(f"/api/v1/projects/{pid}/models/usage", headers=org.manager.headers)
    assert usage.status_code == 200, usage.text
    [u] = usage.json()
    assert (u["name"], u["today"]["tokens"], u["month"]["tokens"], u["project_monthly_tokens"]) == ("big", 20, 20, 15)
    assert sorted((t["email"], t["tokens_month"]) for t in u["top_users"]) == \
        sorted([(org.reviewer.email, 10), (org.manager.email, 10)])
    one = lan.get(f"/api/v1/projects/{pid}/models/{mid}/usage", headers=org.reviewer.headers)
    assert one.status_code == 200 and "top_users" not in one.json() and one.json()["you"]["tokens_today"] == 10
    assert lan.get(f"/api/v1/projects/{pid}/models/999999/usage", headers=org.manager.headers).status_code == 404
    other = factory.org_users("Org B")
    assert lan.get(f"/api/v1/projects/{pid}/models/usage", headers=other.manager.headers).status_code == 404


def test_a_batch_job_stops_at_the_budget_and_says_why(lan: TestClient, factory: Factory, org: OrgUsers,
                                                      server: OpenAIServer) -> None:
    pid = _project(factory, org)
    factory.items(org.manager, pid, rows=[{"prompt": f"w{i} x y z v"} for i in range(12)])
    mid = lan.post(f"/api/v1/projects/{pid}/models", headers=org.manager.headers,
                   json={"name": "batchy", "kind": "openai", "base_url": server.base_url, "model": "tiny",
                         "concurrency": 1, "user_daily_tokens": 50}).json()["id"]
    r = lan.post(f"/api/v1/projects/{pid}/generate", json={"connections": [mid]}, headers=org.manager.headers)
    job = wait_for_job(lan, r.json()["id"], org.manager.headers)
    assert job["status"] == "done", job
    counts = job["result"]["models"]["batchy"]
    assert counts["generated"] == 5 and counts["left"] == 7 and len(server.requests) == 5
    assert counts["stopped"].startswith("batchy: your daily budget of 50 tokens is used up (50 spent)")
