"""The HTTP side of the mask formats: a PNG masks zip uploaded as an import job becomes the
element's initial-value; masks and COCO RLE stream back."""

from __future__ import annotations

import json

import numpy as np
from fastapi.testclient import TestClient

from labelworks.core.consolidation.structured.segmentation import crop_mask
from labelworks.core.formats.coco_masks import InstanceDataset, InstanceImage, write_coco_masks
from labelworks.core.formats.masks import MaskDataset, MaskImage, write_masks_zip

from factories import Factory, OrgUsers, wait_for_job

IDS = np.zeros((12, 16), dtype=np.int64)
IDS[2:6, 3:9] = 1
MASKS = MaskDataset((("car", "#2ca02c"), ("road", "#1f77b4")), (MaskImage("s3://bucket/a.jpg", 16, 12, IDS),))


def _upload(client: TestClient, org: OrgUsers, pid: int, name: str, fmt: str, body: bytes) -> dict:
    r = client.post(f"/api/v1/projects/{pid}/imports", params={"filename": name, "format": fmt}, content=body,
                    headers={**org.manager.headers, "Content-Type": "application/octet-stream"})
    assert r.status_code == 202, r.text
    return wait_for_job(client, r.json()["id"], org.manager.headers)


def test_masks_upload_then_export(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, "semantic-segmentation", labels=["car", "road"])
    job = _upload(client, org, p.id, "masks.zip", "masks", write_masks_zip(MASKS))
    assert job["status"] == "done" and job["result"]["created"] == 1, job
    task = client.post(f"/api/v1/projects/{p.id}/next", json={}, headers=org.annotator.headers).json()
    pre = task["data"]["lw-pre-annotations"]
    assert pre["labelMappings"]["car"] == {"color": "#2ca02c"} and pre["inputImageProperties"] == {
        "width": 16, "height": 12}
    frame = client.get(task["frame_url"], headers=org.annotator.headers)
    assert frame.status_code == 200 and "<lw-semantic-segmentation" in frame.text and "initial-value=" in frame.text
    r = client.get(f"/api/v1/projects/{p.id}/export", params={"format": "masks"}, headers=org.manager.headers)
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert 'masks.zip"' in r.headers["content-disposition"]
    assert r.content == write_masks_zip(MASKS)


def test_coco_rle_for_instance_projects_and_refusals(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, "instance-segmentation", labels=["car", "road"])
    doc = write_coco_masks(InstanceDataset((InstanceImage("s3://bucket/a.jpg", 16, 12,
                                                          (("car", crop_mask(IDS == 1)),)),), ("car", "road")))
    assert _upload(client, org, p.id, "c.json", "coco", doc)["status"] == "done"
    r = client.get(f"/api/v1/projects/{p.id}/export", params={"format": "coco"}, headers=org.manager.headers)
    assert r.status_code == 200 and r.content == doc
    r = client.get(f"/api/v1/projects/{p.id}/export", params={"format": "masks"}, headers=org.manager.headers)
    assert r.status_code == 422 and "instance-segmentation" in r.text
    broken = json.loads(doc)
    broken["annotations"][0]["segmentation"]["size"] = [13, 16]
    bad = _upload(client, org, p.id, "c.json", "coco", json.dumps(broken).encode())
    assert bad["status"] == "failed" and "annotations[0].segmentation.size" in bad["error"], bad
