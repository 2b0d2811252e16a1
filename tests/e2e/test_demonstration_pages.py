"""Every project page renders for the demonstration task types once workers have answered (no
browser needed): project, items with the answers, consensus, quality, import, export, progress,
review queue and the item's annotations."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from factories import PASSWORD, Factory, OrgUsers
from labelworks.services import annotations, assignments

CHAT = [{"role": "user", "content": "2+2?"}]
CASES = {
    "question-answer-generation": ({"source": "Ada wrote code."}, {"qa": {"questionAnswerPairs": [
        {"question": "Who wrote code?", "answer": "Ada.", "references": [{"startOffset": 0, "endOffset": 3}]}]}}),
    "chat-demonstration": ({"messages": CHAT}, {"chat": {"messages": [*CHAT, {"role": "assistant", "content": "4."}]}}),
    "image-captioning": ({"source-ref": "s3://bucket/kite.jpg"}, {"caption": {"caption": "A red kite."}}),
    "video-captioning": ({"source-ref": "s3://bucket/clip.webm"},
                         {"captions": {"captions": [{"start": 0, "end": 1.5, "text": "A dog runs."}]}}),
}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_project_pages_render_for_demonstrations(make_client: Callable[..., TestClient], factory: Factory) -> None:
    org: OrgUsers = factory.org_users("Demo Pages Org", password=PASSWORD)
    client = make_client()
    r = client.post("/login", data={"email": org.manager.email, "password": PASSWORD, "next": "/"},
                    headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code == 303
    for task_type, (row, value) in CASES.items():
        p = factory.project(org.manager, task_type, labels=["x"], workers_per_item=2)
        (item_id,) = factory.items(org.manager, p.id, rows=[row])
        for worker in factory.annotators(2, org.org_id):
            lease = assignments.next_for(factory.db, worker.actor, p.id)
            assert lease is not None
            annotations.submit(factory.db, worker.actor, lease.assignment_id, value)
        for path in ("", "/items", "/consensus", "/quality", "/import", "/export", "/progress", "/review",
                     f"/items/{item_id}/annotations"):
            page = client.get(f"/projects/{p.id}{path}")
            assert page.status_code == 200, (task_type, path, page.text[:500])
        # the labeling page lists no labels and no digit keys: the worker types free text
        page = client.get(f"/label/{p.id}")
        assert page.status_code == 200 and "choose a label" not in page.text and "lw-label-keys" not in page.text
    classes = factory.project(org.manager, "text-classification", labels=["x", "y"])
    page = client.get(f"/label/{classes.id}")
    assert "choose a label" in page.text and "lw-label-keys" in page.text
