"""The review endpoints: settings (422 naming the field), the reviewer's queue and decisions, feedback, stages."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from factories import Factory, OrgUsers, UserHandle


def _label(client: TestClient, pid: int, user: UserHandle, label: str) -> None:
    while (r := client.post(f"/api/v1/projects/{pid}/next", json={}, headers=user.headers)).status_code == 200:
        task = r.json()
        r = client.post(f"/api/v1/assignments/{task['assignment_id']}/submit", json={"value": {"label": label}},
                        headers=user.headers)
        assert r.status_code == 201, r.text
    assert r.status_code == 204, r.text


def _project(client: TestClient, factory: Factory, org: OrgUsers, n: int = 1) -> tuple[int, UserHandle]:
    p = factory.project(org.manager, labels=["cat", "dog"], workers_per_item=2)
    factory.items(org.manager, p.id, n)
    second = factory.user("annotator", org_id=org.org_id)
    r = client.put(f"/api/v1/projects/{p.id}/review-settings", json={"mode": "all"}, headers=org.manager.headers)
    assert r.status_code == 200, r.text
    _label(client, p.id, org.annotator, "cat")
    _label(client, p.id, second, "dog")
    return p.id, second


def test_settings_round_trip_and_errors_name_the_field(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager)
    url = f"/api/v1/projects/{p.id}/review-settings"
    r = client.get(url, headers=org.reviewer.headers)
    assert r.status_code == 200 and r.json()["mode"] == "none"
    for body, field in [({"mode": "percent"}, "percent"), ({"mode": "below_confidence", "threshold": 2}, "threshold"),
                        ({"mode": "sometimes"}, "mode"), ({"mode": "all", "time_limit_s": 1}, "time_limit_s")]:
        r = client.put(url, json=body, headers=org.manager.headers)
        assert r.status_code == 422, r.text
        assert field in (r.json()["error"]["field"] or ""), r.json()
    r = client.put(url, json={"mode": "percent", "percent": 12.5}, headers=org.manager.headers)
    assert r.status_code == 200, r.text
    assert (r.json()["mode"], r.json()["percent"], r.json()["queued"]) == ("percent", 12.5, 0)
    assert r.json()["updated_at"].endswith("Z")
    assert client.put(url, json={"mode": "all"}, headers=org.reviewer.headers).status_code == 403
    assert client.get(url, headers=org.annotator.headers).status_code == 403


def test_review_approve_through_the_api(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid, second = _project(client, factory, org)
    r = client.post(f"/api/v1/projects/{pid}/reviews/next", json={}, headers=org.reviewer.headers)
    assert r.status_code == 200, r.text
    review = r.json()
    assert review["task"]["status"] == "leased" and review["task"]["round"] == 1
    assert review["labels"] == ["cat", "dog"] and review["data"] == {"source": "item 0"}
    assert sorted((a["worker"], a["value"]["label"]) for a in review["answers"]) == sorted(
        [(org.annotator.email, "cat"), (second.email, "dog")])
    assert review["consolidated"]["method"] and 0 <= review["consolidated"]["confidence"] <= 1
    summary = client.get(f"/api/v1/projects/{pid}/reviews/summary", headers=org.manager.headers).json()
    assert summary["in_review"] == 1 and summary["pending"] == 0
    other = factory.user("reviewer", org_id=org.org_id)
    assert client.post(f"/api/v1/projects/{pid}/reviews/next", json={}, headers=other.headers).status_code == 204
    r = client.post(f"/api/v1/reviews/{review['task']['id']}/approve", json={}, headers=other.headers)
    assert r.status_code == 409 and r.json()["error"]["field"] == "task_id"
    r = client.post(f"/api/v1/reviews/{review['task']['id']}/approve", json={"note": "ok"}, headers=org.reviewer.headers)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    stages = client.get(f"/api/v1/projects/{pid}/items/{review['task']['item_id']}/stages",
                        headers=org.manager.headers).json()
    assert [s["stage"] for s in stages] == ["labeled", "labeled", "sampled", "in_review", "approved"]
    assert stages[-1]["actor"] == org.reviewer.email and stages[-1]["note"] == "ok"


def test_reject_feedback_and_rework_through_the_api(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid, second = _project(client, factory, org)
    review = client.post(f"/api/v1/projects/{pid}/reviews/next", json={}, headers=org.reviewer.headers).json()
    tid = review["task"]["id"]
    wrong = next(a for a in review["answers"] if a["worker"] == second.email)
    r = client.post(f"/api/v1/reviews/{tid}/reject", json={"feedback": "", "annotation_ids": [wrong["annotation_id"]]},
                    headers=org.reviewer.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "feedback"
    r = client.post(f"/api/v1/reviews/{tid}/reject", json={"feedback": "Whiskers: a cat.",
                                                           "annotation_ids": [wrong["annotation_id"]]},
                    headers=org.reviewer.headers)
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert client.get(f"/api/v1/projects/{pid}/feedback", headers=org.annotator.headers).json() == []
    mine = client.get(f"/api/v1/projects/{pid}/feedback", headers=second.headers).json()
    assert [(f["text"], f["annotation_id"], f["resolved_at"]) for f in mine] == [
        ("Whiskers: a cat.", wrong["annotation_id"], None)]
    everyone = client.get(f"/api/v1/projects/{pid}/feedback?open=true", headers=org.manager.headers).json()
    assert len(everyone) == 1
    r = client.post(f"/api/v1/feedback/{mine[0]['id']}/rework", json={"value": {"label": "bird"}},
                    headers=second.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "value.label"
    r = client.post(f"/api/v1/feedback/{mine[0]['id']}/rework", json={"value": {"label": "cat"}},
                    headers=org.annotator.headers)
    assert r.status_code == 404
    r = client.post(f"/api/v1/feedback/{mine[0]['id']}/rework", json={"value": {"label": "cat"}},
                    headers=second.headers)
    assert r.status_code == 201 and r.json()["version"] == 2
    again = client.post(f"/api/v1/projects/{pid}/reviews/next", json={}, headers=org.reviewer.headers).json()
    assert again["task"]["round"] == 2 and again["earlier"][0]["outcome"] == "rejected"


def test_adjust_through_the_api(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid, _ = _project(client, factory, org)
    review = client.post(f"/api/v1/projects/{pid}/reviews/next", json={}, headers=org.reviewer.headers).json()
    tid = review["task"]["id"]
    r = client.post(f"/api/v1/reviews/{tid}/adjust", json={"value": {"label": "emu"}}, headers=org.reviewer.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "value.label"
    r = client.post(f"/api/v1/reviews/{tid}/adjust", json={"value": {"label": "dog"}}, headers=org.reviewer.headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert body["task"]["status"] == "adjusted"
    rows = client.get(f"/api/v1/projects/{pid}/items/{review['task']['item_id']}/annotations",
                      headers=org.manager.headers).json()
    adjusted = next(a for a in rows if a["id"] == body["annotation_id"])
    assert (adjusted["source"], adjusted["worker"], adjusted["value"]) == ("review", org.reviewer.email, {"label": "dog"})
    view = client.get(f"/api/v1/reviews/{tid}", headers=org.manager.headers).json()
    assert view["consolidated"] == {"value": {"label": "dog"}, "confidence": 1.0, "method": "review"}


def test_annotators_cannot_review_and_other_orgs_see_nothing(client: TestClient, factory: Factory,
                                                            org: OrgUsers) -> None:
    pid, _ = _project(client, factory, org)
    assert client.post(f"/api/v1/projects/{pid}/reviews/next", json={}, headers=org.annotator.headers).status_code == 403
    review = client.post(f"/api/v1/projects/{pid}/reviews/next", json={}, headers=org.reviewer.headers).json()
    tid = review["task"]["id"]
    assert client.get(f"/api/v1/reviews/{tid}", headers=org.annotator.headers).status_code == 403
    assert client.post(f"/api/v1/reviews/{tid}/approve", json={}, headers=org.annotator.headers).status_code == 403
    stranger = factory.org_users("Org B").manager
    assert client.get(f"/api/v1/reviews/{tid}", headers=stranger.headers).status_code == 404
    assert client.post(f"/api/v1/projects/{pid}/reviews/next", json={}, headers=stranger.headers).status_code == 404
    assert client.get(f"/api/v1/projects/{pid}/feedback", headers=stranger.headers).status_code == 404
    assert client.get(f"/api/v1/projects/{pid}/items/{review['task']['item_id']}/stages",
                      headers=org.annotator.headers).status_code == 403
    assert client.post(f"/api/v1/reviews/{tid}/release", headers=org.reviewer.headers).status_code == 204


def test_review_outcomes_reach_the_exports(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    import json

    pid, second = _project(client, factory, org)
    review = client.post(f"/api/v1/projects/{pid}/reviews/next", json={}, headers=org.reviewer.headers).json()
    wrong = next(a for a in review["answers"] if a["worker"] == second.email)
    client.post(f"/api/v1/reviews/{review['task']['id']}/reject",
                json={"feedback": "cat", "annotation_ids": [wrong["annotation_id"]]}, headers=org.reviewer.headers)
    r = client.get(f"/api/v1/projects/{pid}/export", params={"format": "manifest"}, headers=org.manager.headers)
    assert r.status_code == 200, r.text
    line = json.loads(r.text.splitlines()[0])
    meta = next(v for k, v in line.items() if k.endswith("-metadata"))
    assert [(o["outcome"], o["reviewerId"], o["feedback"][0]["workerId"]) for o in meta["review"]] == [
        ("rejected", org.reviewer.email, second.email)]
    r = client.get(f"/api/v1/projects/{pid}/export", params={"format": "jsonl"}, headers=org.manager.headers)
    assert json.loads(r.text.splitlines()[0])["review"][0]["feedback"][0]["text"] == "cat"
