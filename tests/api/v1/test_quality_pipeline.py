"""The quality engine end to end through the HTTP API: gold imported with the data, Dawid-Skene as the
method, review after labeling, and one export that carries all of it."""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi.testclient import TestClient

from labelworks.db.engine import Database
from labelworks.jobs.runners import run_job
from labelworks.settings import Settings

from factories import Factory, OrgUsers

# three annotators: two reliable, one who always answers "dog"
ANSWERS = {"reliable": lambda truth: truth, "careful": lambda truth: truth, "lazy": lambda truth: "dog"}


def _finish(client: TestClient, db: Database, settings: Settings, job_id: int, headers: dict[str, str]) -> None:
    """Run the job here unless the app's in-process queue took it first; either way wait for its end."""
    run_job(db, settings, job_id)
    deadline = time.monotonic() + 30
    while (status := client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()["status"]) != "done":
        assert status in ("queued", "running") and time.monotonic() < deadline, status
        time.sleep(0.05)


def test_gold_ds_review_and_export(client: TestClient, db: Database, settings: Settings, factory: Factory,
                                   org: OrgUsers) -> None:
    m = org.manager.headers
    p = factory.project(org.manager, name="Animals", labels=["cat", "dog"], workers_per_item=3)
    rows = [{"source": f"photo {i}", "truth": "cat" if i % 3 else "dog"} for i in range(9)]
    rows += [{"source": "photo 9", "truth": "cat", "gold": "cat"}]
    r = client.post(f"/api/v1/projects/{p.id}/items", json={"rows": rows}, headers=m)
    assert r.status_code == 201, r.text
    # rate 1: each worker meets the gold item first (a lower rate may leave it to fewer than three)
    assert client.put(f"/api/v1/projects/{p.id}/quality", json={"gold_rate": 1.0}, headers=m).status_code == 200
    r = client.put(f"/api/v1/projects/{p.id}/review-settings", json={"mode": "all"}, headers=m)
    assert r.status_code == 200, r.text
    r = client.put(f"/api/v1/projects/{p.id}/consolidation", json={"method": "dawid-skene"}, headers=m)
    assert r.status_code == 202, r.text
    _finish(client, db, settings, r.json()["job_id"], m)

    workers = dict(zip(ANSWERS, factory.annotators(3, org.org_id), strict=True))
    for name, w in workers.items():
        while True:
            r = client.post(f"/api/v1/projects/{p.id}/next", json={}, headers=w.headers)
            if r.status_code == 204:
                break
            task = r.json()
            assert "gold" not in task["data"] and "gold" not in json.dumps(task).lower()  # never shown to workers
            label = ANSWERS[name](task["data"]["truth"])
            r = client.post(f"/api/v1/assignments/{task['assignment_id']}/submit",
                            json={"value": {"label": label}, "active_ms": 2000}, headers=w.headers)
            assert r.status_code == 201, r.text

    r = client.post(f"/api/v1/projects/{p.id}/consolidation/run", headers=m)
    _finish(client, db, settings, r.json()["job_id"], m)
    state = client.get(f"/api/v1/projects/{p.id}/consolidation", headers=m).json()
    quality = {int(k): v for k, v in state["last_run"]["worker_quality"].items()}
    assert quality[workers["lazy"].id] < quality[workers["reliable"].id]  # the lazy worker is found out

    # the reviewer approves the first item in the queue, with every answer and the consolidated one
    r = client.post(f"/api/v1/projects/{p.id}/reviews/next", json={}, headers=org.reviewer.headers)
    assert r.status_code == 200, r.text
    review = r.json()
    assert len(review["answers"]) == 3 and review["consolidated"]["method"] == "dawid-skene"
    reviewed = review["task"]["item_id"]
    r = client.post(f"/api/v1/reviews/{review['task']['id']}/approve", json={}, headers=org.reviewer.headers)
    assert r.status_code == 200, r.text

    lines = [json.loads(x) for x in client.get(f"/api/v1/projects/{p.id}/export", params={"format": "manifest"},
                                               headers=m).text.splitlines()]
    assert len(lines) == 10
    by_source = {line["source"]: line for line in lines}
    gold_meta = by_source["photo 9"]["animals-metadata"]
    assert gold_meta["consolidation"]["method"] == "gold" and gold_meta["class-name"] == "cat"
    correct = 0
    for line in lines:
        meta = line["animals-metadata"]
        assert len(meta["worker-responses"]) == 3
        correct += meta["class-name"] == line["truth"]
        if line["source"] != "photo 9":
            assert meta["consolidation"]["method"] == "dawid-skene"
    assert correct == 10  # the gold answer, and every other item right despite the lazy worker
    jsonl = [json.loads(x) for x in client.get(f"/api/v1/projects/{p.id}/export", params={"format": "jsonl"},
                                               headers=m).text.splitlines()]
    approved = [row for row in jsonl if row["item_id"] == reviewed][0]
    assert any(o.get("outcome") == "approved" or o.get("stage") == "approved" for o in approved["review"]), \
        approved["review"]
    manifest_line = [line for line in lines if line["source"] == approved["data"]["source"]][0]
    assert manifest_line["animals-metadata"]["review"] == approved["review"]
    agreement: dict[str, Any] = client.get(f"/api/v1/projects/{p.id}/agreement", headers=m).json()
    assert agreement["items"] == 10 and agreement["alpha"] is not None
