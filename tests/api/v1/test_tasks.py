"""The labeling endpoints: next, draft, submit (idempotent), skip, release, revisions, lease expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from labelworks.db.base import utcnow
from labelworks.db.engine import Database
from labelworks.db.models import Annotation, Assignment, Item

from factories import Factory, OrgUsers, UserHandle


def _next(client: TestClient, pid: int, user: UserHandle, exclude: list[int] | None = None) -> Any:
    return client.post(f"/api/v1/projects/{pid}/next", json={"exclude": exclude or []}, headers=user.headers)


def _submit(client: TestClient, aid: int, user: UserHandle, value: Any, **extra: Any) -> Any:
    return client.post(f"/api/v1/assignments/{aid}/submit", json={"value": value, **extra}, headers=user.headers)


def _item_counts(db: Database, item_id: int) -> tuple[int, int, int]:
    with db.read() as s:
        item = s.get(Item, item_id)
        assert item is not None
        return item.taken, item.done, item.is_open


def test_next_submit_until_nothing_is_left(client: TestClient, db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"], workers_per_item=1)
    ids = factory.items(org.manager, p.id, 2)
    seen = []
    for label in ("cat", "dog"):
        r = _next(client, p.id, org.annotator)
        assert r.status_code == 200, r.text
        task = r.json()
        assert task["labels"] == ["cat", "dog"] and task["multi_label"] is False and task["draft"] is None
        assert task["frame_url"] == f"/label/frame/{task['assignment_id']}"
        assert task["expires_at"].endswith("Z")
        r = _submit(client, task["assignment_id"], org.annotator, {"category": {"label": label}}, active_ms=1200)
        assert r.status_code == 201, r.text
        ann = r.json()
        assert ann["value"] == {"label": label} and ann["version"] == 1 and ann["worker"] == org.annotator.email
        assert ann["source"] == "human" and ann["active_ms"] == 1200
        seen.append(task["item_id"])
        assert _item_counts(db, task["item_id"]) == (1, 1, 0)
    assert seen == ids
    assert _next(client, p.id, org.annotator).status_code == 204


def test_draft_survives_a_reload(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager)
    factory.items(org.manager, p.id, 3)
    first = _next(client, p.id, org.annotator).json()
    draft = {"category": {"label": "dog"}}
    r = client.put(f"/api/v1/assignments/{first['assignment_id']}/draft", json={"value": draft}, headers=org.annotator.headers)
    assert r.status_code == 204
    again = _next(client, p.id, org.annotator).json()  # the page was reloaded: same lease, with its draft
    assert again["assignment_id"] == first["assignment_id"] and again["draft"] == draft
    prefetched = _next(client, p.id, org.annotator, exclude=[first["assignment_id"]]).json()
    assert prefetched["item_id"] != first["item_id"]
    assert _next(client, p.id, org.annotator).json()["assignment_id"] == first["assignment_id"]
    assert _submit(client, first["assignment_id"], org.annotator, draft).status_code == 201
    assert _next(client, p.id, org.annotator).json()["assignment_id"] == prefetched["assignment_id"]
    r = client.put(f"/api/v1/assignments/{first['assignment_id']}/draft", json={"value": {}}, headers=org.annotator.headers)
    assert r.status_code == 409  # a finished lease takes no drafts


def test_submission_is_idempotent(client: TestClient, db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager)
    factory.items(org.manager, p.id, 2)
    task = _next(client, p.id, org.annotator).json()
    body = {"client_submission_id": "4b4a6c1e-retry"}
    first = _submit(client, task["assignment_id"], org.annotator, {"label": "cat"}, **body)
    retry = _submit(client, task["assignment_id"], org.annotator, {"label": "cat"}, **body)
    assert first.status_code == 201 and retry.status_code == 200
    assert retry.json()["id"] == first.json()["id"]
    with db.read() as s:
        assert s.scalar(select(func.count(Annotation.id))) == 1
    assert _item_counts(db, task["item_id"])[:2] == (1, 1)
    r = _submit(client, task["assignment_id"], org.annotator, {"label": "dog"}, client_submission_id="another")
    assert r.status_code == 409  # a second, different submission on a finished lease
    r = _submit(client, task["assignment_id"], org.annotator, {"label": "dog"}, client_submission_id="x" * 81)
    assert r.status_code == 422 and r.json()["error"]["field"] == "client_submission_id"


def test_submission_is_validated(client: TestClient, db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"])
    factory.items(org.manager, p.id, 1)
    aid = _next(client, p.id, org.annotator).json()["assignment_id"]
    for value, field in (({"category": {"label": "fish"}}, "value.category.label"), ("cat", "value"),
                         ({}, "value.label")):
        r = _submit(client, aid, org.annotator, value)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, r.text
    r = _submit(client, aid, org.annotator, {"label": "cat"}, active_ms=-1)
    assert r.status_code == 422 and r.json()["error"]["field"] == "active_ms"
    r = client.post(f"/api/v1/assignments/{aid}/submit", json={"label": "cat"}, headers=org.annotator.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "value"
    with db.read() as s:
        assert s.scalar(select(func.count(Annotation.id))) == 0
    assert _submit(client, aid, org.annotator, {"label": "cat"}).status_code == 201


def test_someone_elses_lease_is_not_found(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager)
    factory.items(org.manager, p.id, 1)
    aid = _next(client, p.id, org.annotator).json()["assignment_id"]
    other = factory.user("annotator", org_id=org.org_id)
    for path in ("submit", "skip", "release"):
        r = client.post(f"/api/v1/assignments/{aid}/{path}", json={"value": {"label": "cat"}}, headers=other.headers)
        assert r.status_code == 404, path
    assert client.put(f"/api/v1/assignments/{aid}/draft", json={"value": {}}, headers=other.headers).status_code == 404
    assert _submit(client, 424242, org.annotator, {"label": "cat"}).status_code == 404


def test_skip_never_offers_the_item_again_to_that_annotator(client: TestClient, db: Database, factory: Factory,
                                                            org: OrgUsers) -> None:
    p = factory.project(org.manager, workers_per_item=1)
    (item_id,) = factory.items(org.manager, p.id, 1)
    task = _next(client, p.id, org.annotator).json()
    assert _item_counts(db, item_id) == (1, 0, 0)
    assert client.post(f"/api/v1/assignments/{task['assignment_id']}/skip", headers=org.annotator.headers).status_code == 204
    assert _item_counts(db, item_id) == (0, 0, 1)
    assert _next(client, p.id, org.annotator).status_code == 204
    other = factory.user("annotator", org_id=org.org_id)
    assert _next(client, p.id, other).json()["item_id"] == item_id
    r = client.post(f"/api/v1/assignments/{task['assignment_id']}/skip", headers=org.annotator.headers)
    assert r.status_code == 409


def test_release_puts_the_item_back_for_anyone(client: TestClient, db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, workers_per_item=1)
    (item_id,) = factory.items(org.manager, p.id, 1)
    task = _next(client, p.id, org.annotator).json()
    other = factory.user("annotator", org_id=org.org_id)
    assert _next(client, p.id, other).status_code == 204  # the only slot is leased
    assert client.post(f"/api/v1/assignments/{task['assignment_id']}/release",
                       headers=org.annotator.headers).status_code == 204
    assert _item_counts(db, item_id) == (0, 0, 1)
    assert _next(client, p.id, org.annotator).json()["item_id"] == item_id  # the same annotator may take it again


def test_revisions_append_and_keep_version_one(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"])
    (item_id,) = factory.items(org.manager, p.id, 1)
    aid = _next(client, p.id, org.annotator).json()["assignment_id"]
    v1 = _submit(client, aid, org.annotator, {"label": "cat"}).json()
    r = client.post(f"/api/v1/annotations/{v1['id']}/revisions", json={"value": {"label": "dog"}, "client_submission_id": "rev-1"},
                    headers=org.annotator.headers)
    assert r.status_code == 201, r.text
    v2 = r.json()
    assert v2["version"] == 2 and v2["supersedes_id"] == v1["id"] and v2["id"] != v1["id"]
    retry = client.post(f"/api/v1/annotations/{v1['id']}/revisions", json={"value": {"label": "dog"}, "client_submission_id": "rev-1"},
                        headers=org.annotator.headers)
    assert retry.status_code == 200 and retry.json()["id"] == v2["id"]
    r = client.post(f"/api/v1/annotations/{v1['id']}/revisions", json={"value": {"label": "cat"}}, headers=org.annotator.headers)
    assert r.status_code == 409  # only the latest version is edited
    r = client.post(f"/api/v1/annotations/{v2['id']}/revisions", json={"value": {"label": "fox"}}, headers=org.annotator.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "value.label"
    history = client.get(f"/api/v1/projects/{p.id}/items/{item_id}/annotations", headers=org.reviewer.headers).json()
    assert [(a["version"], a["value"]) for a in history] == [(1, {"label": "cat"}), (2, {"label": "dog"})]
    assert history[0]["created_at"] == v1["created_at"]
    r = client.post(f"/api/v1/annotations/{v2['id']}/revisions", json={"value": {"label": "cat"}}, headers=org.manager.headers)
    assert r.status_code == 404  # an annotation is revised by its author


def test_annotators_see_only_their_own_annotations(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, workers_per_item=2)
    (item_id,) = factory.items(org.manager, p.id, 1)
    other = factory.user("annotator", org_id=org.org_id)
    for user in (org.annotator, other):
        aid = _next(client, p.id, user).json()["assignment_id"]
        assert _submit(client, aid, user, {"label": "cat"}).status_code == 201
    url = f"/api/v1/projects/{p.id}/items/{item_id}/annotations"
    assert [a["user_id"] for a in client.get(url, headers=org.annotator.headers).json()] == [org.annotator.id]
    assert len(client.get(url, headers=org.reviewer.headers).json()) == 2
    assert client.get(f"/api/v1/projects/{p.id}/items/424242/annotations", headers=org.reviewer.headers).status_code == 404


def _expire(db: Database, assignment_id: int) -> None:
    """Move time instead of sleeping: the lease ran out a second ago."""
    with db.write() as s:
        s.execute(update(Assignment).where(Assignment.id == assignment_id)
                  .values(expires_at=utcnow() - timedelta(seconds=1)))


def test_an_expired_lease_cannot_be_submitted(client: TestClient, db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, workers_per_item=1, task_time_limit_s=10)
    (item_id,) = factory.items(org.manager, p.id, 1)
    task = _next(client, p.id, org.annotator).json()
    _expire(db, task["assignment_id"])
    r = _submit(client, task["assignment_id"], org.annotator, {"label": "cat"})
    assert r.status_code == 409 and "expired" in r.json()["error"]["message"]
    assert _item_counts(db, item_id)[:2] == (1, 0)


def test_an_expired_lease_goes_back_to_the_pool(client: TestClient, db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, workers_per_item=1, task_time_limit_s=10)
    (item_id,) = factory.items(org.manager, p.id, 1)
    task = _next(client, p.id, org.annotator).json()
    other = factory.user("annotator", org_id=org.org_id)
    assert _next(client, p.id, other).status_code == 204
    _expire(db, task["assignment_id"])
    taken = _next(client, p.id, other).json()
    assert taken["item_id"] == item_id
    assert _item_counts(db, item_id) == (1, 0, 0)
    assert _submit(client, taken["assignment_id"], other, {"label": "dog"}).status_code == 201
    assert _item_counts(db, item_id) == (1, 1, 0)
    with db.read() as s:  # the expired lease stays, marked, so its id never comes to mean another lease
        statuses = sorted(s.scalars(select(Assignment.status).where(Assignment.item_id == item_id)))
    assert statuses == ["expired", "submitted"]


def test_the_first_annotator_resumes_after_expiry_with_a_new_lease(client: TestClient, db: Database, factory: Factory,
                                                                   org: OrgUsers) -> None:
    p = factory.project(org.manager, workers_per_item=1, task_time_limit_s=10)
    (item_id,) = factory.items(org.manager, p.id, 1)
    task = _next(client, p.id, org.annotator).json()
    _expire(db, task["assignment_id"])
    again = _next(client, p.id, org.annotator).json()
    assert again["item_id"] == item_id
    assert _item_counts(db, item_id) == (1, 0, 0)
    assert _submit(client, again["assignment_id"], org.annotator, {"label": "cat"}).status_code == 201


def test_submit_on_a_reclaimed_lease_says_it_expired(client: TestClient, db: Database, factory: Factory,
                                                     org: OrgUsers) -> None:
    p = factory.project(org.manager, workers_per_item=1, task_time_limit_s=10)
    factory.items(org.manager, p.id, 1)
    task = _next(client, p.id, org.annotator).json()
    _expire(db, task["assignment_id"])
    other = factory.user("annotator", org_id=org.org_id)
    assert _next(client, p.id, other).status_code == 200  # the expired lease is reclaimed
    r = _submit(client, task["assignment_id"], org.annotator, {"label": "cat"})
    assert r.status_code == 409


def test_a_stale_lease_id_is_never_reused_for_another_item(client: TestClient, db: Database, factory: Factory,
                                                           org: OrgUsers) -> None:
    p = factory.project(org.manager, workers_per_item=1, task_time_limit_s=10)
    x, y = factory.items(org.manager, p.id, 2)
    stale = _next(client, p.id, org.annotator).json()
    assert stale["item_id"] == x
    _expire(db, stale["assignment_id"])
    client.post(f"/api/v1/projects/{p.id}/items/priority", json={"item_ids": [y], "priority": 9},
                headers=org.manager.headers)
    fresh = _next(client, p.id, org.annotator).json()
    assert fresh["item_id"] == y
    # the old tab, still showing item x, submits on its lease id
    assert _submit(client, stale["assignment_id"], org.annotator, {"label": "dog"}).status_code == 409
    with db.read() as s:
        assert s.scalar(select(func.count(Annotation.id)).where(Annotation.item_id == y)) == 0


def test_items_past_the_task_lifetime_are_not_offered(client: TestClient, db: Database, factory: Factory,
                                                      org: OrgUsers, backend: str, request: pytest.FixtureRequest) -> None:
    p = factory.project(org.manager, task_lifetime_s=3600, workers_per_item=2)
    old, fresh = factory.items(org.manager, p.id, 2)
    with db.write() as s:
        s.execute(update(Item).where(Item.id == old).values(created_at=utcnow() - timedelta(hours=2)))
    assert _next(client, p.id, org.annotator).json()["item_id"] == fresh
    assert _next(client, p.id, org.annotator, exclude=[]).json()["item_id"] == fresh  # still the held lease
    other = factory.user("annotator", org_id=org.org_id)
    task = _next(client, p.id, other).json()
    assert task["item_id"] == fresh
    assert _submit(client, task["assignment_id"], other, {"label": "cat"}).status_code == 201
    assert _next(client, p.id, other).status_code == 204
