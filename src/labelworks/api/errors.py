"""Every error leaves as one JSON envelope: ``{"error": {"code", "message", "field", "details"}}``."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..core.errors import LabelworksError

__all__ = ["install_error_handlers", "envelope"]

log = logging.getLogger(__name__)
_HTTP_CODES = {400: "bad_request", 401: "not_authenticated", 403: "permission_denied", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
               422: "validation_error", 429: "rate_limited"}


def envelope(status: int, code: str, message: str, field: str | None = None,
             details: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "field": field, "details": details or []}},
                        status_code=status, headers=headers)


_TYPE_TAG = re.compile(r"^(str|int|float|bool|list|dict|tuple|set|none|null)$|[\[(]")


def _field_path(loc: tuple[Any, ...]) -> str:
    """``("body", "labels", "list[str]", 0)`` → ``labels[0]``: locations and union-member tags dropped."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")
             and not (isinstance(p, str) and _TYPE_TAG.search(p))]
    out = ""
    for part in parts:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LabelworksError)
    async def _domain(_: Request, exc: LabelworksError) -> JSONResponse:
        # a budget says when it resets (details' retry_after_s); other limits ask for a minute
        retry = next((d["retry_after_s"] for d in exc.details if isinstance(d.get("retry_after_s"), int)), 60)
        headers = {"Retry-After": str(retry)} if exc.http_status == 429 else None
        return envelope(exc.http_status, exc.code, exc.message, exc.field, exc.details, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        details = [{"field": _field_path(tuple(e.get("loc", ()))), "reason": e.get("msg", "")} for e in errors]
        first = details[0] if details else {"field": None, "reason": "invalid request"}
        message = f"{first['field']}: {first['reason']}" if first["field"] else str(first["reason"])
        return envelope(422, "validation_error", message, first["field"], details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        return envelope(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return envelope(500, "internal_error", "something went wrong on the server; it has been logged")
