"""The project page's "Model assistance" card: which assists workers see (a switch each), the HTTP
model backend, and pre-labeling the unlabeled items with a job whose progress the card polls.

Everything goes through the services the API uses (``services.assist``: settings and the
``prelabel`` job) with the same checks (``assist.registry.settings_check``), so the page allows
and refuses exactly what ``/api/v1/projects/{id}/assist-settings`` and ``/prelabel`` do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..assist.registry import project_assists, settings_check
from ..authz import allowed
from ..core.actor import Actor
from ..core.assist import Assist
from ..core.errors import LabelworksError, NotFound, ValidationFailed
from ..services import assist as assist_service
from ..services import jobs, projects
from .pages_common import is_htmx, page, page_context, require_actor, see_other
from .rendering import render

router = APIRouter(include_in_schema=False)

# The region kinds pre-labeling turns into objects of each task type (services.assist.pre_annotations_for:
# boxes and polygons become either shape, keypoints stay keypoints; masks and superpixels are dropped).
PRELABEL_KINDS = {"bounding-box": {"box", "polygon"}, "polygon": {"box", "polygon"}, "keypoint": {"keypoints"}}
_JOB_SHOWN = 20  # the latest prelabel job is looked for among the project's last jobs


def _prelabel_supported(task_type: str) -> bool:
    """Whether the pre-labeling service stores anything for this task type (it refuses the others)."""
    try:
        assist_service.pre_annotations_for(task_type, [], (), "")
    except ValidationFailed:
        return False
    return True


def _gives_shapes_for(task_type: str, a: Assist) -> bool:
    """An assist whose regions become this type's objects; for a type outside the table (one the
    service learned later), the assists made for that type."""
    wanted = PRELABEL_KINDS.get(task_type)
    return bool(wanted & set(a.kinds)) if wanted is not None else task_type in a.task_types


@dataclass(frozen=True)
class AssistRow:
    name: str
    title: str
    kinds: tuple[str, ...]
    model: str
    on: bool
    backend: bool


def _card_data(request: Request, actor: Actor, project_id: int) -> dict[str, Any]:
    """What the card shows; raises PermissionDenied for anyone who may not change the settings."""
    db, allow_private = request.app.state.db, request.app.state.settings.outbound_allow_private
    settings = assist_service.get_settings(db, actor, project_id)  # authorizes project.update
    p = projects.get_project(db, actor, project_id)
    try:
        known = project_assists(settings, allow_private)
    except ValidationFailed:  # stored backend declarations the code no longer accepts: show the built-ins
        known = project_assists(assist_service.AssistSettings(settings.enabled), allow_private)
    enabled = {a.name for a in assist_service.enabled_for(p.task_type, settings, known)}
    backend = {str(d.get("name")) for d in settings.backend_assists}
    listed = [a for a in known.values() if p.task_type in a.task_types or a.name in backend or a.name in enabled]
    rows = [AssistRow(a.name, a.title, tuple(a.kinds), a.model, a.name in enabled, a.name in backend)
            for a in listed]
    prelabel = [a for a in known.values() if a.needs == "none" and _gives_shapes_for(p.task_type, a)]
    recent = jobs.list_jobs(db, actor, project_id, limit=_JOB_SHOWN) if allowed(actor, "item.import") else []
    job = next((j for j in recent if j.kind == "prelabel"), None)
    return {"p": p, "settings": settings, "rows": rows, "prelabel": prelabel, "job": job,
            "prelabel_supported": _prelabel_supported(p.task_type),
            "backend_assists_json": json.dumps(list(settings.backend_assists), indent=1) if settings.backend_assists
            else ""}


async def _card(request: Request, actor: Actor, project_id: int, *, error: LabelworksError | None = None,
                form: dict[str, str] | None = None, saved: str = "") -> Response:
    data = await run_in_threadpool(_card_data, request, actor, project_id)
    if error is not None and error.field and error.message.startswith(f"{error.field}: "):
        # shown beside its field: "backend_url: …" reads as "…" there
        error = ValidationFailed(error.message[len(error.field) + 2:], field=error.field)
    ctx = page_context(request, actor, project_id=project_id, error=error,
                       error_field=error.field if error else None, form=form or {}, saved=saved, **data)
    return render(request, "_assist.html", ctx)


async def _answer(request: Request, actor: Actor, project_id: int, *, error: LabelworksError | None = None,
                  form: dict[str, str] | None = None, saved: str = "") -> Response:
    """htmx posts get the card back, a refused one with the field marked (htmx swaps only 2xx
    answers, so that is a 200); a plain form post goes back to the project page, or to the error page."""
    if not is_htmx(request):
        if error is not None:
            raise error
        return see_other(f"/projects/{project_id}")
    return await _card(request, actor, project_id, error=error, form=form, saved=saved)


@router.get("/projects/{project_id}/assist")
@page
async def assist_card(request: Request, project_id: int) -> Response:
    """Loaded by htmx after the project page."""
    actor = require_actor(request)
    return await _card(request, actor, project_id)


@router.post("/projects/{project_id}/assist/toggle")
@page
async def toggle_assist(request: Request, project_id: int) -> Response:
    """One switch: the assist named ``name`` on (``on=1``) or off; the rest of the list is kept."""
    actor = require_actor(request)
    form = await request.form()
    name, on = str(form.get("name", "")), str(form.get("on", "")) == "1"
    db, allow_private = request.app.state.db, request.app.state.settings.outbound_allow_private

    def save() -> None:
        settings = assist_service.get_settings(db, actor, project_id)
        p = projects.get_project(db, actor, project_id)
        known = project_assists(settings, allow_private)
        if name not in known:
            raise NotFound(f"no assist {name!r}")
        current = [a.name for a in assist_service.enabled_for(p.task_type, settings, known)]
        wanted = [n for n in current if n != name] + ([name] if on else [])
        assist_service.update_settings(db, actor, project_id, {"enabled": wanted}, settings_check(allow_private))

    await run_in_threadpool(save)
    return await _answer(request, actor, project_id, saved=f"{name} {'on' if on else 'off'}")


@router.post("/projects/{project_id}/assist/backend")
@page
async def save_backend(request: Request, project_id: int) -> Response:
    """The backend's URL (empty: none) and the assists it serves (a JSON list)."""
    actor = require_actor(request)
    raw = await request.form()
    form = {"backend_url": str(raw.get("backend_url", "")).strip(),
            "backend_assists": str(raw.get("backend_assists", "")).strip()}
    db, allow_private = request.app.state.db, request.app.state.settings.outbound_allow_private

    def save() -> None:
        try:
            declared = json.loads(form["backend_assists"]) if form["backend_assists"] else []
        except json.JSONDecodeError as exc:
            raise ValidationFailed(f"backend_assists: not JSON ({exc.msg} at line {exc.lineno})",
                                   field="backend_assists") from None
        changes = {"backend_url": form["backend_url"] or None, "backend_assists": declared}
        assist_service.update_settings(db, actor, project_id, changes, settings_check(allow_private))

    try:
        await run_in_threadpool(save)
    except ValidationFailed as exc:
        return await _answer(request, actor, project_id, error=_field_of(exc), form=form)
    return await _answer(request, actor, project_id, saved="backend")


def _field_of(exc: ValidationFailed) -> ValidationFailed:
    """Errors inside the declarations (``backend_assists[2].kinds``) belong to the one text field."""
    if exc.field and exc.field.startswith("backend_assists["):
        return ValidationFailed(exc.message, field="backend_assists")
    return exc


@router.post("/projects/{project_id}/assist/prelabel")
@page
async def start_prelabel(request: Request, project_id: int) -> Response:
    """A ``prelabel`` job with the chosen assist and label; the card then polls its progress."""
    actor = require_actor(request)
    raw = await request.form()
    form = {"assist": str(raw.get("assist", "")), "label": str(raw.get("label", ""))}
    db = request.app.state.db

    def create() -> int:
        data = _card_data(request, actor, project_id)
        offered = {a.name for a in data["prelabel"]}
        if form["assist"] not in offered:
            raise ValidationFailed(f"assist: choose one of {', '.join(sorted(offered)) or 'none offered'}",
                                   field="assist")
        labels = data["p"].labels.labels
        if form["label"] and form["label"] not in labels:
            raise ValidationFailed(f"label: {form['label']!r} is not one of the project's labels", field="label")
        return assist_service.create_prelabel_job(db, actor, project_id, form["assist"], {}, form["label"] or None)

    try:
        job_id = await run_in_threadpool(create)
    except ValidationFailed as exc:
        return await _answer(request, actor, project_id, error=exc, form=form)
    request.app.state.queue.enqueue(job_id)
    return await _answer(request, actor, project_id, form=form, saved="prelabel")


@router.get("/projects/{project_id}/assist/jobs/{job_id}")
@page
async def prelabel_job(request: Request, project_id: int, job_id: int) -> Response:
    """The card's job line; while the job runs it polls this URL every second."""
    actor = require_actor(request)
    db = request.app.state.db

    def load() -> jobs.JobInfo:
        assist_service.get_settings(db, actor, project_id)  # the card's own check: managers only
        job = jobs.get_job(db, actor, job_id)
        if job.project_id != project_id or job.kind != "prelabel":
            raise NotFound(f"no pre-labeling job {job_id} in this project")
        return job

    job = await run_in_threadpool(load)
    return render(request, "_assist_job.html", page_context(request, actor, project_id=project_id, job=job))
