"""The ``prelabel`` job over HTTP: person polygons become the polygon editor's initial value."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from skimage import data

from labelworks.settings import Settings

from factories import Factory, OrgUsers, wait_for_job

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_prelabel_job_stores_model_polygons_the_worker_gets(client: TestClient, factory: Factory, org: OrgUsers,
                                                            settings: Settings) -> None:
    path = Path(settings.media_dir) / "astronaut.png"
    Image.fromarray(data.astronaut()).save(path)
    p = factory.project(org.manager, "polygon", labels=["person", "rocket"])
    factory.items(org.manager, p.id, rows=[{"source-ref": str(path)}, {"source-ref": str(path) + ".missing.png"}])
    assert client.post(f"/api/v1/projects/{p.id}/prelabel", json={"assist": "person"},
                       headers=org.annotator.headers).status_code == 403
    r = client.post(f"/api/v1/projects/{p.id}/prelabel", json={"assist": "person"}, headers=org.manager.headers)
    assert r.status_code == 202, r.text
    job = wait_for_job(client, r.json()["id"], org.manager.headers, timeout=120)
    assert job["status"] == "done", job
    assert job["result"]["labeled"] == 1 and job["result"]["objects"] == 1
    (failed,) = job["result"]["failed"]
    assert failed["error"] == "no such media"
    task = client.post(f"/api/v1/projects/{p.id}/next", json={}, headers=org.annotator.headers).json()
    (polygon,) = task["data"]["lw-pre-annotations"]["polygons"]
    assert polygon["label"] == "person" and polygon["source"] == "model" and len(polygon["vertices"]) >= 3
    frame = client.get(task["frame_url"], headers=org.annotator.headers)
    assert frame.status_code == 200 and "initial-value=" in frame.text
