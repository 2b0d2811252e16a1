"""The demonstration elements in the real sandboxed task frame: a question–answer pair written with a
reference highlighted by mouse, an assistant turn corrected and the next reply written, an image
captioned (forbidden phrase refused, then accepted), and a video range captioned on a real WebM
played by Chromium (start and end set at the player's time by button and by keyboard)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from harness import FRAMES, HarnessServer
from test_elements import last, wait_for
from test_label_verification_view import open_frame

pytestmark = pytest.mark.e2e

PASSAGE = "Ada Lovelace wrote the first program in 1843. She worked with Charles Babbage in London."
CHAT = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 2+2?"},
        {"role": "assistant", "content": "5"}, {"role": "user", "content": "Are you sure?"}]


def _attr(value: Any) -> str:
    return json.dumps(value).replace("&", "&amp;").replace("'", "&#39;")


FRAMES.update({
    "demo-qa": f"""<crowd-form>
  <crowd-question-answer-generation name="qa" header="Write questions about the passage" text="{PASSAGE}"
    tags='["factual", "reasoning"]'
    guidance='{_attr({"instructions": "Ask about facts the passage states.", "minQuestions": 1, "maxQuestions": 3,
                      "answerMaxWords": 8, "forbiddenPhrases": ["as an AI"]})}'></crowd-question-answer-generation>
</crowd-form>""",
    "demo-chat": f"""<lw-form>
  <lw-chat-editor name="chat" header="Correct the assistant" messages='{_attr(CHAT)}'
    guidance='{_attr({"minWords": 2, "maxWords": 30, "allowNewTurns": True})}'></lw-chat-editor>
</lw-form>""",
    "demo-image": f"""<lw-form>
  <lw-image-caption name="caption" header="Caption the picture" src="/media/scene.png"
    guidance='{_attr({"instructions": "One sentence, what is visible.", "minWords": 4, "maxWords": 20,
                      "forbiddenPhrases": ["this image shows"]})}'></lw-image-caption>
</lw-form>""",
    "demo-drafts": f"""<lw-form>
  <lw-image-caption name="caption" src="/media/scene.png" initial-value='{_attr({"caption": "A house."})}'></lw-image-caption>
  <lw-video-caption name="captions" src="/media/none.webm"
    initial-value='{_attr({"captions": [{"start": 1, "end": 2, "text": "A draft."}]})}'></lw-video-caption>
</lw-form>""",
    "demo-video": f"""<lw-form>
  <lw-video-caption name="captions" header="Caption what happens" src="/media/clip.webm"
    guidance='{_attr({"minWords": 2, "maxCaptions": 4})}'></lw-video-caption>
</lw-form>""",
})


def _shadow(el: Any, js: str) -> Any:
    return el.evaluate(f"el => {{ const r = el.shadowRoot; {js} }}")


def test_qa_pair_with_a_reference_highlighted_by_mouse(page: Any, shots: Path) -> None:
    open_frame(page, "demo-qa", width=1100)
    frame = page.frame_locator("iframe")
    el = frame.locator("crowd-question-answer-generation")
    el.locator("textarea.question").fill("Who wrote the first program?")
    el.locator("textarea.answer").fill("Ada Lovelace.")
    el.locator("button.tag", has_text="factual").click()
    # drag across "Ada Lovelace" in the passage: mouse down before "A", up after the final "e"
    box = _shadow(el, """const s = r.querySelector('.passage [data-start]');
        const t = [...s.childNodes].find(n => n.nodeType === Node.TEXT_NODE && n.data.length);
        const range = document.createRange(); range.setStart(t, 0); range.setEnd(t, 12);
        const b = range.getBoundingClientRect(); return {x: b.left, y: b.top, w: b.width, h: b.height};""")
    frame_box = page.locator("iframe").bounding_box()
    y = frame_box["y"] + box["y"] + box["h"] / 2
    page.mouse.move(frame_box["x"] + box["x"] + 1, y)
    page.mouse.down()
    page.mouse.move(frame_box["x"] + box["x"] + box["w"] - 1, y, steps=8)
    page.mouse.up()
    assert _shadow(el, "return r.querySelector('.passage mark').textContent") == "Ada Lovelace"
    assert "Ada Lovelace" in _shadow(el, "return r.querySelector('.ref').textContent")
    page.screenshot(path=str(shots / "demonstration-qa.png"))
    # a second pair without a reference is refused, naming it
    _shadow(el, "r.querySelector('button.add').click()")
    el.locator("[data-pair='1'] textarea.question").fill("When?")
    el.locator("[data-pair='1'] textarea.answer").fill("In 1843.")
    # the keyboard's way to a reference: a quote typed in the active pair's box, then Enter
    el.locator("[data-pair='1'] .quote input").fill("no such words")
    el.locator("[data-pair='1'] .quote input").press("Enter")
    assert "does not contain" in _shadow(el, "return r.querySelector('.quote-error').textContent")
    el.locator("[data-pair='1'] .quote input").fill("in 1843")
    el.locator("[data-pair='1'] .quote input").press("Enter")
    assert _shadow(el, "return r.querySelector('.passage mark').textContent") == "in 1843"
    assert el.evaluate("el => el.pairs[1].references") == [{"start": 37, "end": 44}]
    el.locator("[data-pair='1'] .refs button").click()  # removed again: this pair is refused below
    page.evaluate("window.__send({type: 'lw:key', key: 'Enter'})")
    page.wait_for_timeout(200)
    assert last(page, "lw:submit") is None
    assert "Question 2" in _shadow(el, "return r.querySelector('.error').textContent")
    _shadow(el, "r.querySelector('[data-pair=\"1\"] .remove').click()")
    page.evaluate("window.__send({type: 'lw:key', key: 'Enter'})")
    sent = wait_for(page, lambda m: m["type"] == "lw:submit")["value"]
    assert sent == {"qa": {"questionAnswerPairs": [{"question": "Who wrote the first program?", "answer": "Ada Lovelace.",
                                                    "tags": ["factual"],
                                                    "references": [{"startOffset": 0, "endOffset": 12}]}]}}
    assert page.errors == []


def test_chat_turn_corrected_and_next_reply_written(page: Any, shots: Path) -> None:
    open_frame(page, "demo-chat", width=1000)
    el = page.frame_locator("iframe").locator("lw-chat-editor")
    el.locator("[data-turn='2'] textarea").fill("2+2 is 4.")
    el.locator("[data-turn='4'] textarea").fill("Yes.")  # one word: below minWords
    page.evaluate("window.__send({type: 'lw:key', key: 'Enter'})")
    page.wait_for_timeout(200)
    assert last(page, "lw:submit") is None
    assert "Turn 5" in _shadow(el, "return r.querySelector('.error').textContent")
    el.locator("[data-turn='4'] textarea").fill("Yes, I am sure.")
    assert _shadow(el, "return r.querySelector('[data-turn=\"2\"] .original del').textContent") == "5"
    assert _shadow(el, "return r.querySelector('[data-turn=\"2\"] .original ins').textContent") == "2+2 is 4."
    # digits are typed into the replies: the form's footer does not offer "1–9 choose"
    hint = page.frame_locator("iframe").locator("lw-form").evaluate("f => f.shadowRoot.querySelector('.hint').textContent")
    assert "submit" in hint and "choose" not in hint
    page.screenshot(path=str(shots / "demonstration-chat.png"))
    page.evaluate("window.__send({type: 'lw:key', key: 'Enter'})")
    sent = wait_for(page, lambda m: m["type"] == "lw:submit")["value"]["chat"]["messages"]
    assert sent == [CHAT[0], CHAT[1], {"role": "assistant", "content": "2+2 is 4.", "edited": True, "original": "5"},
                    CHAT[3], {"role": "assistant", "content": "Yes, I am sure.", "edited": True, "added": True}]
    assert page.errors == []


def test_image_caption_refuses_a_forbidden_phrase(page: Any, shots: Path) -> None:
    open_frame(page, "demo-image", width=1100)
    el = page.frame_locator("iframe").locator("lw-image-caption")
    el.locator("textarea").fill("This image shows a house on a hill.")
    assert "uses" in _shadow(el, "return r.querySelector('.counter').textContent")
    page.evaluate("window.__send({type: 'lw:key', key: 'Enter'})")
    page.wait_for_timeout(200)
    assert last(page, "lw:submit") is None
    el.locator("textarea").fill("A red-roofed house beside a tree on green hills.")
    page.screenshot(path=str(shots / "demonstration-image-caption.png"))
    page.evaluate("window.__send({type: 'lw:key', key: 'Enter'})")
    sent = wait_for(page, lambda m: m["type"] == "lw:submit")["value"]
    assert sent == {"caption": {"caption": "A red-roofed house beside a tree on green hills."}}
    assert page.errors == []


@pytest.fixture()
def clip(server: HarnessServer) -> Path:
    """A 3-second 64x48 VP8 WebM (10 fps), which Debian's Chromium plays without proprietary codecs."""
    cv2 = pytest.importorskip("cv2")
    path = server.media_dir / "clip.webm"
    if not path.exists():
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"VP80"), 10, (64, 48))
        assert writer.isOpened(), "OpenCV cannot write VP8"
        for i in range(30):
            frame = np.zeros((48, 64, 3), np.uint8)
            frame[:, : 2 * i + 2] = (40, 160, 240)  # a bar that grows: each second looks different
            writer.write(frame)
        writer.release()
    return path


def test_video_range_captioned_with_buttons_and_keys(page: Any, shots: Path, clip: Path) -> None:
    open_frame(page, "demo-video", width=1000)
    el = page.frame_locator("iframe").locator("lw-video-caption")
    duration = el.evaluate("""el => new Promise((ok, fail) => { const v = el.video;
        const done = () => ok(v.duration); if (v.readyState >= 1) done(); else v.addEventListener('loadedmetadata', done);
        v.addEventListener('error', () => fail(String(v.error && v.error.message))); })""")
    assert 2.5 < duration < 3.5
    # the harness serves no byte ranges, so Chromium cannot seek: play to a time and pause there, as a worker does
    play_to = """(el, t) => new Promise(ok => { const v = el.video; v.muted = true;
        const tick = () => { if (v.currentTime >= t || v.ended) { v.pause(); ok(v.currentTime); } else requestAnimationFrame(tick); };
        v.play().then(tick); })"""
    first_start = el.evaluate(play_to, 0.5)
    el.locator("button.set-start").first.click()
    first_end = el.evaluate(play_to, 1.5)
    el.locator("button.set-end").first.click()
    el.locator("[data-caption='0'] textarea").fill("An orange bar grows.")
    # the second caption by keyboard: N adds one (starting where the last ended), Alt+] sets its end while typing
    el.locator("button.add").focus()
    page.keyboard.press("n")
    second_end = el.evaluate(play_to, 2.5)
    el.locator("[data-caption='1'] textarea").fill("It fills the frame.")
    page.keyboard.press("Alt+BracketRight")
    page.screenshot(path=str(shots / "demonstration-video-caption.png"))
    page.evaluate("window.__send({type: 'lw:key', key: 'Enter'})")
    sent = wait_for(page, lambda m: m["type"] == "lw:submit")["value"]["captions"]["captions"]
    assert [c["text"] for c in sent] == ["An orange bar grows.", "It fills the frame."]
    times = [sent[0]["start"], sent[0]["end"], sent[1]["start"], sent[1]["end"]]
    # milliseconds, at the paused player's time (JS and Python round a half differently: 1 ms apart at most)
    assert all(abs(a - b) <= 0.0011 for a, b in zip(times, [first_start, first_end, first_end, second_end], strict=True))
    assert sent[1]["start"] == sent[0]["end"]
    assert 0.5 <= first_start < 1.0 and 1.5 <= first_end < 2.0 and 2.5 <= second_end <= duration
    assert page.errors == []


def test_captions_start_from_a_models_draft_and_a_saved_draft_wins(page: Any) -> None:
    open_frame(page, "demo-drafts", width=1000)
    frame = page.frame_locator("iframe")
    assert frame.locator("lw-image-caption textarea").input_value() == "A house."
    assert frame.locator("lw-video-caption [data-caption='0'] textarea").input_value() == "A draft."
    page.evaluate("window.__send({type: 'lw:init', draft: {caption: {caption: 'Saved by the worker.'}}})")
    page.wait_for_timeout(150)
    assert frame.locator("lw-image-caption textarea").input_value() == "Saved by the worker."
