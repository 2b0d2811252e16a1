"""Near-duplicates over HTTP as a job: start, poll, the result and its JSON-lines download; the
synchronous answer kept for small projects, a 409 / 202 with a job past the inline limit."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from labelworks.db.engine import Database
from labelworks.db.models import Item
from labelworks.services import dedup_jobs

from dedup_vectors import pairs_and_singles, project_with_vectors
from factories import Factory, OrgUsers, wait_for_job

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_start_poll_and_download(client: TestClient, db: Database, factory: Factory, org: OrgUsers) -> None:
    pid, ids = project_with_vectors(factory, db, org.manager, pairs_and_singles(3, 5))
    h = org.manager.headers
    r = client.post(f"/api/v1/projects/{pid}/duplicates/jobs", json={"threshold": 0.95}, headers=h)
    assert r.status_code == 202, r.text
    assert r.json()["kind"] == "dedup" and r.json()["status"] in ("queued", "running", "done")
    job = wait_for_job(client, r.json()["id"], h)
    assert job["status"] == "done", job
    assert job["progress_done"] == job["progress_total"] == 1
    result = job["result"]
    assert "path" not in result  # server paths stay on the server
    assert (result["groups"], result["items"], result["marked"], result["mark"]) == (3, 6, 0, False)
    assert [[x["item_id"] for x in g["items"]] for g in result["shown"]] == [ids[0:2], ids[2:4], ids[4:6]]
    assert job["download_url"] == f"/api/v1/jobs/{job['id']}/download"
    got = client.get(job["download_url"], headers=h)
    assert got.status_code == 200 and got.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in got.text.splitlines()]
    assert [g["group"] for g in lines] == [1, 2, 3] and lines[0]["items"][1]["text"] == "text number 1"
    # the synchronous answer agrees on a small project
    inline = client.get(f"/api/v1/projects/{pid}/duplicates?threshold=0.95", headers=h).json()["groups"]
    assert inline == result["shown"]


def test_past_the_inline_limit_a_job_answers(client: TestClient, db: Database, factory: Factory, org: OrgUsers,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    pid, ids = project_with_vectors(factory, db, org.manager, pairs_and_singles(2, 1))
    monkeypatch.setattr(dedup_jobs, "INLINE_LIMIT", 4)  # 5 indexed items: one over
    h = org.manager.headers
    r = client.get(f"/api/v1/projects/{pid}/duplicates", headers=h)
    assert r.status_code == 409 and f"/api/v1/projects/{pid}/duplicates/jobs" in r.json()["error"]["message"]
    r = client.post(f"/api/v1/projects/{pid}/duplicates/mark", json={"threshold": 0.95}, headers=h)
    assert r.status_code == 202 and r.json()["kind"] == "dedup"
    job = wait_for_job(client, r.json()["id"], h)
    assert job["status"] == "done" and (job["result"]["groups"], job["result"]["marked"]) == (2, 2)
    with db.read() as s:
        marked = {i: json.loads(s.get(Item, i).data).get("lw-duplicate-of") for i in ids}  # type: ignore[union-attr]
    assert marked == {ids[0]: None, ids[1]: ids[0], ids[2]: None, ids[3]: ids[2], ids[4]: None}


def test_bad_input_and_roles(client: TestClient, db: Database, factory: Factory, org: OrgUsers) -> None:
    pid, _ = project_with_vectors(factory, db, org.manager, pairs_and_singles(1, 0))
    url = f"/api/v1/projects/{pid}/duplicates/jobs"
    bad = client.post(url, json={"threshold": 1.5}, headers=org.manager.headers)
    assert bad.status_code == 422 and "threshold" in bad.json()["error"]["field"]
    assert client.post(url, json={}, headers=org.annotator.headers).status_code == 403
    assert client.post(url, json={}, headers=factory.org_users().manager.headers).status_code == 404
    assert client.get(f"/api/v1/projects/{pid}/jobs", headers=org.manager.headers).json() == []
