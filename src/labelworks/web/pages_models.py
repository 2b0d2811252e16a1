"""The project page's "Models" card: the chat models the project names (add, edit, delete; the
API key field is write-only; who may generate and the token budgets), each one's tokens today and
this month with its top users, "Test connection" (one short generation: its latency and reply, or
the error — a used-up budget included), batch generation over the prompt items with live progress,
and the latest generations.

Everything goes through the services the API uses (``services.model_connections``) with the same
checks (``assist.chat.kind_check``), so the card allows and refuses exactly what
``/api/v1/projects/{id}/models`` does.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..assist.chat import kind_check, prepare
from ..authz import authorize
from ..core.actor import Actor
from ..core.chat import parse_params
from ..core.errors import LabelworksError, NotFound, PermissionDenied, RateLimited, ValidationFailed
from ..services import jobs
from ..services import model_connections as conns
from ..services import model_spending as spending
from .pages_common import is_htmx, page, page_context, require_actor, see_other
from .rendering import render

router = APIRouter(include_in_schema=False)

_JOB_SHOWN = 20
_GENERATIONS_SHOWN = 10
_FIELDS = ("name", "kind", "base_url", "model", "api_key", "temperature", "max_tokens", "top_p", "system_prompt",
           "extra", "concurrency", "timeout_s", "max_retries", "user_daily_tokens", "project_monthly_tokens")
TEST_PROMPT = "Say hello in five words."


def _card_data(request: Request, actor: Actor, project_id: int) -> dict[str, Any]:
    db = request.app.state.db
    authorize(actor, "model.manage")
    models = conns.list_connections(db, actor, project_id)
    recent = jobs.list_jobs(db, actor, project_id, limit=_JOB_SHOWN)
    job = next((j for j in recent if j.kind == "generate"), None)
    generations = conns.list_generations(db, actor, project_id, limit=_GENERATIONS_SHOWN)
    usage = {u["connection_id"]: u for u in spending.usage_report(db, actor, project_id)}
    return {"models": models, "job": job, "generations": generations, "usage": usage, "roles": spending.ROLES,
            "names": {m.id: m.name for m in models}}


async def _card(request: Request, actor: Actor, project_id: int, *, error: LabelworksError | None = None,
                form: dict[str, Any] | None = None, saved: str = "", editing: int | None = None,
                tested: dict[str, Any] | None = None) -> Response:
    data = await run_in_threadpool(_card_data, request, actor, project_id)
    if error is not None and error.field and error.message.startswith(f"{error.field}: "):
        error = ValidationFailed(error.message[len(error.field) + 2:], field=error.field)
    field = error.field if error else None
    if field and field.startswith("params."):
        field = field.split(".")[1]
    if field and field.startswith("extra"):
        field = "extra"
    editing_info = next((m for m in data["models"] if m.id == editing), None)
    if form is None and editing_info is not None:
        form = _form_of(editing_info)
    ctx = page_context(request, actor, project_id=project_id, error=error, error_field=field, form=form or {},
                       saved=saved, editing=editing_info, tested=tested, test_prompt=TEST_PROMPT, **data)
    return render(request, "_models.html", ctx)


def _form_of(m: conns.ConnectionInfo) -> dict[str, Any]:
    p = m.params
    return {"name": m.name, "kind": m.kind, "base_url": m.base_url or "", "model": m.model, "api_key": "",
            "temperature": "" if p.temperature is None else f"{p.temperature:g}",
            "max_tokens": "" if p.max_tokens is None else str(p.max_tokens),
            "top_p": "" if p.top_p is None else f"{p.top_p:g}", "system_prompt": p.system_prompt or "",
            "extra": json.dumps(dict(p.extra)) if p.extra else "", "concurrency": str(m.concurrency),
            "timeout_s": f"{m.timeout_s:g}", "max_retries": str(m.max_retries),
            "generate_roles": list(m.generate_roles or spending.ROLES),
            "user_daily_tokens": "" if m.user_daily_tokens is None else str(m.user_daily_tokens),
            "project_monthly_tokens": "" if m.project_monthly_tokens is None else str(m.project_monthly_tokens)}


async def _answer(request: Request, actor: Actor, project_id: int, **kwargs: Any) -> Response:
    """htmx posts get the card back (a refused one with the field marked, as a 200: htmx swaps only
    2xx answers); a plain form post goes back to the project page, or to the error page."""
    if not is_htmx(request):
        if kwargs.get("error") is not None:
            raise kwargs["error"]
        return see_other(f"/projects/{project_id}")
    return await _card(request, actor, project_id, **kwargs)


def _number(form: dict[str, str], name: str, kind: type[int] | type[float]) -> int | float | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        raise ValidationFailed(f"{name}: expected {'a whole number' if kind is int else 'a number'}",
                               field=name) from None


def _budget(form: dict[str, Any], name: str) -> int | None:
    """A token budget as typed ("100000", "100,000", "100 000"); empty: no budget."""
    raw = str(form.get(name, "")).replace(",", "").replace("_", "").replace(" ", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationFailed(f"{name}: a whole number of tokens, or empty for no budget", field=name)
    return int(raw)


def _roles(form: dict[str, Any]) -> list[str] | None:
    """The ticked roles; all of them is stored as "everyone with access" (null)."""
    ticked = [r for r in spending.ROLES if r in form.get("generate_roles", [])]
    if not ticked:
        raise ValidationFailed("generate_roles: tick at least one role", field="generate_roles")
    return None if len(ticked) == len(spending.ROLES) else ticked


def _fields_of(form: dict[str, Any], *, editing: bool) -> dict[str, Any]:
    """The form's text as the service's fields; numbers and JSON refused naming the field."""
    try:
        extra = json.loads(form["extra"]) if form.get("extra", "").strip() else {}
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"extra: not JSON ({exc.msg})", field="extra") from None
    params = {"temperature": _number(form, "temperature", float), "max_tokens": _number(form, "max_tokens", int),
              "top_p": _number(form, "top_p", float), "system_prompt": form.get("system_prompt", "").strip() or None,
              "extra": extra}
    fields: dict[str, Any] = {"name": form.get("name", "").strip(), "kind": form.get("kind", "openai"),
                              "base_url": form.get("base_url", "").strip() or None,
                              "model": form.get("model", "").strip(), "params": params}
    for name, kind in (("concurrency", int), ("timeout_s", float), ("max_retries", int)):
        value = _number(form, name, kind)
        if value is not None:
            fields[name] = value
    fields["generate_roles"] = _roles(form)
    for name in ("user_daily_tokens", "project_monthly_tokens"):
        fields[name] = _budget(form, name)
    key = form.get("api_key", "")
    if form.get("remove_key") == "1":
        fields["api_key"] = None
    elif key or not editing:  # editing with the field left empty keeps the stored key
        fields["api_key"] = key or None
    return fields


@router.get("/projects/{project_id}/models")
@page
async def models_card(request: Request, project_id: int) -> Response:
    """Loaded by htmx after the project page; ``?edit=<id>`` opens a connection's form."""
    actor = require_actor(request)
    edit = request.query_params.get("edit")
    return await _card(request, actor, project_id, editing=int(edit) if edit and edit.isdigit() else None)


@router.post("/projects/{project_id}/models/save")
@page
async def save_model(request: Request, project_id: int) -> Response:
    """Add a connection, or change the one named by ``id``."""
    actor = require_actor(request)
    raw = await request.form()
    form: dict[str, Any] = {k: str(raw.get(k, "")) for k in (*_FIELDS, "remove_key", "id")}
    form["generate_roles"] = [str(v) for v in raw.getlist("generate_roles")]
    settings = request.app.state.settings
    editing = int(form["id"]) if form["id"].isdigit() else None

    fields_or_error: dict[str, Any] | ValidationFailed
    try:
        fields_or_error = _fields_of(form, editing=editing is not None)
    except ValidationFailed as exc:
        fields_or_error = exc
    form["api_key"] = ""  # never sent back into the page

    def save() -> conns.ConnectionInfo:
        if isinstance(fields_or_error, ValidationFailed):
            raise fields_or_error
        fields = fields_or_error
        check = kind_check(settings.outbound_allow_private)
        if editing is None:
            return conns.create_connection(request.app.state.db, actor, project_id, fields, settings.secret_key, check)
        return conns.update_connection(request.app.state.db, actor, project_id, editing, fields, settings.secret_key,
                                       check)

    try:
        saved = await run_in_threadpool(save)
    except (ValidationFailed, LabelworksError) as exc:
        if exc.http_status >= 500 or isinstance(exc, NotFound):
            raise
        return await _answer(request, actor, project_id, error=exc, form=form, editing=editing)
    return await _answer(request, actor, project_id, saved=saved.name)


@router.post("/projects/{project_id}/models/{connection_id}/delete")
@page
async def delete_model(request: Request, project_id: int, connection_id: int) -> Response:
    actor = require_actor(request)
    await run_in_threadpool(conns.delete_connection, request.app.state.db, actor, project_id, connection_id)
    return await _answer(request, actor, project_id, saved="deleted")


@router.post("/projects/{project_id}/models/{connection_id}/test")
@page
async def test_model(request: Request, project_id: int, connection_id: int) -> Response:
    """One short generation; the card shows its latency and reply, or the error."""
    actor = require_actor(request)
    settings = request.app.state.settings

    def run() -> dict[str, Any]:
        authorize(actor, "model.manage")
        try:
            call = prepare(request.app.state.db, actor, project_id, connection_id,
                           [{"role": "user", "content": TEST_PROMPT}], parse_params({"max_tokens": 32}),
                           secret_key=settings.secret_key, allow_private=settings.outbound_allow_private,
                           source="test")
        except (RateLimited, PermissionDenied) as exc:  # the spending rules: shown on the card, not an error page
            return {"connection_id": connection_id, "ok": False, "message": exc.message}
        event = call.collect()
        return {"connection_id": connection_id, "ok": event.type == "done", **event.data}

    tested = await run_in_threadpool(run)
    return await _answer(request, actor, project_id, tested=tested)


@router.post("/projects/{project_id}/models/generate")
@page
async def start_batch(request: Request, project_id: int) -> Response:
    """A ``generate`` job over the prompt items with the ticked models; the card polls its progress."""
    actor = require_actor(request)
    raw = await request.form()
    chosen = [int(str(v)) for v in raw.getlist("connection") if str(v).isdigit()]
    overwrite = str(raw.get("overwrite", "")) == "1"
    try:
        job_id = await run_in_threadpool(conns.create_generate_job, request.app.state.db, actor, project_id, chosen,
                                         overwrite)
    except ValidationFailed as exc:
        return await _answer(request, actor, project_id, error=exc)
    request.app.state.queue.enqueue(job_id)
    return await _answer(request, actor, project_id, saved="batch")


@router.get("/projects/{project_id}/models/jobs/{job_id}")
@page
async def batch_job(request: Request, project_id: int, job_id: int) -> Response:
    """The card's job line; while the job runs it polls this URL every second."""
    actor = require_actor(request)
    db = request.app.state.db

    def load() -> jobs.JobInfo:
        authorize(actor, "model.manage")
        job = jobs.get_job(db, actor, job_id)
        if job.project_id != project_id or job.kind != "generate":
            raise NotFound(f"no generation job {job_id} in this project")
        return job

    job = await run_in_threadpool(load)
    names = {m.id: m.name for m in await run_in_threadpool(conns.list_connections, db, actor, project_id)}
    return render(request, "_models_job.html", page_context(request, actor, project_id=project_id, job=job,
                                                            names=names))
