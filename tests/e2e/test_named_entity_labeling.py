"""A named-entity task in Chromium: pre-annotations over a text with emoji (code points on the
server, UTF-16 in the browser) reach <lw-entity-annotation> with the project's relation and
document labels, and submitting them stores the same canonical value, offsets in code points."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from factories import PASSWORD, Factory
from image_labeling import login
from labelworks.core.enums import Role
from labelworks.db.models import Annotation

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))
TEXT = "🍎 Tim Cook 😀 runs Apple in Cupertino, says Zoë."
LABELS = {"labels": [{"label": "person"}, {"label": "corporation"}, {"label": "location"}],
          "relations": ["works_for", "located_in"], "documentLabels": {"labels": ["business", "sports"]}}
PRE = {"entities": [{"label": "person", "startOffset": 2, "endOffset": 10, "id": "e1"},
                    {"label": "corporation", "startOffset": 18, "endOffset": 23, "id": "e2"},
                    {"label": "location", "startOffset": 27, "endOffset": 36, "id": "e3"}],
       "relations": [{"label": "works_for", "from": "e1", "to": "e2"}],
       "documentLabels": ["business"]}


def test_pre_annotations_round_trip_through_the_element(live_server: Any, chromium: Any) -> None:
    assert TEXT[2:10] == "Tim Cook" and TEXT[18:23] == "Apple" and TEXT[27:36] == "Cupertino"
    factory: Factory = live_server.factory
    org_id = factory.org("ner labeling org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@ner.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@ner.test", password=PASSWORD)
    pid = factory.project(manager, name="Entities", task_type="named-entity-recognition", labels=LABELS).id
    factory.items(manager, pid, rows=[{"source": TEXT, "lw-pre-annotations": PRE}])

    context, page = login(chromium, live_server.url, "ann@ner.test", PASSWORD)
    page.goto(f"/label/{pid}")
    shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
    shown.wait_for(timeout=15_000)
    frame = shown.element_handle().content_frame()
    element = frame.locator("lw-entity-annotation")
    element.wait_for(timeout=15_000)
    assert element.get_attribute("text") == TEXT
    assert json.loads(element.get_attribute("relation-labels") or "") == ["works_for", "located_in"]
    assert json.loads(element.get_attribute("document-labels") or "") == ["business", "sports"]
    assert json.loads(element.get_attribute("initial-value") or "") == PRE
    page.wait_for_timeout(500)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "named-entity-task.png"))
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()

    with live_server.db.read() as s:
        (stored,) = [json.loads(a.value) for a in s.query(Annotation).filter(Annotation.project_id == pid)]
    assert stored == PRE  # UTF-16 in the browser, code points again on the server
