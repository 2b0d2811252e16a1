"""An annotator labels text and image tasks with the keyboard in Chromium; the manager's export
holds exactly those labels."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from PIL import Image

from labelworks.app import create_app
from labelworks.db.engine import Database
from labelworks.db.migrate import upgrade
from labelworks.services import accounts, imports, projects
from labelworks.settings import load_settings

pytestmark = pytest.mark.e2e

PASSWORD = "annotator-pass-123"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Site:
    def __init__(self, base: str, db: Database, text_pid: int, image_pid: int, owner_token: str) -> None:
        self.base, self.db, self.text_pid, self.image_pid, self.owner_token = base, db, text_pid, image_pid, owner_token

    def export(self, pid: int) -> list[dict[str, Any]]:
        r = httpx.get(f"{self.base}/api/v1/projects/{pid}/export", params={"format": "manifest"},
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
    text = projects.create_project(db, actor, projects.ProjectInput(
        name="Sentiment", task_type="text-classification", labels=["positive", "negative", "neutral"],
        short_instructions="Choose the **sentiment** of the sentence."))
    imports.import_rows(db, actor, text.id, [{"source": "I love this product"}, {"source": "This is awful"}])
    image = projects.create_project(db, actor, projects.ProjectInput(
        name="Shapes", task_type="image-classification", labels=["red", "blue"], multi_label=True))
    folder = tmp_path / "images"
    folder.mkdir()
    for name, colour in (("a.png", (220, 30, 30)), ("b.png", (30, 30, 220))):
        Image.new("RGB", (64, 48), colour).save(folder / name)
    imports.import_folder(db, actor, image.id, folder, roots=settings.allowed_media_roots, media_dir=settings.media_dir)
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
        yield Site(f"http://127.0.0.1:{port}", db, text.id, image.id, accounts.create_token(db, owner.id))
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture()
def page(site: Site, chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(base_url=site.base, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.goto("/")  # not logged in: the login page, which brings the annotator back here after
    pg.fill("#email", "ann@example.org")
    pg.fill("#password", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(f"{site.base}/")
    assert "Sentiment" in pg.content()
    yield pg
    context.close()


def _frame_ready(page: Any, before: set[str]) -> Any:
    """Wait until a task frame other than those in ``before`` is shown and its form is rendered."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
        if shown.count() == 1:
            frame = shown.element_handle().content_frame()
            if frame is not None and frame.url not in before and frame.locator("lw-form").count():
                return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"no new visible task frame; frames: {[f.url for f in page.frames]}")


def _label_with_keys(page: Any, keys_per_task: list[list[str]]) -> None:
    seen: set[str] = set()
    for keys in keys_per_task:
        frame = _frame_ready(page, seen)
        seen.add(frame.url)
        page.locator("body").click(position={"x": 5, "y": 5})  # focus on the host page: keys are forwarded
        for key in keys:
            page.keyboard.press(key)
            page.wait_for_timeout(50)
        page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)


def test_text_and_image_tasks_labeled_with_the_keyboard(site: Site, page: Any, tmp_path: Path) -> None:
    page.goto(f"/label/{site.text_pid}")
    _label_with_keys(page, [["1"], ["2"]])  # positive, then negative
    page.screenshot(path=str(tmp_path / "text-done.png"))

    page.goto(f"/label/{site.image_pid}")
    _label_with_keys(page, [["1"], ["1", "2"]])  # red; red + blue (multi-label toggles)

    text_rows = {row["source"]: row for row in site.export(site.text_pid)}
    assert text_rows["I love this product"]["sentiment-metadata"]["class-name"] == "positive"
    assert text_rows["This is awful"]["sentiment-metadata"]["class-name"] == "negative"
    assert text_rows["This is awful"]["sentiment"] == 1
    image_rows = {Path(row["source-ref"]).name: row for row in site.export(site.image_pid)}
    assert image_rows["a.png"]["shapes-metadata"]["class-map"] == {"0": "red"}
    assert image_rows["b.png"]["shapes-metadata"]["class-map"] == {"0": "red", "1": "blue"}
    assert image_rows["b.png"]["shapes-metadata"]["type"] == "groundtruth/image-classification-multilabel"
