"""Chaining from the project page: a form that makes a verification or adjustment project from this
project's labeled items (services/chaining.py); a large source is imported by a job whose page follows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..authz import authorize
from ..core.actor import Actor
from ..core.errors import ValidationFailed
from ..core.tasktypes.adjustment import LABEL_ADJUSTMENT, adjustable_for
from ..core.tasktypes.verification import LABEL_VERIFICATION
from ..services import chaining, projects
from .pages_common import page, page_context, require_actor, see_other
from .rendering import render

router = APIRouter(include_in_schema=False)

_FIELDS = ("mode", "name", "labels", "workers_per_item", "label_attribute")


async def _form(request: Request, actor: Actor, project_id: int, values: dict[str, Any],
                error: ValidationFailed | None = None) -> Response:
    db = request.app.state.db

    def load() -> tuple[projects.ProjectInfo, int]:
        p = projects.get_project(db, actor, project_id)
        return p, chaining.labeled_count(db, actor, project_id)

    p, labeled = await run_in_threadpool(load)
    # a verification project's items carry the labels it verified: adjusting them is label -> verify -> adjust
    adjustable = (adjustable_for(p.task_type) is not None
                  or p.task_type in (LABEL_ADJUSTMENT.name, LABEL_VERIFICATION.name))
    ctx = page_context(request, actor, nav="projects", p=p, labeled=labeled, adjustable=adjustable, values=values,
                       error=error, error_field=(error.field or "").split(".")[0] if error else "")
    return render(request, "project_chain.html", ctx, status_code=422 if error else 200)


@router.get("/projects/{project_id}/chain")
@page
async def chain_form(request: Request, project_id: int) -> Response:
    actor = require_actor(request)
    authorize(actor, "project.chain")
    mode = request.query_params.get("mode", "verification")
    return await _form(request, actor, project_id, {"mode": mode, "name": "", "labels": "Correct\nIncorrect",
                                                    "workers_per_item": "1", "label_attribute": ""})


@router.post("/projects/{project_id}/chain")
@page
async def chain_create(request: Request, project_id: int) -> Response:
    actor = require_actor(request)
    authorize(actor, "project.chain")
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in _FIELDS}
    settings, db = request.app.state.settings, request.app.state.db
    try:
        workers = int(values["workers_per_item"] or "1")
    except ValueError:
        return await _form(request, actor, project_id, values,
                           ValidationFailed("enter a whole number", field="workers_per_item"))
    verdicts = [line.strip() for line in values["labels"].replace(",", "\n").splitlines() if line.strip()]
    req = chaining.ChainRequest(mode=values["mode"], name=values["name"],
                                labels=verdicts if values["mode"] == "verification" else None,
                                workers_per_item=workers, label_attribute=values["label_attribute"] or None)
    try:
        out = await run_in_threadpool(chaining.chain_project, db, actor, project_id, req,
                                      spool_dir=settings.data_dir / "chains")
    except ValidationFailed as exc:
        return await _form(request, actor, project_id, values, exc)
    if out.job_id is not None:
        request.app.state.queue.enqueue(out.job_id)
        return see_other(f"/projects/{out.project.id}/jobs/{out.job_id}")
    return see_other(f"/projects/{out.project.id}")
