"""The HTTP side of the detection formats: a YOLO zip uploaded as an import job, COCO streamed back."""

from __future__ import annotations

from fastapi.testclient import TestClient

from labelworks.core.formats.coco import read_coco
from labelworks.core.formats.detection import Dataset, ImageBoxes
from labelworks.core.formats.yolo import write_yolo_zip

from factories import Factory, OrgUsers, wait_for_job

CAR = {"label": "car", "left": 10, "top": 20, "width": 100, "height": 50}
DATASET = Dataset((ImageBoxes("s3://bucket/a.jpg", 640, 480, (CAR,)), ImageBoxes("s3://bucket/b.jpg", 64, 48, ())),
                  ("car", "person"))


def test_yolo_upload_then_coco_export(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, "bounding-box", labels=["car", "person"])
    r = client.post(f"/api/v1/projects/{p.id}/imports", params={"filename": "set.zip", "format": "yolo"},
                    content=write_yolo_zip(DATASET), headers={**org.manager.headers,
                                                              "Content-Type": "application/octet-stream"})
    assert r.status_code == 202, r.text
    job = wait_for_job(client, r.json()["id"], org.manager.headers)
    assert job["status"] == "done" and job["result"]["created"] == 2, job
    # the worker's task carries the boxes as pre-annotations, and the frame passes them on
    task = client.post(f"/api/v1/projects/{p.id}/next", json={}, headers=org.annotator.headers).json()
    assert task["data"]["lw-pre-annotations"]["boundingBoxes"] == [CAR]  # the element's shape
    frame = client.get(task["frame_url"], headers=org.annotator.headers)
    assert frame.status_code == 200 and "initial-value=" in frame.text
    r = client.get(f"/api/v1/projects/{p.id}/export", params={"format": "coco"}, headers=org.manager.headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert 'coco.json"' in r.headers["content-disposition"]
    assert read_coco(r.content) == DATASET


def test_a_broken_upload_fails_its_job_naming_the_field(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, "bounding-box", labels=["car"])
    r = client.post(f"/api/v1/projects/{p.id}/imports", params={"filename": "c.json", "format": "coco"},
                    content=b'{"images": [], "annotations": [{"image_id": 1}]}',
                    headers={**org.manager.headers, "Content-Type": "application/octet-stream"})
    job = wait_for_job(client, r.json()["id"], org.manager.headers)
    assert job["status"] == "failed" and "annotations[0].image_id" in job["error"]


def test_detection_export_of_a_text_project_is_refused(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["a", "b"])
    r = client.get(f"/api/v1/projects/{p.id}/export", params={"format": "voc"}, headers=org.manager.headers)
    assert r.status_code == 422 and "--format voc does not fit a text-classification project" in r.text
