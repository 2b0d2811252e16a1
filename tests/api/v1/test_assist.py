"""Assists over HTTP: only the annotator holding the lease runs them (404 for anyone else), a
project's settings choose which, and results come back in the AssistResult shape."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from skimage import data

from labelworks.settings import Settings

from factories import Factory, OrgUsers
from model_backend import Backend

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

HELMET_BOX = {"left": 140, "top": 20, "width": 200, "height": 200}


def polygon_task(client: TestClient, factory: Factory, org: OrgUsers, settings: Settings) -> tuple[int, int]:
    path = Path(settings.media_dir) / "astronaut.png"
    Image.fromarray(data.astronaut()).save(path)
    p = factory.project(org.manager, "polygon", labels=["person", "helmet"])
    factory.items(org.manager, p.id, rows=[{"source-ref": str(path)}])
    task = client.post(f"/api/v1/projects/{p.id}/next", json={}, headers=org.annotator.headers).json()
    return p.id, task["assignment_id"]


def test_the_lease_holder_lists_and_runs_the_project_assists(client: TestClient, factory: Factory, org: OrgUsers,
                                                             settings: Settings) -> None:
    _, aid = polygon_task(client, factory, org, settings)
    r = client.get(f"/api/v1/tasks/{aid}/assists", headers=org.annotator.headers)
    assert r.status_code == 200, r.text
    listed = {a["name"]: a for a in r.json()}
    # the assists fitting a polygon project: no face boxes, no superpixels
    assert set(listed) == {"grabcut", "magic-wand", "person", "text"}
    assert listed["grabcut"] == {"name": "grabcut", "title": "Auto-segment", "kinds": ["mask", "polygon"],
                                 "needs": "box", "model": listed["grabcut"]["model"], "media": "image"}
    r = client.post(f"/api/v1/tasks/{aid}/assist/grabcut", json={"box": HELMET_BOX}, headers=org.annotator.headers)
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["assist"] == "grabcut" and result["seconds"] > 0
    mask, polygon = result["regions"]
    assert (mask["kind"], mask["width"], mask["height"]) == ("mask", 512, 512)
    assert polygon["kind"] == "polygon" and polygon["source"] == "model" and len(polygon["points"]) >= 3
    xs = [p["x"] for p in polygon["points"]]
    assert min(xs) >= HELMET_BOX["left"] - 1 and max(xs) <= HELMET_BOX["left"] + HELMET_BOX["width"] + 1


def test_anyone_but_the_lease_holder_gets_404(client: TestClient, factory: Factory, org: OrgUsers,
                                              settings: Settings) -> None:
    _, aid = polygon_task(client, factory, org, settings)
    other = factory.user("annotator", org_id=org.org_id)
    for headers in (other.headers, org.manager.headers, org.owner.headers):
        assert client.get(f"/api/v1/tasks/{aid}/assists", headers=headers).status_code == 404
        r = client.post(f"/api/v1/tasks/{aid}/assist/grabcut", json={"box": HELMET_BOX}, headers=headers)
        assert r.status_code == 404, r.text
    assert client.post(f"/api/v1/tasks/{aid}/assist/grabcut", json={"box": HELMET_BOX}).status_code == 401
    # after a skip the lease is gone for its holder too
    client.post(f"/api/v1/assignments/{aid}/skip", headers=org.annotator.headers)
    r = client.post(f"/api/v1/tasks/{aid}/assist/grabcut", json={"box": HELMET_BOX}, headers=org.annotator.headers)
    assert r.status_code == 409


def test_unknown_disabled_and_badly_called_assists(client: TestClient, factory: Factory, org: OrgUsers,
                                                   settings: Settings) -> None:
    _, aid = polygon_task(client, factory, org, settings)
    h = org.annotator.headers
    assert client.post(f"/api/v1/tasks/{aid}/assist/nope", json={}, headers=h).status_code == 404
    assert client.post(f"/api/v1/tasks/{aid}/assist/faces", json={}, headers=h).status_code == 404  # not for polygons
    r = client.post(f"/api/v1/tasks/{aid}/assist/grabcut", json={"box": {"left": 1}}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "params.box.top"
    r = client.post(f"/api/v1/tasks/{aid}/assist/magic-wand", json={"x": 9000, "y": 1}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "params"


def test_project_settings_choose_the_assists(client: TestClient, factory: Factory, org: OrgUsers,
                                             settings: Settings) -> None:
    pid, aid = polygon_task(client, factory, org, settings)
    url = f"/api/v1/projects/{pid}/assist-settings"
    assert client.get(url, headers=org.manager.headers).json() == {"enabled": None, "backend_url": None,
                                                                  "backend_assists": [], "assist_options": {}}
    assert client.put(url, json={"enabled": ["faces"]}, headers=org.annotator.headers).status_code == 403
    r = client.put(url, json={"enabled": ["faces", "pose"]}, headers=org.manager.headers)
    assert r.status_code == 200 and r.json()["enabled"] == ["faces", "pose"]
    names = [a["name"] for a in client.get(f"/api/v1/tasks/{aid}/assists", headers=org.annotator.headers).json()]
    assert names == ["faces", "pose"]
    r = client.post(f"/api/v1/tasks/{aid}/assist/faces", json={}, headers=org.annotator.headers)
    assert r.status_code == 200 and r.json()["regions"][0]["label"] == "face"
    r = client.put(url, json={"enabled": ["faces", "nope"]}, headers=org.manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "enabled[1]"
    # a backend on this machine is refused unless the server allows private addresses
    r = client.put(url, json={"backend_url": "http://127.0.0.1:9/predict",
                              "backend_assists": [{"name": "detector"}]}, headers=org.manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "backend_url"
    assert client.get(url, headers=org.manager.headers).json()["enabled"] == ["faces", "pose"]  # unchanged


def test_a_project_backend_serves_assists_when_the_server_allows_private_addresses(
        make_client: Callable[..., TestClient], factory: Factory, org: OrgUsers, data_dir: Path) -> None:
    client = make_client(outbound_allow_private=True)
    path = data_dir / "media" / "red.png"
    image = np.zeros((40, 60, 3), np.uint8)
    image[10:30, 20:50] = (255, 0, 0)
    Image.fromarray(image).save(path)
    p = factory.project(org.manager, "bounding-box", labels=["red", "blue"])
    factory.items(org.manager, p.id, rows=[{"source-ref": str(path)}])
    backend = Backend()
    try:
        r = client.put(f"/api/v1/projects/{p.id}/assist-settings", headers=org.manager.headers, json={
            "backend_url": backend.url, "backend_assists": [{"name": "red-finder", "title": "Find red"}]})
        assert r.status_code == 200, r.text
        aid = client.post(f"/api/v1/projects/{p.id}/next", json={}, headers=org.annotator.headers).json()["assignment_id"]
        listed = client.get(f"/api/v1/tasks/{aid}/assists", headers=org.annotator.headers).json()
        assert {"name": "red-finder", "title": "Find red", "kinds": ["box"], "needs": "none",
                "model": "http:red-finder", "media": "image"} in listed
        assert "faces" in [a["name"] for a in listed]  # the box project's built-ins stay
        r = client.post(f"/api/v1/tasks/{aid}/assist/red-finder", json={}, headers=org.annotator.headers)
        assert r.status_code == 200, r.text
        assert r.json()["model"] == "red-finder-1"
        assert r.json()["regions"] == [{"kind": "box", "source": "model", "left": 20.0, "top": 10.0, "width": 30.0,
                                        "height": 20.0, "score": 0.9, "label": "red"}]
        backend.mode = "bad"
        r = client.post(f"/api/v1/tasks/{aid}/assist/red-finder", json={}, headers=org.annotator.headers)
        assert r.status_code == 422 and r.json()["error"]["field"] == "result.regions[0].width"
    finally:
        backend.stop()
