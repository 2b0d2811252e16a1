"""Cookies, CSRF and response headers, applied to every route (never per route, so none is forgotten)."""

from __future__ import annotations

from urllib.parse import urlparse

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import envelope

__all__ = ["SessionCookie", "CsrfAndHeadersMiddleware", "SESSION_COOKIE"]

SESSION_COOKIE = "lw_session"
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class SessionCookie:
    """The cookie holds the session id signed; the server keeps only its hash."""

    def __init__(self, secret: str, secure: bool, max_age_s: int) -> None:
        self._signer = URLSafeSerializer(secret, salt="labelworks.session")
        self.secure = secure
        self.max_age_s = max_age_s

    def dump(self, session_id: str) -> str:
        return self._signer.dumps(session_id)

    def load(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            return str(self._signer.loads(cookie))
        except BadSignature:
            return None

    def set(self, response: Response, session_id: str) -> None:
        response.set_cookie(SESSION_COOKIE, self.dump(session_id), max_age=self.max_age_s, httponly=True,
                            samesite="lax", secure=self.secure, path="/")

    def clear(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/")


def _same_origin(request: Request) -> bool:
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin is None:
        return False
    parsed = urlparse(origin)
    return f"{parsed.scheme}://{parsed.netloc}" == f"{request.url.scheme}://{request.url.netloc}"


class CsrfAndHeadersMiddleware:
    """Unsafe requests carrying the session cookie must come from our own origin; every response
    gets nosniff and framing headers.

    Requests authenticated by an API token (no cookie) are not forgeable by a browser and pass.
    A plain ASGI middleware: Starlette's BaseHTTPMiddleware costs a task per request.
    """

    _HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                (b"x-frame-options", b"SAMEORIGIN")]

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in _UNSAFE:
            request = Request(scope)
            if (SESSION_COOKIE in request.cookies and "authorization" not in request.headers
                    and not _same_origin(request)):
                response = envelope(403, "csrf_failed", "cross-site request refused (Origin does not match)")
                await response(scope, receive, send)
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self._HEADERS if k not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)
