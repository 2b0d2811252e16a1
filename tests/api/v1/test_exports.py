"""/projects/{id}/export: streamed manifest, JSON lines and CSV; every item exactly once."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from labelworks.db.engine import Database
from labelworks.services import annotations, assignments

from factories import Factory, OrgUsers, UserHandle


def _label(db: Database, user: UserHandle, pid: int, value: dict[str, Any]) -> int:
    lease = assignments.next_for(db, user.actor, pid)
    assert lease is not None
    annotations.submit(db, user.actor, lease.assignment_id, value)
    return lease.item_id


def _export(client: TestClient, pid: int, user: UserHandle, fmt: str) -> Any:
    r = client.get(f"/api/v1/projects/{pid}/export", params={"format": fmt}, headers=user.headers)
    assert r.status_code == 200, r.text
    return r


@pytest.fixture
def labeled(db: Database, factory: Factory, org: OrgUsers) -> dict[str, Any]:
    """Items: 0 three votes (cat, cat, dog), 1 one vote (bird), 2 none, 3 a tie (dog, cat) after a revision."""
    p = factory.project(org.manager, name="Pets", labels=["cat", "dog", "bird"], workers_per_item=3)
    ids = factory.items(org.manager, p.id, rows=[{"source": "zero"}, {"source": "one", "extra": [1, {"x": None}]},
                                                 {"source": "two"}, {"source": "three"}])
    w1, w2, w3, w4 = factory.annotators(4, org.org_id)
    assert _label(db, w1, p.id, {"label": "cat"}) == ids[0]
    assert _label(db, w2, p.id, {"label": "cat"}) == ids[0]
    assert _label(db, w3, p.id, {"label": "dog"}) == ids[0]
    assert _label(db, w1, p.id, {"label": "bird"}) == ids[1]
    client_priority = [ids[3]]
    from labelworks.services import items

    items.set_priority(db, org.manager.actor, p.id, client_priority, 5)
    assert _label(db, w4, p.id, {"label": "dog"}) == ids[3]
    lease = assignments.next_for(db, w2.actor, p.id)
    assert lease is not None and lease.item_id == ids[3]
    first, _ = annotations.submit(db, w2.actor, lease.assignment_id, {"label": "dog"})
    annotations.revise(db, w2.actor, first.id, {"label": "cat"})  # the latest version counts
    return {"pid": p.id, "ids": ids, "workers": (w1, w2, w3, w4)}


def test_manifest_in_ground_truth_shape(client: TestClient, org: OrgUsers, labeled: dict[str, Any]) -> None:
    r = _export(client, labeled["pid"], org.manager, "manifest")
    assert r.headers["content-type"] == "application/jsonl"
    assert r.headers["content-disposition"] == 'attachment; filename="pets-output.manifest"'
    rows = [json.loads(line) for line in r.text.splitlines()]
    assert [row["source"] for row in rows] == ["zero", "one", "two", "three"]
    zero, one, two, three = rows
    meta = zero["pets-metadata"]
    assert zero["pets"] == 0
    assert meta["class-name"] == "cat" and meta["confidence"] == 0.67
    assert meta["type"] == "groundtruth/text-classification" and meta["human-annotated"] == "yes"
    assert meta["job-name"] == "labeling-job/pets" and meta["creation-date"]
    assert one["pets"] == 2 and one["pets-metadata"]["confidence"] == 0.0  # one worker: 0.00, as Ground Truth
    assert one["extra"] == [1, {"x": None}]
    assert two == {"source": "two"}  # unlabeled: the input line unchanged
    assert three["pets-metadata"]["class-name"] == "cat"  # tie cat/dog after the revision: label order wins
    assert three["pets-metadata"]["confidence"] == 0.5
    # the quality record: algorithm, and each worker's latest answer in Ground Truth's worker-response shape
    assert meta["consolidation"] == {"method": "majority-vote", "params": {}, "confidence": 0.6667, "votes": 3,
                                     "confidence_map": {"cat": 0.6667, "dog": 0.3333}}
    responses = meta["worker-responses"]
    assert len(responses) == 3 and {r["answerContent"]["label"] for r in responses} == {"cat", "dog"}
    first = responses[0]
    assert first["workerId"].startswith("private.labelworks.") and first["workerEmail"]
    assert first["acceptanceTime"] <= first["submissionTime"]
    assert len(three["pets-metadata"]["worker-responses"]) == 2  # a revision replaces its author's answer


def test_jsonl_lists_every_version(client: TestClient, org: OrgUsers, labeled: dict[str, Any]) -> None:
    rows = [json.loads(line) for line in _export(client, labeled["pid"], org.reviewer, "jsonl").text.splitlines()]
    assert [r["item_id"] for r in rows] == labeled["ids"]
    assert [len(r["annotations"]) for r in rows] == [3, 1, 0, 3]
    assert [a["version"] for a in rows[3]["annotations"]] == [1, 1, 2]
    assert rows[0]["consolidated"] == {"value": {"label": "cat"}, "confidence": 0.6667, "method": "majority-vote",
                                       "params": {}, "votes": 3, "confidence_map": {"cat": 0.6667, "dog": 0.3333}}
    assert [len(r["worker_responses"]["answers"]) for r in rows] == [3, 1, 0, 2]
    assert rows[2]["consolidated"] is None and rows[2]["data"] == {"source": "two"}


def test_csv(client: TestClient, org: OrgUsers, labeled: dict[str, Any]) -> None:
    r = _export(client, labeled["pid"], org.manager, "csv")
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["item_id"] for row in rows] == [str(i) for i in labeled["ids"]]
    assert [(row["label"], row["confidence"], row["votes"]) for row in rows] == [
        ("cat", "0.67", "3"), ("bird", "0.00", "1"), ("", "", "0"), ("cat", "0.50", "2")]


def test_multi_label_export(client: TestClient, db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, name="Tags", task_type="image-classification", labels=["red", "green", "blue"],
                        multi_label=True, workers_per_item=3)
    factory.items(org.manager, p.id, rows=[{"source-ref": "s3://bucket/a.png"}])
    for user, chosen in zip(factory.annotators(3, org.org_id), (["red", "blue"], ["blue"], ["blue", "green", "red"]),
                            strict=True):
        _label(db, user, p.id, {"tags": {"labels": chosen}})
    (row,) = [json.loads(line) for line in _export(client, p.id, org.manager, "manifest").text.splitlines()]
    assert row["tags"] == [0, 2]
    meta = row["tags-metadata"]
    assert meta["class-map"] == {"0": "red", "2": "blue"}
    assert meta["confidence-map"] == {"0": 0.67, "2": 1.0}
    assert meta["type"] == "groundtruth/image-classification-multilabel"


def test_every_item_exactly_once_across_batches(client: TestClient, db: Database, factory: Factory,
                                                org: OrgUsers) -> None:
    p = factory.project(org.manager)
    n = 2050  # more than one export batch (2000)
    factory.items(org.manager, p.id, rows=[{"source": f"s{i}"} for i in range(n)])
    _label(db, org.annotator, p.id, {"label": "dog"})
    expected = sorted(f"s{i}" for i in range(n))
    manifest = _export(client, p.id, org.manager, "manifest").text.splitlines()
    assert sorted(json.loads(line)["source"] for line in manifest) == expected
    jsonl = _export(client, p.id, org.manager, "jsonl").text.splitlines()
    assert sorted(json.loads(line)["data"]["source"] for line in jsonl) == expected
    table = csv.DictReader(io.StringIO(_export(client, p.id, org.manager, "csv").text))
    assert sorted(row["source"] for row in table) == expected


def test_export_permissions_and_format(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager)
    assert client.get(f"/api/v1/projects/{p.id}/export", headers=org.annotator.headers).status_code == 403
    r = client.get(f"/api/v1/projects/{p.id}/export", params={"format": "xml"}, headers=org.manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "format"
    assert _export(client, p.id, org.reviewer, "manifest").text == ""
