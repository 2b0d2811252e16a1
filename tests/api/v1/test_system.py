"""Health, OpenAPI and the error envelope on unknown routes."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_health_needs_no_credentials(client: TestClient, backend: str) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.json()["database"] == ("sqlite" if backend == "sqlite" else "postgresql")


def test_openapi_is_served(client: TestClient) -> None:
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    assert spec["info"]["title"] == "Labelworks"
    paths = spec["paths"]
    for path in ("/api/v1/projects", "/api/v1/projects/{project_id}/next", "/api/v1/assignments/{assignment_id}/submit",
                 "/api/v1/projects/{project_id}/export", "/api/health"):
        assert path in paths, path
    assert not any(p.startswith("/label") for p in paths)  # pages stay out of the API description


def test_unknown_route_and_method_use_the_envelope(client: TestClient) -> None:
    r = client.get("/api/v1/no-such-thing")
    assert r.status_code == 404
    assert r.json() == {"error": {"code": "not_found", "message": "Not Found", "field": None, "details": []}}
    r = client.delete("/api/health")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"


def test_malformed_json_is_422_in_the_envelope(client: TestClient, org: object) -> None:
    headers = {**org.owner.headers, "Content-Type": "application/json"}  # type: ignore[attr-defined]
    r = client.post("/api/v1/projects", content=b"{not json", headers=headers)
    assert r.status_code == 422
    assert set(r.json()["error"]) == {"code", "message", "field", "details"}
