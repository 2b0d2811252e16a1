"""An annotator labels a multi-label text project with an exclusion category on the real labeling page
in Chromium: a long text, an item's HTML with a payload, and an audio file; keys pressed on the host
page (digits, 0 for the exclusion, / for the label filter) and clicks in the frame. The export holds
exactly those labels in Ground Truth's multi-label shape."""

from __future__ import annotations

import json
import math
import socket
import struct
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from labelworks.app import create_app
from labelworks.db.engine import Database
from labelworks.db.migrate import upgrade
from labelworks.services import accounts, imports, projects
from labelworks.settings import load_settings

pytestmark = pytest.mark.e2e

PASSWORD = "annotator-pass-123"
NONE = "None of the above"
TOPICS = ["Politics", "Sport", "Business", "Science", "Health", "Travel", "Music", "Film",
          "Books", "Weather", "Crime", "Education", "Technology", "Food"]
LONG = "\n\n".join(f"Paragraph {i}. Nothing in this paragraph is about any of the topics." for i in range(1, 30))
PAYLOAD = ('<p>The <em>science</em> budget grows.</p><img src="x" onerror="parent.__pwned=1;document.title=\'pwned\'">'
           '<script>document.title = "pwned"</script>')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wav(path: Path, seconds: float = 1.0, rate: int = 8000) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(6000 * math.sin(2 * math.pi * 330 * i / rate)))
                               for i in range(int(seconds * rate))))


class Site:
    def __init__(self, base: str, pid: int, owner_token: str) -> None:
        self.base, self.pid, self.owner_token = base, pid, owner_token

    def export(self) -> list[dict[str, Any]]:
        r = httpx.get(f"{self.base}/api/v1/projects/{self.pid}/export", params={"format": "manifest"},
                      headers={"Authorization": f"Bearer {self.owner_token}"}, timeout=30)
        r.raise_for_status()
        return [json.loads(line) for line in r.text.splitlines() if line]


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[Site]:
    settings = load_settings(data_dir=tmp_path / "data")
    db = Database(settings.resolved_database_url)
    upgrade(db)
    owner = accounts.create_user(db, "owner@example.org", "owner-pass-123", "owner")
    accounts.create_user(db, "ann@example.org", PASSWORD, "annotator")
    actor = accounts.actor_for(owner)
    p = projects.create_project(db, actor, projects.ProjectInput(
        name="Topics", task_type="text-classification", multi_label=True,
        labels={"labels": [{"label": t} for t in TOPICS], "exclusionCategory": {"text": NONE}}))
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    _wav(settings.media_dir / "call.wav")
    imports.import_rows(db, actor, p.id, [{"source": LONG}, {"source": PAYLOAD, "content-type": "text/html"},
                                          {"source-ref": str(settings.media_dir / "call.wav")}])
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, db=db), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield Site(f"http://127.0.0.1:{port}", p.id, accounts.create_token(db, owner.id))
    finally:
        server.should_exit = True
        thread.join(10)


def _frame(page: Any, before: set[str]) -> Any:
    """The shown task frame (not one in ``before``) once its classifier has rendered."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
        if shown.count() == 1:
            frame = shown.element_handle().content_frame()
            if frame is not None and frame.url not in before and frame.locator("lw-classifier-multi-select").count():
                frame.get_by_role("checkbox", name=NONE).wait_for()
                return frame
        page.wait_for_timeout(100)
    raise AssertionError("no new task frame")


def _checked(frame: Any, name: str) -> bool:
    return frame.get_by_role("checkbox", name=name, exact=True).get_attribute("aria-checked") == "true"


def test_multilabel_with_exclusion_on_the_labeling_page(site: Site, chromium: Any, tmp_path: Path) -> None:
    context = chromium.new_context(base_url=site.base, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/login")
    page.fill("#email", "ann@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.base}/")
    page.goto(f"/label/{site.pid}")
    # the side panel: the exclusion apart with its key 0, and the filter's key
    keys = page.locator(".lw-label-keys li").all_inner_texts()
    assert keys[0].split() == ["1", "Politics"] and keys[-1].split() == ["0", "None", "of", "the", "above"]
    assert len(keys) == len(TOPICS) + 1
    assert "filter the labels" in page.locator(".lw-keys").inner_text()
    seen: set[str] = set()
    shots = tmp_path

    # 1. the long text: keys on the host page; the exclusion (0) clears the labels chosen before it
    frame = _frame(page, seen)
    seen.add(frame.url)
    region = frame.get_by_role("region", name="Content to classify")
    assert region.evaluate("el => el.scrollHeight > el.clientHeight + 100")  # scrolls, line breaks kept
    assert frame.locator("lw-text-content").inner_text().count("\n") >= 50
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("1")
    page.keyboard.press("4")
    frame.get_by_role("checkbox", name="Science").and_(frame.locator("[aria-checked=true]")).wait_for()
    assert _checked(frame, "Politics")
    page.keyboard.press("0")
    frame.get_by_role("checkbox", name=NONE).and_(frame.locator("[aria-checked=true]")).wait_for()
    assert not _checked(frame, "Politics") and not _checked(frame, "Science")
    page.screenshot(path=str(shots / "multilabel-text.png"), full_page=True)
    page.keyboard.press("Enter")

    # 2. HTML with a payload: sanitised; labels by mouse and through the filter (/ pressed on the host)
    frame = _frame(page, seen)
    seen.add(frame.url)
    assert frame.locator("lw-html-content em").inner_text() == "science"
    assert frame.locator("lw-html-content img[onerror], lw-html-content script").count() == 0
    frame.get_by_role("checkbox", name=NONE).click()
    frame.get_by_role("checkbox", name="Business").click()  # a label clears the exclusion
    assert not _checked(frame, NONE)
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("/")
    page.keyboard.type("scie")
    page.keyboard.press("Enter")  # the filter's best match
    frame.get_by_role("checkbox", name="Science").and_(frame.locator("[aria-checked=true]")).wait_for()
    assert page.evaluate("window.__pwned") is None and frame.evaluate("() => document.title") != "pwned"
    page.screenshot(path=str(shots / "multilabel-html.png"), full_page=True)
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")

    # 3. the audio file: a player on the signed URL that the browser reads
    frame = _frame(page, seen)
    seen.add(frame.url)
    audio = frame.locator("classification-target audio")
    assert "/media/" in (audio.get_attribute("src") or "")
    duration = audio.evaluate("a => a.readyState >= 1 ? a.duration : new Promise(r => "
                              "a.addEventListener('loadedmetadata', () => r(a.duration)))")
    assert duration == pytest.approx(1.0, abs=0.05)
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("7")  # Music
    frame.get_by_role("checkbox", name="Music").and_(frame.locator("[aria-checked=true]")).wait_for()
    page.screenshot(path=str(shots / "multilabel-audio.png"), full_page=True)
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    assert errors == []
    context.close()

    rows = site.export()
    by_kind = {("html" if "content-type" in r else "source-ref" if "source-ref" in r else "source"): r for r in rows}
    none_id = str(len(TOPICS))
    text_meta = by_kind["source"]["topics-metadata"]
    assert by_kind["source"]["topics"] == [len(TOPICS)]
    assert text_meta["class-map"] == {none_id: NONE}
    assert text_meta["confidence-map"] == {none_id: 0.0}  # one worker: Ground Truth writes 0
    assert text_meta["type"] == "groundtruth/text-classification-multilabel"
    assert by_kind["html"]["topics-metadata"]["class-map"] == {"2": "Business", "3": "Science"}
    assert by_kind["source-ref"]["topics-metadata"]["class-map"] == {"6": "Music"}
