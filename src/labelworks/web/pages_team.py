"""Users and teams (a private workforce is a team a project is given to)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..core.enums import Role
from ..core.errors import LabelworksError, ValidationFailed
from ..services import accounts
from .common import page, page_context, require_actor
from .rendering import render

router = APIRouter(include_in_schema=False)


async def _team_page(request: Request, error: LabelworksError | None = None, status: int = 200) -> Response:
    actor = require_actor(request)
    db = request.app.state.db

    def load() -> tuple[list[accounts.UserInfo], list[accounts.TeamInfo]]:
        return accounts.list_users(db, actor), accounts.list_teams(db, actor)

    users, teams = await run_in_threadpool(load)
    emails = {u.id: u.email for u in users}
    return render(request, "team.html", page_context(request, actor, nav="team", users=users, teams=teams,
                                                     emails=emails, roles=list(Role), error=error), status)


@router.get("/team")
@page
async def team(request: Request) -> Response:
    return await _team_page(request)


@router.post("/team/users")
@page
async def create_user(request: Request) -> Response:
    actor = require_actor(request)
    form = await request.form()
    try:
        await run_in_threadpool(lambda: accounts.create_user(
            request.app.state.db, str(form.get("email", "")), str(form.get("password", "")),
            str(form.get("role", "annotator")), by=actor))
    except LabelworksError as exc:
        return await _team_page(request, exc, 422)
    return RedirectResponse("/team?msg=user", status_code=303)


@router.post("/team/teams")
@page
async def create_team(request: Request) -> Response:
    actor = require_actor(request)
    form = await request.form()
    try:
        await run_in_threadpool(accounts.create_team, request.app.state.db, actor, str(form.get("name", "")))
    except LabelworksError as exc:
        return await _team_page(request, exc, 422)
    return RedirectResponse("/team?msg=team", status_code=303)


@router.post("/team/teams/{team_id}/members")
@page
async def add_member(request: Request, team_id: int) -> Response:
    actor = require_actor(request)
    form = await request.form()
    user_id = str(form.get("user_id", ""))
    if not user_id.isdigit():
        return await _team_page(request, ValidationFailed("choose a user", field="user_id"), 422)
    await run_in_threadpool(accounts.add_team_member, request.app.state.db, actor, team_id, int(user_id))
    return RedirectResponse("/team?msg=member", status_code=303)
