"""/projects: create, read, list, change; validation names the field; /task-types."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import OrgUsers

GT_LABELS = {"document-version": "2018-11-28", "labels": [{"label": "Cat"}, {"label": "Dog"}]}


def _create(client: TestClient, org: OrgUsers, **fields: Any) -> Any:
    body = {"name": "Pets", "task_type": "image-classification", "labels": GT_LABELS} | fields
    return client.post("/api/v1/projects", json=body, headers=org.manager.headers)


def test_create_read_list_update(client: TestClient, org: OrgUsers) -> None:
    r = _create(client, org, workers_per_item=3, short_instructions="Pick **one**",
                examples=[{"kind": "good", "text": "a cat", "explanation": "whiskers"}])
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["labels"] == ["Cat", "Dog"]
    assert p["label_config"] == GT_LABELS  # the label-category file as it came
    assert p["label_attribute"] == "pets" and p["workers_per_item"] == 3 and p["task_time_limit_s"] == 300
    assert p["examples"] == [{"kind": "good", "text": "a cat", "explanation": "whiskers"}]
    assert client.get(f"/api/v1/projects/{p['id']}", headers=org.annotator.headers).json() == p
    assert [x["id"] for x in client.get("/api/v1/projects", headers=org.reviewer.headers).json()] == [p["id"]]

    r = client.patch(f"/api/v1/projects/{p['id']}", json={"name": "Pets v2", "labels": ["Cat", "Dog", "Fox"],
                                                          "workers_per_item": 1}, headers=org.admin.headers)
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Pets v2" and r.json()["labels"] == ["Cat", "Dog", "Fox"]
    assert r.json()["label_attribute"] == "pets"  # the output attribute does not move with the name
    assert client.get(f"/api/v1/projects/{p['id']}", headers=org.owner.headers).json()["workers_per_item"] == 1


@pytest.mark.parametrize(("fields", "field"), [
    ({"workers_per_item": 0}, "workers_per_item"),
    ({"workers_per_item": 10}, "workers_per_item"),
    ({"task_type": "sentiment-3d"}, "task_type"),
    ({"labels": {"document-version": "2018-11-28", "labels": [{"name": "Cat"}]}}, "labels.labels[0].label"),
    ({"labels": {"document-version": "1.0", "labels": [{"label": "Cat"}]}}, "labels.document-version"),
    ({"labels": {"labels": "Cat"}}, "labels.labels"),
    ({"labels": ["Cat", "Cat"]}, "labels"),
    ({"name": "  "}, "name"),
    ({"task_time_limit_s": 9}, "task_time_limit_s"),
    ({"task_lifetime_s": 59}, "task_lifetime_s"),
    ({"label_attribute": "x-metadata"}, "label_attribute"),
    ({"template": "{% if %}"}, "template"),
    ({"team_ids": [424242]}, "team_ids"),
    ({"examples": [{"kind": "ugly", "text": "x"}]}, "examples[0].kind"),
    ({"examples": [{"kind": "good", "text": "   "}]}, "examples[0].text"),
    ({"colour": "red"}, "colour"),
    ({"workers_per_item": "three"}, "workers_per_item"),
])
def test_bad_input_is_422_naming_the_field(client: TestClient, org: OrgUsers, fields: dict[str, Any], field: str) -> None:
    r = _create(client, org, **fields)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "validation_error" and error["field"] == field
    assert client.get("/api/v1/projects", headers=org.owner.headers).json() == []


def test_wrong_type_for_a_union_field_names_the_field(client: TestClient, org: OrgUsers) -> None:
    r = _create(client, org, labels=7)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "labels"


def test_missing_field(client: TestClient, org: OrgUsers) -> None:
    r = client.post("/api/v1/projects", json={"name": "x", "labels": ["a"]}, headers=org.owner.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "task_type"
    assert r.json()["error"]["details"][0] == {"field": "task_type", "reason": "Field required"}


def test_update_validation(client: TestClient, org: OrgUsers) -> None:
    pid = _create(client, org).json()["id"]
    for body, field in (({"workers_per_item": 10}, "workers_per_item"), ({"task_type": "text-classification"}, "task_type"),
                        ({"labels": []}, "labels")):
        r = client.patch(f"/api/v1/projects/{pid}", json=body, headers=org.manager.headers)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, r.text
    assert client.get(f"/api/v1/projects/{pid}", headers=org.manager.headers).json()["labels"] == ["Cat", "Dog"]


def test_who_may_create_and_change(client: TestClient, org: OrgUsers) -> None:
    for user in (org.reviewer, org.annotator):
        r = client.post("/api/v1/projects", json={"name": "x", "task_type": "text-classification", "labels": ["a"]},
                        headers=user.headers)
        assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"
    pid = _create(client, org).json()["id"]
    assert client.patch(f"/api/v1/projects/{pid}", json={"name": "y"}, headers=org.reviewer.headers).status_code == 403
    assert client.get("/api/v1/projects/424242", headers=org.owner.headers).status_code == 404


def test_task_types(client: TestClient, org: OrgUsers) -> None:
    types = {t["name"]: t for t in client.get("/api/v1/task-types", headers=org.annotator.headers).json()}
    assert {"text-classification", "image-classification"} <= set(types)
    assert types["image-classification"] == {"name": "image-classification", "title": "Image classification",
                                             "media": "image", "supports_multi_label": True}


def _label_one(db: Any, user: Any, pid: int, value: dict[str, Any]) -> None:
    from labelworks.services import annotations, assignments

    lease = assignments.next_for(db, user.actor, pid)
    assert lease is not None
    annotations.submit(db, user.actor, lease.assignment_id, value)


def test_a_label_in_use_cannot_be_removed(client: TestClient, db: Any, factory: Any, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog", "fox"])
    factory.items(org.manager, p.id, 1)
    _label_one(db, org.annotator, p.id, {"label": "dog"})
    r = client.patch(f"/api/v1/projects/{p.id}", json={"labels": ["cat", "fox"]}, headers=org.manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "labels"
    r = client.patch(f"/api/v1/projects/{p.id}", json={"labels": ["cat", "dog"]}, headers=org.manager.headers)
    assert r.status_code == 200 and r.json()["labels"] == ["cat", "dog"]


def test_a_label_used_inside_objects_cannot_be_removed(client: TestClient, db: Any, factory: Any,
                                                       org: OrgUsers) -> None:
    """Boxes, shapes and entities name their label inside each object: those count as uses too."""
    p = factory.project(org.manager, "bounding-box", labels=["car", "bus", "café"])
    factory.items(org.manager, p.id, rows=[{"source-ref": "s3://b/a.jpg"}])
    _label_one(db, org.annotator, p.id, {"boundingBoxes": [{"label": "café", "left": 1, "top": 2, "width": 3,
                                                           "height": 4}]})
    r = client.patch(f"/api/v1/projects/{p.id}", json={"labels": ["car", "bus"]}, headers=org.manager.headers)
    assert r.status_code == 422 and "'café' is used by 1 annotations" in r.json()["error"]["message"]
    r = client.patch(f"/api/v1/projects/{p.id}", json={"labels": ["car", "café"]}, headers=org.manager.headers)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(("labels", "used", "keep"), [
    (["a_b", "axb"], "axb", ["axb"]),
    (["label", "cat"], "cat", ["cat"]),
])
def test_an_unused_label_can_be_removed(client: TestClient, db: Any, factory: Any, org: OrgUsers,
                                        labels: list[str], used: str, keep: list[str]) -> None:
    p = factory.project(org.manager, labels=labels)
    factory.items(org.manager, p.id, 1)
    _label_one(db, org.annotator, p.id, {"label": used})
    r = client.patch(f"/api/v1/projects/{p.id}", json={"labels": keep}, headers=org.manager.headers)
    assert r.status_code == 200, r.text


def test_multi_label_cannot_flip_under_existing_annotations(client: TestClient, db: Any, factory: Any,
                                                            org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"])
    factory.items(org.manager, p.id, 1)
    _label_one(db, org.annotator, p.id, {"label": "dog"})
    r = client.patch(f"/api/v1/projects/{p.id}", json={"multi_label": True}, headers=org.manager.headers)
    if r.status_code == 200:  # accepted: then the existing label must still reach the export
        (row,) = client.get(f"/api/v1/projects/{p.id}/export", headers=org.manager.headers).text.splitlines()
        assert "dog" in row, row
    else:
        assert r.status_code == 422 and r.json()["error"]["field"] == "multi_label"


def test_raising_workers_per_item_reopens_items(client: TestClient, db: Any, factory: Any, org: OrgUsers) -> None:
    p = factory.project(org.manager, workers_per_item=1)
    (item_id,) = factory.items(org.manager, p.id, 1)
    _label_one(db, org.annotator, p.id, {"label": "cat"})
    other = factory.user("annotator", org_id=org.org_id)
    assert client.post(f"/api/v1/projects/{p.id}/next", json={}, headers=other.headers).status_code == 204
    client.patch(f"/api/v1/projects/{p.id}", json={"workers_per_item": 2}, headers=org.manager.headers)
    task = client.post(f"/api/v1/projects/{p.id}/next", json={}, headers=other.headers).json()
    assert task["item_id"] == item_id
    progress = client.get(f"/api/v1/projects/{p.id}/progress", headers=org.manager.headers).json()
    assert (progress["total"], progress["labeled"], progress["in_progress"], progress["annotations"]) == (1, 0, 1, 1)
    client.patch(f"/api/v1/projects/{p.id}", json={"workers_per_item": 1}, headers=org.manager.headers)
    third = factory.user("annotator", org_id=org.org_id)
    assert client.post(f"/api/v1/projects/{p.id}/next", json={}, headers=third.headers).status_code == 204


def test_progress(client: TestClient, db: Any, factory: Any, org: OrgUsers) -> None:
    p = factory.project(org.manager, workers_per_item=1)
    factory.items(org.manager, p.id, 4)
    _label_one(db, org.annotator, p.id, {"label": "cat"})
    _label_one(db, org.annotator, p.id, {"label": "dog"})
    client.post(f"/api/v1/projects/{p.id}/next", json={}, headers=org.annotator.headers)
    r = client.get(f"/api/v1/projects/{p.id}/progress", headers=org.reviewer.headers)
    body = r.json()
    assert (body["total"], body["labeled"], body["in_progress"], body["remaining"], body["percent"]) == (4, 2, 1, 1, 50.0)
    (me,) = body["annotators"]
    assert (me["user_id"], me["submitted"], me["active_leases"], me["skipped"]) == (org.annotator.id, 2, 1, 0)
    assert client.get(f"/api/v1/projects/{p.id}/progress", headers=org.annotator.headers).status_code == 403
