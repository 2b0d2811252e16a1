"""The export page offers Bedrock's human-evaluation output to model-evaluation projects only, and a
manager downloads the records from it in Chromium."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import PASSWORD, Factory, OrgUsers
from image_labeling import login
from labelworks.core.enums import Role
from labelworks.services import annotations, assignments

SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))

CRITERIA = {"labels": [{"label": "evaluation"}], "criteria": ["accuracy"]}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_export_page_offers_bedrock_records_to_evaluations(make_client: Callable[..., TestClient],
                                                               factory: Factory) -> None:
    org: OrgUsers = factory.org_users("Bedrock Formats Org", password=PASSWORD)
    client = make_client()
    r = client.post("/login", data={"email": org.manager.email, "password": PASSWORD, "next": "/"},
                    headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code == 303
    for task_type, labels, offered in [("model-evaluation", CRITERIA, True), ("text-ranking", ["a", "b"], False),
                                       ("text-classification", ["a", "b"], False)]:
        project = factory.project(org.manager, task_type, labels=labels)
        page = client.get(f"/projects/{project.id}/export").text
        formats = re.findall(r'<tr data-format="([a-z-]+)"', page)
        assert ("bedrock-evaluation" in formats) == offered, task_type
        assert ("Amazon Bedrock human-evaluation output" in page) == offered, task_type
        assert "manifest" in formats


@pytest.mark.e2e
def test_a_manager_downloads_the_bedrock_records_from_the_export_page(chromium: Any, live_server: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    factory: Factory = live_server.factory
    db = live_server.db
    org_id = factory.org("Bedrock Export Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@bedrock.test", password=PASSWORD)
    p = factory.project(manager, "model-evaluation", name="Bedrock export", labels=CRITERIA, workers_per_item=2)
    factory.items(manager, p.id, rows=[{"prompt": "2+2?", "category": "math", "modelResponses": [
        {"response": "4", "modelIdentifier": "m1"}, {"response": "5", "modelIdentifier": "m2"}]}])
    for rating in ([5, 1], [4, 2]):
        rater = factory.user(Role.ANNOTATOR, org_id=org_id)
        lease = assignments.next_for(db, rater.actor, p.id)
        assert lease is not None
        annotations.submit(db, rater.actor, lease.assignment_id, {"evaluation": {"criteria": {"accuracy": rating}}},
                           active_ms=3000)
    context, page = login(chromium, live_server.url, "lead@bedrock.test", PASSWORD)
    page.goto(f"/projects/{p.id}/export")
    row = page.locator('tr[data-format="bedrock-evaluation"]')
    assert "Amazon Bedrock human-evaluation output" in row.inner_text()
    row.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "evaluation-export-page.png"), full_page=True)
    with page.expect_download() as info:
        page.get_by_test_id("download-bedrock-evaluation").click()
    download = info.value
    assert download.suggested_filename.endswith("bedrock-evaluation_output.jsonl")
    (record,) = [json.loads(line) for line in Path(download.path()).read_text(encoding="utf-8").splitlines()]
    (loop,) = record["humanEvaluationResult"]
    assert sorted(h["answerContent"]["evaluationResults"]["individualLikertScale"][0]["result"]
                  for h in loop["humanAnswers"]) == [4, 5]
    context.close()
