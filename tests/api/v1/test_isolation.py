"""Organisations are walled off: another org's objects answer 404, never 403 (no existence leak).
Annotators see only projects given to one of their teams (or to no team at all)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from labelworks.core.enums import Role

from factories import Factory, OrgUsers, UserHandle


@pytest.fixture
def org_a_work(client: TestClient, factory: Factory, org: OrgUsers) -> dict[str, Any]:
    """Org A: a project with an item, a live lease, a submitted annotation, an export job."""
    p = factory.project(org.manager, workers_per_item=2)
    factory.items(org.manager, p.id, 2)
    live = client.post(f"/api/v1/projects/{p.id}/next", json={}, headers=org.annotator.headers).json()
    other = factory.user(Role.ANNOTATOR, org_id=org.org_id)
    done = client.post(f"/api/v1/projects/{p.id}/next", json={}, headers=other.headers).json()
    ann = client.post(f"/api/v1/assignments/{done['assignment_id']}/submit", json={"value": {"label": "cat"}},
                      headers=other.headers).json()
    job = client.post(f"/api/v1/projects/{p.id}/exports", json={"format": "csv"}, headers=org.manager.headers).json()
    return {"pid": p.id, "item": live["item_id"], "aid": live["assignment_id"], "annotation": ann["id"], "job": job["id"]}


@pytest.mark.parametrize("role", [Role.OWNER, Role.ANNOTATOR])
def test_another_org_gets_404_everywhere(client: TestClient, factory: Factory, org_a_work: dict[str, Any],
                                         role: Role) -> None:
    w = org_a_work
    outsider = factory.org_users("Org B").by_role(role)
    calls = [
        ("GET", f"/api/v1/projects/{w['pid']}", None),
        ("PATCH", f"/api/v1/projects/{w['pid']}", {"name": "mine now"}),
        ("GET", f"/api/v1/projects/{w['pid']}/items", None),
        ("POST", f"/api/v1/projects/{w['pid']}/items", {"rows": [{"source": "x"}]}),
        ("POST", f"/api/v1/projects/{w['pid']}/items/priority", {"item_ids": [w["item"]], "priority": 1}),
        ("GET", f"/api/v1/projects/{w['pid']}/progress", None),
        ("POST", f"/api/v1/projects/{w['pid']}/next", {}),
        ("PUT", f"/api/v1/assignments/{w['aid']}/draft", {"value": {}}),
        ("POST", f"/api/v1/assignments/{w['aid']}/submit", {"value": {"label": "cat"}}),
        ("POST", f"/api/v1/assignments/{w['aid']}/skip", None),
        ("POST", f"/api/v1/assignments/{w['aid']}/release", None),
        ("GET", f"/api/v1/projects/{w['pid']}/items/{w['item']}/annotations", None),
        ("POST", f"/api/v1/annotations/{w['annotation']}/revisions", {"value": {"label": "dog"}}),
        ("GET", f"/api/v1/projects/{w['pid']}/export", None),
        ("POST", f"/api/v1/projects/{w['pid']}/exports", {"format": "csv"}),
        ("POST", f"/api/v1/projects/{w['pid']}/imports", None),
        ("GET", f"/api/v1/projects/{w['pid']}/jobs", None),
        ("GET", f"/api/v1/jobs/{w['job']}", None),
        ("GET", f"/api/v1/jobs/{w['job']}/download", None),
        ("GET", f"/label/frame/{w['aid']}", None),
    ]
    allowed_by_role = []
    for method, path, body in calls:
        kwargs: dict[str, Any] = {"json": body} if body is not None else {}
        if path.endswith("/imports"):
            kwargs = {"content": b'{"source": "x"}\n'}
        r = client.request(method, path, headers=outsider.headers, **kwargs)
        # an annotator may lack the role for some actions (403 comes before the lookup); never 2xx
        if r.status_code == 403 and role == Role.ANNOTATOR:
            allowed_by_role.append(path)
            continue
        assert r.status_code == 404, f"{method} {path}: {r.status_code} {r.text}"
    assert [p for p in client.get("/api/v1/projects", headers=outsider.headers).json()] == []
    if role == Role.OWNER:
        assert allowed_by_role == []


def test_outsider_leaves_no_trace(client: TestClient, factory: Factory, org: OrgUsers, org_a_work: dict[str, Any]) -> None:
    outsider = factory.org_users("Org B").owner
    client.patch(f"/api/v1/projects/{org_a_work['pid']}", json={"name": "mine now"}, headers=outsider.headers)
    client.post(f"/api/v1/projects/{org_a_work['pid']}/items", json={"rows": [{"source": "x"}]}, headers=outsider.headers)
    p = client.get(f"/api/v1/projects/{org_a_work['pid']}", headers=org.owner.headers).json()
    assert p["name"] != "mine now"
    items = client.get(f"/api/v1/projects/{org_a_work['pid']}/items", headers=org.owner.headers).json()["items"]
    assert len(items) == 2


def test_users_and_teams_are_per_org(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    other = factory.org_users("Org B")
    team = client.post("/api/v1/teams", json={"name": "A team"}, headers=org.owner.headers).json()
    emails = {u["email"] for u in client.get("/api/v1/users", headers=other.owner.headers).json()}
    assert org.owner.email not in emails and other.owner.email in emails
    assert client.get("/api/v1/teams", headers=other.owner.headers).json() == []
    r = client.post(f"/api/v1/teams/{team['id']}/members", json={"user_id": other.annotator.id}, headers=org.owner.headers)
    assert r.status_code == 404
    r = client.post(f"/api/v1/teams/{team['id']}/members", json={"user_id": other.annotator.id}, headers=other.owner.headers)
    assert r.status_code == 404


def _visible(client: TestClient, user: UserHandle) -> set[int]:
    return {p["id"] for p in client.get("/api/v1/projects", headers=user.headers).json()}


def test_annotators_see_projects_of_their_teams(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    member = factory.user(Role.ANNOTATOR, org_id=org.org_id)
    outsider = factory.user(Role.ANNOTATOR, org_id=org.org_id)
    team = factory.team(org.manager, [member])
    other_team = factory.team(org.manager, [outsider])
    for_team = factory.project(org.manager, team_ids=[team.id])
    for_all = factory.project(org.manager)
    factory.items(org.manager, for_team.id, 1)

    assert _visible(client, member) == {for_team.id, for_all.id}
    assert _visible(client, outsider) == {for_all.id}
    assert _visible(client, org.reviewer) == {for_team.id, for_all.id}  # reviewers see every project
    for path, method in ((f"/api/v1/projects/{for_team.id}", "GET"), (f"/api/v1/projects/{for_team.id}/next", "POST")):
        assert client.request(method, path, json={}, headers=outsider.headers).status_code == 404
    assert client.post(f"/api/v1/projects/{for_team.id}/next", json={}, headers=member.headers).status_code == 200

    # giving the project to the other team too opens it to its members, at once
    r = client.patch(f"/api/v1/projects/{for_team.id}", json={"team_ids": [team.id, other_team.id]},
                     headers=org.manager.headers)
    assert r.json()["team_ids"] == sorted([team.id, other_team.id])
    assert for_team.id in _visible(client, outsider)
    # and taking it from a team closes it again, leases included
    client.patch(f"/api/v1/projects/{for_team.id}", json={"team_ids": [other_team.id]}, headers=org.manager.headers)
    assert client.get(f"/api/v1/projects/{for_team.id}", headers=member.headers).status_code == 404
    assert client.post(f"/api/v1/projects/{for_team.id}/next", json={}, headers=member.headers).status_code == 404


def test_a_team_of_another_org_cannot_be_given_a_project(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    other = factory.org_users("Org B")
    foreign = factory.team(other.manager, [other.annotator])
    r = client.post("/api/v1/projects", json={"name": "x", "task_type": "text-classification", "labels": ["a"],
                                              "team_ids": [foreign.id]}, headers=org.manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "team_ids"
