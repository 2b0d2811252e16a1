"""/users and /teams."""

from __future__ import annotations

from fastapi.testclient import TestClient

from factories import OrgUsers


def test_admins_create_users_in_their_org(client: TestClient, org: OrgUsers) -> None:
    r = client.post("/api/v1/users", json={"email": "New@Example.org", "password": "long-enough-1", "role": "reviewer"},
                    headers=org.admin.headers)
    assert r.status_code == 201, r.text
    assert r.json()["email"] == "new@example.org" and r.json()["role"] == "reviewer"
    emails = [u["email"] for u in client.get("/api/v1/users", headers=org.manager.headers).json()]
    assert "new@example.org" in emails and org.owner.email in emails
    r = client.post("/api/v1/auth/login", json={"email": "new@example.org", "password": "long-enough-1"})
    assert r.status_code == 200


def test_user_validation_and_permissions(client: TestClient, org: OrgUsers) -> None:
    r = client.post("/api/v1/users", json={"email": "x@example.org", "role": "emperor"}, headers=org.owner.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "role"
    r = client.post("/api/v1/users", json={"email": "x@example.org", "password": "short"}, headers=org.owner.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "password"
    r = client.post("/api/v1/users", json={"email": org.annotator.email}, headers=org.owner.headers)
    assert r.status_code == 409 and r.json()["error"]["field"] == "email"
    r = client.post("/api/v1/users", json={"email": "x@example.org", "surprise": 1}, headers=org.owner.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "surprise"
    assert client.post("/api/v1/users", json={"email": "y@example.org"}, headers=org.manager.headers).status_code == 403
    assert client.get("/api/v1/users", headers=org.annotator.headers).status_code == 403


def test_teams(client: TestClient, org: OrgUsers) -> None:
    r = client.post("/api/v1/teams", json={"name": "Night shift"}, headers=org.manager.headers)
    assert r.status_code == 201
    team_id = r.json()["id"]
    r = client.post(f"/api/v1/teams/{team_id}/members", json={"user_id": org.annotator.id}, headers=org.manager.headers)
    assert r.status_code == 204
    teams = client.get("/api/v1/teams", headers=org.annotator.headers).json()
    assert teams == [{"id": team_id, "name": "Night shift", "member_ids": [org.annotator.id]}]
    assert client.post("/api/v1/teams", json={"name": "Night shift"}, headers=org.manager.headers).status_code == 409
    assert client.post("/api/v1/teams", json={"name": "x"}, headers=org.reviewer.headers).status_code == 403
