"""A named-entity task worked by hand in Chromium on the real labeling page: the default template's
<lw-entity-annotation> in the sandboxed frame, spans chosen with the mouse over a text with emoji,
labelled with hotkeys, a model's pre-label relabelled, a relation drawn, a document label chosen;
the stored answer has the offsets Python computes for the same substrings."""

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
ELEMENT = "lw-entity-annotation"
TEXT = "🍎 Tim Cook 😀 runs Apple in Cupertino.\nשלום from Zoë 👩‍👩‍👧 at Apple Park."
LABELS = {"labels": [{"label": "person", "shortDisplayName": "PER"}, {"label": "corporation", "shortDisplayName": "ORG"},
                     {"label": "location", "shortDisplayName": "LOC"}],
          "relations": ["works_for", "located_in"], "documentLabels": {"labels": ["business", "sports"]}}
PRE = {"entities": [{"label": "location", "startOffset": 2, "endOffset": 10, "source": "model", "model": "spacy"}]}


def span(part: str, label: str, nth: int = 0) -> tuple[str, int, int]:
    i = -1
    for _ in range(nth + 1):
        i = TEXT.index(part, i + 1)
    return (label, i, i + len(part))


def box(page: Any, frame: Any, part: str, nth: int = 0) -> dict[str, float]:
    """Page coordinates of a substring (its code-point offsets converted to the DOM's UTF-16 here)."""
    i = -1
    for _ in range(nth + 1):
        i = TEXT.index(part, i + 1)
    s16 = len(TEXT[:i].encode("utf-16-le")) // 2
    e16 = s16 + len(part.encode("utf-16-le")) // 2
    f = page.locator("iframe.lw-frame:not(.lw-frame-pending)").bounding_box()
    r = frame.locator(ELEMENT).evaluate("""(el, [s, e]) => {
        const v = el.editor.view, a = v.offsetToPoint(s), b = v.offsetToPoint(e);
        const range = document.createRange(); range.setStart(a.node, a.offset); range.setEnd(b.node, b.offset);
        const rs = [...range.getClientRects()].filter(r => r.width > 0);
        return {left: Math.min(...rs.map(r => r.left)), right: Math.max(...rs.map(r => r.right)),
                y: (rs[0].top + rs[0].bottom) / 2}; }""", [s16, e16])
    return {"left": f["x"] + r["left"], "right": f["x"] + r["right"], "y": f["y"] + r["y"]}


def drag(page: Any, frame: Any, part: str, nth: int = 0) -> None:
    b = box(page, frame, part, nth)
    page.mouse.move(b["left"] + 1, b["y"])
    page.mouse.down()
    page.mouse.move(b["right"] - 1, b["y"], steps=4)
    page.mouse.up()


def click(page: Any, frame: Any, part: str, count: int = 1) -> None:
    b = box(page, frame, part)
    page.mouse.click((b["left"] + b["right"]) / 2, b["y"], click_count=count)


def test_annotator_marks_spans_relations_and_a_document_label(live_server: Any, chromium: Any) -> None:
    factory: Factory = live_server.factory
    org_id = factory.org("entity labeling org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@spans.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@spans.test", password=PASSWORD)
    pid = factory.project(manager, name="Spans", task_type="named-entity-recognition", labels=LABELS).id
    factory.items(manager, pid, rows=[{"source": TEXT, "lw-pre-annotations": PRE}])

    context, page = login(chromium, live_server.url, "ann@spans.test", PASSWORD)
    page.goto(f"/label/{pid}")
    shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
    shown.wait_for(timeout=15_000)
    frame = shown.element_handle().content_frame()
    frame.wait_for_function(f"() => document.querySelector('{ELEMENT}')?.editor?.model.size === 1", timeout=15_000)
    page.wait_for_timeout(300)  # the host sizes the frame

    # The model's "Tim Cook" (location, wrong) is relabelled person with 1.
    click(page, frame, "Cook")
    page.keyboard.press("1")
    drag(page, frame, "Apple")
    page.keyboard.press("2")
    click(page, frame, "Cupertino", count=2)
    page.keyboard.press("3")
    drag(page, frame, "Zoë")
    page.keyboard.press("1")
    drag(page, frame, "Apple Park")
    page.keyboard.press("3")
    # Tim Cook works_for Apple: select, R, click the target, relation label 1.
    click(page, frame, "Tim")
    page.keyboard.press("r")
    click(page, frame, "Apple")
    page.keyboard.press("1")
    frame.locator(f"{ELEMENT} .chip", has_text="business").click()
    frame.wait_for_function(f"() => document.querySelector('{ELEMENT}').editor.model.relations.length === 1")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "entity-labeling.png"))
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()

    with live_server.db.read() as s:
        (stored,) = [json.loads(a.value) for a in s.query(Annotation).filter(Annotation.project_id == pid)]
    got = [(e["label"], e["startOffset"], e["endOffset"]) for e in stored["entities"]]
    assert got == [span("Tim Cook", "person"), span("Apple", "corporation"), span("Cupertino", "location"),
                   span("Zoë", "person"), span("Apple Park", "location")]
    tim = stored["entities"][0]
    assert tim["source"] == "model" and tim["edited"] is True
    ids = {e["label"] + str(e["startOffset"]): e["id"] for e in stored["entities"]}
    assert stored["relations"] == [{"label": "works_for", "from": ids["person2"], "to": ids[f"corporation{TEXT.index('Apple')}"]}]
    assert stored["documentLabels"] == ["business"]
