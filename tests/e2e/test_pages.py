"""The manager pages in Chromium: log in, create a project (a field error first), import a manifest
through the page and watch its job, browse the items table, download an export (now and as a job).

Plus the pages' contracts that need no browser: login redirects, HTML error pages, the htmx login
redirect of a polled partial, and uploads that stop at the size limit and leave no file behind.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from factories import PASSWORD, Factory, OrgUsers
from labelworks.core.enums import Role
from labelworks.services import annotations, assignments

GOOD_LINES = [{"source": "The delivery was fast and the box intact"},
              {"source": "Broken on arrival, asking for a refund"},
              {"source": "It works", "note": "kept verbatim"}]


def _manifest(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def people(live_server: Any) -> dict[str, Any]:
    factory: Factory = live_server.factory
    org_id = factory.org("Pages Org")
    return {"manager": factory.user(Role.MANAGER, org_id=org_id, email="manager@pages.test", password=PASSWORD),
            "annotator": factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@pages.test", password=PASSWORD)}


@pytest.fixture
def page(chromium: Any, live_server: Any) -> Iterator[Any]:
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                   accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    # a CSP refusal (an inline style or script htmx tried) shows up as a console error
    pg.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield pg
    context.close()
    assert not errors, errors


def _label(live_server: Any, annotator: Any, project_id: int, label: str) -> str:
    """An annotator's submit through the services (the labeling page has its own browser test)."""
    task = assignments.next_for(live_server.db, annotator.actor, project_id)
    assert task is not None
    annotations.submit(live_server.db, annotator.actor, task.assignment_id, {"label": label}, active_ms=4200)
    return str(task.data["source"])


@pytest.mark.e2e
def test_manager_creates_imports_browses_and_exports(page: Any, live_server: Any, people: dict[str, Any],
                                                     tmp_path: Path) -> None:
    # a page behind the login sends you to it, and back after it
    page.goto("/projects/new")
    assert "/login?next=/projects/new" in page.url
    page.fill("#email", "manager@pages.test")
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    assert "Wrong e-mail or password" in page.locator(".lw-flash[data-tone=error]").inner_text()
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/projects/new")
    assert "manager@pages.test" in page.locator("[data-testid=user]").inner_text()

    # create a project: first with 12 annotators per item (the service allows 1-9)
    page.fill("#name", "Review sentiment")
    page.fill("#labels", "positive\nnegative")
    page.fill("#workers_per_item", "12")
    page.locator("input[name=example_text]").first.fill("Great value for money")
    page.click("text=Create project")
    error = page.locator(".lw-field-error[data-field=workers_per_item]")
    assert "between 1 and 9" in error.inner_text()
    assert page.locator("#workers_per_item").get_attribute("aria-invalid") == "true"
    assert page.input_value("#name") == "Review sentiment"  # what was typed is kept
    assert page.input_value("#labels") == "positive\nnegative"
    assert page.locator("input[name=example_text]").first.input_value() == "Great value for money"
    page.fill("#workers_per_item", "1")
    page.click("text=Create project")
    page.wait_for_url(re.compile(r".*/projects/\d+\?msg=created$"))
    project_id = int(re.search(r"/projects/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    assert page.locator("h1").inner_text() == "Review sentiment"

    # a manifest with a bad line imports nothing; the job page lists the bad line
    page.click("nav.lw-actions >> text=Import")
    bad = _manifest(tmp_path, "bad.manifest", [json.dumps(GOOD_LINES[0]), "{not json", json.dumps({"x": 1})])
    page.set_input_files("#file", str(bad))
    page.click("text=Import file")
    page.wait_for_selector("[data-job-status=failed]", timeout=20_000)
    bad_lines = page.locator("[data-testid=bad-lines] tbody tr")
    assert bad_lines.count() == 2
    assert bad_lines.first.locator("td").first.inner_text() == "2"
    assert "nothing was imported" in page.locator(".lw-flash[data-tone=error]").inner_text()

    # a good one: the job page polls until the job is done
    page.click("text=Try again")
    good = _manifest(tmp_path, "good.manifest", [json.dumps(line) for line in GOOD_LINES])
    page.set_input_files("#file", str(good))
    page.click("text=Import file")
    page.wait_for_selector("[data-job-status=done]", timeout=20_000)
    assert "3 items created" in page.locator(".lw-flash[data-tone=ok]").inner_text()

    # the items table, filtered by htmx without a page load
    labeled = _label(live_server, people["annotator"], project_id, "negative")
    unlabeled_word = next(w for w in ("delivery", "refund", "works") if w not in labeled)
    page.click("text=See the items")
    rows = page.locator("tr.lw-item")
    assert rows.count() == 3
    page.fill("#f-q", "refund")
    expect(rows).to_have_count(1)
    assert "refund" in rows.first.inner_text()
    assert "q=refund" in page.url  # pushed, so the filtered table can be bookmarked
    page.fill("#f-q", unlabeled_word)
    page.select_option("#f-status", "labeled")
    page.wait_for_selector("text=No items match these filters.")
    page.fill("#f-q", "")
    page.select_option("#f-status", "annotated")
    expect(rows).to_have_count(1)
    # a row's click shows its annotations
    rows.first.click()
    history = page.locator(".lw-ann-panel")
    history.wait_for()
    assert "ann@pages.test" in history.inner_text()
    assert "negative" in history.inner_text()
    assert "4.2 s" in history.inner_text()

    # export: stream it now, then run it as a job and download its file
    page.goto(f"/projects/{project_id}/export")
    with page.expect_download() as streamed:
        page.click("[data-testid=download-manifest]")
    lines = [json.loads(line) for line in Path(streamed.value.path()).read_text().splitlines()]
    assert [line["source"] for line in lines] == [line["source"] for line in GOOD_LINES]
    with_label = [line for line in lines if "review-sentiment" in line]
    assert [line["source"] for line in with_label] == [labeled]
    assert with_label[0]["review-sentiment-metadata"]["class-name"] == "negative"
    assert lines[2]["note"] == "kept verbatim"

    page.click("tr[data-format=csv] >> text=Run as a job")
    page.wait_for_selector("[data-job-status=done]", timeout=20_000)
    with page.expect_download() as from_job:
        page.click("[data-testid=download]")
    csv_text = Path(from_job.value.path()).read_text()
    assert csv_text.splitlines()[0].startswith("item_id,key,source,label")
    assert len(csv_text.splitlines()) == 4

    # the project page's progress card
    page.goto(f"/projects/{project_id}")
    assert page.locator("[data-testid=total]").inner_text() == "3"
    assert page.locator("[data-testid=labeled]").inner_text() == "1"
    assert "ann@pages.test" in page.locator("#lw-progress").inner_text()


@pytest.mark.e2e
def test_annotator_sees_start_labeling_and_friendly_errors(page: Any, live_server: Any,
                                                           people: dict[str, Any]) -> None:
    project = live_server.factory.project(people["manager"], name="Spam or ham", labels=["spam", "ham"])
    page.goto("/login")
    page.fill("#email", "ann@pages.test")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    start = page.locator(f"[data-project-id='{project.id}'] >> text=Start labeling")
    assert start.get_attribute("href") == f"/label/{project.id}"
    assert page.locator("text=New project").count() == 0
    assert page.locator("nav >> text=Team").count() == 0

    response = page.goto(f"/projects/{project.id}/items")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "Not allowed"
    response = page.goto("/projects/999999")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Not found"

    page.click("text=Log out")
    page.wait_for_url("**/login?msg=loggedout")
    assert page.goto("/").url.endswith("/login?next=/")


# --------------------------------------------------------------------------- without a browser


def _login(client: httpx.Client | TestClient, email: str, next_url: str = "/") -> str:
    r = client.post("/login", data={"email": email, "password": PASSWORD, "next": next_url},
                    headers={"Origin": str(client.base_url).rstrip("/")}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["location"]


@pytest.mark.e2e
def test_polled_partial_after_logout_redirects_the_whole_page(live_server: Any, people: dict[str, Any]) -> None:
    project = live_server.factory.project(people["manager"])
    with httpx.Client(base_url=live_server.url) as client:
        r = client.get(f"/projects/{project.id}/progress",
                       headers={"HX-Request": "true", "HX-Current-URL": f"{live_server.url}/projects/{project.id}"})
        assert r.status_code == 204
        assert r.headers["HX-Redirect"] == f"/login?next=/projects/{project.id}"
        for elsewhere in ("//evil.example/x", "/\t/evil.example", "https://evil.example", "/\\evil.example"):
            assert _login(client, "manager@pages.test", elsewhere) == "/"  # never off the site after login
        assert _login(client, "manager@pages.test", f"/projects/{project.id}?x=1") == f"/projects/{project.id}?x=1"
        r = client.get(f"/projects/{project.id}/progress", headers={"HX-Request": "true"})
        assert r.status_code == 200 and "lw-stats" in r.text and "<html" not in r.text
        assert r.headers["Cache-Control"] == "no-store"
        assert "script-src 'self' 'nonce-" in r.headers["Content-Security-Policy"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_uploads_stop_at_the_limit_and_leave_nothing(make_client: Callable[..., TestClient], factory: Factory,
                                                    settings: Any) -> None:
    org: OrgUsers = factory.org_users("Upload Org", password=PASSWORD)
    project = factory.project(org.manager)
    client = make_client(max_upload_mb=1)
    _login(client, org.manager.email)
    uploads = settings.data_dir / "uploads"
    before = set(uploads.iterdir())
    big = b'{"source": "x"}\n' * 70_000  # ~1.1 MiB

    r = client.post(f"/projects/{project.id}/import", files={"file": ("big.manifest", big)},
                    headers={"Origin": "http://testserver"})
    assert r.status_code == 413 and "larger than 1 MiB" in r.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is found while streaming
        boundary = b"lwtest"
        yield b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="big.manifest"\r\n\r\n'
        for i in range(0, len(big), 65536):
            yield big[i:i + 65536]
        yield b"\r\n--" + boundary + b"--\r\n"

    r = client.post(f"/projects/{project.id}/import", content=chunks(),
                    headers={"Origin": "http://testserver", "Content-Type": "multipart/form-data; boundary=lwtest"})
    assert r.status_code == 413
    assert set(uploads.iterdir()) == before  # the part written before the limit is gone

    r = client.post(f"/projects/{project.id}/import", files={"file": ("small.manifest", b'{"source": "a"}\n')},
                    data={"format": "manifest"}, headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code == 303 and "/jobs/" in r.headers["location"]

    # an annotator's upload is refused before a byte is stored
    _login(client, org.annotator.email)
    r = client.post(f"/projects/{project.id}/import", files={"file": ("a.manifest", b'{"source": "a"}\n')},
                    headers={"Origin": "http://testserver"})
    assert r.status_code == 403 and "<h1>Not allowed</h1>" in r.text
