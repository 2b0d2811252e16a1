"""The HTTP side of the text formats: a CoNLL file uploaded as an import job becomes the entity
element's initial-value; CoNLL (any scheme), Parquet and DocBin stream back; a format the project
cannot take is refused."""

from __future__ import annotations

import io

import pyarrow.parquet as pq
from fastapi.testclient import TestClient

from labelworks.core.formats.spacy_formats import read_docbin

from factories import Factory, OrgUsers, wait_for_job

CONLL = "Empire\tB-location\nState\tI-location\nBuilding\tI-location\n=\tO\nESB\tB-location\n"


def _upload(client: TestClient, org: OrgUsers, pid: int, name: str, fmt: str, body: bytes) -> dict:
    r = client.post(f"/api/v1/projects/{pid}/imports", params={"filename": name, "format": fmt}, content=body,
                    headers={**org.manager.headers, "Content-Type": "application/octet-stream"})
    assert r.status_code == 202, r.text
    return wait_for_job(client, r.json()["id"], org.manager.headers)


def test_conll_upload_then_export(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, "named-entity-recognition", labels=["location", "person"])
    job = _upload(client, org, p.id, "in.conll", "conll", CONLL.encode())
    assert job["status"] == "done" and job["result"]["created"] == 1, job
    task = client.post(f"/api/v1/projects/{p.id}/next", json={}, headers=org.annotator.headers).json()
    assert task["data"]["source"] == "Empire State Building = ESB"
    assert [(e["startOffset"], e["endOffset"]) for e in task["data"]["lw-pre-annotations"]["entities"]] == [
        (0, 21), (24, 27)]
    frame = client.get(task["frame_url"], headers=org.annotator.headers)
    assert frame.status_code == 200 and "<lw-entity-annotation" in frame.text and "initial-value=" in frame.text

    r = client.get(f"/api/v1/projects/{p.id}/export", params={"format": "conll"}, headers=org.manager.headers)
    assert r.status_code == 200 and r.text == CONLL and r.headers["content-type"].startswith("text/plain")
    r = client.get(f"/api/v1/projects/{p.id}/export", params={"format": "conll/bilou"}, headers=org.manager.headers)
    assert r.text.split("\n") == ["Empire\tB-location", "State\tI-location", "Building\tL-location", "=\tO",
                                 "ESB\tU-location", ""]
    r = client.get(f"/api/v1/projects/{p.id}/export", params={"format": "parquet"}, headers=org.manager.headers)
    table = pq.read_table(io.BytesIO(r.content))
    assert table.column("tokens").to_pylist() == [["Empire", "State", "Building", "=", "ESB"]]
    assert table.column("ner_tags").to_pylist() == [[1, 2, 2, 0, 1]]  # O, B-location, I-location, B-person…
    r = client.get(f"/api/v1/projects/{p.id}/export", params={"format": "docbin"}, headers=org.manager.headers)
    ((row),) = read_docbin(r.content)
    assert row["source"] == "Empire State Building = ESB"


def test_text_formats_refused_by_other_projects(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, "text-classification", labels=["cat", "dog"])
    r = client.get(f"/api/v1/projects/{p.id}/export", params={"format": "conll"}, headers=org.manager.headers)
    assert r.status_code == 422 and "text-classification" in r.text
    bad = _upload(client, org, p.id, "in.conll", "conll", CONLL.encode())
    assert bad["status"] == "failed" and "does not fit" in bad["error"], bad
