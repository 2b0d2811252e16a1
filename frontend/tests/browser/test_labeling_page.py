"""labeling.js on the real label.html against an in-memory fake of the labeling API: prefetch,
drafts, submit retries with one client id, errors, skip, stop, lease expiry."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

import pytest

from harness import FakeApi, Item

pytestmark = pytest.mark.e2e


def wait_until(page: Any, pred: Callable[[], Any], timeout: float = 8.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        page.wait_for_timeout(40)
    raise AssertionError(f"timed out waiting for {what}")


def shown_frame(page: Any, not_in: set[str] = frozenset()) -> Any:  # type: ignore[assignment]
    """The visible task frame, once its form has rendered and it is not one of ``not_in``."""
    def find() -> Any:
        shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
        if shown.count() != 1:
            return None
        frame = shown.element_handle().content_frame()
        if frame is None or frame.url in not_in or not frame.locator("crowd-form").count():
            return None
        ready = frame.locator("crowd-form").evaluate("el => !!el.shadowRoot && el.shadowRoot.childElementCount > 0")
        return frame if ready else None
    return wait_until(page, find, what="a visible task frame")


def calls(api: FakeApi, method: str, suffix: str) -> list[Any]:
    with api.lock:
        return [body for m, path, body in api.calls if m == method and path.endswith(suffix)]


def focus_host(page: Any) -> None:
    page.locator(".lw-label-project").click()


def text_items(n: int) -> list[Item]:
    return [Item(i + 1, f"Sentence number {i + 1}: the cat sat on the mat.") for i in range(n)]


def test_labels_three_tasks_with_prefetch_and_no_reload(page: Any, api: FakeApi, shots: Path) -> None:
    api.items = text_items(3)
    page.goto("/label/1")
    page.evaluate("window.__sameDocument = true")
    frame = shown_frame(page)
    # The following task is leased and rendered in a hidden frame while the first is shown.
    wait_until(page, lambda: page.locator("iframe.lw-frame-pending").count() == 1, what="prefetched frame")
    assert calls(api, "POST", "/next")[:2] == [{"exclude": []}, {"exclude": [100]}]
    page.wait_for_timeout(300)
    page.screenshot(path=str(shots / "label-page.png"))

    seen: set[str] = set()
    for key in ("1", "2", "3"):
        seen.add(frame.url)
        focus_host(page)
        page.keyboard.press(key)  # forwarded to the frame with lw:key
        page.keyboard.press("Enter")
        if key != "3":
            frame = shown_frame(page, seen)
    page.get_by_text("No more tasks").wait_for()
    page.screenshot(path=str(shots / "label-page-done.png"))

    assert page.evaluate("window.__sameDocument") is True  # no page load between tasks
    subs = api.submissions
    assert [s["value"] for s in subs] == [{"category": {"label": "cat"}}, {"category": {"label": "dog"}},
                                          {"category": {"label": "bird"}}]
    assert [s["item_id"] for s in subs] == [1, 2, 3]
    assert len({s["client_submission_id"] for s in subs}) == 3
    assert all(isinstance(s["active_ms"], int) and s["active_ms"] > 0 for s in subs)
    assert page.locator('[data-lw="progress"]').inner_text() == "3 submitted"
    assert page.errors == []


def test_draft_is_autosaved_and_restored_after_a_reload(page: Any, api: FakeApi) -> None:
    api.items = text_items(2)
    page.goto("/label/1")
    frame = shown_frame(page)
    frame.get_by_role("radio", name="dog").click()
    wait_until(page, lambda: calls(api, "PUT", "/draft"), what="draft save")
    assert calls(api, "PUT", "/100/draft") == [{"value": {"category": {"label": "dog"}}}]
    page.reload()
    frame = shown_frame(page)
    frame.locator("[aria-checked=true]").wait_for()
    assert frame.get_by_role("radio", name="dog").get_attribute("aria-checked") == "true"


def test_draft_saves_are_debounced(page: Any, api: FakeApi) -> None:
    api.items = text_items(1)
    page.goto("/label/1")
    frame = shown_frame(page)
    for name in ("cat", "dog", "bird", "cat"):
        frame.get_by_role("radio", name=name).click()
    page.wait_for_timeout(1500)
    assert calls(api, "PUT", "/draft") == [{"value": {"category": {"label": "cat"}}}]


def test_submit_retries_network_failures_with_the_same_id(page: Any, api: FakeApi) -> None:
    api.items = text_items(2)
    api.submit_failures = [503, 502]
    page.goto("/label/1")
    frame = shown_frame(page)
    frame.get_by_role("radio", name="bird").click()
    frame.get_by_role("button", name="Submit").click()
    wait_until(page, lambda: api.submissions, timeout=10, what="the submission")
    attempts = calls(api, "POST", "/100/submit")
    assert len(attempts) == 3
    assert len({a["client_submission_id"] for a in attempts}) == 1
    # the server has it before the page has read the answer: wait for the page's count
    wait_until(page, lambda: page.locator('[data-lw="progress"]').inner_text() == "1 submitted",
               what="the page counting the submission")


def test_rejected_answer_shows_the_error_and_keeps_the_task(page: Any, api: FakeApi, shots: Path) -> None:
    api.items = text_items(2)
    api.submit_failures = [422]
    page.goto("/label/1")
    frame = shown_frame(page)
    frame.get_by_role("radio", name="cat").click()
    focus_host(page)
    page.keyboard.press("Enter")
    alert = page.locator('[data-lw="alert"]')
    alert.wait_for()
    assert "not one of the labels" in alert.inner_text()
    assert "value.category" in alert.inner_text()
    page.screenshot(path=str(shots / "label-page-422.png"))
    assert not api.submissions
    # The same task is still there; submitting again works and reuses the id.
    page.wait_for_timeout(2100)  # the form's guard against double submits
    focus_host(page)
    page.keyboard.press("Enter")
    wait_until(page, lambda: api.submissions, what="the second attempt")
    ids = {a["client_submission_id"] for a in calls(api, "POST", "/100/submit")}
    assert len(ids) == 1


def test_skip_by_button_and_by_key(page: Any, api: FakeApi) -> None:
    api.items = text_items(3)
    page.goto("/label/1")
    first = shown_frame(page)
    page.locator('[data-lw="skip"]').click()
    second = shown_frame(page, {first.url})
    focus_host(page)
    page.keyboard.press("s")
    shown_frame(page, {first.url, second.url})
    assert [path for m, path, _ in api.calls if path.endswith("/skip")] == [
        "/api/v1/assignments/100/skip", "/api/v1/assignments/101/skip"]


def test_stop_labeling_releases_both_leases(page: Any, api: FakeApi) -> None:
    api.items = text_items(3)
    page.goto("/label/1")
    shown_frame(page)
    wait_until(page, lambda: page.locator("iframe.lw-frame-pending").count() == 1, what="prefetch")
    page.locator('[data-lw="stop"]').click()
    page.wait_for_url("**/")
    released = sorted(path for m, path, _ in api.calls if path.endswith("/release"))
    assert released == ["/api/v1/assignments/100/release", "/api/v1/assignments/101/release"]


def test_expired_lease_moves_on_to_a_new_task(page: Any, api: FakeApi) -> None:
    api.items = text_items(2)
    api.lease_seconds = 3
    page.goto("/label/1")
    first = shown_frame(page)
    lease = page.locator('[data-lw="lease"]')
    assert lease.get_attribute("data-tone") == "warn"
    api.lease_seconds = 1800  # the next lease lasts
    page.get_by_text("Time ran out").wait_for(timeout=8000)
    shown_frame(page, {first.url})


def test_nothing_to_do_shows_the_empty_state(page: Any, api: FakeApi, shots: Path) -> None:
    api.items = []
    page.goto("/label/1")
    page.get_by_text("No more tasks").wait_for()
    assert page.locator('[data-lw="skip"]').is_disabled()
    page.screenshot(path=str(shots / "label-page-empty.png"))
    api.items = text_items(1)
    page.get_by_role("button", name="Check again").click()
    shown_frame(page)


def test_full_instructions_open_in_a_dialog(page: Any, api: FakeApi) -> None:
    api.items = text_items(1)
    page.goto("/label/1")
    shown_frame(page)
    page.get_by_role("button", name="Full instructions").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Full rules").wait_for()
    page.keyboard.press("1")  # hotkeys are off while the dialog is open
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    page.wait_for_timeout(200)
    assert not calls(api, "PUT", "/draft")


def test_image_tasks_with_multi_label(page: Any, api: FakeApi, shots: Path) -> None:
    api.items = [Item(1, "/media/scene.png", "image"), Item(2, "/media/portrait.png", "image")]
    api.multi_label = True
    api.labels = ["house", "tree", "car"]
    page.goto("/label/1")
    frame = shown_frame(page)
    focus_host(page)
    page.keyboard.press("1")
    page.keyboard.press("2")
    page.wait_for_timeout(300)
    page.screenshot(path=str(shots / "label-page-image.png"))
    page.keyboard.press("Enter")
    shown_frame(page, {frame.url})
    focus_host(page)
    page.keyboard.press("3")
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks").wait_for()
    assert [s["value"] for s in api.submissions] == [{"category": {"labels": ["house", "tree"]}},
                                                     {"category": {"labels": ["car"]}}]
