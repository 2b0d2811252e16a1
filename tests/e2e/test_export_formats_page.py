"""The export page offers a project only the formats its task type has (no browser needed)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from factories import PASSWORD, Factory, OrgUsers


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_export_page_offers_what_the_task_type_has(make_client: Callable[..., TestClient],
                                                       factory: Factory) -> None:
    org: OrgUsers = factory.org_users("Formats Org", password=PASSWORD)
    client = make_client()
    r = client.post("/login", data={"email": org.manager.email, "password": PASSWORD, "next": "/"},
                    headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code == 303
    expected = {"bounding-box": ["manifest", "jsonl", "csv", "coco", "yolo", "voc"],
                "polygon": ["manifest", "jsonl", "csv", "coco", "yolo"],
                "keypoint": ["manifest", "jsonl", "csv", "coco", "yolo"],
                "polyline": ["manifest", "jsonl", "csv"],
                "text-classification": ["manifest", "jsonl", "csv"],
                "semantic-segmentation": ["manifest", "jsonl", "csv", "masks", "gt-segmentation"],
                "instance-segmentation": ["manifest", "jsonl", "csv", "coco", "gt-segmentation"]}
    known = {"manifest", "jsonl", "csv", "coco", "yolo", "voc", "masks", "gt-segmentation"}
    for task_type, formats in expected.items():
        project = factory.project(org.manager, task_type, labels=["a", "b"])
        page = client.get(f"/projects/{project.id}/export").text
        offered = re.findall(r'<tr data-format="([a-z-]+)"', page)
        assert [f for f in offered if f in known] == formats, task_type


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_import_page_offers_what_the_task_type_has(make_client: Callable[..., TestClient],
                                                       factory: Factory) -> None:
    org: OrgUsers = factory.org_users("Import Formats Org", password=PASSWORD)
    client = make_client()
    r = client.post("/login", data={"email": org.manager.email, "password": PASSWORD, "next": "/"},
                    headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code == 303
    dataset = {"coco", "yolo", "voc", "gt-detection", "gt-objects", "gt-verification"}
    expected = {"bounding-box": ["coco", "yolo", "voc", "gt-detection", "gt-objects"],
                "polygon": ["coco", "yolo", "gt-objects"], "keypoint": ["coco", "yolo", "gt-objects"],
                "line": ["gt-objects"], "label-verification": ["gt-verification"], "text-classification": []}
    for task_type, formats in expected.items():
        project = factory.project(org.manager, task_type, labels=["a", "b"])
        page = client.get(f"/projects/{project.id}/import").text
        offered = re.findall(r'<option value="([a-z-]+)"', page)
        assert "manifest" in offered and "csv" in offered, task_type
        assert [f for f in offered if f in dataset] == formats, task_type
