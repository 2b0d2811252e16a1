"""Text assist parts of the app pages: an item's similar items (the items table's "Similar"
button), the items page's near-duplicates card (a ``dedup`` job started there, its groups shown
there and on the job page) and the project page's model-quality card (the pre-labels against the
final answers)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..authz import allowed
from ..core.errors import NotFound, ValidationFailed
from ..services import assist_quality, dedup_jobs, embeddings, jobs
from .pages_common import page, page_context, require_actor, see_other
from .rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/projects/{project_id}/items/{item_id}/similar")
@page
async def similar_items(request: Request, project_id: int, item_id: int) -> Response:
    """Loaded by htmx into the item's expansion row."""
    actor = require_actor(request)
    if request.query_params.get("hide"):
        return Response("", media_type="text/html")
    db = request.app.state.db

    def load() -> tuple[list[dict[str, Any]], str]:
        try:
            return embeddings.similar_items(db, actor, project_id, item_id, 10), ""
        except NotFound as exc:  # no index yet, or the item is not in it: say so in the panel
            return [], exc.message

    rows, missing = await run_in_threadpool(load)
    return render(request, "_similar.html", page_context(request, actor, rows=rows, missing=missing,
                                                         project_id=project_id, item_id=item_id))


@router.get("/projects/{project_id}/assist/quality")
@page
async def quality_card(request: Request, project_id: int) -> Response:
    actor = require_actor(request)
    q = await run_in_threadpool(assist_quality.model_quality, request.app.state.db, actor, project_id)
    return render(request, "_model_quality.html", page_context(request, actor, q=q, project_id=project_id))


_JOBS_LOOKED_AT = 20  # the card shows the latest dedup job among the project's last jobs


@router.get("/projects/{project_id}/duplicates")
@page
async def duplicates_card(request: Request, project_id: int) -> Response:
    """The items page's near-duplicates card (loaded by htmx): the form, the latest job's groups."""
    actor = require_actor(request)
    db = request.app.state.db

    def load() -> tuple[dict[str, object], jobs.JobInfo | None]:
        status = embeddings.index_status(db, actor, project_id)
        recent = jobs.list_jobs(db, actor, project_id, limit=_JOBS_LOOKED_AT) if allowed(actor, "job.view") else []
        return status, next((j for j in recent if j.kind == "dedup"), None)

    status, job = await run_in_threadpool(load)
    return render(request, "_duplicates.html", page_context(request, actor, project_id=project_id, index=status,
                                                            job=job, can_start=allowed(actor, "item.import")))


@router.post("/projects/{project_id}/duplicates")
@page
async def start_dedup(request: Request, project_id: int) -> Response:
    """A ``dedup`` job with the form's threshold (and mark); its page follows the progress."""
    actor = require_actor(request)
    form = await request.form()
    try:
        threshold = float(str(form.get("threshold", "0.95")))
    except ValueError:
        raise ValidationFailed("threshold: a number between 0.5 and 1.0", field="threshold") from None
    job_id = await run_in_threadpool(lambda: dedup_jobs.create_dedup_job(
        request.app.state.db, actor, project_id, threshold, mark=form.get("mark") == "1"))
    request.app.state.queue.enqueue(job_id)
    return see_other(f"/projects/{project_id}/jobs/{job_id}")
