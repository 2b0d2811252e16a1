"""A model-evaluation project's Report page: leaderboard with intervals, win rates, per-criterion
figures, the category filter (htmx swaps the report part) and the JSON / HTML downloads."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..services import evaluation, projects
from .pages_common import page, page_context, require_actor
from .rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/projects/{project_id}/evaluation")
@page
async def evaluation_page(request: Request, project_id: int) -> Response:
    actor = require_actor(request)
    db = request.app.state.db
    category = request.query_params.get("category") or None

    def load() -> tuple[Any, dict[str, Any]]:
        return projects.get_project(db, actor, project_id), evaluation.evaluation_report(db, actor, project_id, category)

    p, report = await run_in_threadpool(load)
    ctx = page_context(request, actor, nav="projects", p=p, r=report)
    # the filter's htmx request swaps only the report part
    name = "_evaluation_report.html" if request.headers.get("HX-Request") else "evaluation.html"
    return render(request, name, ctx)
