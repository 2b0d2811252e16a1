"""POST /projects/{id}/chain: verification and adjustment projects from a labeled box project, labeled
through the task API; the adjustment answers and export carry adjustment-status."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

from labelworks.settings import Settings

from factories import Factory, OrgUsers, UserHandle

PROPS = {"width": 64, "height": 48}
CAR = {"label": "car", "left": 4, "top": 6, "width": 20, "height": 10}


def _submit(client: TestClient, user: UserHandle, pid: int, value: dict[str, Any]) -> Any:
    task = client.post(f"/api/v1/projects/{pid}/next", json={}, headers=user.headers).json()
    r = client.post(f"/api/v1/assignments/{task['assignment_id']}/submit", json={"value": value},
                    headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()["value"]


def _box_project(client: TestClient, factory: Factory, org: OrgUsers, settings: Settings) -> int:
    image = settings.media_dir / "street.png"
    Image.new("RGB", (64, 48), (90, 90, 90)).save(image)
    p = factory.project(org.manager, "bounding-box", labels=["car", "bird"], name="Street")
    factory.items(org.manager, p.id, rows=[{"source-ref": str(image)}])
    _submit(client, org.annotator, p.id, {"boxes": {"boundingBoxes": [CAR], "inputImageProperties": PROPS}})
    return p.id


def _chain(client: TestClient, user: UserHandle, pid: int, **body: Any) -> Any:
    return client.post(f"/api/v1/projects/{pid}/chain", json=body, headers=user.headers)


def test_adjustment_project_by_api(client: TestClient, factory: Factory, org: OrgUsers, settings: Settings) -> None:
    source = _box_project(client, factory, org, settings)
    r = _chain(client, org.manager, source, mode="adjustment", name="Fix street", workers_per_item=2)
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["items"], out["created"], out["job"]) == (1, 1, None)
    project = out["project"]
    assert project["task_type"] == "label-adjustment" and project["labels"] == ["car", "bird"]
    assert project["workers_per_item"] == 2 and project["label_config"]["lw-adjusts"] == "bounding-box"
    pid = project["id"]
    # the worker's frame opens the box editor with the earlier box
    task = client.post(f"/api/v1/projects/{pid}/next", json={}, headers=org.annotator.headers).json()
    frame = client.get(task["frame_url"], headers=org.annotator.headers).text
    assert "<lw-bounding-box" in frame and "initial-value=" in frame
    r = client.post(f"/api/v1/assignments/{task['assignment_id']}/submit",
                    json={"value": {"boxes": {"boundingBoxes": [CAR], "inputImageProperties": PROPS}}},
                    headers=org.annotator.headers)
    assert r.json()["value"]["adjustment-status"] == "unadjusted"
    second = factory.annotators(1, org.org_id)[0]
    moved = _submit(client, second, pid, {"boxes": {"boundingBoxes": [dict(CAR, top=8)],
                                                    "inputImageProperties": PROPS}})
    assert moved["adjustment-status"] == "adjusted"
    (line,) = [json.loads(x) for x in
               client.get(f"/api/v1/projects/{pid}/export", headers=org.manager.headers).text.splitlines()]
    meta = line["fix-street-metadata"]
    # one of two workers changed it: at least half adjusted, so the item counts as adjusted
    assert meta["adjustment-status"] == "adjusted" and meta["type"] == "groundtruth/object-detection"
    assert line["street-metadata"]["type"] == "groundtruth/object-detection"


def test_verification_project_by_api(client: TestClient, factory: Factory, org: OrgUsers, settings: Settings) -> None:
    source = _box_project(client, factory, org, settings)
    r = _chain(client, org.admin, source, mode="verification", name="Check", labels=["Good", "Bad"])
    assert r.status_code == 201, r.text
    pid = r.json()["project"]["id"]
    assert r.json()["project"]["labels"] == ["Good", "Bad"]
    task = client.post(f"/api/v1/projects/{pid}/next", json={}, headers=org.annotator.headers).json()
    frame = client.get(task["frame_url"], headers=org.annotator.headers).text
    assert "<lw-label-verification-view" in frame and "groundtruth/object-detection" in frame
    value = _submit_task(client, org.annotator, task, {"verdict": {"label": "Bad"}, "comment": "too small"})
    assert value == {"label": "Bad", "comment": "too small"}


def _submit_task(client: TestClient, user: UserHandle, task: dict[str, Any], value: dict[str, Any]) -> Any:
    r = client.post(f"/api/v1/assignments/{task['assignment_id']}/submit", json={"value": value},
                    headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()["value"]


def test_who_may_chain(client: TestClient, factory: Factory, org: OrgUsers, settings: Settings) -> None:
    source = _box_project(client, factory, org, settings)
    for user in (org.annotator, org.reviewer):
        assert _chain(client, user, source, mode="verification", name="X").status_code == 403
    other = factory.org_users()
    assert _chain(client, other.manager, source, mode="verification", name="X").status_code == 404
    r = _chain(client, org.manager, source, mode="review", name="X")
    assert r.status_code == 422 and r.json()["error"]["field"] == "mode"
    r = _chain(client, org.manager, source, mode="adjustment", name="X", labels=["a"])
    assert r.status_code == 422 and r.json()["error"]["field"] == "labels"
    r = _chain(client, org.manager, source, mode="verification", name="X", label_attribute="street")
    assert r.status_code == 422 and r.json()["error"]["field"] == "label_attribute"
