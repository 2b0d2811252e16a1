"""Health, OpenAPI and the unauthenticated envelope."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_health_needs_no_credentials(client: TestClient, backend: str) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.json()["database"] == ("sqlite" if backend == "sqlite" else "postgresql")
