"""A named-entity project through the API: created with relation and document labels, items
uploaded, labeled by three annotators, consolidated on submit, agreement, exported."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi.testclient import TestClient

from factories import Factory, OrgUsers, UserHandle, wait_for_job

LABEL_FILE = {"document-version": "2018-11-28",
              "labels": [{"label": "person"}, {"label": "corporation"}, {"label": "location"}],
              "relations": ["works_for"], "documentLabels": {"labels": ["business", "sports"], "multi": False}}
TEXTS = ["Tim Cook runs Apple 🍎 in Cupertino.", "Zoë Ball hosts on BBC."]


def _ent(label: str, start: int, end: int, ent_id: str) -> dict[str, Any]:
    return {"label": label, "startOffset": start, "endOffset": end, "id": ent_id}


def _label(client: TestClient, user: UserHandle, pid: int, answers: dict[str, dict[str, Any]]) -> None:
    """Take tasks until none is left, answering each document by its text."""
    while True:
        r = client.post(f"/api/v1/projects/{pid}/next", json={}, headers=user.headers)
        if r.status_code == 204:
            return
        assert r.status_code == 200, r.text
        task = r.json()
        value = answers[task["data"]["source"]]
        r = client.post(f"/api/v1/assignments/{task['assignment_id']}/submit", json={"value": {"entities": value}},
                        headers=user.headers)
        assert r.status_code == 201, r.text


def test_create_import_label_consolidate_export(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    r = client.post("/api/v1/projects", json={"name": "People at work", "task_type": "named-entity-recognition",
                                              "labels": LABEL_FILE, "workers_per_item": 3},
                    headers=org.manager.headers)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    manifest = "".join(json.dumps({"source": t}, ensure_ascii=False) + "\n" for t in TEXTS).encode()
    r = client.post(f"/api/v1/projects/{pid}/imports", params={"filename": "docs.manifest"}, content=manifest,
                    headers={**org.manager.headers, "Content-Type": "application/octet-stream"})
    assert wait_for_job(client, r.json()["id"], org.manager.headers)["status"] == "done"

    # "🍎" is one code point: "in Cupertino" starts at 23 (24 in UTF-16)
    tim, apple, cupertino = _ent("person", 0, 8, "t"), _ent("corporation", 14, 19, "a"), _ent("location", 25, 34, "c")
    works = {"label": "works_for", "from": "t", "to": "a"}
    first = {"entities": [tim, apple, cupertino], "relations": [works], "documentLabels": ["business"]}
    second = {"entities": [apple, tim], "relations": [works], "documentLabels": ["business"]}
    third = {"entities": [tim, {**apple, "label": "location"}], "documentLabels": ["sports"]}
    zoe = {"entities": [_ent("person", 0, 8, "z"), _ent("corporation", 18, 21, "b")]}
    w1, w2, w3 = factory.annotators(3, org.org_id)
    for worker, answer in ((w1, first), (w2, second), (w3, third)):
        _label(client, worker, pid, {TEXTS[0]: answer, TEXTS[1]: zoe})

    # an entity past the end of the text is refused naming the field (a fourth worker, a fresh lease)
    extra = factory.annotators(1, org.org_id)[0]
    client.patch(f"/api/v1/projects/{pid}", json={"workers_per_item": 4}, headers=org.manager.headers)
    task = client.post(f"/api/v1/projects/{pid}/next", json={}, headers=extra.headers).json()
    bad = {"entities": {"entities": [_ent("person", 0, len(task["data"]["source"]) + 1, "x")]}}
    r = client.post(f"/api/v1/assignments/{task['assignment_id']}/submit", json={"value": bad}, headers=extra.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "value.entities.entities[0].endOffset"
    client.post(f"/api/v1/assignments/{task['assignment_id']}/release", headers=extra.headers)

    rows = [json.loads(line) for line in
            client.get(f"/api/v1/projects/{pid}/export", params={"format": "manifest"},
                       headers=org.manager.headers).text.splitlines()]
    attr = "people-at-work"
    assert [row["source"] for row in rows] == TEXTS
    body, meta = rows[0][attr]["annotations"], rows[0][f"{attr}-metadata"]
    assert body["entities"] == [_ent("person", 0, 8, "e1"), _ent("corporation", 14, 19, "e2")]
    assert body["labels"] == [{"label": "person"}, {"label": "corporation"}, {"label": "location"}]
    assert body["relations"] == [{"label": "works_for", "from": "e1", "to": "e2"}]
    assert body["documentLabels"] == [{"label": "business"}]
    assert meta["type"] == "groundtruth/text-span" and meta["human-annotated"] == "yes"
    assert meta["job-name"] == f"labeling-job/{attr}" and meta["creation-date"]
    assert meta["entities"][0] == {"confidence": 1.0} and 0 < meta["entities"][1]["confidence"] < 1
    assert meta["relations"] == [{"confidence": 0.67}]
    assert meta["documentLabels"] == [{"label": "business", "confidence": 0.67}]
    assert meta["consolidation"]["method"] == "span-jaccard-consensus"
    assert rows[1][attr]["annotations"]["entities"] == [{"label": "person", "startOffset": 0, "endOffset": 8},
                                                         {"label": "corporation", "startOffset": 18, "endOffset": 21}]

    lines = [json.loads(line) for line in client.get(f"/api/v1/projects/{pid}/export", params={"format": "jsonl"},
                                                     headers=org.manager.headers).text.splitlines()]
    consolidated = lines[0]["consolidated"]
    assert consolidated["value"] == {"entities": [_ent("person", 0, 8, "e1"), _ent("corporation", 14, 19, "e2")],
                                     "relations": [{"label": "works_for", "from": "e1", "to": "e2"}],
                                     "documentLabels": ["business"]}
    assert consolidated["confidence_map"] == {"relations[0]": 0.6667, "documentLabels.business": 0.6667}
    assert len(lines[0]["annotations"]) == 3
    # each worker's answer as stored: sorted, ids renumbered, relations following them
    assert {json.dumps(a["value"]["relations"]) for a in lines[0]["annotations"] if "relations" in a["value"]} == {
        json.dumps([{"label": "works_for", "from": "e1", "to": "e2"}])}

    # the CSV summary has no column for spans: one row per document with its confidence and votes
    csv_text = client.get(f"/api/v1/projects/{pid}/export", params={"format": "csv"}, headers=org.manager.headers).text
    summary = list(csv.DictReader(io.StringIO(csv_text)))
    assert [(row["source"], row["votes"]) for row in summary] == [(TEXTS[0], "3"), (TEXTS[1], "3")]

    agreement = client.get(f"/api/v1/projects/{pid}/agreement", headers=org.manager.headers).json()
    assert agreement["kind"] == "spans" and agreement["items"] == 2
    assert 0 < agreement["mean_similarity"] < 1
