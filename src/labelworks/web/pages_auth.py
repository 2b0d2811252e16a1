"""Log in and out (cookie sessions; the login is rate-limited like the API's)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..api.deps import actor_from_request
from ..api.security import SESSION_COOKIE
from ..core.errors import NotAuthenticated, RateLimited
from ..services import accounts
from .pages_common import page_context, see_other
from .rendering import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only local paths: never send a user to another site after login."""
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(c <= " " for c in target)):  # browsers drop tabs and newlines: "/\t/evil" is "//evil"
        return "/"
    return target


def _login_page(request: Request, next_url: str, email: str = "", error: str | None = None,
                status_code: int = 200) -> Response:
    response = render(request, "login.html", page_context(request, None, next=next_url, email=email, error=error),
                      status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/login")
async def login_form(request: Request) -> Response:
    next_url = _safe_next(request.query_params.get("next"))
    if await run_in_threadpool(actor_from_request, request) is not None:
        return see_other(next_url)  # already logged in
    return _login_page(request, next_url)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    email, password = str(form.get("email", "")).strip(), str(form.get("password", ""))
    next_url = _safe_next(str(form.get("next", "/")))
    limiter = request.app.state.login_limiter
    address = request.client.host if request.client else "unknown"
    db = request.app.state.db
    try:
        limiter.check(address, email)
        try:
            user = await run_in_threadpool(accounts.authenticate, db, email, password)
        except NotAuthenticated:
            limiter.failed(address, email)
            raise
    except (NotAuthenticated, RateLimited) as exc:
        return _login_page(request, next_url, email, exc.message, exc.http_status)
    session_id = await run_in_threadpool(accounts.start_session, db, user.id, request.app.state.settings.session_days)
    response = see_other(next_url)
    request.app.state.cookie.set(response, session_id)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    session_id = request.app.state.cookie.load(request.cookies.get(SESSION_COOKIE))
    if session_id:
        await run_in_threadpool(accounts.end_session, request.app.state.db, session_id)
        request.app.state.credentials.drop("s:" + session_id)
    response = see_other("/login?msg=loggedout")
    request.app.state.cookie.clear(response)
    return response
