"""A chat-demonstration project end to end in Chromium: the default template's <lw-chat-editor> in the
sandboxed frame shows the item's conversation and the project's guidance, a too-short reply is
refused in the frame, the worker corrects the assistant's wrong turn and writes the next reply, and
the export in TRL's conversational SFT format (and its Parquet twin) holds the corrected
conversation while the manifest keeps the original beside the edit."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest

from factories import PASSWORD, Factory
from image_labeling import login
from labelworks.core.enums import Role

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))
CHAT = [{"role": "system", "content": "You are a careful maths tutor."},
        {"role": "user", "content": "What is 7 times 8?"},
        {"role": "assistant", "content": "7 times 8 is 54."},
        {"role": "user", "content": "How can I check that?"}]
LABELS = {"labels": [{"label": "reply"}],
          "guidance": {"instructions": "Fix wrong answers; keep replies short and friendly.", "minWords": 3,
                       "maxWords": 40, "forbiddenPhrases": ["as an AI"]}}


def test_annotator_corrects_a_turn_and_writes_the_reply(live_server: Any, chromium: Any) -> None:
    factory: Factory = live_server.factory
    org_id = factory.org("Tutors Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@tutors.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@tutors.test", password=PASSWORD)
    p = factory.project(manager, name="Tutor replies", task_type="chat-demonstration", labels=LABELS,
                        workers_per_item=1)
    factory.items(manager, p.id, rows=[{"messages": CHAT, "id": "conv-1"}])

    context, page = login(chromium, live_server.url, "ann@tutors.test", PASSWORD)
    page.goto(f"/label/{p.id}")
    shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
    shown.wait_for(timeout=15_000)
    frame = shown.element_handle().content_frame()
    editor = frame.locator("lw-chat-editor")
    editor.wait_for(timeout=15_000)
    assert "Fix wrong answers" in editor.locator(".guidance").inner_text()
    assert editor.locator(".turn").count() == 5  # the item's four turns and the reply to write

    editor.locator("[data-turn='2'] textarea").fill("7 times 8 is 56.")
    editor.locator("[data-turn='4'] textarea").fill("Trust me.")  # 2 words: below the guidance's 3
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    editor.locator(".error").wait_for(timeout=5_000)
    assert "Turn 5" in editor.locator(".error").inner_text()
    editor.locator("[data-turn='4'] textarea").fill("Add 7 eight times: 7, 14, 21, 28, 35, 42, 49, 56.")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "chat-demonstration-labeling.png"))
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()

    def export(fmt: str) -> bytes:
        r = httpx.get(f"{live_server.url}/api/v1/projects/{p.id}/export", params={"format": fmt},
                      headers=manager.headers, timeout=30)
        assert r.status_code == 200, r.text
        return r.content

    wanted = [CHAT[0], CHAT[1], {"role": "assistant", "content": "7 times 8 is 56."}, CHAT[3],
              {"role": "assistant", "content": "Add 7 eight times: 7, 14, 21, 28, 35, 42, 49, 56."}]
    (row,) = [json.loads(x) for x in export("sft-messages").splitlines()]
    written = [{"turn": i, "model": "", "generation_id": 0, "draft_edited": False} for i in (2, 4)]
    assert row == {"messages": wanted, "reply_sources": written}
    table = pq.read_table(io.BytesIO(export("sft-messages-parquet")))
    assert table.column_names == ["messages", "reply_sources"] and table.to_pylist() == [row]
    (line,) = [json.loads(x) for x in export("manifest").splitlines()]
    turns = line[p.spec.label_attribute]["messages"]
    assert turns[2] == {"role": "assistant", "content": "7 times 8 is 56.", "edited": True,
                        "original": "7 times 8 is 54."}
    assert turns[4]["added"] is True and line[f"{p.spec.label_attribute}-metadata"]["type"] == \
        "labelworks/chat-demonstration"


def test_video_ranges_are_set_at_seeked_times_on_the_served_video(live_server: Any, chromium: Any) -> None:
    """The signed /media/ route answers byte ranges, so Chromium seeks the served WebM; the worker's
    two ranges, set with the buttons and the ] key at seeked times, reach the SFT export."""
    cv2 = pytest.importorskip("cv2")
    import numpy as np

    factory: Factory = live_server.factory
    org_id = factory.org("Clips Org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@clips.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@clips.test", password=PASSWORD)
    p = factory.project(manager, name="Clips", task_type="video-captioning", workers_per_item=1,
                        labels={"labels": [{"label": "caption"}], "guidance": {"minWords": 2}})
    clip = live_server.settings.media_dir / "clip.webm"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"VP80"), 10, (64, 48))
    for i in range(30):
        frame = np.zeros((48, 64, 3), np.uint8)
        frame[:, : 2 * i + 2] = (40, 160, 240)
        writer.write(frame)
    writer.release()
    factory.items(manager, p.id, rows=[{"source-ref": str(clip), "duration": 3}])

    context, page = login(chromium, live_server.url, "ann@clips.test", PASSWORD)
    page.goto(f"/label/{p.id}")
    shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
    shown.wait_for(timeout=15_000)
    frame = shown.element_handle().content_frame()
    el = frame.locator("lw-video-caption")
    el.wait_for(timeout=15_000)
    seek = """(el, t) => new Promise((ok, fail) => { const v = el.video;
        const go = () => { v.addEventListener('seeked', () => ok(v.currentTime), {once: true}); v.currentTime = t; };
        v.addEventListener('error', () => fail('video error ' + (v.error && v.error.code)));
        if (v.readyState >= 1) go(); else v.addEventListener('loadedmetadata', go, {once: true}); })"""
    assert abs(el.evaluate(seek, 1.2) - 1.2) < 0.01  # seekable: the server answered a byte range
    el.locator("button.set-start").first.click()
    el.evaluate(seek, 2.0)
    el.locator("button.set-end").first.click()
    el.locator("[data-caption='0'] textarea").fill("The bar grows.")
    el.locator("button.add").click()  # starts at 2.0, where the first ended
    el.evaluate(seek, 2.9)
    el.locator("[data-caption='1'] textarea").fill("It fills the frame.")
    page.keyboard.press("Alt+BracketRight")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "video-captioning-labeling.png"))
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()

    r = httpx.get(f"{live_server.url}/api/v1/projects/{p.id}/export", params={"format": "sft-prompt-completion"},
                  headers=manager.headers, timeout=30)
    rows = [json.loads(x) for x in r.text.splitlines()]
    assert [row["prompt"][0]["content"][1]["text"] for row in rows] == [
        "Describe what happens in the video between 1.2 s and 2 s.",
        "Describe what happens in the video between 2 s and 2.9 s."]
    assert [row["completion"][0]["content"][0]["text"] for row in rows] == ["The bar grows.", "It fills the frame."]
    assert all(row["videos"] == [str(clip)] for row in rows)
