"""Text assist parts of the app pages: an item's similar items (the items table's "Similar"
button) and the project page's model-quality card (the pre-labels against the final answers)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..core.errors import NotFound
from ..services import assist_quality, embeddings
from .pages_common import page, page_context, require_actor
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
