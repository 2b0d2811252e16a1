"""The project page's consensus card: the consolidation method, its last run, and agreement."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..core.errors import ValidationFailed
from ..services import consolidation, metrics
from .pages_common import page, page_context, require_actor, see_other
from .rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/projects/{project_id}/consensus")
@page
async def consensus_card(request: Request, project_id: int) -> Response:
    """Loaded by htmx after the page: agreement reads every latest answer of the project."""
    actor = require_actor(request)
    db = request.app.state.db

    def load() -> dict[str, Any]:
        current, options = consolidation.method_info(db, actor, project_id)
        return {"current": current, "options": options, "run": consolidation.latest_run(db, actor, project_id),
                "agreement": metrics.project_agreement(db, actor, project_id)}

    data = await run_in_threadpool(load)
    error = request.query_params.get("error", "")
    return render(request, "_consensus.html", page_context(request, actor, project_id=project_id, error=error,
                                                            **data))


@router.post("/projects/{project_id}/consensus/method")
@page
async def change_method(request: Request, project_id: int) -> Response:
    """The method form: a new method (and its parameters as JSON) starts a full run."""
    actor = require_actor(request)
    form = await request.form()
    name = str(form.get("method", ""))
    raw = str(form.get("params", "") or "{}")
    try:
        params = json.loads(raw)
        if not isinstance(params, dict):
            raise ValueError
    except ValueError:
        raise ValidationFailed("parameters must be a JSON object, e.g. {\"iterations\": 20}", field="params") from None
    job_id = await run_in_threadpool(consolidation.set_method, request.app.state.db, actor, project_id, name, params)
    request.app.state.queue.enqueue(job_id)
    return see_other(f"/projects/{project_id}/jobs/{job_id}")
