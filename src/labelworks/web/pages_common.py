"""What every manager page shares: the signed-in actor, the page context, HTML error pages."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..api.deps import actor_from_request
from ..authz import allowed
from ..core.actor import Actor
from ..core.errors import LabelworksError
from .rendering import render

__all__ = ["page", "page_context", "require_actor", "is_htmx", "see_other", "MESSAGES"]

# Messages a redirect may ask the next page to show (?msg=…): a key, never free text from the URL.
MESSAGES = {
    "created": ("ok", "Project created. Import some items next."),
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
    """The signed-in user; without one the page answers with a redirect to /login (see ``page``)."""
    actor = actor_from_request(request)
    if actor is None:
        raise _NeedLogin()
    return actor


def is_htmx(request: Request, target: str | None = None) -> bool:
    """An htmx request (optionally one aimed at the element with id ``target``), not a history restore."""
    if request.headers.get("hx-request") != "true" or request.headers.get("hx-history-restore-request"):
        return False
    return target is None or request.headers.get("hx-target") == target


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def page_context(request: Request, actor: Actor | None, **extra: Any) -> dict[str, Any]:
    msg = MESSAGES.get(request.query_params.get("msg", ""))

    def can(action: str) -> bool:
        return actor is not None and allowed(actor, action)

    return {"actor": actor, "can": can, "flashes": [msg] if msg else [], "nav": "", **extra}


def page(handler: Callable[..., Awaitable[Response]]) -> Callable[..., Awaitable[Response]]:
    """Turn a missing login into a redirect to /login and domain errors into an HTML page (not JSON)."""

    @functools.wraps(handler)
    async def wrapper(request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            response = await handler(request, *args, **kwargs)
        except _NeedLogin:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            if is_htmx(request):  # a polled partial after the session ended: reload the whole page
                target = request.headers.get("hx-current-url", target)
                return Response(status_code=204, headers={"HX-Redirect": f"/login?next={quote(_local(target))}"})
            return see_other(f"/login?next={quote(target)}")
        except LabelworksError as exc:
            actor = await run_in_threadpool(actor_from_request, request)
            name = "_error.html" if is_htmx(request) else "error.html"
            response = render(request, name, page_context(
                request, actor, status=exc.http_status, heading=_HEADINGS.get(exc.http_status, "Error"),
                message=exc.message), status_code=exc.http_status)
        response.headers.setdefault("Cache-Control", "no-store")  # pages hold a user's data: not for Back after logout
        return response

    return wrapper


def _local(url: str) -> str:
    """The path and query of an absolute URL of this site (HX-Current-URL is absolute)."""
    if "://" in url:
        rest = url.split("://", 1)[1]
        url = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    return url
