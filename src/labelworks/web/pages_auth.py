"""Log in and out (cookie sessions; the login is rate-limited like the API's)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..api.security import SESSION_COOKIE
from ..core.errors import NotAuthenticated, RateLimited
from ..services import accounts
from .common import page_context
from .rendering import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect a user to another site after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
async def login_form(request: Request) -> Response:
    return render(request, "login.html", page_context(request, None, next=_safe_next(request.query_params.get("next")),
                                                      email="", error=None))


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "/")))
    limiter = request.app.state.login_limiter
    address = request.client.host if request.client else "unknown"
    db = request.app.state.db
    try:
        limiter.check(address, email)
        user = await run_in_threadpool(accounts.authenticate, db, email, password)
    except (NotAuthenticated, RateLimited) as exc:
        if isinstance(exc, NotAuthenticated):
            limiter.failed(address, email)
        ctx = page_context(request, None, next=target, email=email, error=exc.message)
        return render(request, "login.html", ctx, status_code=exc.http_status)
    session_id = await run_in_threadpool(accounts.start_session, db, user.id, request.app.state.settings.session_days)
    response = RedirectResponse(target, status_code=303)
    request.app.state.cookie.set(response, session_id)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    session_id = request.app.state.cookie.load(request.cookies.get(SESSION_COOKIE))
    if session_id:
        await run_in_threadpool(accounts.end_session, request.app.state.db, session_id)
        request.app.state.credentials.drop("s:" + session_id)
    response = RedirectResponse("/login?msg=loggedout", status_code=303)
    request.app.state.cookie.clear(response)
    return response
