"""The red-team page (/projects/{id}/redteam): the tester's sessions, the chosen session's
transcript (the models side by side, a column each) with the labels on each model reply, the chat
box (streamed by /static/dist/redteam.js through the API), finish and review, and — for managers
and reviewers — the attack-success report (a summary row a model) whose every figure links to the
transcripts behind it.

The page is rendered from the database each time, so a reload shows every stored turn; the
script only streams the reply in and saves the labels (both through ``/api/v1``, same origin).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..assist.redteam_replies import queued_turns
from ..authz import allowed
from ..core.errors import NotFound
from ..services import model_connections as conns
from ..services import projects, redteam, redteam_replies, redteam_report
from .pages_common import page, page_context, require_actor
from .rendering import render

router = APIRouter(include_in_schema=False)

# Finish's tooltip while a reply is pending (the same words as frontend/src/lib/redteam-labels.ts)
FINISH_BLOCKED = "A reply is still being written: wait for it to end (or stop it), then finish."


@router.get("/projects/{project_id}/redteam")
@page
async def redteam_page(request: Request, project_id: int) -> Response:
    actor = require_actor(request)
    db = request.app.state.db
    chosen = request.query_params.get("session", "")
    if chosen and not chosen.isdigit():
        raise NotFound(f"no red-team session {chosen!r}")
    status = request.query_params.get("status") or None  # the list's filter; the service checks it

    def load() -> dict[str, Any]:
        p = projects.get_project(db, actor, project_id)
        session = redteam.get_session(db, actor, project_id, int(chosen)) if chosen else None
        show_report = allowed(actor, "redteam.view_all")
        return {"p": p, "taxonomy": redteam.get_taxonomy(db, actor, project_id),
                "models": conns.list_connections(db, actor, project_id),
                "sessions": redteam.list_sessions(db, actor, project_id, status), "session": session,
                "report": redteam_report.report(db, actor, project_id) if show_report else None}

    data = await run_in_threadpool(load)
    session = data["session"]
    ctx = page_context(request, actor, nav="projects", severities=redteam.SEVERITY_NAMES, status=status,
                       exchanges=exchanges(session) if session is not None else [],
                       can_retry=session is not None and bool(redteam_replies.retry_models(session)),
                       queued=queued_turns(), finish_blocked=FINISH_BLOCKED,
                       is_tester=session is not None and session.tester_id == actor.user_id,
                       may_review=session is not None and session.tester_id != actor.user_id
                       and allowed(actor, "redteam.review") and session.status != "open", **data)
    return render(request, "redteam.html", ctx)


def exchanges(session: redteam.SessionInfo) -> list[dict[str, Any]]:
    """The transcript as the page lays it out: each tester message, then a column per model with that
    model's replies to it (more than one where a failed reply was retried)."""
    out: list[dict[str, Any]] = []
    for t in session.turns:
        if t.role == "user" or not out:
            out.append({"user": t if t.role == "user" else None,
                        "columns": [{"model": m, "replies": []} for m in session.models]})
        if t.role == "assistant":
            slot = t.slot or 0
            column = next((c for c in out[-1]["columns"] if c["model"].slot == slot), None)
            if column is None:  # a slot the session no longer lists: shown rather than lost
                column = {"model": redteam.SessionModel(slot, None, t.model or "?"), "replies": []}
                out[-1]["columns"].append(column)
            column["replies"].append(t)
    return out
