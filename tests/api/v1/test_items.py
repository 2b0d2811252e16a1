"""/projects/{id}/items (JSON rows), /imports (uploads run as jobs), item listing and priority."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from factories import Factory, OrgUsers, wait_for_job


def _project(factory: Factory, org: OrgUsers, **fields: Any) -> int:
    return factory.project(org.manager, **fields).id


def _items(client: TestClient, pid: int, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/projects/{pid}/items", params={"page_size": 200, **params}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


def test_rows_are_imported_once(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid = _project(factory, org)
    rows = [{"source": "a"}, {"source": "b", "meta": {"k": 1}}, {"source-ref": "s3://bucket/c.jpg"}]
    r = client.post(f"/api/v1/projects/{pid}/items", json={"rows": rows}, headers=org.manager.headers)
    assert r.status_code == 201, r.text
    assert r.json() == {"lines": 3, "created": 3, "duplicates": 0, "bad_count": 0, "bad": []}
    # the same objects again, keys in another order: nothing is added twice
    again = [{"source": "a"}, {"meta": {"k": 1}, "source": "b"}, {"source": "d"}]
    r = client.post(f"/api/v1/projects/{pid}/items", json={"rows": again}, headers=org.manager.headers)
    assert r.json() == {"lines": 3, "created": 1, "duplicates": 2, "bad_count": 0, "bad": []}
    listed = _items(client, pid, org.reviewer.headers)
    assert [i["data"] for i in listed] == [*rows, {"source": "d"}]
    assert [i["source"] for i in listed] == ["a", "b", "s3://bucket/c.jpg", "d"]


def test_a_bad_row_rejects_the_whole_request(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid = _project(factory, org)
    rows = [{"source": "ok"}, {"nosource": 1}, {"source": "fine"}, "text", {"source": ""}]
    r = client.post(f"/api/v1/projects/{pid}/items", json={"rows": rows}, headers=org.manager.headers)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "import_rejected" and error["field"] == "file"
    assert [d["line"] for d in error["details"]] == [2, 4, 5]
    assert error["message"].startswith("line 2: ") and "(and 2 more)" in error["message"]
    assert _items(client, pid, org.manager.headers) == []


def test_skip_invalid_imports_the_good_rows(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid = _project(factory, org)
    rows = [{"source": "ok"}, {"nosource": 1}, {"source": "fine"}]
    r = client.post(f"/api/v1/projects/{pid}/items", json={"rows": rows, "skip_invalid": True}, headers=org.manager.headers)
    assert r.status_code == 201
    body = r.json()
    assert (body["lines"], body["created"], body["bad_count"]) == (3, 2, 1)
    assert body["bad"][0]["line"] == 2
    assert [i["source"] for i in _items(client, pid, org.manager.headers)] == ["ok", "fine"]


def test_who_may_import(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid = _project(factory, org)
    for user in (org.reviewer, org.annotator):
        r = client.post(f"/api/v1/projects/{pid}/items", json={"rows": [{"source": "x"}]}, headers=user.headers)
        assert r.status_code == 403
    assert client.get(f"/api/v1/projects/{pid}/items", headers=org.annotator.headers).status_code == 403


def test_upload_is_imported_by_a_job(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid = _project(factory, org)
    manifest = b"".join(b'{"source": "line %d"}\n' % i for i in range(1, 51))
    r = client.post(f"/api/v1/projects/{pid}/imports", params={"filename": "batch.manifest"}, content=manifest,
                    headers={**org.manager.headers, "Content-Type": "application/octet-stream"})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["kind"] == "import" and job["project_id"] == pid and job["status"] in ("queued", "running", "done")
    job = wait_for_job(client, job["id"], org.manager.headers)
    assert job["status"] == "done", job
    assert job["result"]["created"] == 50 and job["progress_done"] == 50 and job["progress_total"] == 50
    assert "path" not in job["result"]  # server paths stay on the server
    assert len(_items(client, pid, org.manager.headers)) == 50
    uploads = list((client.app.state.settings.data_dir / "uploads").iterdir())  # type: ignore[attr-defined]
    assert uploads == []  # the upload is deleted once imported
    jobs = client.get(f"/api/v1/projects/{pid}/jobs", headers=org.manager.headers).json()
    assert [j["id"] for j in jobs] == [job["id"]]


def test_upload_with_bad_lines_fails_with_line_numbers(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid = _project(factory, org)
    csv = b"source,topic\nfirst,a\n\nsecond\nthird,c\n"
    r = client.post(f"/api/v1/projects/{pid}/imports", params={"filename": "rows.csv"}, content=csv,
                    headers=org.manager.headers)
    job = wait_for_job(client, r.json()["id"], org.manager.headers)
    assert job["status"] == "failed"
    assert "line 4" in job["error"]
    assert job["result"] == {"bad": [{"line": 4, "reason": "expected 2 columns, found 1"}]}
    assert _items(client, pid, org.manager.headers) == []

    r = client.post(f"/api/v1/projects/{pid}/imports", params={"filename": "rows.csv", "skip_invalid": True},
                    content=csv, headers=org.manager.headers)
    job = wait_for_job(client, r.json()["id"], org.manager.headers)
    assert job["status"] == "done" and job["result"]["created"] == 2


def test_multipart_upload_and_format_checks(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid = _project(factory, org)
    r = client.post(f"/api/v1/projects/{pid}/imports", params={"filename": "x.json"},
                    files={"file": ("x.json", b'[{"source": "a"}]')}, headers=org.manager.headers)
    assert r.status_code == 202
    assert wait_for_job(client, r.json()["id"], org.manager.headers)["status"] == "done"
    r = client.post(f"/api/v1/projects/{pid}/imports", params={"format": "xml"}, content=b"<a/>", headers=org.manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "format"
    r = client.post(f"/api/v1/projects/{pid}/imports", content=b"", headers=org.manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "file"


def test_multipart_upload_format_comes_from_the_file_name(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid = _project(factory, org)
    r = client.post(f"/api/v1/projects/{pid}/imports", files={"file": ("rows.csv", b"source\nfirst\nsecond\n")},
                    headers=org.manager.headers)
    job = wait_for_job(client, r.json()["id"], org.manager.headers)
    assert job["status"] == "done", job["error"]


def test_upload_size_limit(make_client: Any, factory: Factory, org: OrgUsers) -> None:
    client = make_client(max_upload_mb=1)
    pid = _project(factory, org)
    r = client.post(f"/api/v1/projects/{pid}/imports", content=b'{"source": "x"}\n' * 70_000, headers=org.manager.headers)
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"


def test_item_filters_and_priority(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid = _project(factory, org)
    ids = factory.items(org.manager, pid, rows=[{"source": "apple"}, {"source": "banana"}, {"source": "100%_cherry"}])
    assert [i["id"] for i in _items(client, pid, org.manager.headers, q="an")] == [ids[1]]
    assert [i["id"] for i in _items(client, pid, org.manager.headers, q="%_")] == [ids[2]]  # LIKE wildcards are literal
    assert [i["id"] for i in _items(client, pid, org.manager.headers, sort="-id")] == ids[::-1]
    assert len(_items(client, pid, org.manager.headers, status="unlabeled")) == 3
    r = client.get(f"/api/v1/projects/{pid}/items", params={"status": "odd"}, headers=org.manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "status"
    page = client.get(f"/api/v1/projects/{pid}/items", params={"page_size": 2}, headers=org.manager.headers).json()
    assert len(page["items"]) == 2 and page["has_more"] is True
    r = client.post(f"/api/v1/projects/{pid}/items/priority", json={"item_ids": [ids[2]], "priority": 5},
                    headers=org.manager.headers)
    assert r.json() == {"updated": 1}
    task = client.post(f"/api/v1/projects/{pid}/next", json={}, headers=org.annotator.headers).json()
    assert task["item_id"] == ids[2]  # higher priority is offered first


def test_duplicate_lines_within_one_import_are_added_once(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid = _project(factory, org)
    rows = [{"source": "same", "n": 1}, {"n": 1, "source": "same"}, {"source": "other"}]
    r = client.post(f"/api/v1/projects/{pid}/items", json={"rows": rows}, headers=org.manager.headers)
    assert r.json()["created"] == 2 and r.json()["duplicates"] == 1
    assert len(_items(client, pid, org.manager.headers)) == 2


def test_items_by_annotator_and_their_labels(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid = _project(factory, org, workers_per_item=2)
    ids = factory.items(org.manager, pid, 3)
    other = factory.user("annotator", org_id=org.org_id)
    for user, label in ((org.annotator, "cat"), (other, "dog")):
        task = client.post(f"/api/v1/projects/{pid}/next", json={}, headers=user.headers).json()
        client.post(f"/api/v1/assignments/{task['assignment_id']}/submit", json={"value": {"label": label}},
                    headers=user.headers)
    mine = _items(client, pid, org.manager.headers, annotator_id=other.id)
    assert [i["id"] for i in mine] == [ids[0]]
    assert mine[0]["labels"] == ["cat", "dog"] and mine[0]["done"] == 2
    assert [i["id"] for i in _items(client, pid, org.manager.headers, status="labeled")] == [ids[0]]
    assert [i["id"] for i in _items(client, pid, org.manager.headers, status="unlabeled")] == ids[1:]
    assert _items(client, pid, org.manager.headers, annotator_id=org.owner.id) == []
