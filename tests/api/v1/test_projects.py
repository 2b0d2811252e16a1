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
