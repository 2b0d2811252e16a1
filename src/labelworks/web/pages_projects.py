"""Project list, the create-project form and the project page (progress, annotators, settings)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..authz import allowed
from ..core.errors import ValidationFailed
from ..plugins.manager import get_registry
from ..services import accounts, items, projects
from .common import page, page_context, require_actor
from .rendering import render

router = APIRouter(include_in_schema=False)


def _progress_or_none(db: Any, actor: Any, project_id: int) -> items.Progress | None:
    return items.progress(db, actor, project_id) if allowed(actor, "project.stats") else None


@router.get("/")
@page
async def project_list(request: Request) -> Response:
    actor = require_actor(request)
    db = request.app.state.db

    def load() -> list[tuple[projects.ProjectInfo, items.Progress | None]]:
        return [(p, _progress_or_none(db, actor, p.id)) for p in projects.list_projects(db, actor)]

    rows = await run_in_threadpool(load)
    return render(request, "projects.html", page_context(request, actor, nav="projects", rows=rows))


def _form_defaults() -> dict[str, Any]:
    return {"name": "", "task_type": "text-classification", "labels": "", "multi_label": False,
            "workers_per_item": 1, "task_time_limit_s": 300, "task_lifetime_days": "", "short_instructions": "",
            "full_instructions": "", "examples": [{"kind": "good", "text": "", "explanation": ""},
                                                  {"kind": "bad", "text": "", "explanation": ""}], "team_ids": []}


def _labels_from(text: str) -> Any:
    text = text.strip()
    if text.startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationFailed(f"the label-category JSON is not valid: {exc.msg} (line {exc.lineno})",
                                   field="labels") from None
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def _int(value: Any, field: str, default: int | None = None) -> int | None:
    text = str(value or "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise ValidationFailed(f"{text!r} is not a whole number", field=field) from None


async def _new_form(request: Request, actor: Any, values: dict[str, Any], error: ValidationFailed | None) -> Response:
    teams = await run_in_threadpool(accounts.list_teams, request.app.state.db, actor)
    ctx = page_context(request, actor, nav="projects", values=values, error=error,
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
    form = await request.form()
    values = _form_defaults()
    values.update({k: str(form.get(k, "")) for k in ("name", "task_type", "labels", "short_instructions",
                                                     "full_instructions", "workers_per_item", "task_time_limit_s",
                                                     "task_lifetime_days")})
    values["multi_label"] = form.get("multi_label") == "on"
    values["team_ids"] = [int(t) for t in form.getlist("team_ids") if str(t).isdigit()]
    values["examples"] = [{"kind": kind, "text": str(text), "explanation": str(expl)} for kind, text, expl in
                          zip(form.getlist("example_kind"), form.getlist("example_text"),
                              form.getlist("example_explanation"), strict=False)]
    try:
        lifetime_days = _int(values["task_lifetime_days"], "task_lifetime_days")
        data = projects.ProjectInput(
            name=values["name"], task_type=values["task_type"], labels=_labels_from(values["labels"]),
            multi_label=values["multi_label"], workers_per_item=_int(values["workers_per_item"], "workers_per_item", 1) or 1,
            task_time_limit_s=_int(values["task_time_limit_s"], "task_time_limit_s", 300) or 300,
            task_lifetime_s=lifetime_days * 86400 if lifetime_days else None,
            short_instructions=values["short_instructions"], full_instructions=values["full_instructions"],
            examples=[e for e in values["examples"] if e["text"].strip()], team_ids=values["team_ids"])
        created = await run_in_threadpool(projects.create_project, request.app.state.db, actor, data)
    except ValidationFailed as exc:
        return await _new_form(request, actor, values, exc)
    return RedirectResponse(f"/projects/{created.id}?msg=created", status_code=303)


@router.get("/projects/{project_id}")
@page
async def project_page(request: Request, project_id: int) -> Response:
    actor = require_actor(request)
    db = request.app.state.db

    def load() -> tuple[projects.ProjectInfo, items.Progress | None, list[accounts.TeamInfo]]:
        p = projects.get_project(db, actor, project_id)
        return p, _progress_or_none(db, actor, project_id), accounts.list_teams(db, actor)

    p, prog, teams = await run_in_threadpool(load)
    team_names = [t.name for t in teams if t.id in p.team_ids]
    return render(request, "project.html", page_context(request, actor, nav="projects", p=p, progress=prog,
                                                        team_names=team_names))


@router.get("/projects/{project_id}/progress")
@page
async def progress_partial(request: Request, project_id: int) -> Response:
    actor = require_actor(request)
    prog = await run_in_threadpool(items.progress, request.app.state.db, actor, project_id)
    return render(request, "_progress.html", page_context(request, actor, progress=prog, project_id=project_id))
