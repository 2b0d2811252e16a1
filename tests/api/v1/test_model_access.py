"""The model list tells each caller whether they may generate with each connection now, and why not
(``may_generate`` / ``generate_refusal``): a role the connection leaves out, a used-up daily budget —
the same words the generate call refuses with, so the labeling page can disable Draft with a reason."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from factories import Factory, OrgUsers


def _listed(client: TestClient, headers: dict[str, str], pid: int) -> dict[str, Any]:
    r = client.get(f"/api/v1/projects/{pid}/models", headers=headers)
    assert r.status_code == 200, r.text
    return {m["name"]: (m["may_generate"], m["generate_refusal"]) for m in r.json()}


def test_the_list_says_who_may_generate_and_why_not(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    team = factory.team(org.manager, [org.annotator])
    pid = factory.project(org.manager, team_ids=[team.id]).id
    for body in ({"name": "open", "kind": "python", "model": "echo"},
                 {"name": "leads-only", "kind": "python", "model": "echo", "generate_roles": ["manager", "reviewer"]},
                 {"name": "tight", "kind": "python", "model": "echo", "user_daily_tokens": 3}):
        assert client.post(f"/api/v1/projects/{pid}/models", json=body, headers=org.manager.headers).status_code == 201

    assert _listed(client, org.annotator.headers, pid) == {
        "open": (True, None),
        "leads-only": (False, "leads-only: only manager, reviewer may generate with this model (you are annotator)"),
        "tight": (True, None)}
    assert _listed(client, org.manager.headers, pid)["leads-only"] == (True, None)

    tight = next(m["id"] for m in client.get(f"/api/v1/projects/{pid}/models", headers=org.annotator.headers).json()
                 if m["name"] == "tight")
    with client.stream("POST", f"/api/v1/projects/{pid}/models/{tight}/generate", headers=org.annotator.headers,
                       json={"messages": [{"role": "user", "content": "one two three four"}]}) as r:
        assert r.status_code == 200
        assert json.loads([x for x in r.iter_lines() if x.startswith("data: ")][-1][6:])["type"] == "done"
    may, why = _listed(client, org.annotator.headers, pid)["tight"]
    assert may is False and why.startswith("tight: your daily budget of 3 tokens is used up")
    assert _listed(client, org.manager.headers, pid)["tight"] == (True, None)  # the budget is per user
    # and the generate call itself refuses in the same words
    refused = client.post(f"/api/v1/projects/{pid}/models/{tight}/generate", headers=org.annotator.headers,
                          json={"messages": [{"role": "user", "content": "again"}]})
    assert refused.status_code == 429 and refused.json()["error"]["message"] == why
