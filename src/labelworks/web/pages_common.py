"""What every manager page shares: the signed-in actor, the page context, HTML error pages."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..api.deps import actor_from_request
from ..authz import allowed
from ..core.actor import Actor
from ..core.errors import LabelworksError
from .rendering import render

__all__ = ["page", "page_context", "require_actor", "MESSAGES"]

# Messages a redirect can ask the next page to show (?msg=…): never free text from the URL.
MESSAGES = {
    "created": ("ok", "Project created."),
    "saved": ("ok", "Saved."),
    "user": ("ok", "User created."),
    "team": ("ok", "Team created."),
    "member": ("ok", "Member added."),
    "loggedout": ("info", "You are logged out."),
}
_HEADINGS = {401: "Please log in", 403: "Not allowed", 404: "Not found", 409: "Conflict", 413: "Too large",
             422: "Invalid input", 429: "Too many attempts"}


class _NeedLogin(Exception):
    pass


def require_actor(request: Request) -> Actor:
    actor = actor_from_request(request)
    if actor is None:
        raise _NeedLogin()
    return actor


def page_context(request: Request, actor: Actor | None, **extra: Any) -> dict[str, Any]:
    msg = MESSAGES.get(request.query_params.get("msg", ""))
    return {"actor": actor, "can_manage": bool(actor and allowed(actor, "project.create")),
            "flashes": [msg] if msg else [], **extra}


def page(handler: Callable[..., Awaitable[Response]]) -> Callable[..., Awaitable[Response]]:
    """Turn a missing login into a redirect and domain errors into an HTML page (not JSON)."""

    @functools.wraps(handler)
    async def wrapper(request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return await handler(request, *args, **kwargs)
        except _NeedLogin:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        except LabelworksError as exc:
            actor = await run_in_threadpool(actor_from_request, request)
            return render(request, "error.html", page_context(
                request, actor, status=exc.http_status, heading=_HEADINGS.get(exc.http_status, "Error"),
                message=exc.message), status_code=exc.http_status)

    return wrapper


def html(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return render(request, name, context, status_code)
