"""/projects/{id}/consolidation and /agreement: what a quality lead reads and sets through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from labelworks.db.engine import Database
from labelworks.services import annotations, assignments

from factories import Factory, OrgUsers


def test_read_and_change_the_method(client: TestClient, db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"], workers_per_item=2)
    factory.items(org.manager, p.id, n=2)
    for w in factory.annotators(2, org.org_id):
        for _ in range(2):
            lease = assignments.next_for(db, w.actor, p.id)
            assert lease is not None
            annotations.submit(db, w.actor, lease.assignment_id, {"label": "cat"})
    r = client.get(f"/api/v1/projects/{p.id}/consolidation", headers=org.manager.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["method"]["name"] == "majority-vote" and body["method"]["is_default"]
    assert "majority-vote" in {m["name"] for m in body["available"]}

    r = client.put(f"/api/v1/projects/{p.id}/consolidation", json={"method": "nope"}, headers=org.manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "consolidation_method"
    r = client.put(f"/api/v1/projects/{p.id}/consolidation", json={"method": "majority-vote", "params": {"x": 1}},
                   headers=org.manager.headers)
    assert r.status_code == 422 and "no parameter 'x'" in r.json()["error"]["message"]

    r = client.post(f"/api/v1/projects/{p.id}/consolidation/run", headers=org.manager.headers)
    assert r.status_code == 202
    job = client.get(f"/api/v1/jobs/{r.json()['job_id']}", headers=org.manager.headers).json()
    assert job["kind"] == "consolidate"


def test_agreement_endpoint_and_who_may_read_it(client: TestClient, db: Database, factory: Factory,
                                                org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"], workers_per_item=2)
    factory.items(org.manager, p.id, n=3)
    w1, w2 = factory.annotators(2, org.org_id)
    for a, b in (("cat", "cat"), ("dog", "dog"), ("dog", "cat")):
        for w, label in ((w1, a), (w2, b)):
            lease = assignments.next_for(db, w.actor, p.id)
            assert lease is not None
            annotations.submit(db, w.actor, lease.assignment_id, {"label": label})
    r = client.get(f"/api/v1/projects/{p.id}/agreement", headers=org.reviewer.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "label" and body["items"] == 3 and body["answers"] == 6
    assert body["alpha"] is not None and body["fleiss_kappa"] is not None
    assert set(body["per_label"]) == {"cat", "dog"}
    assert client.get(f"/api/v1/projects/{p.id}/agreement", headers=w1.headers).status_code == 403
