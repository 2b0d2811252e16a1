"""Review pages: the review settings and queue, one item under review, the annotator's feedback, stage history."""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from ..authz import allowed
from ..core.actor import Actor
from ..api.deps import actor_from_request
from ..core.errors import LabelworksError, NotFound, ValidationFailed
from ..services import projects, review_feedback, reviews
from ..services.templates import render_task
from .labeling import frame_csp
from .pages_common import page, page_context, require_actor, see_other
from .rendering import render, templates

router = APIRouter(include_in_schema=False)

MODE_NAMES = {"none": "No review", "all": "Review every labeled item", "percent": "Review a share of the items",
              "below_confidence": "Review items whose consolidated confidence is below a threshold"}
_NOTICES = {"empty": ("info", "Nothing is waiting for review right now."),
            "saved": ("ok", "Review settings saved."),
            "reworked": ("ok", "Your revision was saved; the item goes back to review.")}


def _notice(request: Request, ctx: dict[str, Any]) -> dict[str, Any]:
    """A notice chosen by key from the query string (never free text from the URL)."""
    notice = _NOTICES.get(request.query_params.get("notice", ""))
    if notice:
        ctx["flashes"] = [*ctx["flashes"], notice]
    return ctx


def _number(form: FormData, name: str) -> float | None:
    text = str(form.get(name, "")).strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValidationFailed(f"{text!r} is not a number", field=name) from None


# ------------------------------------------------------------------- settings and the queue


async def _review_home(request: Request, actor: Actor, project_id: int, values: dict[str, Any] | None = None,
                       error: ValidationFailed | None = None) -> Response:
    db = request.app.state.db

    def load() -> tuple[projects.ProjectInfo, reviews.ReviewSettings, dict[str, int]]:
        return (projects.get_project(db, actor, project_id), reviews.get_settings(db, actor, project_id),
                reviews.queue_summary(db, actor, project_id))

    p, settings, summary = await run_in_threadpool(load)
    if values is None:
        values = {"mode": settings.mode, "percent": "" if settings.percent is None else f"{settings.percent:g}",
                  "threshold": "" if settings.threshold is None else f"{settings.threshold:g}",
                  "time_limit_s": str(settings.time_limit_s)}
    ctx = page_context(request, actor, nav="projects", p=p, settings=settings, summary=summary, values=values,
                       error=error, error_field=error.field if error else None, modes=MODE_NAMES,
                       may_review=allowed(actor, "review.perform"))
    return render(request, "review.html", _notice(request, ctx), status_code=422 if error else 200)


@router.get("/projects/{project_id}/review")
@page
async def review_home(request: Request, project_id: int) -> Response:
    actor = require_actor(request)
    return await _review_home(request, actor, project_id)


@router.post("/projects/{project_id}/review/settings")
@page
async def save_settings(request: Request, project_id: int) -> Response:
    actor = require_actor(request)
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("mode", "percent", "threshold", "time_limit_s")}
    try:
        mode = values["mode"]
        percent = _number(form, "percent") if mode == "percent" else None
        threshold = _number(form, "threshold") if mode == "below_confidence" else None
        limit = _number(form, "time_limit_s")
        await run_in_threadpool(lambda: reviews.update_settings(
            request.app.state.db, actor, project_id, mode, percent=percent, threshold=threshold,
            time_limit_s=int(limit) if limit is not None else 900))
    except ValidationFailed as exc:  # the form again, values kept, the message beside its field
        return await _review_home(request, actor, project_id, values, exc)
    return see_other(f"/projects/{project_id}/review?notice=saved")


async def _go_next(request: Request, actor: Actor, project_id: int, exclude: list[int] | None = None) -> Response:
    task = await run_in_threadpool(reviews.next_review, request.app.state.db, actor, project_id, exclude or [])
    if task is None:
        return see_other(f"/projects/{project_id}/review?notice=empty")
    return see_other(f"/projects/{project_id}/review/{task.id}")


@router.post("/projects/{project_id}/review/next")
@page
async def review_next(request: Request, project_id: int) -> Response:
    """Lease the next item (or the one already leased to you) and show it."""
    return await _go_next(request, require_actor(request), project_id)


# ------------------------------------------------------------------------- one item


# the form fields of a task template: the frame's output is keyed by them
_FIELD_NAMES = re.compile(r"""<(?:lw|crowd)-[a-z-]+\b[^>]*?\bname\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def _draft_for(template: str, value: dict[str, Any] | None) -> dict[str, Any] | None:
    """The consolidated answer in the form output's shape, to preset the task frame with."""
    if not value:
        return None
    return {name: value for name in dict.fromkeys(_FIELD_NAMES.findall(template)) or ["label"]}


def _adjust_kind(p: projects.ProjectInfo) -> str:
    """How the adjust form asks for a value: a label picker for categorical types, else JSON."""
    kind = p.type.value_kind(p.spec)
    return kind if kind in ("label", "labels") and p.labels.labels else "json"


async def _task_page(request: Request, actor: Actor, project_id: int, task_id: int,
                     error: ValidationFailed | None = None, form: dict[str, Any] | None = None) -> Response:
    db = request.app.state.db

    def load() -> tuple[projects.ProjectInfo, reviews.ReviewView]:
        return projects.get_project(db, actor, project_id), reviews.get_review(db, actor, task_id)

    p, view = await run_in_threadpool(load)
    if view.task.project_id != project_id:
        return see_other(f"/projects/{view.task.project_id}/review/{task_id}")
    signer = request.app.state.signer
    ref = view.data.get("source-ref")
    image = signer.url(ref, actor.user_id) if isinstance(ref, str) and ref and p.type.media == "image" else None
    initial = view.consolidated or {}
    ctx = page_context(request, actor, nav="projects", p=p, view=view, image=image, error=error,
                       error_field=(error.field or "") if error else "", form=form or {},
                       adjust_kind=_adjust_kind(p), initial=initial, frame_nonce=secrets.token_urlsafe(16),
                       draft=_draft_for(p.effective_template, view.consolidated),
                       initial_json=json.dumps(initial, indent=1) if initial else "{}",
                       mine=view.task.status == "leased" and view.task.reviewer_id == actor.user_id)
    return render(request, "review_item.html", ctx, status_code=422 if error else 200)


@router.get("/projects/{project_id}/review/{task_id}")
@page
async def review_item(request: Request, project_id: int, task_id: int) -> Response:
    return await _task_page(request, require_actor(request), project_id, task_id)


def _adjusted_value(form: FormData, kind: str) -> Any:
    """The task frame's output when it sent one, else the label picker's (or JSON editor's) value."""
    if str(form.get("frame_value", "")).strip():
        try:
            return json.loads(str(form.get("frame_value")))
        except json.JSONDecodeError:
            raise ValidationFailed("the task form sent a value that is not JSON", field="value") from None
    if "frame_value" in form and not any(k in form for k in ("value_json", "label", "labels")):
        # the frame's form, still empty: the frame has not started (a browser starts a frame out of
        # view only once it is scrolled to), so it has sent neither the preset back nor an answer
        raise ValidationFailed("the task frame has not loaded the answer yet: scroll to it, wait a moment and "
                               "save again", field="value")
    if kind == "labels":
        return {"labels": [str(v) for v in form.getlist("labels")]}
    if kind == "label":
        return {"label": str(form.get("label", ""))}
    text = str(form.get("value_json", "")).strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"the answer is not valid JSON: {exc.msg} (line {exc.lineno})", field="value") from None


@router.post("/projects/{project_id}/review/{task_id}/{action}")
@page
async def decide(request: Request, project_id: int, task_id: int, action: str) -> Response:
    """approve, reject, adjust or release; then on to the next item."""
    actor = require_actor(request)
    db = request.app.state.db
    form = await request.form()
    note = str(form.get("note", "")) or None
    try:
        if action == "approve":
            await run_in_threadpool(reviews.approve, db, actor, task_id, note)
        elif action == "reject":
            ids = [int(v) for v in form.getlist("annotation_ids") if isinstance(v, str) and v.isdigit()]
            await run_in_threadpool(reviews.reject, db, actor, task_id, str(form.get("feedback", "")), ids)
        elif action == "adjust":
            p = await run_in_threadpool(projects.get_project, db, actor, project_id)
            value = _adjusted_value(form, _adjust_kind(p))
            await run_in_threadpool(reviews.adjust, db, actor, task_id, value, note)
        elif action == "release":
            await run_in_threadpool(reviews.release, db, actor, task_id)
            return await _go_next(request, actor, project_id, [int(str(form.get("item_id", "0")) or 0)])
        else:
            return Response("unknown review action", status_code=404)
    except ValidationFailed as exc:
        kept = {"action": action, "feedback": str(form.get("feedback", "")), "note": note or "",
                "annotation_ids": [str(v) for v in form.getlist("annotation_ids")]}
        return await _task_page(request, actor, project_id, task_id, exc, kept)
    return await _go_next(request, actor, project_id)


@router.get("/projects/{project_id}/review/{task_id}/frame", response_class=HTMLResponse)
async def review_frame(request: Request, project_id: int, task_id: int) -> Response:
    """The item rendered by the project's task template, in the sandboxed frame the labeling page uses
    (same CSP, same postMessage contract); the review page presets it with the consolidated answer."""
    nonce = secrets.token_urlsafe(16)
    origin = f"{request.url.scheme}://{request.url.netloc}"
    headers = {"Content-Security-Policy": frame_csp(origin, nonce), "Cache-Control": "no-store"}
    actor = await run_in_threadpool(actor_from_request, request)
    if actor is None:
        return HTMLResponse("<p>Your session has ended; log in again.</p>", status_code=401, headers=headers)
    db, signer = request.app.state.db, request.app.state.signer

    def load() -> str:
        p = projects.get_project(db, actor, project_id)
        view = reviews.get_review(db, actor, task_id)
        if view.task.project_id != project_id:
            raise NotFound(f"no review task {task_id} in project {project_id}")
        return render_task(p.effective_template, view.data, list(p.labels.labels),
                           sign_media=lambda ref: origin + signer.url(ref, actor.user_id))

    try:
        body = await run_in_threadpool(load)
    except LabelworksError as exc:
        return HTMLResponse(f"<p>{escape(exc.message)}</p>", status_code=exc.http_status, headers=headers)
    response = templates.TemplateResponse(request, "frame.html", {
        "body": Markup(body), "static_url": f"{origin}/static", "csp_nonce": nonce})
    response.headers.update(headers)
    return response


# ------------------------------------------------------------------------ annotator feedback


@router.get("/projects/{project_id}/feedback")
@page
async def feedback_page(request: Request, project_id: int) -> Response:
    """Feedback on your annotations, with a form to revise each (reviewers and managers see everyone's)."""
    actor = require_actor(request)
    db = request.app.state.db

    def load() -> tuple[projects.ProjectInfo, list[review_feedback.FeedbackInfo]]:
        return projects.get_project(db, actor, project_id), review_feedback.list_feedback(db, actor, project_id)

    p, rows = await run_in_threadpool(load)
    ctx = page_context(request, actor, nav="projects", p=p, rows=rows, adjust_kind=_adjust_kind(p),
                       error=None, error_id=None)
    return render(request, "review_feedback.html", _notice(request, ctx))


@router.post("/projects/{project_id}/feedback/{feedback_id}/rework")
@page
async def rework(request: Request, project_id: int, feedback_id: int) -> Response:
    actor = require_actor(request)
    db = request.app.state.db
    form = await request.form()
    try:
        p = await run_in_threadpool(projects.get_project, db, actor, project_id)
        value = _adjusted_value(form, _adjust_kind(p))
        await run_in_threadpool(lambda: review_feedback.rework(db, actor, feedback_id, value))
    except ValidationFailed as exc:  # the page again, the message beside that item's form
        rows = await run_in_threadpool(review_feedback.list_feedback, db, actor, project_id)
        ctx = page_context(request, actor, nav="projects", p=p, rows=rows, adjust_kind=_adjust_kind(p),
                           error=exc, error_id=feedback_id)
        return render(request, "review_feedback.html", ctx, status_code=422)
    return see_other(f"/projects/{project_id}/feedback?notice=reworked")


@router.get("/projects/{project_id}/feedback/card")
@page
async def feedback_card(request: Request, project_id: int) -> Response:
    """The project page's feedback section (loaded by htmx): open feedback on your own work."""
    actor = require_actor(request)
    rows = await run_in_threadpool(lambda: review_feedback.list_feedback(request.app.state.db, actor, project_id,
                                                                 open_only=True, annotator_id=actor.user_id))
    mine = [f for f in rows if f.annotator == actor.email]
    return render(request, "review_part_feedback.html", page_context(request, actor, rows=mine,
                                                                      project_id=project_id))


@router.get("/projects/{project_id}/items/{item_id}/stages")
@page
async def stages_partial(request: Request, project_id: int, item_id: int) -> Response:
    """One item's stage history (inside the item's expansion in the items table)."""
    actor = require_actor(request)
    rows = await run_in_threadpool(review_feedback.item_stages, request.app.state.db, actor, project_id, item_id)
    return render(request, "review_part_stages.html", page_context(request, actor, stages=rows))
