"""A project's Quality page: settings (gold, qualification, flags, routing, rules), gold items, workers."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from ..core.errors import LabelworksError, ValidationFailed
from ..services import projects, quality, worker_quality
from .pages_common import page, page_context, require_actor, see_other
from .rendering import render

router = APIRouter(include_in_schema=False)

_NUMBERS = {"gold_rate": float, "min_gold_answers": int, "min_gold_accuracy": float, "min_seconds": float,
            "one_label_min_answers": int, "one_label_share": float, "initial_workers": int, "max_workers": int,
            "confidence_threshold": float}
_MESSAGES = {"saved": ("ok", "Quality settings saved."), "gold": ("ok", "Gold item saved."),
             "ungold": ("ok", "The item is an ordinary item again."), "resumed": ("ok", "Worker resumed.")}


def _changes(form: FormData) -> dict[str, Any]:
    """The settings form as a change; a value that is not a number names its field."""
    changes: dict[str, Any] = {}
    for name, kind in _NUMBERS.items():
        raw = str(form.get(name, "")).strip()
        if raw == "":
            raise ValidationFailed(f"{name.replace('_', ' ')} is needed", field=name)
        try:
            changes[name] = kind(raw)
        except ValueError:
            raise ValidationFailed(f"{raw!r} is not a {'whole ' if kind is int else ''}number", field=name) from None
    changes["gold_key"] = str(form.get("gold_key", "")).strip()
    changes["routing"] = form.get("routing") == "on"
    rules = str(form.get("rules", "")).strip() or "[]"
    try:
        changes["rules"] = json.loads(rules)
    except ValueError as exc:
        raise ValidationFailed(f"the rules are not valid JSON ({exc})", field="rules") from None
    return changes


async def _quality_page(request: Request, project_id: int, error: LabelworksError | None = None,
                        form: str = "", values: dict[str, Any] | None = None) -> Response:
    actor = require_actor(request)
    db = request.app.state.db

    def load() -> tuple[Any, ...]:
        return (projects.get_project(db, actor, project_id), quality.get_settings(db, actor, project_id),
                quality.list_gold(db, actor, project_id), worker_quality.worker_quality(db, actor, project_id),
                quality.notifications(db, actor, project_id, limit=20), quality.routed_items(db, actor, project_id))

    p, settings, gold, workers, notes, routed = await run_in_threadpool(load)
    current = settings.as_dict()
    current["rules"] = json.dumps(current["rules"], indent=1) if current["rules"] else ""
    msg = _MESSAGES.get(request.query_params.get("msg", ""))
    ctx = page_context(request, actor, nav="projects", p=p, s=values if form == "settings" and values else current,
                       gold=gold, workers=workers, notes=notes, routed=routed, error=error, error_form=form,
                       gold_values=values if form == "gold" and values else {})
    if msg:
        ctx["flashes"] = [msg]
    return render(request, "quality.html", ctx, status_code=error.http_status if error else 200)


@router.get("/projects/{project_id}/quality")
@page
async def quality_page(request: Request, project_id: int) -> Response:
    return await _quality_page(request, project_id)


@router.post("/projects/{project_id}/quality")
@page
async def save_settings(request: Request, project_id: int) -> Response:
    actor = require_actor(request)
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in (*_NUMBERS, "gold_key", "rules")}
    values["routing"] = form.get("routing") == "on"
    try:
        changes = _changes(form)
        await run_in_threadpool(quality.update_settings, request.app.state.db, actor, project_id, changes)
    except LabelworksError as exc:
        if exc.http_status in (403, 404):
            raise
        return await _quality_page(request, project_id, exc, "settings", values)
    return see_other(f"/projects/{project_id}/quality?msg=saved")


@router.post("/projects/{project_id}/quality/gold")
@page
async def mark_gold(request: Request, project_id: int) -> Response:
    """Mark an item gold: its id and its answer (a label; several comma-separated for multi-label)."""
    actor = require_actor(request)
    form = await request.form()
    values = {"item_id": str(form.get("item_id", "")).strip(), "answer": str(form.get("answer", "")).strip()}
    db = request.app.state.db
    try:
        if not values["item_id"].isdigit():
            raise ValidationFailed("give the item's id (a number; see the Items table)", field="item_id")
        item_id = int(values["item_id"])
        if form.get("promote") == "on" and not values["answer"]:
            await run_in_threadpool(quality.promote_gold, db, actor, project_id, item_id)
        else:
            if not values["answer"]:
                raise ValidationFailed("give the true answer, or tick 'use its consolidated answer'", field="answer")
            await run_in_threadpool(quality.mark_gold, db, actor, project_id, item_id, values["answer"])
    except LabelworksError as exc:
        if exc.http_status == 403:
            raise
        if exc.field and exc.field.startswith("value"):
            exc.field = "answer"
        return await _quality_page(request, project_id, exc, "gold", values)
    return see_other(f"/projects/{project_id}/quality?msg=gold")


@router.post("/projects/{project_id}/quality/gold/{item_id}/unmark")
@page
async def unmark_gold(request: Request, project_id: int, item_id: int) -> Response:
    actor = require_actor(request)
    await run_in_threadpool(quality.unmark_gold, request.app.state.db, actor, project_id, item_id)
    return see_other(f"/projects/{project_id}/quality?msg=ungold")


@router.post("/projects/{project_id}/quality/workers/{user_id}/resume")
@page
async def resume_worker(request: Request, project_id: int, user_id: int) -> Response:
    actor = require_actor(request)
    await run_in_threadpool(quality.resume_worker, request.app.state.db, actor, project_id, user_id)
    return see_other(f"/projects/{project_id}/quality?msg=resumed")
