"""<lw-classifier-multi-select> as the text-classification task type renders it (the server's own
default template and Liquid renderer), in a sandboxed frame under the backend's frame CSP: the
exclusion category by mouse and keyboard, 60 labels with the filter box and hotkeys, long texts,
sanitised HTML with a payload, and audio / video / page-image players from signed URLs."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path
from typing import Any

import pytest

from harness import FRAMES, HarnessServer
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes import TEXT_CLASSIFICATION
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.services.templates import render_task
from test_elements import clear, last, open_frame, settles, wait_for

pytestmark = pytest.mark.e2e

NONE = "None of the above"
TOPICS = ProjectSpec(labels=parse_label_config({
    "labels": [{"label": "Politics"}, {"label": "Sport"}, {"label": "Business"}, {"label": "Science"}],
    "exclusionCategory": {"text": NONE}}), multi_label=True)
MANY_NAMES = [f"{topic} {n}" for n in range(1, 13) for topic in ("Sport", "Finance", "Health", "Travel", "Music")]
MANY = ProjectSpec(labels=parse_label_config({"labels": [{"label": n} for n in MANY_NAMES],
                                              "exclusionCategory": NONE}), multi_label=True)
LONG_TEXT = "\n\n".join(
    f"Paragraph {i}: the council met on Tuesday to discuss the new stadium, its funding and the\n"
    f"effect on local traffic. Residents spoke for and against." for i in range(1, 41))
PAYLOAD = ('<h3>Quarterly <em>report</em></h3><p>Revenue grew <strong>12%</strong>.</p>'
           '<img src="/media/none.png" onerror="window.top.__pwned = 1; document.title = \'pwned\'">'
           '<script>window.top.__pwned = 1; document.title = "pwned"</script>'
           '<a href="javascript:document.title=\'pwned\'">details</a>'
           '<svg><animate onbegin="document.title=\'pwned\'" attributeName="x" dur="1s"/></svg>')


def _page(spec: ProjectSpec, data: dict[str, Any], header: str = "Which topics does this text touch?") -> str:
    """The frame body exactly as the server renders it (signed URLs point at the harness's /media/)."""
    return render_task(TEXT_CLASSIFICATION.default_template(spec), data, list(spec.labels.labels),
                       header=header, sign_media=lambda ref: "/media/" + Path(ref).name)


FRAMES.update({
    "cls-exclusion": _page(TOPICS, {"source": "Minister opens a new stadium\nfunded by a tech start-up."}),
    "cls-many": _page(MANY, {"source": "The band's world tour sold out in every city."}, "Tag the sentence"),
    "cls-long": _page(TOPICS, {"source": LONG_TEXT}),
    "cls-html": _page(TOPICS, {"html": PAYLOAD}),
    # the browser's sanitiser on its own: HTML the server did not clean (a hand-written template)
    "cls-html-raw": """<lw-form><lw-classifier name="c" categories='["a","b"]'><classification-target>
      <lw-html-content>%s</lw-html-content></classification-target></lw-classifier></lw-form>"""
      % PAYLOAD.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
    "cls-audio": _page(TOPICS, {"source-ref": "s3://calls/bucket/call-0001.wav"}, "What is the call about?"),
    "cls-video": _page(TOPICS, {"source-ref": "/data/clips/clip-7.webm"}, "What is the clip about?"),
    "cls-page": _page(TOPICS, {"source-ref": "/data/pages/scene.png"}, "What is this page about?"),
})


def checked(frame: Any, name: str) -> bool:
    return frame.get_by_role("checkbox", name=name, exact=True).get_attribute("aria-checked") == "true"


def test_exclusion_by_mouse(page: Any, shots: Path) -> None:
    frame = open_frame(page, "cls-exclusion")
    frame.get_by_role("checkbox", name="Politics").click()
    frame.get_by_role("checkbox", name="Business").click()
    settles(page, "lw:change", {"label": {"labels": ["Politics", "Business"]}})
    page.screenshot(path=str(shots / "cls-exclusion-labels.png"), full_page=True)

    frame.get_by_role("checkbox", name=NONE).click()  # the exclusion clears the others
    settles(page, "lw:change", {"label": {"labels": [NONE]}})
    assert not checked(frame, "Politics") and not checked(frame, "Business") and checked(frame, NONE)
    page.screenshot(path=str(shots / "cls-exclusion-none.png"), full_page=True)

    frame.get_by_role("checkbox", name="Science").click()  # another label clears the exclusion
    settles(page, "lw:change", {"label": {"labels": ["Science"]}})
    assert not checked(frame, NONE)

    frame.get_by_role("button", name="Clear all").click()
    settles(page, "lw:change", {"label": {"labels": []}})
    page.keyboard.press("Enter")  # nothing chosen: the form says to choose a label or the exclusion
    assert NONE in frame.get_by_role("alert").inner_text()
    assert last(page, "lw:submit") is None


def test_exclusion_by_keyboard(page: Any) -> None:
    frame = open_frame(page, "cls-exclusion")
    # the exclusion is set apart from the numbered labels and takes 0
    assert frame.locator(".list .choice kbd").all_inner_texts() == ["1", "2", "3", "4"]
    assert frame.get_by_role("checkbox", name=NONE).get_attribute("aria-keyshortcuts") == "0"
    frame.locator("body").click(position={"x": 2, "y": 2})
    page.keyboard.press("1")
    page.keyboard.press("4")
    settles(page, "lw:change", {"label": {"labels": ["Politics", "Science"]}})
    page.keyboard.press("0")
    settles(page, "lw:change", {"label": {"labels": [NONE]}})
    page.keyboard.press("2")
    settles(page, "lw:change", {"label": {"labels": ["Sport"]}})
    page.keyboard.press("0")
    settles(page, "lw:change", {"label": {"labels": [NONE]}})
    page.keyboard.press("0")  # pressed again: unchosen
    settles(page, "lw:change", {"label": {"labels": []}})
    page.keyboard.press("0")
    page.keyboard.press("Enter")
    assert wait_for(page, lambda m: m["type"] == "lw:submit")["value"] == {"label": {"labels": [NONE]}}
    # the host's forwarded keys do the same
    clear(page)
    page.evaluate("window.__send({type: 'lw:key', key: '3'})")
    settles(page, "lw:change", {"label": {"labels": ["Business"]}})
    page.evaluate("window.__send({type: 'lw:key', key: '0'})")
    settles(page, "lw:change", {"label": {"labels": [NONE]}})


def test_sixty_labels_filter_hotkeys_and_clear_all(page: Any, shots: Path) -> None:
    frame = open_frame(page, "cls-many", width=1100)
    assert frame.locator(".list .choice").count() == 60
    assert frame.locator(".list .choice kbd").all_inner_texts() == [str(n) for n in range(1, 10)]
    frame.locator("body").click(position={"x": 2, "y": 2})
    page.keyboard.press("2")  # the second label as listed
    settles(page, "lw:change", {"label": {"labels": ["Finance 1"]}})
    page.screenshot(path=str(shots / "cls-many.png"), full_page=True)

    page.keyboard.press("/")  # to the filter box; the key itself is not typed
    box = frame.get_by_role("searchbox", name="Filter labels")
    assert box.evaluate("el => el.getRootNode().activeElement === el")
    page.keyboard.type("mus")
    assert box.input_value() == "mus"
    assert frame.locator(".list .choice").count() == 12
    assert frame.locator(".list .choice .text").first.inner_text() == "Music 1"
    page.screenshot(path=str(shots / "cls-many-filtered.png"), full_page=True)
    page.keyboard.press("Enter")  # the first match, and the box empties for the next label
    settles(page, "lw:change", {"label": {"labels": ["Finance 1", "Music 1"]}})
    assert box.input_value() == ""

    page.keyboard.type("travel 1")
    # "Travel 1", "Travel 10", "Travel 11", "Travel 12": digits choose among the matches once out of the box
    assert frame.locator(".list .choice .text").all_inner_texts() == ["Travel 1", "Travel 10", "Travel 11", "Travel 12"]
    page.keyboard.press("Tab")
    page.keyboard.press("3")
    settles(page, "lw:change", {"label": {"labels": ["Finance 1", "Music 1", "Travel 11"]}})  # the project's order
    # chosen labels stay visible as chips, whatever the filter shows
    assert [t.split("\n")[0] for t in frame.locator(".chip").all_inner_texts()] == ["Finance 1", "Music 1", "Travel 11"]
    frame.get_by_role("button", name="Remove Travel 11").click()
    settles(page, "lw:change", {"label": {"labels": ["Finance 1", "Music 1"]}})

    box.fill("")
    box.press("z")
    assert frame.get_by_role("status").inner_text() == "No label matches"
    box.press("Escape")  # empties the box
    assert box.input_value() == "" and frame.locator(".list .choice").count() == 60

    frame.get_by_role("button", name="Clear all").click()
    settles(page, "lw:change", {"label": {"labels": []}})
    frame.locator("body").click(position={"x": 2, "y": 2})
    page.keyboard.press("0")
    settles(page, "lw:change", {"label": {"labels": [NONE]}})
    assert page.errors == []


def test_long_text_scrolls_inside_the_frame_and_keeps_its_line_breaks(page: Any, shots: Path) -> None:
    frame = open_frame(page, "cls-long")
    region = frame.get_by_role("region", name="Content to classify")
    size = region.evaluate("el => ({client: el.clientHeight, scroll: el.scrollHeight})")
    assert size["scroll"] > 3 * size["client"] > 0  # a scrolling region, not a frame miles long
    assert page.evaluate("document.querySelector('iframe').getBoundingClientRect().height") < 900
    text = frame.locator("lw-text-content")
    assert text.evaluate("el => getComputedStyle(el).whiteSpace") == "pre-wrap"
    assert text.inner_text().count("\n") >= 40 * 2
    region.focus()
    page.keyboard.press("End")  # a keyboard scrolls it
    assert region.evaluate("""el => new Promise(r => {
      const t0 = performance.now();
      const check = () => el.scrollTop > 0 || performance.now() - t0 > 2000 ? r(el.scrollTop) : requestAnimationFrame(check);
      check();
    })""") > 0
    page.screenshot(path=str(shots / "cls-long-text.png"), full_page=True)


@pytest.mark.parametrize("name", ["cls-html", "cls-html-raw"])
def test_html_payload_never_runs(page: Any, shots: Path, name: str) -> None:
    frame = open_frame(page, name)
    content = frame.locator("lw-html-content")
    assert content.locator("em").inner_text() == "report"
    assert content.locator("strong").inner_text() == "12%"
    assert content.locator("script, [onerror], [onbegin], animate").count() == 0
    href = content.locator("a").get_attribute("href")
    assert href is None or not href.startswith("javascript:")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert frame.locator("html").evaluate("() => document.title") != "pwned"
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_html_payload_never_runs_even_without_a_csp(page: Any, server: HarnessServer) -> None:
    """The frame's CSP would block inline handlers anyway: here there is none, so only DOMPurify
    stands between the payload and the page; the same payload set as innerHTML does run."""
    escaped = PAYLOAD.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    body = f"""<!doctype html><html><head><script src="/static/dist/elements.js"></script></head><body>
      <lw-html-content id="safe">{escaped}</lw-html-content><div id="unsafe"></div></body></html>"""
    page.route("**/no-csp", lambda route: route.fulfill(status=200, content_type="text/html", body=body))
    page.goto("/no-csp")
    page.locator("#safe em").wait_for()
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None and page.title() != "pwned"
    assert page.locator("#safe [onerror], #safe script").count() == 0
    page.evaluate("html => { document.getElementById('unsafe').innerHTML = html }", PAYLOAD)  # the control
    page.wait_for_function("() => window.__pwned === 1")
    page.errors.clear()  # the control's missing image


def _tone_wav(path: Path, seconds: float = 1.5, rate: int = 8000) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
                               for i in range(int(seconds * rate))))


def test_audio_player_from_the_signed_url(page: Any, server: HarnessServer, shots: Path) -> None:
    _tone_wav(server.media_dir / "call-0001.wav")
    frame = open_frame(page, "cls-audio")
    audio = frame.locator("classification-target audio")
    assert audio.get_attribute("src") == "/media/call-0001.wav"
    assert audio.get_attribute("controls") is not None
    frame.locator("audio").evaluate(
        "a => a.readyState >= 1 ? true : new Promise(r => a.addEventListener('loadedmetadata', () => r(true)))")
    assert audio.evaluate("a => a.duration") == pytest.approx(1.5, abs=0.05)  # the file was read
    page.screenshot(path=str(shots / "cls-audio.png"), full_page=True)


def test_video_player_and_page_image(page: Any, shots: Path) -> None:
    frame = open_frame(page, "cls-video")
    video = frame.locator("classification-target video")
    assert video.get_attribute("src") == "/media/clip-7.webm"
    assert video.get_attribute("controls") is not None
    page.errors.clear()  # no clip file in the harness: the player is what is checked here

    frame = open_frame(page, "cls-page")
    img = frame.get_by_role("img", name="The page to classify")
    assert img.get_attribute("src") == "/media/scene.png"
    img.evaluate("i => i.complete && i.naturalWidth ? true : new Promise(r => i.addEventListener('load', () => r(true)))")
    box = img.bounding_box()
    assert box is not None and box["width"] > 100
    page.screenshot(path=str(shots / "cls-page-image.png"), full_page=True)
    assert page.errors == []
