"""Shared by the image task types' browser tests: log in, wait for the task frame's image editor, and
turn image pixels into page coordinates through the frame, the canvas, the zoom and the pan."""

from __future__ import annotations

from typing import Any


def login(chromium: Any, base_url: str, email: str, password: str) -> tuple[Any, Any]:
    """A fresh browser context signed in as ``email``; returns (context, page)."""
    context = chromium.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")
    return context, page


def editor_frame(page: Any, element: str) -> Any:
    """The shown task frame, once its ``element`` has loaded its image."""
    shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
    shown.wait_for(timeout=15_000)
    frame = shown.element_handle().content_frame()
    frame.locator(element).wait_for(timeout=15_000)
    frame.wait_for_function(f"() => {{ const el = document.querySelector('{element}');"
                            " return el && el.editor && el.editor.model.image && el.editor.model.image.width > 0; }",
                            timeout=15_000)
    page.wait_for_timeout(200)  # the host sizes the frame, then the stage refits
    return frame


def to_page(page: Any, frame: Any, element: str, x: float, y: float) -> tuple[float, float]:
    """Page coordinates of image pixel (x, y)."""
    box = page.locator("iframe.lw-frame:not(.lw-frame-pending)").bounding_box()
    m = frame.locator(element).evaluate("""el => {
        const r = el.shadowRoot.querySelector('.canvas').getBoundingClientRect();
        const v = el.editor.view.viewport;
        return {left: r.left, top: r.top, scale: v.scale, x: v.x, y: v.y}; }""")
    return box["x"] + m["left"] + m["x"] + x * m["scale"], box["y"] + m["top"] + m["y"] + y * m["scale"]
