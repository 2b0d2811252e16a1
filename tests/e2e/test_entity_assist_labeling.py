"""Model proposals inside a named-entity task, on the real labeling page: "Find entities" runs the
spacy-ner assist through the frame → host → API round trip, the three entities spaCy finds land as
ONE undoable step marked as the model's (drawn dashed), undo takes them all away, redo brings them
back, a second run (hotkey F) adds nothing and says so, "Suggest" with no labeled neighbours
chooses nothing and says so, and the stored answer keeps the provenance. Then "Suggest" on a
project whose near-identical items are labeled "business" chooses that document label, undoably."""

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
from labelworks.jobs.runners import run_job
from labelworks.services import annotations, assignments, embeddings

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))
ELEMENT = "lw-entity-annotation"
TEXT = "Tim Cook visited London for Apple."
# spacy-ner's default map from these names: PERSON → person, GPE/LOC/FAC → location, ORG → corporation
LABELS = {"labels": [{"label": "person"}, {"label": "location"}, {"label": "corporation"}],
          "documentLabels": {"labels": ["business", "sports"]}}
EXPECTED = [("person", 0, 8), ("location", 17, 23), ("corporation", 28, 33)]
ENTITIES_JS = f"() => document.querySelector('{ELEMENT}').editor.output().entities"


def entities(frame: Any) -> list[tuple[str, int, int]]:
    return [(e["label"], e["startOffset"], e["endOffset"]) for e in frame.evaluate(ENTITIES_JS)]


def test_find_entities_undo_redo_then_submit(live_server: Any, chromium: Any) -> None:
    assert [TEXT[s:e] for _, s, e in EXPECTED] == ["Tim Cook", "London", "Apple"]
    factory: Factory = live_server.factory
    org_id = factory.org("entity assist org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@ents.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@ents.test", password=PASSWORD)
    pid = factory.project(manager, name="Find entities", task_type="named-entity-recognition", labels=LABELS).id
    factory.items(manager, pid, rows=[{"source": TEXT}])

    context, page = login(chromium, live_server.url, "ann@ents.test", PASSWORD)
    page.goto(f"/label/{pid}")
    shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
    shown.wait_for(timeout=15_000)
    frame = shown.element_handle().content_frame()
    find = frame.locator(f"{ELEMENT} button[data-assist=spacy-ner]")
    find.wait_for(timeout=15_000)
    assert find.inner_text().split() == ["Find", "entities", "F"]
    suggest = frame.locator(f"{ELEMENT} button[data-assist=suggest-labels]")
    assert suggest.inner_text() == "Suggest"  # the project has document labels
    status = frame.locator(f"{ELEMENT} .assist-status")

    find.click()
    status.filter(has_text="3 proposed").wait_for(timeout=60_000)  # the first call loads spaCy
    assert status.inner_text() == "3 proposed, all added"
    assert entities(frame) == EXPECTED
    for e in frame.evaluate(ENTITIES_JS):
        assert e["source"] == "model" and e["model"].startswith("en_core_web_sm") and "edited" not in e
    # drawn as proposals (dashed), three bars on the text
    marked = frame.locator(f"{ELEMENT} .text .s.m")
    assert marked.evaluate_all("ss => ss.map(s => s.textContent)") == ["Tim Cook", "London", "Apple"]
    assert all("repeating-linear-gradient" in (m.get_attribute("style") or "") for m in marked.all())
    page.wait_for_timeout(200)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "entity-assist-found.png"))

    undo = frame.locator(f"{ELEMENT} button[aria-label=Undo]")
    redo = frame.locator(f"{ELEMENT} button[aria-label=Redo]")
    assert undo.get_attribute("title") == "Undo Add 3 proposed spans (Ctrl+Z)"
    undo.click()
    assert entities(frame) == []  # one step took all three away
    assert undo.is_disabled()
    redo.click()
    assert entities(frame) == EXPECTED

    # F on the text runs it again: nothing new, and the status line says why
    frame.locator(f"{ELEMENT} .text").click(position={"x": 3, "y": 3})
    page.keyboard.press("f")
    status.filter(has_text="3 already there").wait_for(timeout=30_000)
    assert status.inner_text() == "3 proposed, 0 added, 3 already there"
    assert undo.get_attribute("title") == "Undo Add 3 proposed spans (Ctrl+Z)"  # no empty step recorded

    # Suggest: no item of the project is labeled yet, so the neighbours have no document label to vote for
    suggest.click()
    status.filter(has_text="No document label suggested").wait_for(timeout=60_000)
    assert frame.locator(f"{ELEMENT} .assist-status.failed").count() == 0
    assert frame.locator(f"{ELEMENT} .chip[aria-checked=true]").count() == 0
    page.screenshot(path=str(SHOTS / "entity-assist-suggest.png"))

    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()

    with live_server.db.read() as s:
        (stored,) = [json.loads(a.value) for a in s.query(Annotation).filter(Annotation.project_id == pid)]
    assert [(e["label"], e["startOffset"], e["endOffset"]) for e in stored["entities"]] == EXPECTED
    for e in stored["entities"]:
        assert e["source"] == "model" and e["model"].startswith("en_core_web_sm") and "edited" not in e
        assert set(e) <= {"label", "startOffset", "endOffset", "id", "source", "model", "score"}


def test_suggest_chooses_the_neighbours_document_label(live_server: Any, chromium: Any) -> None:
    factory: Factory = live_server.factory
    db = live_server.db
    org_id = factory.org("doc label suggest org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@suggest.test", password=PASSWORD)
    other = factory.user(Role.ANNOTATOR, org_id=org_id)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@suggest.test", password=PASSWORD)
    pid = factory.project(manager, name="Suggest", task_type="named-entity-recognition", labels=LABELS).id
    texts = ["Angela Merkel met Microsoft in Berlin.", "Angela Merkel met Microsoft in Berlin!",
             "Angela Merkel met Microsoft in Bonn."]
    ids = factory.items(manager, pid, rows=[{"source": t} for t in texts])
    run_job(db, live_server.settings, embeddings.create_embed_job(db, manager.actor, pid))
    for _ in range(2):  # two of the three answered "business" by someone else; the third is left for the page
        task = assignments.next_for(db, other.actor, pid)
        assert task is not None
        text = texts[ids.index(task.item_id)]
        value = {"entities": [{"label": "person", "startOffset": 0, "endOffset": len("Angela Merkel")}],
                 "documentLabels": ["business"]}
        assert text.startswith("Angela Merkel")
        annotations.submit(db, other.actor, task.assignment_id, {"entities": value}, active_ms=1000)

    context, page = login(chromium, live_server.url, "ann@suggest.test", PASSWORD)
    page.goto(f"/label/{pid}")
    shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
    shown.wait_for(timeout=15_000)
    frame = shown.element_handle().content_frame()
    suggest = frame.locator(f"{ELEMENT} button[data-assist=suggest-labels]")
    suggest.wait_for(timeout=15_000)
    chosen = frame.locator(f"{ELEMENT} .chip[aria-checked=true]")
    suggest.click()
    frame.locator(f"{ELEMENT} .assist-status").filter(has_text="Suggested business").wait_for(timeout=60_000)
    assert chosen.all_inner_texts() == ["business"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "entity-assist-suggested.png"))
    frame.locator(f"{ELEMENT} button[aria-label=Undo]").click()
    assert chosen.count() == 0
    frame.locator(f"{ELEMENT} button[aria-label=Redo]").click()
    assert chosen.all_inner_texts() == ["business"]
    frame.locator(f"{ELEMENT} button[data-assist=spacy-ner]").click()  # and the entities, for a complete answer
    frame.locator(f"{ELEMENT} .assist-status").filter(has_text="proposed").wait_for(timeout=60_000)
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()

    with db.read() as s:
        rows = [json.loads(a.value) for a in s.query(Annotation).filter(Annotation.project_id == pid)]
    assert len(rows) == 3
    mine = [r for r in rows if any(e.get("source") == "model" for e in r["entities"])]
    assert len(mine) == 1 and mine[0]["documentLabels"] == ["business"]
