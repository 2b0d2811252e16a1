"""Two annotators rank the same item's responses on the labeling page in Chromium: each sees their
own order (the server's per-annotator seed), ranks by keyboard, and the stored answers carry the
true response ids, so the consensus and the DPO export name the right responses."""

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
from labelworks.services import exports

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))
# best first: the true order the annotators agree on
IDS = ["exact", "close", "vague", "off-topic", "wrong"]
ITEM = {"prompt": "What is the boiling point of water at sea level?",
        "responses": [{"id": rid, "text": f"[{rid}] answer {n}"} for n, rid in enumerate(reversed(IDS))]}
LABELS = {"labels": [{"label": "correctness", "description": "Is it right?"}], "rationale": "optional"}


def _rank_on_the_page(chromium: Any, url: str, email: str, pid: int) -> list[str]:
    """Ranks every response by keyboard in the true order; returns the ids in the order shown."""
    context, page = login(chromium, url, email, PASSWORD)
    page.goto(f"/label/{pid}")
    shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
    shown.wait_for(timeout=15_000)
    frame = shown.element_handle().content_frame()
    frame.locator("lw-text-ranking .card").first.wait_for(timeout=15_000)
    texts = frame.locator("lw-text-ranking .card .text").all_inner_texts()
    order = [t.split("]")[0].lstrip("[") for t in texts]
    assert sorted(order) == sorted(IDS)
    # the dimensions are not numbered labels on the page's side panel (digits rank a response)
    assert page.locator(".lw-label-keys").count() == 0
    frame.locator("lw-text-ranking .card").first.focus()
    for i, rid in enumerate(order):
        page.keyboard.press(str(IDS.index(rid) + 1))
        if i < len(order) - 1:
            page.keyboard.press("ArrowRight")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"ranking-task-{email.split('@')[0]}.png"))
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()
    return order


def test_two_annotators_see_their_own_order_and_ranks_map_to_ids(live_server: Any, chromium: Any) -> None:
    factory: Factory = live_server.factory
    org_id = factory.org("ranking org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@rank.test", password=PASSWORD)
    for who in ("ann1", "ann2"):
        factory.user(Role.ANNOTATOR, org_id=org_id, email=f"{who}@rank.test", password=PASSWORD)
    pid = factory.project(manager, name="Preferences", task_type="text-ranking", labels=LABELS,
                          workers_per_item=2).id
    factory.items(manager, pid, rows=[ITEM])

    first = _rank_on_the_page(chromium, live_server.url, "ann1@rank.test", pid)
    second = _rank_on_the_page(chromium, live_server.url, "ann2@rank.test", pid)
    assert first != second  # positions are randomised per annotator
    assert first != list(reversed(IDS)) or second != list(reversed(IDS))  # and not simply the item's order

    with live_server.db.read() as s:
        stored = [json.loads(a.value) for a in s.query(Annotation).filter(Annotation.project_id == pid)
                  .order_by(Annotation.id)]
    item_order = list(reversed(IDS))
    truth = [IDS.index(rid) + 1 for rid in item_order]
    assert [v["displayOrder"] for v in stored] == [first, second]
    for v in stored:
        assert v["responseIds"] == item_order
        assert v["ordinalRankingDimensions"] == [{"name": "correctness", "responseRankings": truth}]

    stream = exports.open_export(live_server.db, manager.actor, pid, "dpo")
    rows = [json.loads(line) for line in b"".join(stream.chunks).splitlines()]
    assert len(rows) == 10  # every pair of five strictly ranked responses
    assert rows[0]["chosen"][0]["content"].startswith("[exact]") and rows[0]["rejected"][0]["content"].startswith("[close]")
    assert rows[0]["margin"] == 1.0
