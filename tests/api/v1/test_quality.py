"""The quality API: settings (GET/PUT, 422 naming the field), gold items, worker quality, notifications,
the paused worker's answer, and the gold secrecy guarantee: nothing an annotator receives tells a
gold item apart (tasks, drafts, the task frame, their own history), while managers see it all."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import Factory, OrgUsers, UserHandle

SECRET = "needle-7f3a"  # a gold key no page or payload has any other reason to contain


def _next(client: TestClient, pid: int, user: UserHandle, **body: Any) -> Any:
    return client.post(f"/api/v1/projects/{pid}/next", json=body, headers=user.headers)


def _put(client: TestClient, pid: int, user: UserHandle, body: dict[str, Any]) -> Any:
    return client.put(f"/api/v1/projects/{pid}/quality", json=body, headers=user.headers)


def test_settings_read_and_change(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager)
    r = client.get(f"/api/v1/projects/{p.id}/quality", headers=org.manager.headers)
    assert r.status_code == 200 and r.json()["gold_rate"] == 0.0 and r.json()["rules"] == []
    r = _put(client, p.id, org.manager, {"gold_rate": 0.1, "min_gold_answers": 5, "min_gold_accuracy": 0.7,
                                         "rules": [{"rule": "min_text_length", "path": "text", "min": 20}]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["gold_rate"], body["min_gold_answers"], body["routing"]) == (0.1, 5, False)
    assert body["rules"] == [{"rule": "min_text_length", "path": "text", "min": 20}]
    assert client.get(f"/api/v1/projects/{p.id}/quality", headers=org.admin.headers).json() == body


@pytest.mark.parametrize(("body", "field"), [
    ({"gold_rate": 1.5}, "gold_rate"),
    ({"gold_rate": "lots"}, "gold_rate"),
    ({"initial_workers": 5, "max_workers": 3}, "initial_workers"),
    ({"rules": [{"rule": "min_text_length", "path": "t"}]}, "rules[0].min"),
    ({"rules": [{"path": "t"}]}, "rules[0].rule"),
    ({"colour": "red"}, "colour"),
])
def test_bad_settings_name_the_field(client: TestClient, factory: Factory, org: OrgUsers, body: dict[str, Any],
                                     field: str) -> None:
    p = factory.project(org.manager)
    r = _put(client, p.id, org.manager, body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


def test_who_may_see_quality(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager)
    ids = factory.items(org.manager, p.id, 1)
    for user in (org.annotator, org.reviewer):
        for path in ("quality", "gold", "workers/quality", "quality/notifications"):
            assert client.get(f"/api/v1/projects/{p.id}/{path}", headers=user.headers).status_code == 403
        assert client.put(f"/api/v1/projects/{p.id}/gold/{ids[0]}", json={"value": "cat"},
                          headers=user.headers).status_code == 403
    other = factory.org_users("Elsewhere")
    assert client.get(f"/api/v1/projects/{p.id}/quality", headers=other.manager.headers).status_code == 404


def test_gold_items_through_the_api(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"])
    ids = factory.items(org.manager, p.id, 2)
    r = client.put(f"/api/v1/projects/{p.id}/gold/{ids[0]}", json={"value": {"label": "cow"}},
                   headers=org.manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "value.label"
    r = client.put(f"/api/v1/projects/{p.id}/gold/{ids[0]}", json={"value": "dog"}, headers=org.manager.headers)
    assert r.status_code == 200 and r.json()["value"] == {"label": "dog"} and r.json()["source"] == "manual"
    r = client.post(f"/api/v1/projects/{p.id}/gold/{ids[1]}/promote", headers=org.manager.headers)
    assert r.status_code == 409 and "no answer" in r.json()["error"]["message"]
    listed = client.get(f"/api/v1/projects/{p.id}/gold", headers=org.manager.headers).json()
    assert [(g["item_id"], g["value"], g["answered"]) for g in listed] == [(ids[0], {"label": "dog"}, 0)]
    assert client.delete(f"/api/v1/projects/{p.id}/gold/{ids[0]}", headers=org.manager.headers).status_code == 204
    assert client.get(f"/api/v1/projects/{p.id}/gold", headers=org.manager.headers).json() == []


def test_an_annotator_cannot_tell_gold_items_apart(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"], workers_per_item=1)
    _put(client, p.id, org.manager, {"gold_key": SECRET, "gold_rate": 1.0})
    r = client.post(f"/api/v1/projects/{p.id}/items", headers=org.manager.headers, json={"rows": [
        {"source": "The first sentence", SECRET: "dog"}, {"source": "The second sentence"},
        {"source": "The third sentence"}]})
    assert r.status_code == 201, r.text
    annotator = org.annotator
    seen: list[dict[str, Any]] = []
    texts: list[str] = []
    for _ in range(3):
        r = _next(client, p.id, annotator)
        assert r.status_code == 200
        task = r.json()
        texts.append(r.text)
        # a draft and a reload return the same lease, as for any task
        assert client.put(f"/api/v1/assignments/{task['assignment_id']}/draft", json={"value": {"label": "cat"}},
                          headers=annotator.headers).status_code == 204
        again = _next(client, p.id, annotator)
        texts.append(again.text)
        assert again.json()["assignment_id"] == task["assignment_id"]
        frame = client.get(task["frame_url"], headers=annotator.headers)
        assert frame.status_code == 200
        texts.append(frame.text)
        r = client.post(f"/api/v1/assignments/{task['assignment_id']}/submit", json={"value": {"label": "cat"}},
                        headers=annotator.headers)
        assert r.status_code == 201
        texts.append(r.text)
        history = client.get(f"/api/v1/projects/{p.id}/items/{task['item_id']}/annotations", headers=annotator.headers)
        assert history.status_code == 200
        texts.append(history.text)
        seen.append(task)
    gold = client.get(f"/api/v1/projects/{p.id}/gold", headers=org.manager.headers).json()
    gold_id = gold[0]["item_id"]
    assert seen[0]["item_id"] == gold_id  # rate 1: the gold item came first …
    assert len({frozenset(t) for t in seen}) == 1  # … in exactly the shape of the others
    assert seen[0]["data"] == {"source": "The first sentence"}
    assert seen[0]["expires_at"][:13] == seen[1]["expires_at"][:13]
    for text in texts:
        assert SECRET not in text and "gold" not in text.lower()
    label_page = client.get(f"/label/{p.id}", headers=annotator.headers)
    assert label_page.status_code == 200 and "gold" not in label_page.text.lower()
    # managers see the gold item, its answer and who answered it right
    assert (gold[0]["value"], gold[0]["answered"], gold[0]["correct"]) == ({"label": "dog"}, 1, 0)
    workers = client.get(f"/api/v1/projects/{p.id}/workers/quality", headers=org.manager.headers).json()
    assert [(w["email"], w["gold_answered"], w["gold_accuracy"]) for w in workers] == [(annotator.email, 1, 0.0)]


def test_a_paused_worker_is_told_why(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"], workers_per_item=1)
    factory.items(org.manager, p.id, rows=[{"source": "g", "gold": "dog"}, {"source": "a"}, {"source": "b"}])
    _put(client, p.id, org.manager, {"gold_rate": 1.0, "min_gold_answers": 1, "min_gold_accuracy": 0.5})
    task = _next(client, p.id, org.annotator).json()
    client.post(f"/api/v1/assignments/{task['assignment_id']}/submit", json={"value": {"label": "cat"}},
                headers=org.annotator.headers)
    r = _next(client, p.id, org.annotator)
    assert r.status_code == 403
    assert r.json()["error"]["message"] == \
        "paused from this project: gold accuracy 0.00 below 0.50 after 1 gold items"
    notes = client.get(f"/api/v1/projects/{p.id}/quality/notifications", headers=org.manager.headers).json()
    assert [n["kind"] for n in notes] == ["paused"] and org.annotator.email in notes[0]["message"]
    workers = client.get(f"/api/v1/projects/{p.id}/workers/quality", headers=org.owner.headers).json()
    assert workers[0]["paused"] is True
    r = client.post(f"/api/v1/projects/{p.id}/workers/{org.annotator.id}/resume", headers=org.manager.headers)
    assert r.status_code == 204
    assert _next(client, p.id, org.annotator).status_code == 200


def test_a_rule_refuses_a_submission_with_the_field(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog", "bird"], multi_label=True)
    factory.items(org.manager, p.id, 1)
    _put(client, p.id, org.manager, {"rules": [{"rule": "max_labels", "path": "labels", "max": 1}]})
    task = _next(client, p.id, org.annotator).json()
    r = client.post(f"/api/v1/assignments/{task['assignment_id']}/submit",
                    json={"value": {"labels": ["cat", "dog"]}}, headers=org.annotator.headers)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["field"] == "value.labels" and error["message"].startswith("rule max_labels")
