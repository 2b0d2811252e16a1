"""The built elements.js inside a real sandboxed, opaque-origin frame under the backend's frame CSP:
clicks, hotkeys and the messages the frame posts to its host."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from harness import FRAMES

pytestmark = pytest.mark.e2e

FRAMES.update({
    "text-single": """
<crowd-form>
  <crowd-classifier name="sentiment" categories="['Positive', 'Negative', 'Neutral']"
                    header="What is the sentiment of this review?">
    <classification-target>
      <p>The battery lasts two full days and the screen is bright, but the speaker crackles at high volume.</p>
    </classification-target>
    <short-instructions><p>Pick the overall tone of the review.</p></short-instructions>
    <full-instructions header="Sentiment guidelines"><p>Mixed reviews: choose the tone that dominates.</p></full-instructions>
  </crowd-classifier>
</crowd-form>""",
    "text-multi": """
<crowd-form>
  <crowd-classifier-multi-select name="topics" categories='["Politics", "Sport", "Business", "Science"]'
      header="Which topics does the headline touch?" exclusion-category="{ text: 'None of the above' }">
    <classification-target>Minister opens new stadium funded by a tech start-up</classification-target>
  </crowd-classifier-multi-select>
</crowd-form>""",
    "text-multi-exclusive": """
<lw-form>
  <lw-classifier-multi-select name="tags" categories='["red", "green", "none"]' exclusion-category="none"
      header="Colours">
    <classification-target>A red and green flag</classification-target>
  </lw-classifier-multi-select>
</lw-form>""",
    "image-single": """
<crowd-form>
  <crowd-image-classifier name="scene" src="/media/scene.png" categories="['Beach', 'Countryside', 'City', 'Forest']"
      header="Where was this picture taken?">
    <short-instructions>Choose the best match for the whole picture.</short-instructions>
  </crowd-image-classifier>
</crowd-form>""",
    "image-multi": """
<crowd-form>
  <crowd-image-classifier-multi-select name="objects" src="/media/scene.png"
      categories='["House", "Tree", "Car", "Sun", "Person"]' header="Which objects are in the image?"
      exclusion-category="{ text: 'None of these' }"
      overlay='{"boundingBox": {"labels": ["house", "tree"], "value": [
        {"class_id": 0, "left": 150, "top": 205, "width": 160, "height": 190},
        {"label": "tree", "left": 476, "top": 176, "width": 118, "height": 190}]}}'>
  </crowd-image-classifier-multi-select>
</crowd-form>""",
    "image-portrait": """
<crowd-form>
  <crowd-image-classifier name="scene" src="/media/portrait.png" categories="['Day', 'Night']" header="Day or night?">
  </crowd-image-classifier>
</crowd-form>""",
    "image-broken": """
<crowd-form>
  <crowd-image-classifier name="scene" src="/media/missing.png" categories="['a', 'b']" header="Broken image">
  </crowd-image-classifier>
</crowd-form>""",
    "native-controls": """
<crowd-form>
  <lw-classifier name="category" categories='["a", "b"]' header="Pick one">
    <classification-target>Item</classification-target>
  </lw-classifier>
  <p><label>Comment <input name="comment" type="text"></label></p>
  <p><textarea name="notes"></textarea></p>
  <p><label><input type="checkbox" name="unsure"> Unsure</label></p>
  <p><select name="size"><option value="s">S</option><option value="m">M</option></select></p>
</crowd-form>""",
    "no-form": """
<lw-classifier name="category" categories='["x", "y"]' header="No form element">
  <classification-target>Content</classification-target>
</lw-classifier>""",
})


def open_frame(page: Any, name: str, width: int = 900) -> Any:
    page.goto(f"/host/{name}?width={width}")
    wait_for(page, lambda m: m["type"] == "lw:ready")
    return page.frame_locator("iframe")


def messages(page: Any) -> list[dict[str, Any]]:
    return page.evaluate("window.__messages")


def wait_for(page: Any, pred: Any, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for m in messages(page):
            if pred(m):
                return m
        page.wait_for_timeout(30)
    raise AssertionError(f"no such message; got {messages(page)}")


def last(page: Any, type_: str) -> dict[str, Any] | None:
    found = [m for m in messages(page) if m["type"] == type_]
    return found[-1] if found else None


def settles(page: Any, type_: str, value: Any, timeout: float = 3.0) -> None:
    """Waits until the last message of ``type_`` carries ``value`` (messages arrive asynchronously)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = last(page, type_)
        if m is not None and m.get("value") == value:
            return
        page.wait_for_timeout(20)
    raise AssertionError(f"last {type_} is {last(page, type_)}, expected value {value}")


def clear(page: Any) -> None:
    page.evaluate("window.__messages.length = 0")


def test_every_message_carries_the_nonce_and_ready_has_a_height(page: Any) -> None:
    open_frame(page, "text-single")
    nonce = page.evaluate("window.__nonce")
    ready = last(page, "lw:ready")
    assert ready and ready["height"] > 200
    assert all(m["nonce"] == nonce for m in messages(page))
    assert page.errors == []


def test_single_label_click_hotkeys_and_submit(page: Any, shots: Path) -> None:
    frame = open_frame(page, "text-single")
    page.screenshot(path=str(shots / "text-single-empty.png"), full_page=True)

    # Enter with nothing chosen: an inline message and no submit.
    frame.locator("body").click(position={"x": 2, "y": 2})
    page.keyboard.press("Enter")
    error = frame.get_by_role("alert")
    error.wait_for()
    assert "Choose a label" in error.inner_text()
    assert last(page, "lw:submit") is None
    page.screenshot(path=str(shots / "text-single-error.png"), full_page=True)

    frame.get_by_role("radio", name="Negative").click()
    assert wait_for(page, lambda m: m["type"] == "lw:change")["value"] == {"sentiment": {"label": "Negative"}}
    assert frame.get_by_role("alert").count() == 0

    page.keyboard.press("1")  # hotkey while focus is on the clicked label button
    settles(page, "lw:change", {"sentiment": {"label": "Positive"}})
    assert frame.get_by_role("radio", name="Positive").get_attribute("aria-checked") == "true"
    assert frame.get_by_role("radio", name="Negative").get_attribute("aria-checked") == "false"
    page.keyboard.press("7")  # past the last label: nothing happens
    page.wait_for_timeout(150)
    settles(page, "lw:change", {"sentiment": {"label": "Positive"}})
    page.screenshot(path=str(shots / "text-single-chosen.png"), full_page=True)

    page.keyboard.press("Enter")
    assert wait_for(page, lambda m: m["type"] == "lw:submit")["value"] == {"sentiment": {"label": "Positive"}}


def test_labels_show_their_hotkey_numbers(page: Any) -> None:
    frame = open_frame(page, "text-single")
    texts = [t.split() for t in frame.get_by_role("radio").all_inner_texts()]
    assert texts == [["Positive", "1"], ["Negative", "2"], ["Neutral", "3"]]
    # the form's footer offers the digits too (a writing element's form does not: test_demonstrations)
    hint = frame.locator("crowd-form").evaluate("f => f.shadowRoot.querySelector('.hint').textContent")
    assert "choose" in hint


def test_instructions_are_shown_and_full_instructions_expand(page: Any) -> None:
    frame = open_frame(page, "text-single")
    assert frame.get_by_text("Pick the overall tone").is_visible()
    assert not frame.get_by_text("Mixed reviews").is_visible()
    frame.get_by_text("Sentiment guidelines").click()
    frame.get_by_text("Mixed reviews").wait_for()
    wait_for(page, lambda m: m["type"] == "lw:resize")


def test_multi_select_toggles_and_exclusion_category(page: Any, shots: Path) -> None:
    frame = open_frame(page, "text-multi")
    frame.locator("body").click(position={"x": 2, "y": 2})
    page.keyboard.press("Enter")  # nothing chosen and an exclusion category exists: must choose
    assert "None of the above" in frame.get_by_role("alert").inner_text()
    assert last(page, "lw:submit") is None

    page.keyboard.press("3")
    page.keyboard.press("1")
    settles(page, "lw:change", {"topics": {"labels": ["Politics", "Business"]}})
    page.keyboard.press("3")
    settles(page, "lw:change", {"topics": {"labels": ["Politics"]}})
    page.keyboard.press("2")
    page.screenshot(path=str(shots / "text-multi-chosen.png"), full_page=True)

    frame.get_by_role("checkbox", name="None of the above").click()
    settles(page, "lw:change", {"topics": {"labels": []}})
    assert frame.get_by_role("checkbox", name="None of the above").get_attribute("aria-checked") == "true"
    assert frame.get_by_role("checkbox", name="Politics").get_attribute("aria-checked") == "false"
    page.screenshot(path=str(shots / "text-multi-exclusion.png"), full_page=True)

    page.keyboard.press("4")  # a label clears the exclusion
    settles(page, "lw:change", {"topics": {"labels": ["Science"]}})
    assert frame.get_by_role("checkbox", name="None of the above").get_attribute("aria-checked") == "false"
    page.keyboard.press("0")  # 0 is the exclusion's hotkey
    assert frame.get_by_role("checkbox", name="None of the above").get_attribute("aria-checked") == "true"
    page.keyboard.press("Enter")
    assert wait_for(page, lambda m: m["type"] == "lw:submit")["value"] == {"topics": {"labels": []}}


def test_exclusion_category_among_the_categories_is_exclusive(page: Any) -> None:
    frame = open_frame(page, "text-multi-exclusive")
    frame.get_by_role("checkbox", name="red").click()
    frame.get_by_role("checkbox", name="green").click()
    settles(page, "lw:change", {"tags": {"labels": ["red", "green"]}})
    frame.get_by_role("checkbox", name="none").click()
    settles(page, "lw:change", {"tags": {"labels": ["none"]}})
    frame.get_by_role("checkbox", name="green").click()
    settles(page, "lw:change", {"tags": {"labels": ["green"]}})


def test_host_init_restores_a_draft_and_host_keys_are_applied(page: Any) -> None:
    frame = open_frame(page, "text-multi")
    page.evaluate("window.__send({type: 'lw:init', draft: {topics: {labels: ['Sport', 'Science']}}})")
    frame.get_by_role("checkbox", name="Sport").and_(frame.locator("[aria-checked=true]")).wait_for()
    assert frame.get_by_role("checkbox", name="Science").get_attribute("aria-checked") == "true"
    assert last(page, "lw:change") is None  # restoring is not a change

    page.evaluate("window.__send({type: 'lw:key', key: '2'})")  # untoggle Sport
    assert wait_for(page, lambda m: m["type"] == "lw:change")["value"] == {"topics": {"labels": ["Science"]}}
    page.evaluate("window.__send({type: 'lw:key', key: 'Enter'})")
    assert wait_for(page, lambda m: m["type"] == "lw:submit")["value"] == {"topics": {"labels": ["Science"]}}


def test_messages_with_a_wrong_nonce_or_shape_are_ignored(page: Any) -> None:
    frame = open_frame(page, "text-single")
    page.evaluate("window.__sendRaw({type: 'lw:key', key: '1', nonce: 'not-the-right-nonce'})")
    page.evaluate("window.__sendRaw({type: 'lw:key', key: '1'})")
    page.evaluate("window.__send({type: 'lw:key', key: 'x'})")
    page.evaluate("window.__send({type: 'lw:init', draft: 'nope'})")
    page.evaluate("window.__sendRaw({type: 'lw:init', nonce: 'wrong-nonce-1234', draft: {sentiment: {label: 'Neutral'}}})")
    page.wait_for_timeout(200)
    assert last(page, "lw:change") is None
    assert frame.locator("[aria-checked=true]").count() == 0
    page.evaluate("window.__send({type: 'lw:key', key: '3'})")  # the right one still works
    assert wait_for(page, lambda m: m["type"] == "lw:change")["value"] == {"sentiment": {"label": "Neutral"}}


def test_skip_by_button_and_key_but_not_while_typing(page: Any) -> None:
    frame = open_frame(page, "native-controls")
    frame.get_by_role("textbox").first.click()
    page.keyboard.type("so sad 1")  # S and 1 typed in a text field are text, not hotkeys
    page.keyboard.press("Enter")  # Enter in a text field does not submit either
    assert last(page, "lw:skip") is None and last(page, "lw:submit") is None
    typed = wait_for(page, lambda m: m["type"] == "lw:change" and m["value"].get("comment") == "so sad 1")
    assert "category" not in typed["value"]
    assert last(page, "lw:skip") is None and last(page, "lw:submit") is None

    frame.locator("body").click(position={"x": 2, "y": 2})
    page.keyboard.press("s")
    wait_for(page, lambda m: m["type"] == "lw:skip")
    clear(page)
    frame.get_by_role("button", name="Skip").click()
    wait_for(page, lambda m: m["type"] == "lw:skip")


def test_plain_controls_serialise_and_restore(page: Any) -> None:
    frame = open_frame(page, "native-controls")
    page.evaluate("""window.__send({type: 'lw:init', draft: {
        category: {label: 'b'}, comment: 'hello', notes: 'two\\nlines', unsure: {on: true}, size: 'm'}})""")
    frame.get_by_role("radio", name="b").and_(frame.locator("[aria-checked=true]")).wait_for()
    frame.get_by_role("button", name="Submit").click()
    assert wait_for(page, lambda m: m["type"] == "lw:submit")["value"] == {
        "category": {"label": "b"}, "comment": "hello", "notes": "two\nlines", "unsure": {"on": True}, "size": "m"}


def test_a_template_without_a_form_still_submits_with_enter(page: Any) -> None:
    frame = open_frame(page, "no-form")
    frame.locator("body").click(position={"x": 2, "y": 2})
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    assert wait_for(page, lambda m: m["type"] == "lw:submit")["value"] == {"category": {"label": "y"}}


def test_submit_button_is_not_pressed_twice(page: Any) -> None:
    frame = open_frame(page, "text-single")
    frame.get_by_role("radio", name="Neutral").click()
    frame.get_by_role("button", name="Submit").click()
    page.keyboard.press("Enter")
    page.wait_for_timeout(200)
    assert len([m for m in messages(page) if m["type"] == "lw:submit"]) == 1


def image_box(frame: Any) -> dict[str, float]:
    return frame.locator("crowd-image-classifier, crowd-image-classifier-multi-select").first.evaluate(
        """el => { const img = el.shadowRoot.querySelector('img.image');
                   const stage = el.shadowRoot.querySelector('.stage');
                   const column = el.shadowRoot.querySelector('.target');
                   const limit = parseFloat(getComputedStyle(el).getPropertyValue('--lw-max-image-height'));
                   return {w: img.getBoundingClientRect().width, h: img.getBoundingClientRect().height,
                           stage: stage.clientWidth, column: column.clientWidth, limit,
                           nw: img.naturalWidth, nh: img.naturalHeight}; }""")


def wait_image(page: Any, frame: Any) -> dict[str, float]:
    """Waits until the image is loaded and the host has sized the frame to the content."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        box = image_box(frame)
        heights = [m["height"] for m in messages(page) if m["type"] in ("lw:ready", "lw:resize")]
        if box["nw"] and heights and heights[-1] >= box["h"]:
            page.wait_for_timeout(100)
            return box
        page.wait_for_timeout(30)
    raise AssertionError(f"image not shown: {image_box(frame)}; {messages(page)}")


@pytest.mark.parametrize("name", ["image-single", "image-portrait"])
def test_image_fits_the_width_and_keeps_its_aspect(page: Any, shots: Path, name: str) -> None:
    frame = open_frame(page, name)
    box = wait_image(page, frame)
    assert box["nw"] > 0
    assert abs(box["h"] / box["w"] - box["nh"] / box["nw"]) < 0.01  # aspect kept
    # As wide as the column, unless that would make it taller than the height limit.
    assert abs(box["w"] - box["column"]) <= 1 or abs(box["h"] - box["limit"]) <= 3
    assert box["h"] <= box["limit"] + 3
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    frame.get_by_role("radio").first.click()
    page.keyboard.press("Enter")
    wait_for(page, lambda m: m["type"] == "lw:submit")
    assert page.errors == []


def test_image_multi_select_with_overlay(page: Any, shots: Path) -> None:
    frame = open_frame(page, "image-multi", width=1000)
    wait_image(page, frame)
    assert frame.locator("crowd-image-classifier-multi-select").evaluate(
        "el => el.shadowRoot.querySelectorAll('.box').length") == 2
    frame.locator("body").click(position={"x": 2, "y": 2})
    page.keyboard.press("1")
    page.keyboard.press("2")
    page.keyboard.press("4")
    settles(page, "lw:change", {"objects": {"labels": ["House", "Tree", "Sun"]}})
    page.wait_for_timeout(100)
    page.screenshot(path=str(shots / "image-multi-overlay.png"), full_page=True)


def test_broken_image_says_so(page: Any, shots: Path) -> None:
    frame = open_frame(page, "image-broken")
    alert = frame.get_by_text("The image could not be loaded")
    alert.wait_for()
    page.screenshot(path=str(shots / "image-broken.png"), full_page=True)


def test_narrow_frame_stacks_the_labels_under_the_content(page: Any, shots: Path) -> None:
    frame = open_frame(page, "image-single", width=420)
    wait_image(page, frame)
    img = frame.get_by_role("img").bounding_box()
    first = frame.get_by_role("radio").first.bounding_box()
    assert first["y"] > img["y"] + img["height"] - 1
    page.screenshot(path=str(shots / "image-single-narrow.png"), full_page=True)
