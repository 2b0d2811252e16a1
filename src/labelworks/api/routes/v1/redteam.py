"""Red teaming over HTTP: the taxonomy, sessions, a tester's turn streamed back from the target
model(s) side by side as server-sent events (each reply saved as it arrives and stored before its
final event, so a reload finds it), a reply whose server died resumed, labels, finish, review, the
report and the JSONL findings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Body
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool

from ....assist.chat import PreparedCall, prepare
from ....assist.redteam_replies import ReplyJob, queued_turns, run_replies
from ....core.actor import Actor
from ....core.errors import Conflict, LabelworksError, ValidationFailed
from ....db.engine import Database
from ....services import redteam, redteam_replies, redteam_report
from ....services.redteam import SessionModel
from ....settings import Settings
from ...deps import CurrentActor, DbDep, SettingsDep
from ...schemas.v1.redteam import SessionReview, SessionStart, TurnSend

router = APIRouter(tags=["redteam"])


@router.get("/projects/{project_id}/redteam/taxonomy")
def get_taxonomy(project_id: int, actor: CurrentActor, db: DbDep) -> dict[str, Any]:
    return redteam.get_taxonomy(db, actor, project_id).as_dict()


@router.put("/projects/{project_id}/redteam/taxonomy")
def set_taxonomy(project_id: int, actor: CurrentActor, db: DbDep,
                 body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    return redteam.set_taxonomy(db, actor, project_id, body).as_dict()


@router.get("/projects/{project_id}/redteam/sessions")
def list_sessions(project_id: int, actor: CurrentActor, db: DbDep, status: str | None = None) -> list[dict[str, Any]]:
    return [s.as_dict(with_turns=False) for s in redteam.list_sessions(db, actor, project_id, status)]


@router.post("/projects/{project_id}/redteam/sessions", status_code=201)
def start_session(project_id: int, body: SessionStart, actor: CurrentActor, db: DbDep) -> dict[str, Any]:
    chosen: object = body.connection_ids if body.connection_ids is not None else body.connection_id
    if chosen is None:
        raise ValidationFailed("connection_id: the model connection to talk to (or connection_ids: several, "
                               "side by side)", field="connection_id")
    return redteam.start_session(db, actor, project_id, chosen, body.title).as_dict()


@router.get("/projects/{project_id}/redteam/sessions/{session_id}")
def get_session(project_id: int, session_id: int, actor: CurrentActor, db: DbDep) -> dict[str, Any]:
    out = redteam.get_session(db, actor, project_id, session_id).as_dict()
    waiting = queued_turns()  # replies this process holds that wait for a free writer
    for turn in out["turns"]:
        turn["queued"] = turn["id"] in waiting
    return out


def _stream(db: Database, jobs: list[ReplyJob], settings: Settings) -> StreamingResponse:
    """The replies' events as SSE, as the writer threads send them (they go on if the browser leaves)."""
    def lines() -> Iterator[bytes]:
        for event in run_replies(db, jobs, settings.redteam_reply_writers):
            yield f"data: {json.dumps(event, default=str)}\n\n".encode()

    return StreamingResponse(iterate_in_threadpool(lines()), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _prepare(db: Database, actor: Actor, project_id: int, connection_id: int, messages: list[dict[str, str]],
             settings: Settings) -> PreparedCall:
    return prepare(db, actor, project_id, connection_id, messages, None, secret_key=str(settings.secret_key),
                   allow_private=settings.outbound_allow_private, source="redteam")


def _calls(db: Database, actor: Actor, project_id: int, wanted: list[tuple[SessionModel, list[dict[str, str]]]],
           settings: Settings) -> tuple[dict[int, PreparedCall], dict[int, str]]:
    """Each model's call, checked before anything is stored, or why it cannot be made (over its token
    budget 429, a role it does not allow 403, no key…): those models get a failed reply saying so and
    the others are asked. When none can be asked, the first refusal answers and nothing is stored."""
    calls: dict[int, PreparedCall] = {}
    refused: dict[int, str] = {}
    first: LabelworksError | None = None
    for m, messages in wanted:
        try:
            calls[m.slot] = _prepare(db, actor, project_id, int(m.connection_id or 0), messages, settings)
        except LabelworksError as exc:
            first = first or exc
            refused[m.slot] = exc.message if exc.message.startswith(f"{m.model}:") else f"{m.model}: {exc.message}"
    if not calls and first is not None:
        raise first
    return calls, refused


@router.post("/projects/{project_id}/redteam/sessions/{session_id}/turns",
             responses={200: {"content": {"text/event-stream": {}}}})
def send_turn(project_id: int, session_id: int, body: TurnSend, actor: CurrentActor, db: DbDep,
              settings: SettingsDep) -> StreamingResponse:
    """The tester's message is stored with one reply per model, then the replies stream back side by
    side: ``{"type": "chunk", "text", "slot", "turn_id"}`` events, then per reply ``done`` (or
    ``error``) carrying the stored ``turn``. A model that cannot be called gets a failed reply with
    the reason (the others answer); when none can, the message is refused and nothing stored."""
    current = redteam.get_session(db, actor, project_id, session_id)
    models = [m for m in current.models if m.connection_id is not None]
    if not models:
        raise Conflict(f"the session's model {current.model!r} was removed from the project: start a new session")
    calls, refused = _calls(db, actor, project_id, [
        (m, [*redteam.history(current.turns, m.slot), {"role": "user", "content": body.content}]) for m in models],
        settings)
    _, pending = redteam.add_user_turn(db, actor, project_id, session_id, body.content, [m.slot for m in models])
    return _stream(db, [ReplyJob(p, calls.get(p.slot), refused.get(p.slot)) for p in pending], settings)


@router.post("/projects/{project_id}/redteam/sessions/{session_id}/retry",
             responses={200: {"content": {"text/event-stream": {}}}})
def retry_turn(project_id: int, session_id: int, actor: CurrentActor, db: DbDep,
               settings: SettingsDep) -> StreamingResponse:
    """The last message again for each model whose reply to it failed or never came (same events; a
    model still refused gets another failed reply saying why, unless none can be asked: then 429/403)."""
    plan = redteam_replies.retry_plan(db, actor, project_id, session_id)
    calls, refused = _calls(db, actor, project_id, plan, settings)
    pending = redteam_replies.open_retry(db, actor, project_id, session_id, [*calls, *refused])
    return _stream(db, [ReplyJob(p, calls.get(p.slot), refused.get(p.slot)) for p in pending], settings)


@router.post("/projects/{project_id}/redteam/sessions/{session_id}/resume",
             responses={200: {"content": {"text/event-stream": {}}}})
def resume_replies(project_id: int, session_id: int, actor: CurrentActor, db: DbDep,
                   settings: SettingsDep) -> StreamingResponse:
    """The replies whose writer died (stale heartbeat: the server restarted mid-reply) are asked
    again, each into its own turn (same events); 409 when none is stale."""
    claimed = redteam_replies.claim_stale(db, actor, project_id, session_id)
    if not claimed:
        raise Conflict("no reply is waiting to be resumed")
    jobs = []
    for p in claimed:
        try:
            jobs.append(ReplyJob(p, _prepare(db, actor, project_id, p.connection_id, list(p.messages), settings)))
        except LabelworksError as exc:  # the turn exists already: the reason goes on it
            jobs.append(ReplyJob(p, None, exc.message if exc.message.startswith(f"{p.model}:")
                                 else f"{p.model}: {exc.message}"))
    return _stream(db, jobs, settings)


@router.post("/projects/{project_id}/redteam/sessions/{session_id}/stop")
def stop_replies(project_id: int, session_id: int, actor: CurrentActor, db: DbDep) -> dict[str, Any]:
    """Stop the replies being written: what arrived stays, marked stopped."""
    return redteam_replies.stop_replies(db, actor, project_id, session_id).as_dict()


@router.patch("/projects/{project_id}/redteam/sessions/{session_id}/turns/{turn_id}")
def label_turn(project_id: int, session_id: int, turn_id: int, actor: CurrentActor, db: DbDep,
               body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    return redteam.label_turn(db, actor, project_id, session_id, turn_id, body).as_dict()


@router.post("/projects/{project_id}/redteam/sessions/{session_id}/finish")
def finish_session(project_id: int, session_id: int, actor: CurrentActor, db: DbDep) -> dict[str, Any]:
    return redteam.finish_session(db, actor, project_id, session_id).as_dict()


@router.post("/projects/{project_id}/redteam/sessions/{session_id}/reopen")
def reopen_session(project_id: int, session_id: int, actor: CurrentActor, db: DbDep) -> dict[str, Any]:
    return redteam.reopen_session(db, actor, project_id, session_id).as_dict()


@router.post("/projects/{project_id}/redteam/sessions/{session_id}/review")
def review_session(project_id: int, session_id: int, body: SessionReview, actor: CurrentActor,
                   db: DbDep) -> dict[str, Any]:
    return redteam.review_session(db, actor, project_id, session_id, body.verdict, body.note).as_dict()


@router.get("/projects/{project_id}/redteam/report")
def report(project_id: int, actor: CurrentActor, db: DbDep) -> dict[str, Any]:
    return redteam_report.report(db, actor, project_id)


@router.get("/projects/{project_id}/redteam/findings.jsonl")
def findings(project_id: int, actor: CurrentActor, db: DbDep, model: str | None = None,
             model_failed: bool | None = None) -> StreamingResponse:
    # listed first: permission errors answer before the stream starts
    lines = list(redteam_report.export_jsonl(db, actor, project_id, model=model, model_failed=model_failed))
    return StreamingResponse(iter(lines), media_type="application/x-ndjson", headers={
        "Content-Disposition": f'attachment; filename="redteam-findings-project-{project_id}.jsonl"'})
