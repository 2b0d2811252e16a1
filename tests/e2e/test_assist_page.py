"""The project page's "Model assistance" card in Chromium: switch an assist off and back on, a
backend URL the server may not call is refused beside its field, and a pre-labeling run with face
detection on the astronaut photo, watched to the end on the page, leaves a model box on the item."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from skimage import data

from factories import PASSWORD, Factory
from image_labeling import login
from labelworks.core.enums import Role
from labelworks.db.models import Item
from labelworks.services import assist as assist_service
from labelworks.services import imports

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))


def _astronaut_project(live_server: Any) -> tuple[Any, Any]:
    factory: Factory = live_server.factory
    org_id = factory.org("Assist page")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@assistpage.test", password=PASSWORD)
    factory.user(Role.ANNOTATOR, org_id=org_id, email="ann@assistpage.test", password=PASSWORD)
    p = factory.project(manager, name="Astronauts", task_type="bounding-box", labels=["face", "helmet"])
    folder = live_server.settings.media_dir / "astronaut"
    folder.mkdir(parents=True)
    Image.fromarray(data.astronaut()).save(folder / "astronaut.png")
    report = imports.import_folder(live_server.db, manager.actor, p.id, folder,
                                   roots=live_server.settings.allowed_media_roots,
                                   media_dir=live_server.settings.media_dir)
    assert report.created == 1
    return manager, p


def test_assist_card_switches_backend_and_prelabel_run(live_server: Any, chromium: Any) -> None:
    manager, p = _astronaut_project(live_server)
    context, page = login(chromium, live_server.url, "lead@assistpage.test", PASSWORD)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(f"/projects/{p.id}")
    card = page.locator("#lw-assist")
    card.locator("[data-testid=assists]").wait_for(timeout=15_000)
    listed = card.locator("tr[data-assist]").evaluate_all("rows => rows.map(r => r.dataset.assist)")
    assert sorted(listed) == ["faces", "text"]  # what fits boxes: no GrabCut, no pose
    faces = card.locator("[data-testid=switch-faces]")
    assert faces.get_attribute("aria-checked") == "true"

    # off, and the stored settings (what the API and the labeling page read) say so
    faces.click()
    card.locator("[data-testid=switch-faces][aria-checked=false]").wait_for()
    assert "faces" in card.locator("[data-testid=saved]").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=str(SHOTS / "assist-card-switched-off.png"))
    assert assist_service.get_settings(live_server.db, manager.actor, p.id).enabled == ("text",)
    card.locator("[data-testid=switch-faces]").click()
    card.locator("[data-testid=switch-faces][aria-checked=true]").wait_for()
    assert set(assist_service.get_settings(live_server.db, manager.actor, p.id).enabled or ()) == {"faces", "text"}
    api = httpx.get(f"{live_server.url}/api/v1/projects/{p.id}/assist-settings", headers=manager.headers, timeout=10)
    assert sorted(api.json()["enabled"]) == ["faces", "text"]

    # a loopback backend is refused beside the URL field; what was typed stays, nothing is stored
    card.locator("#backend_url").fill("http://127.0.0.1:9/assist")
    card.locator("button:has-text('Save backend')").click()
    field_error = card.locator(".lw-field-error[data-field=backend_url]")
    field_error.wait_for()
    assert "private or local address" in field_error.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=str(SHOTS / "assist-card-backend-error.png"))
    assert card.locator("#backend_url").input_value() == "http://127.0.0.1:9/assist"
    assert card.locator("#backend_url").get_attribute("aria-invalid") == "true"
    assert assist_service.get_settings(live_server.db, manager.actor, p.id).backend_url is None
    # so is a declaration list that is not JSON
    card.locator("#backend_url").fill("")
    card.locator("#backend_assists").fill("[{name: detector}]")
    card.locator("button:has-text('Save backend')").click()
    card.locator(".lw-field-error[data-field=backend_assists]").wait_for()
    assert "Not JSON" in card.locator(".lw-field-error[data-field=backend_assists]").inner_text()

    # pre-label with face detection; the card polls the job to the end
    form = card.locator("[data-testid=prelabel-form]")
    offered = form.locator("select[name=assist] option").evaluate_all("os => os.map(o => o.value)")
    assert "faces" in offered and "text" in offered and "grabcut" not in offered  # GrabCut needs a box
    form.locator("select[name=assist]").select_option("faces")
    form.locator("select[name=label]").select_option("face")
    form.locator("button:has-text('Pre-label')").click()
    card.locator("[data-testid=prelabel-job]").wait_for()
    result = card.locator("[data-testid=prelabel-result]")
    result.wait_for(timeout=90_000)
    assert card.locator("[data-testid=prelabel-job]").get_attribute("data-job-status") == "done"
    assert result.inner_text().startswith("1 of 1 unlabeled item got pre-annotations (1 shape)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=str(SHOTS / "assist-card.png"))
    # a reload shows the same finished run
    page.reload()
    card.locator("[data-testid=prelabel-result]").wait_for(timeout=15_000)
    page.get_by_text("1 of 1 pre-labeled").first.wait_for(timeout=15_000)  # the recent-jobs summary knows the kind
    context.close()
    assert not errors, errors

    with live_server.db.read() as s:
        (item,) = s.query(Item).filter(Item.project_id == p.id).all()
        pre = json.loads(item.data)["lw-pre-annotations"]
    (box,) = pre["boundingBoxes"]
    assert box["label"] == "face" and box["source"] == "model" and box["model"].startswith("mediapipe")
    assert 168 < box["left"] < 188 and 73 < box["top"] < 93 and 85 < box["width"] < 105  # her face
    assert pre["inputImageProperties"] == {"width": 512, "height": 512}


def test_annotators_get_no_assist_card(live_server: Any, chromium: Any) -> None:
    _, p = _astronaut_project(live_server)
    context, page = login(chromium, live_server.url, "ann@assistpage.test", PASSWORD)
    page.goto(f"/projects/{p.id}")
    assert page.locator("#lw-assist").count() == 0
    assert page.goto(f"/projects/{p.id}/assist").status == 403
    assert page.goto(f"/projects/{p.id}/assist/jobs/1").status == 403
    origin = {"Origin": live_server.url}
    for path, form in ((f"/projects/{p.id}/assist/toggle", {"name": "faces", "on": "0"}),
                       (f"/projects/{p.id}/assist/backend", {"backend_url": "https://example.org/a"}),
                       (f"/projects/{p.id}/assist/prelabel", {"assist": "faces"})):
        r = page.request.post(path, form=form, headers=origin, max_redirects=0)
        assert r.status == 403, (path, r.status)
    context.close()


def test_the_card_forms_work_without_script(live_server: Any) -> None:
    """Plain form posts (no htmx): a saved change redirects to the project page, a refused one is
    the error page naming the field, and the pre-label form refuses what this project cannot use."""
    manager, p = _astronaut_project(live_server)
    with httpx.Client(base_url=live_server.url, headers=manager.headers, timeout=30) as http:
        r = http.post(f"/projects/{p.id}/assist/toggle", data={"name": "text", "on": "0"})
        assert r.status_code == 303 and r.headers["location"] == f"/projects/{p.id}"
        assert assist_service.get_settings(live_server.db, manager.actor, p.id).enabled == ("faces",)
        r = http.post(f"/projects/{p.id}/assist/toggle", data={"name": "no-such-assist", "on": "1"})
        assert r.status_code == 404 and "no-such-assist" in r.text
        r = http.post(f"/projects/{p.id}/assist/backend", data={"backend_url": "ftp://models.example.org/x"})
        assert r.status_code == 422 and "Backend_url: expected an http:// or https:// URL" in r.text
        for form, field in (({"assist": "grabcut"}, "Assist: choose one of faces, person, text"),
                            ({"assist": "faces", "label": "cat"}, "Label: &#39;cat&#39; is not one of")):
            r = http.post(f"/projects/{p.id}/assist/prelabel", data=form)
            assert r.status_code == 422 and field in r.text, r.text[-600:]
        # through htmx the same refusal is the card, with the message beside the label select
        r = http.post(f"/projects/{p.id}/assist/prelabel", data={"assist": "faces", "label": "cat"},
                      headers={"HX-Request": "true", "HX-Target": "lw-assist"})
        assert r.status_code == 200 and 'data-field="label"' in r.text
        assert http.get(f"/projects/{p.id}/assist/jobs/999").status_code == 404


def test_the_job_line_polls_until_the_run_ends(live_server: Any) -> None:
    """A queued run's line carries the 1 s poll and says it is starting; once the queue runs it,
    the same URL answers the result without the poll (so htmx stops asking)."""
    manager, p = _astronaut_project(live_server)
    job_id = assist_service.create_prelabel_job(live_server.db, manager.actor, p.id, "faces", {}, None)
    url = f"/projects/{p.id}/assist/jobs/{job_id}"
    hx = {"HX-Request": "true", "HX-Target": "lw-assist-job"}
    with httpx.Client(base_url=live_server.url, headers=manager.headers, timeout=30) as http:
        queued = http.get(url, headers=hx)
        assert queued.status_code == 200 and 'data-job-status="queued"' in queued.text
        assert f'hx-get="{url}" hx-trigger="every 1s"' in queued.text and "starting the model" in queued.text
        live_server.app.state.queue.enqueue(job_id)
        deadline = time.monotonic() + 60
        while 'data-job-status="done"' not in (line := http.get(url, headers=hx).text):
            assert 'data-job-status="failed"' not in line, line
            assert time.monotonic() < deadline, line
            time.sleep(0.2)
    assert "hx-trigger" not in line
    assert "<strong>1</strong> of 1 unlabeled item got pre-annotations (1 shape)" in line
