"""Users and teams (a private workforce is a team a project is given to)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..core.enums import Role
from ..core.errors import LabelworksError, ValidationFailed
from ..services import accounts
from .pages_common import page, page_context, require_actor, see_other
from .rendering import render

router = APIRouter(include_in_schema=False)


async def _team_page(request: Request, error: LabelworksError | None = None, form: str = "",
                     values: dict[str, str] | None = None) -> Response:
    actor = require_actor(request)
    db = request.app.state.db

    def load() -> tuple[list[accounts.UserInfo], list[accounts.TeamInfo]]:
        return accounts.list_users(db, actor), accounts.list_teams(db, actor)

    users, teams = await run_in_threadpool(load)
    emails = {u.id: u.email for u in users}
    user_teams: dict[int, list[str]] = {}
    for t in teams:
        for uid in t.member_ids:
            user_teams.setdefault(uid, []).append(t.name)
    ctx = page_context(request, actor, nav="team", users=users, teams=teams, emails=emails, user_teams=user_teams,
                       roles=list(Role), error=error, error_form=form, values=values or {})
    return render(request, "team.html", ctx, status_code=error.http_status if error else 200)


@router.get("/team")
@page
async def team(request: Request) -> Response:
    return await _team_page(request)


@router.post("/team/users")
@page
async def create_user(request: Request) -> Response:
    actor = require_actor(request)
    form = await request.form()
    values = {"email": str(form.get("email", "")).strip(), "role": str(form.get("role", "annotator"))}
    try:
        await run_in_threadpool(lambda: accounts.create_user(
            request.app.state.db, values["email"], str(form.get("password", "")), values["role"], by=actor))
    except ValueError:  # Role(...) of a value the form cannot send
        return await _team_page(request, ValidationFailed("choose a role", field="role"), "user", values)
    except LabelworksError as exc:
        if exc.http_status == 403:
            raise
        return await _team_page(request, exc, "user", values)
    return see_other("/team?msg=user")


@router.post("/team/teams")
@page
async def create_team(request: Request) -> Response:
    actor = require_actor(request)
    form = await request.form()
    name = str(form.get("name", ""))
    try:
        await run_in_threadpool(accounts.create_team, request.app.state.db, actor, name)
    except LabelworksError as exc:
        if exc.http_status == 403:
            raise
        return await _team_page(request, exc, "team", {"name": name})
    return see_other("/team?msg=team")


@router.post("/team/teams/{team_id}/members")
@page
async def add_member(request: Request, team_id: int) -> Response:
    actor = require_actor(request)
    form = await request.form()
    user_id = str(form.get("user_id", ""))
    if not user_id.isdigit():
        return await _team_page(request, ValidationFailed("choose a user", field="user_id"), f"member-{team_id}")
    await run_in_threadpool(accounts.add_team_member, request.app.state.db, actor, team_id, int(user_id))
    return see_other("/team?msg=member")
