"""Red teaming over HTTP: the taxonomy, sessions, a tester's turn streamed back from the target
model as server-sent events (the reply is stored before the final event, so a reload finds it),
labels, finish, review, the report and the JSONL findings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Body
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool

from ....assist.chat import ChatEvent, PreparedCall, prepare
from ....core.actor import Actor
from ....core.errors import Conflict
from ....db.engine import Database
from ....services import redteam, redteam_report
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
    return redteam.start_session(db, actor, project_id, body.connection_id, body.title).as_dict()


@router.get("/projects/{project_id}/redteam/sessions/{session_id}")
def get_session(project_id: int, session_id: int, actor: CurrentActor, db: DbDep) -> dict[str, Any]:
    return redteam.get_session(db, actor, project_id, session_id).as_dict()


def _reply(call: PreparedCall, db: Database, actor: Actor, project_id: int, session_id: int) -> Iterator[bytes]:
    """The model's events as SSE; the reply is stored before ``done``/``error`` goes out, and a
    client that leaves mid-answer still leaves the part that arrived (marked cancelled)."""
    parts: list[str] = []
    stored = False
    try:
        for event in call.stream():
            if event.type == "chunk":
                parts.append(event.text)
                yield f"data: {json.dumps(event.as_dict())}\n\n".encode()
                continue
            error = str(event.data.get("message")) if event.type == "error" else None
            turn = redteam.add_assistant_turn(db, actor, project_id, session_id, str(event.data.get("text", "")),
                                              _int(event.data.get("generation_id")), error)
            stored = True
            final = ChatEvent(event.type, data={**event.data, "turn": turn.as_dict()})
            yield f"data: {json.dumps(final.as_dict(), default=str)}\n\n".encode()
    finally:
        if not stored:
            redteam.add_assistant_turn(db, actor, project_id, session_id, "".join(parts), None,
                                       "cancelled: the client disconnected")


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@router.post("/projects/{project_id}/redteam/sessions/{session_id}/turns",
             responses={200: {"content": {"text/event-stream": {}}}})
def send_turn(project_id: int, session_id: int, body: TurnSend, actor: CurrentActor, db: DbDep,
              settings: SettingsDep) -> StreamingResponse:
    """The tester's message is stored, then the target model's reply streams back:
    ``{"type": "chunk", "text"}`` events, then ``done`` (or ``error``) carrying the stored ``turn``."""
    current = redteam.get_session(db, actor, project_id, session_id)
    if current.connection_id is None:
        raise Conflict(f"the session's model {current.model!r} was removed from the project: start a new session")
    history = [{"role": t.role, "content": t.content} for t in current.turns if t.error is None]
    # checked before anything is stored: a connection that cannot be called leaves no orphan message
    call = prepare(db, actor, project_id, current.connection_id, [*history, {"role": "user", "content": body.content}],
                   None, secret_key=str(settings.secret_key), allow_private=settings.outbound_allow_private,
                   source="redteam")
    redteam.add_user_turn(db, actor, project_id, session_id, body.content)
    return StreamingResponse(iterate_in_threadpool(_reply(call, db, actor, project_id, session_id)),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.post("/projects/{project_id}/redteam/sessions/{session_id}/retry",
             responses={200: {"content": {"text/event-stream": {}}}})
def retry_turn(project_id: int, session_id: int, actor: CurrentActor, db: DbDep,
               settings: SettingsDep) -> StreamingResponse:
    """The last message again, when its reply failed or never arrived (same events as a turn)."""
    current = redteam.get_session(db, actor, project_id, session_id)
    if current.connection_id is None:
        raise Conflict(f"the session's model {current.model!r} was removed from the project: start a new session")
    messages = redteam.retry_messages(db, actor, project_id, session_id)
    call = prepare(db, actor, project_id, current.connection_id, messages, None, secret_key=str(settings.secret_key),
                   allow_private=settings.outbound_allow_private, source="redteam")
    return StreamingResponse(iterate_in_threadpool(_reply(call, db, actor, project_id, session_id)),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


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
