"""A project's model connections (managers), generation streamed as server-sent events, the
stored generations, and batch generation jobs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import anyio

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse, StreamingResponse

from ....authz import allowed, authorize
from ....core.actor import Actor
from ....assist.chat import ChatEvent, kind_check, prepare
from ....core.chat import parse_params
from ....services import jobs
from ....services import model_access
from ....services import model_connections as conns
from ....services import model_spending
from ...deps import CurrentActor, DbDep, QueueDep, SettingsDep
from ...schemas.v1.model_connections import (BatchGenerateBody, GenerateBody, GenerationPublic,
                                             ModelConnectionCreate, ModelConnectionPublic, ModelConnectionUpdate)
from .jobs import job_public

router = APIRouter(tags=["models"])


def _public(info: conns.ConnectionInfo, actor: Actor | None = None,
            refusal: str | None = None) -> ModelConnectionPublic:
    """Workers see which models exist, not where they run: the base URL is for managers."""
    public = info.as_dict()
    if actor is not None and not allowed(actor, "model.manage"):
        public["base_url"] = None
    return ModelConnectionPublic(**public, may_generate=refusal is None, generate_refusal=refusal)


def _secret(settings: object) -> str:
    key = getattr(settings, "secret_key", None)
    assert isinstance(key, str)  # load_settings always fills it
    return key


@router.get("/projects/{project_id}/models", response_model=list[ModelConnectionPublic])
def list_models(project_id: int, actor: CurrentActor, db: DbDep) -> list[ModelConnectionPublic]:
    """Each with ``may_generate`` / ``generate_refusal`` for the caller (its role, its budgets), so
    the labeling page can say why drafting is off before the worker tries."""
    refusals = model_access.generate_refusals(db, actor, project_id)
    return [_public(c, actor, refusals.get(c.id)) for c in conns.list_connections(db, actor, project_id)]


@router.post("/projects/{project_id}/models", response_model=ModelConnectionPublic, status_code=201)
def create_model(project_id: int, body: ModelConnectionCreate, actor: CurrentActor, db: DbDep,
                 settings: SettingsDep) -> ModelConnectionPublic:
    return _public(conns.create_connection(db, actor, project_id, body.model_dump(), _secret(settings),
                                           kind_check(settings.outbound_allow_private)))


# before ``/models/{connection_id}``: "usage" is not a connection id
@router.get("/projects/{project_id}/models/usage")
def models_usage(project_id: int, actor: CurrentActor, db: DbDep) -> list[dict[str, object]]:
    """Tokens today and this month per connection, the caller's own day; managers also get the top users."""
    return model_spending.usage_report(db, actor, project_id)


@router.get("/projects/{project_id}/models/{connection_id}/usage")
def model_usage(project_id: int, connection_id: int, actor: CurrentActor, db: DbDep) -> dict[str, object]:
    return model_spending.usage_report(db, actor, project_id, [connection_id])[0]


@router.get("/projects/{project_id}/models/{connection_id}", response_model=ModelConnectionPublic)
def get_model(project_id: int, connection_id: int, actor: CurrentActor, db: DbDep) -> ModelConnectionPublic:
    return _public(conns.get_connection(db, actor, project_id, connection_id), actor)


@router.patch("/projects/{project_id}/models/{connection_id}", response_model=ModelConnectionPublic)
def update_model(project_id: int, connection_id: int, body: ModelConnectionUpdate, actor: CurrentActor, db: DbDep,
                 settings: SettingsDep) -> ModelConnectionPublic:
    return _public(conns.update_connection(db, actor, project_id, connection_id, body.model_dump(exclude_unset=True),
                                           _secret(settings), kind_check(settings.outbound_allow_private)))


@router.delete("/projects/{project_id}/models/{connection_id}", status_code=204)
def delete_model(project_id: int, connection_id: int, actor: CurrentActor, db: DbDep) -> Response:
    conns.delete_connection(db, actor, project_id, connection_id)
    return Response(status_code=204)


_END = object()


async def _sse(events: Iterator[ChatEvent]) -> AsyncIterator[bytes]:
    """The events as ``data:`` lines, each pulled from the model in the thread pool. When the browser
    goes away (Stop on the labeling page aborts its fetch) Starlette cancels this at the next piece;
    the ``finally`` then closes the call at once, so it stops reading from the model, hangs up on it
    and stores the generation as cancelled with the text that arrived (``PreparedCall.stream``).
    Left to the garbage collector, the call would stay open, and a short reply would be read on
    to its end into the socket buffers."""
    try:
        while (event := await anyio.to_thread.run_sync(next, events, _END)) is not _END:
            assert isinstance(event, ChatEvent)
            yield f"data: {json.dumps(event.as_dict())}\n\n".encode()
    finally:
        with anyio.CancelScope(shield=True):  # a cancelled request still closes (and records) its call
            await anyio.to_thread.run_sync(getattr(events, "close", lambda: None))


# a plain def: the checks run in the thread pool; each piece of the stream is pulled there too
@router.post("/projects/{project_id}/models/{connection_id}/generate",
             responses={200: {"content": {"text/event-stream": {}}}})
def generate(project_id: int, connection_id: int, body: GenerateBody, actor: CurrentActor, db: DbDep,
             settings: SettingsDep) -> StreamingResponse:
    """Server-sent events: ``data: {"type": "chunk", "text"}`` in order, then one
    ``{"type": "done", generation_id, …}`` or ``{"type": "error", message, …}``."""
    params = parse_params(body.params.model_dump(exclude_unset=True), "params") if body.params else None
    call = prepare(db, actor, project_id, connection_id, body.messages, params, secret_key=_secret(settings),
                   allow_private=settings.outbound_allow_private, item_id=body.item_id)
    return StreamingResponse(_sse(call.stream()), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.post("/projects/{project_id}/models/{connection_id}/test")
def test_model(project_id: int, connection_id: int, actor: CurrentActor, db: DbDep,
               settings: SettingsDep) -> dict[str, object]:
    """One short generation ("Say hello."), run to the end: latency and the reply, or the error."""
    authorize(actor, "model.manage")
    call = prepare(db, actor, project_id, connection_id, [{"role": "user", "content": "Say hello in five words."}],
                   parse_params({"max_tokens": 32}), secret_key=_secret(settings),
                   allow_private=settings.outbound_allow_private, source="test")
    event = call.collect()
    return {"ok": event.type == "done", **event.data}


@router.get("/projects/{project_id}/generations", response_model=list[GenerationPublic])
def list_generations(project_id: int, actor: CurrentActor, db: DbDep, model: int | None = None,
                     item_id: int | None = None, before_id: int | None = None,
                     limit: int = 50) -> list[GenerationPublic]:
    return [GenerationPublic(**g.as_dict()) for g in conns.list_generations(
        db, actor, project_id, connection_id=model, item_id=item_id, before_id=before_id, limit=limit)]


@router.post("/projects/{project_id}/generate", status_code=202)
def start_batch(project_id: int, body: BatchGenerateBody, actor: CurrentActor, db: DbDep,
                queue: QueueDep) -> JSONResponse:
    """A ``generate`` job: each chosen model answers every prompt item (resumable)."""
    job_id = conns.create_generate_job(db, actor, project_id, body.connections, body.overwrite)
    queue.enqueue(job_id)
    return JSONResponse(job_public(jobs.get_job(db, actor, job_id)).model_dump(mode="json"), status_code=202)
