"""Fixtures for the frontend's browser tests: the harness server, sample images, Chromium.

Run with ``.venv/bin/pytest frontend/tests/browser`` after ``npm run build``. Screenshots go to
``$LW_SCREENSHOTS`` when it is set (to look at them), else to pytest's temporary folder.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from harness import STATIC, FakeApi, HarnessServer

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def _scene(size: tuple[int, int]) -> Image.Image:
    """A small landscape (sky, sun, hills, a house, a tree) so screenshots show a real picture."""
    w, h = size
    img = Image.new("RGB", size)
    d = ImageDraw.Draw(img)
    for y in range(h):
        t = y / h
        d.line([(0, y), (w, y)], fill=(int(120 + 100 * t), int(170 + 60 * t), int(235 - 20 * t)))
    d.ellipse([w * 0.75, h * 0.08, w * 0.75 + h * 0.16, h * 0.24], fill=(255, 214, 90))
    d.polygon([(0, h * 0.7), (w * 0.3, h * 0.5), (w * 0.65, h * 0.68), (w, h * 0.55), (w, h), (0, h)], fill=(86, 150, 80))
    d.rectangle([w * 0.2, h * 0.55, w * 0.38, h * 0.78], fill=(214, 180, 140), outline=(90, 60, 40), width=3)
    d.polygon([(w * 0.18, h * 0.56), (w * 0.29, h * 0.42), (w * 0.40, h * 0.56)], fill=(170, 60, 50))
    d.rectangle([w * 0.27, h * 0.66, w * 0.31, h * 0.78], fill=(110, 70, 45))
    d.rectangle([w * 0.66, h * 0.52, w * 0.68, h * 0.72], fill=(100, 70, 40))
    d.ellipse([w * 0.6, h * 0.36, w * 0.74, h * 0.56], fill=(40, 110, 50))
    return img


@pytest.fixture(scope="session")
def built() -> None:
    for name in ("elements.js", "labeling.js"):
        if not (STATIC / "dist" / name).exists():
            pytest.fail(f"dist/{name} is missing: run `npm run build` in frontend/ first")


@pytest.fixture(scope="session")
def server(built: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HarnessServer]:
    media = tmp_path_factory.mktemp("media")
    _scene((800, 500)).save(media / "scene.png")
    _scene((420, 640)).save(media / "portrait.png")
    srv = HarnessServer(media)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()


@pytest.fixture()
def api(server: HarnessServer) -> FakeApi:
    server.api = FakeApi()
    return server.api


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any, server: HarnessServer) -> Iterator[Any]:
    ctx = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900},
                              screen={"width": 1280, "height": 1024})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    # Console errors, except "Failed to load resource", which the response hook reports with its URL.
    pg.on("console", lambda m: errors.append(m.text)
          if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    pg.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}")
          if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    pg.errors = errors
    yield pg
    ctx.close()


@pytest.fixture()
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ["LW_SCREENSHOTS"]) if os.environ.get("LW_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder
