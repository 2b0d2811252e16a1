"""<crowd-entity-annotation> / <lw-entity-annotation> in the real sandboxed task frame: spans chosen
with the mouse (drag, double-click) and the keyboard, labelled by hotkey and click, relabelled,
overlapping, nested, several labels on one span, deleted, undone and redone; relations and
document labels; offsets in emoji and right-to-left text checked against Python's own str indices."""

from __future__ import annotations

import json
import time
from html import escape
from pathlib import Path
from typing import Any

import pytest

from harness import FRAMES
from test_elements import last, open_frame

pytestmark = pytest.mark.e2e

NEWS = "Barack Obama visited Paris in 2009.\nHe met Angela Merkel at the Elysee Palace."
WORLD = ("👩‍👩‍👧 family from القاهرة met שלום עולם at the café e\u0301t\u00e9 🇫🇷 France.\n"
         "הוא גר ליד תל אביב עם משפחתו")
LABELS = json.dumps([{"label": "person", "shortDisplayName": "PER"}, {"label": "organization", "shortDisplayName": "ORG"},
                     {"label": "location", "shortDisplayName": "LOC", "key": "l"}])


def element(text: str, extra: str = "") -> str:
    return (f'<crowd-form><crowd-entity-annotation name="entities" text="{escape(text)}" '
            f"labels='{LABELS}' header=\"Mark the entities\" {extra}></crowd-entity-annotation></crowd-form>")


PRE = json.dumps({"entities": [{"label": "person", "startOffset": 0, "endOffset": 12, "id": "e1",
                                "source": "model", "model": "spacy", "score": 0.9},
                               {"label": "location", "startOffset": 21, "endOffset": 26}]})

FRAMES.update({
    "entities": element(NEWS),
    "entities-world": element(WORLD, "token-snap"),
    "entities-relations": element(NEWS, "relation-labels='[\"visited\", \"met\"]' document-labels='[\"politics\", \"sports\"]' "
                                        "multi-document-labels"),
    "entities-initial": element(NEWS, f"required initial-value='{escape(PRE)}'"),
    "entities-required": element(NEWS, "required"),
    "entities-doc-single": element(NEWS, "required document-labels='[\"politics\", \"sports\"]' "
                                         f"initial-value='{escape(PRE)}'"),
})

EL = "crowd-entity-annotation"


def value(page: Any, pred: Any = lambda v: True, timeout: float = 3.0) -> dict[str, Any]:
    """The last posted value of the field once it satisfies `pred`."""
    deadline = time.monotonic() + timeout
    v: dict[str, Any] = {}
    while time.monotonic() < deadline:
        m = last(page, "lw:change")
        v = m["value"]["entities"] if m else {}
        if pred(v):
            return v
        page.wait_for_timeout(20)
    raise AssertionError(f"last value: {v}")


def spans(v: dict[str, Any]) -> list[tuple[str, int, int]]:
    return [(e["label"], e["startOffset"], e["endOffset"]) for e in v.get("entities", [])]


def py_span(text: str, part: str, label: str) -> tuple[str, int, int]:
    """What Python (and spaCy) call this substring's offsets: code points."""
    i = text.index(part)
    return (label, i, i + len(part))


def char_box(page: Any, frame: Any, text: str, part: str, which: int = 0) -> dict[str, float]:
    """Page coordinates of the `which`-th occurrence of `part`: left/right of its first and last characters."""
    start16 = len(text[: text.index(part)].encode("utf-16-le")) // 2  # UTF-16 index (the DOM's)
    end16 = start16 + len(part.encode("utf-16-le")) // 2
    box = page.locator("iframe").bounding_box()
    r = frame.locator(EL).evaluate("""(el, [s, e]) => {
        const v = el.editor.view;
        const a = v.offsetToPoint(s), b = v.offsetToPoint(e);
        const range = document.createRange(); range.setStart(a.node, a.offset); range.setEnd(b.node, b.offset);
        const rs = [...range.getClientRects()].filter(r => r.width > 0);
        const first = rs[0], lastR = rs[rs.length - 1];
        return {x0: first.left, x1: lastR.right, y: (first.top + first.bottom) / 2, left: Math.min(...rs.map(r => r.left)),
                right: Math.max(...rs.map(r => r.right))}; }""", [start16, end16])
    return {k: v + (box["x"] if k != "y" else box["y"]) for k, v in r.items()}


def drag_over(page: Any, frame: Any, text: str, part: str, rtl: bool = False) -> None:
    """A drag from the first character to the last one (right to left in a right-to-left paragraph)."""
    b = char_box(page, frame, text, part)
    a, z = (b["right"] - 1, b["left"] + 1) if rtl else (b["left"] + 1, b["right"] - 1)
    page.mouse.move(a, b["y"])
    page.mouse.down()
    page.mouse.move((a + z) / 2, b["y"], steps=3)
    page.mouse.move(z, b["y"], steps=3)
    page.mouse.up()


def click_on(page: Any, frame: Any, text: str, part: str, clicks: int = 1) -> None:
    b = char_box(page, frame, text, part)
    page.mouse.click((b["left"] + b["right"]) / 2, b["y"], click_count=clicks)


def focus_text(frame: Any) -> None:
    frame.locator(EL).evaluate("el => el.shadowRoot.querySelector('.text').focus()")


def test_mouse_select_label_relabel_delete_undo_redo(page: Any, shots: Path) -> None:
    frame = open_frame(page, "entities", width=1000)
    drag_over(page, frame, NEWS, "Barack Obama")
    page.keyboard.press("1")
    assert spans(value(page, lambda v: len(v.get("entities", [])) == 1)) == [py_span(NEWS, "Barack Obama", "person")]
    # Double-click a word, label it with its own key (L) and then by clicking a label button.
    click_on(page, frame, NEWS, "Paris", clicks=2)
    page.keyboard.press("l")
    assert py_span(NEWS, "Paris", "location") in spans(value(page, lambda v: len(v.get("entities", [])) == 2))
    drag_over(page, frame, NEWS, "Angela Merkel")
    frame.locator(f"{EL} .choice[data-label=person]").click()
    v = value(page, lambda v: len(v.get("entities", [])) == 3)
    assert [e["id"] for e in v["entities"]] == ["e1", "e2", "e3"]
    page.screenshot(path=str(shots / "entities-three.png"))
    # A click on a span's last letter (the caret falls after it, on the span's end) selects it too.
    b = char_box(page, frame, NEWS, "Paris")
    page.mouse.click(b["right"] - 2, b["y"])
    assert frame.locator(EL).evaluate("el => el.editor.controller.selected?.label") == "location"
    # Click a span to select it, relabel it with 2, delete it, undo twice, redo.
    click_on(page, frame, NEWS, "Paris")
    page.keyboard.press("2")
    assert py_span(NEWS, "Paris", "organization") in spans(value(page, lambda v: ("organization", 21, 26) in spans(v)))
    page.keyboard.press("Delete")
    assert spans(value(page, lambda v: len(v["entities"]) == 2)) == [py_span(NEWS, "Barack Obama", "person"),
                                                                     py_span(NEWS, "Angela Merkel", "person")]
    page.keyboard.press("Control+z")
    value(page, lambda v: ("organization", 21, 26) in spans(v))
    page.keyboard.press("Control+z")
    value(page, lambda v: ("location", 21, 26) in spans(v))
    page.keyboard.press("Control+Shift+z")
    value(page, lambda v: ("organization", 21, 26) in spans(v))
    # Backspace deletes too (the span stays selected after the relabel).
    page.keyboard.press("Backspace")
    value(page, lambda v: len(v["entities"]) == 2)


def test_keyboard_selection_overlap_nest_and_several_labels(page: Any, shots: Path) -> None:
    frame = open_frame(page, "entities", width=1000)
    focus_text(frame)
    # Ctrl+Shift+Right twice from the start: "Barack Obama".
    page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.press("1")
    value(page, lambda v: spans(v) == [("person", 0, 12)])
    # Nested: "Obama" (caret after the span; Ctrl+Left back to "Obama", Shift+Right ×5).
    page.keyboard.press("Escape")
    page.keyboard.press("Control+ArrowLeft")
    for _ in range(5):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("2")
    value(page, lambda v: ("organization", 7, 12) in spans(v))
    # Overlapping: "Obama visited" with the mouse.
    drag_over(page, frame, NEWS, "Obama visited")
    page.keyboard.press("3")
    v = value(page, lambda v: ("location", 7, 20) in spans(v))
    assert spans(v) == [("person", 0, 12), ("organization", 7, 12), ("location", 7, 20)]
    # Tab selects spans in document order; Shift+1 gives the selected span a second label.
    focus_text(frame)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    sel = frame.locator(EL).evaluate("el => el.editor.controller.selected && el.editor.controller.selected.label")
    assert sel == "organization"
    page.keyboard.press("Shift+Digit1")
    v = value(page, lambda v: ("person", 7, 12) in spans(v))
    assert spans(v) == [("person", 0, 12), ("organization", 7, 12), ("person", 7, 12), ("location", 7, 20)]
    page.screenshot(path=str(shots / "entities-stacked.png"))
    # The same label twice on the same offsets is refused (no duplicate).
    page.keyboard.press("Shift+Digit1")
    page.wait_for_timeout(100)
    assert len(value(page)["entities"]) == 4
    # Undo takes back each step in turn.
    for n in (3, 2, 1, 0):
        page.keyboard.press("Control+z")
        value(page, lambda v, n=n: len(v["entities"]) == n)


def test_emoji_and_right_to_left_offsets_match_python(page: Any, shots: Path) -> None:
    frame = open_frame(page, "entities-world", width=1000)
    focus_text(frame)
    # One Shift+Right from the start takes the whole ZWJ family emoji (5 code points, 8 UTF-16 units).
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("1")
    family = "👩‍👩‍👧"
    assert spans(value(page, lambda v: len(v.get("entities", [])) == 1)) == [("person", 0, len(family))]
    assert len(family) == 5
    # Arabic and Hebrew words, double-clicked and dragged.
    click_on(page, frame, WORLD, "القاهرة", clicks=2)
    page.keyboard.press("3")
    value(page, lambda v: py_span(WORLD, "القاهرة", "location") in spans(v))
    click_on(page, frame, WORLD, "משפחתו", clicks=2)
    page.keyboard.press("1")
    value(page, lambda v: py_span(WORLD, "משפחתו", "person") in spans(v))
    # A drag in a right-to-left paragraph, from its first letter (on the right) to its last.
    drag_over(page, frame, WORLD, "תל אביב", rtl=True)
    page.keyboard.press("3")
    value(page, lambda v: py_span(WORLD, "תל אביב", "location") in spans(v))
    # A combining acute accent stays with its letter; token snap widens a partial drag to the word.
    b = char_box(page, frame, WORLD, "e\u0301t\u00e9")
    page.mouse.move(b["left"] + 3, b["y"])
    page.mouse.down()
    page.mouse.move(b["right"] - 3, b["y"], steps=4)
    page.mouse.up()
    page.keyboard.press("2")
    value(page, lambda v: py_span(WORLD, "e\u0301t\u00e9", "organization") in spans(v))
    # The flag is one grapheme (two regional indicators), then the word after it.
    drag_over(page, frame, WORLD, "🇫🇷 France")
    page.keyboard.press("3")
    v = value(page, lambda v: py_span(WORLD, "🇫🇷 France", "location") in spans(v))
    for e in v["entities"]:
        assert WORLD[e["startOffset"]:e["endOffset"]].strip() == WORLD[e["startOffset"]:e["endOffset"]]
    dirs = frame.locator(EL).evaluate(
        "el => [...el.shadowRoot.querySelectorAll('.p')].map(p => getComputedStyle(p).direction)")
    assert dirs == ["ltr", "rtl"]
    page.screenshot(path=str(shots / "entities-unicode.png"))


def test_relations_and_document_labels(page: Any, shots: Path) -> None:
    frame = open_frame(page, "entities-relations", width=1100)
    drag_over(page, frame, NEWS, "Barack Obama")
    page.keyboard.press("1")
    click_on(page, frame, NEWS, "Paris", clicks=2)
    page.keyboard.press("3")
    value(page, lambda v: len(v.get("entities", [])) == 2)
    # Select Obama, R, click Paris, choose "visited" (1).
    click_on(page, frame, NEWS, "Obama")
    page.keyboard.press("r")
    click_on(page, frame, NEWS, "Paris")
    page.keyboard.press("1")
    v = value(page, lambda v: bool(v.get("relations")))
    assert v["relations"] == [{"label": "visited", "from": "e1", "to": "e2"}]
    # The Relate button and Tab + Enter for the target.
    drag_over(page, frame, NEWS, "Angela Merkel")
    page.keyboard.press("1")
    frame.locator(f"{EL} .tool.relate").click()
    focus_text(frame)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")  # Paris, then Barack Obama
    page.keyboard.press("Enter")
    page.keyboard.press("2")
    v = value(page, lambda v: len(v.get("relations", [])) == 2)
    assert v["relations"][1] == {"label": "met", "from": "e3", "to": "e1"}
    # Document labels: both (multi), then one taken off.
    frame.locator(f"{EL} .chip", has_text="politics").click()
    frame.locator(f"{EL} .chip", has_text="sports").click()
    value(page, lambda v: v.get("documentLabels") == ["politics", "sports"])
    frame.locator(f"{EL} .rels li").first.hover()
    page.screenshot(path=str(shots / "entities-relations.png"))
    frame.locator(f"{EL} .chip", has_text="sports").click()
    value(page, lambda v: v.get("documentLabels") == ["politics"])
    # Deleting a span removes its relations; undo brings both back.
    click_on(page, frame, NEWS, "Paris")
    page.keyboard.press("Delete")
    v = value(page, lambda v: len(v["entities"]) == 2)
    assert v["relations"] == [{"label": "met", "from": "e3", "to": "e1"}]
    page.keyboard.press("Control+z")
    v = value(page, lambda v: len(v.get("relations", [])) == 2)
    # A relation deleted from the list.
    frame.locator(f"{EL} .rels li button[aria-label^='Delete relation']").first.click()
    v = value(page, lambda v: len(v.get("relations", [])) == 1)


def test_initial_value_model_spans_and_required(page: Any, shots: Path) -> None:
    frame = open_frame(page, "entities-initial", width=1000)
    # the initial value is parsed once the element has rendered (later than lw:ready under load)
    out = frame.locator(EL).evaluate("""el => new Promise(done => { const t0 = Date.now(); const poll = () =>
        (el.fieldValue && el.fieldValue.entities) || Date.now() - t0 > 5000 ? done(el.fieldValue) : setTimeout(poll, 30);
        poll(); })""")
    assert out["entities"] == [
        {"label": "person", "startOffset": 0, "endOffset": 12, "id": "e1", "source": "model", "model": "spacy", "score": 0.9},
        {"label": "location", "startOffset": 21, "endOffset": 26, "id": "e2"},
    ]
    # Relabelling a model's span marks it edited (a proposal is drawn dashed until then).
    click_on(page, frame, NEWS, "Obama")
    assert "proposed by spacy 90 %" in frame.locator(f"{EL} .status").inner_text()
    page.screenshot(path=str(shots / "entities-proposal.png"))
    page.keyboard.press("2")
    v = value(page, lambda v: v["entities"][0]["label"] == "organization")
    assert v["entities"][0]["edited"] is True and v["entities"][0]["source"] == "model"
    # Required: deleting every span blocks the submit with a message.
    page.keyboard.press("Delete")
    click_on(page, frame, NEWS, "Paris")
    page.keyboard.press("Delete")
    value(page, lambda v: v["entities"] == [])
    page.keyboard.press("Enter")
    err = frame.locator(f"{EL} .error[part=error]")
    err.wait_for()
    assert "at least one span" in err.inner_text()
    assert last(page, "lw:submit") is None
    page.keyboard.press("Control+z")
    value(page, lambda v: len(v["entities"]) == 1)
    page.keyboard.press("Enter")
    deadline = time.monotonic() + 3
    while last(page, "lw:submit") is None and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert last(page, "lw:submit")["value"]["entities"]["entities"][0]["label"] == "location"


def test_a_draft_is_restored_and_host_hotkeys_label_the_selected_span(page: Any) -> None:
    frame = open_frame(page, "entities", width=1000)
    draft = {"entities": {"entities": [{"label": "person", "startOffset": 0, "endOffset": 12, "id": "e1"},
                                       {"label": "location", "startOffset": 21, "endOffset": 26, "id": "e7"}],
                          "relations": []}}
    page.evaluate("d => window.__send({type: 'lw:init', draft: d})", draft)
    frame.locator(EL).evaluate("el => new Promise(r => { const t = () => el.editor.model.size === 2 ? r() : setTimeout(t, 20); t(); })")
    assert last(page, "lw:change") is None  # restoring is not a change
    # A new span gets the next free id; a host hotkey (focus outside the frame) labels it.
    drag_over(page, frame, NEWS, "Angela Merkel")
    page.evaluate("window.__send({type: 'lw:key', key: '1'})")
    v = value(page, lambda v: len(v.get("entities", [])) == 3)
    assert v["entities"][2] == {"label": "person", "startOffset": 43, "endOffset": 56, "id": "e8"}
    assert NEWS[43:56] == "Angela Merkel"


def test_up_down_home_end_and_a_span_across_paragraphs(page: Any) -> None:
    frame = open_frame(page, "entities", width=1000)
    focus_text(frame)
    page.keyboard.press("ArrowDown")  # the second paragraph
    page.keyboard.press("Home")
    page.keyboard.press("Shift+End")
    page.keyboard.press("3")
    line2 = NEWS.split("\n")[1]
    assert spans(value(page, lambda v: len(v.get("entities", [])) == 1)) == [py_span(NEWS, line2, "location")]
    # Up again, then a mouse drag from "Paris" over the newline into "He met".
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowUp")
    caret = frame.locator(EL).evaluate("el => el.editor.controller.caret")
    assert caret <= NEWS.index("\n")
    a = char_box(page, frame, NEWS, "Paris")
    b = char_box(page, frame, NEWS, "He met")
    page.mouse.move(a["left"] + 1, a["y"])
    page.mouse.down()
    page.mouse.move(b["right"] - 1, b["y"], steps=5)
    page.mouse.up()
    page.keyboard.press("2")
    v = value(page, lambda v: len(v["entities"]) == 2)
    assert ("organization", NEWS.index("Paris"), NEWS.index("He met") + 6) in spans(v)


def test_single_document_label_is_one_at_a_time_and_required(page: Any) -> None:
    frame = open_frame(page, "entities-doc-single", width=1000)
    frame.locator("button", has_text="Submit").click()
    err = frame.locator(f"{EL} .error[part=error]")
    err.wait_for()
    assert "whole document" in err.inner_text()
    chips = frame.locator(f"{EL} .chip")
    assert chips.first.get_attribute("role") == "radio"
    chips.nth(0).click()
    chips.nth(1).click()
    value(page, lambda v: v.get("documentLabels") == ["sports"])
    chips.nth(1).click()  # again: cleared
    value(page, lambda v: "documentLabels" not in v)
    page.keyboard.press("Control+z")  # document labels are undoable like spans
    value(page, lambda v: v.get("documentLabels") == ["sports"])
    frame.locator("button", has_text="Submit").click()
    deadline = time.monotonic() + 3
    while last(page, "lw:submit") is None and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert last(page, "lw:submit")["value"]["entities"]["documentLabels"] == ["sports"]
