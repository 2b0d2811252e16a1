"""Project list, the create-project form and the project page (progress, annotators, settings)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from ..authz import allowed
from ..core.actor import Actor
from ..core.errors import ValidationFailed
from ..plugins.manager import get_registry
from ..services import accounts, items, jobs, projects
from .pages_common import page, page_context, require_actor, see_other
from .rendering import render

router = APIRouter(include_in_schema=False)
_EXAMPLE_ROWS = 3


@router.get("/")
@page
async def project_list(request: Request) -> Response:
    """Each card's progress is loaded by htmx afterwards: counting a 1M-item project takes a while."""
    actor = require_actor(request)
    rows = await run_in_threadpool(projects.list_projects, request.app.state.db, actor)
    return render(request, "projects.html", page_context(request, actor, nav="projects", projects=rows))


# ------------------------------------------------------------------------ the create form


def _form_defaults() -> dict[str, Any]:
    return {"name": "", "task_type": "text-classification", "labels": "", "multi_label": False,
            "workers_per_item": "1", "task_time_limit_s": "300", "task_lifetime_days": "", "label_attribute": "",
            "short_instructions": "", "full_instructions": "", "team_ids": [],
            "examples": [{"kind": kind, "text": "", "explanation": ""} for kind in ("good", "bad", "good")]}


def _form_values(form: FormData) -> dict[str, Any]:
    values = _form_defaults()
    values.update({k: str(form.get(k, "")).strip() for k in (
        "name", "task_type", "labels", "workers_per_item", "task_time_limit_s", "task_lifetime_days",
        "label_attribute", "short_instructions", "full_instructions")})
    values["multi_label"] = form.get("multi_label") == "on"
    values["team_ids"] = [int(t) for t in form.getlist("team_ids") if isinstance(t, str) and t.isdigit()]
    examples = [{"kind": str(kind), "text": str(text).strip(), "explanation": str(why).strip()} for kind, text, why in
                zip(form.getlist("example_kind"), form.getlist("example_text"), form.getlist("example_explanation"),
                    strict=False)]
    values["examples"] = examples + _form_defaults()["examples"][len(examples):]
    return values


def _labels_from(text: str) -> Any:
    """One label per line (or comma-separated), or a Ground Truth label-category JSON document."""
    text = text.strip()
    if text.startswith(("{", "[")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationFailed(f"the label-category JSON is not valid: {exc.msg} (line {exc.lineno})",
                                   field="labels") from None
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def _int(text: str, field: str) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValidationFailed(f"{text!r} is not a whole number", field=field) from None


def _project_input(values: dict[str, Any]) -> projects.ProjectInput:
    lifetime_days = _int(values["task_lifetime_days"], "task_lifetime_days")
    return projects.ProjectInput(
        name=values["name"], task_type=values["task_type"], labels=_labels_from(values["labels"]),
        multi_label=values["multi_label"],
        workers_per_item=_int(values["workers_per_item"], "workers_per_item") or 1,
        task_time_limit_s=_int(values["task_time_limit_s"], "task_time_limit_s") or 300,
        task_lifetime_s=lifetime_days * 86400 if lifetime_days is not None else None,
        label_attribute=values["label_attribute"] or None,
        short_instructions=values["short_instructions"], full_instructions=values["full_instructions"],
        examples=[{"kind": e["kind"], "text": e["text"], "explanation": e["explanation"]}
                  for e in values["examples"] if e["text"]],
        team_ids=values["team_ids"])


def _error_field(exc: ValidationFailed) -> str:
    """The form field an error belongs to: ``labels.labels[0].label`` → labels, ``task_lifetime_s`` → days."""
    name = (exc.field or "").split(".")[0].split("[")[0]
    return {"task_lifetime_s": "task_lifetime_days"}.get(name, name)


async def _new_form(request: Request, actor: Actor, values: dict[str, Any], error: ValidationFailed | None) -> Response:
    teams = await run_in_threadpool(accounts.list_teams, request.app.state.db, actor)
    ctx = page_context(request, actor, nav="projects", values=values, error=error,
                       error_field=_error_field(error) if error else None,
                       types=list(get_registry().task_types.values()), teams=teams)
    return render(request, "project_new.html", ctx, status_code=422 if error else 200)


@router.get("/projects/new")
@page
async def new_project_form(request: Request) -> Response:
    actor = require_actor(request)
    return await _new_form(request, actor, _form_defaults(), None)


@router.post("/projects/new")
@page
async def create_project(request: Request) -> Response:
    actor = require_actor(request)
    values = _form_values(await request.form())
    try:
        created = await run_in_threadpool(projects.create_project, request.app.state.db, actor,
                                          _project_input(values))
    except ValidationFailed as exc:  # the form again, values kept, the message beside its field
        return await _new_form(request, actor, values, exc)
    return see_other(f"/projects/{created.id}?msg=created")


# ------------------------------------------------------------------------ the project page


@router.get("/projects/{project_id}")
@page
async def project_page(request: Request, project_id: int) -> Response:
    actor = require_actor(request)
    db = request.app.state.db

    def load() -> tuple[projects.ProjectInfo, list[str], list[jobs.JobInfo]]:
        p = projects.get_project(db, actor, project_id)
        teams = [t.name for t in accounts.list_teams(db, actor) if t.id in p.team_ids]
        recent = jobs.list_jobs(db, actor, project_id, limit=5) if allowed(actor, "job.view") else []
        return p, teams, recent

    # the progress card loads itself (htmx, then every 5 s), so the page paints before the counting
    p, team_names, recent = await run_in_threadpool(load)
    return render(request, "project.html", page_context(request, actor, nav="projects", p=p,
                                                        team_names=team_names, jobs=recent))


@router.get("/projects/{project_id}/progress")
@page
async def progress_partial(request: Request, project_id: int) -> Response:
    """The project page's progress card (polled every 5 s), or with ?view=card a project card's bar."""
    actor = require_actor(request)
    prog = await run_in_threadpool(items.progress, request.app.state.db, actor, project_id)
    name = "_progress_bar.html" if request.query_params.get("view") == "card" else "_progress.html"
    return render(request, name, page_context(request, actor, progress=prog, project_id=project_id))
