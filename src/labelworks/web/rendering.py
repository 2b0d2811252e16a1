"""Jinja2 environment for app pages, CSP nonces, and Markdown for instructions."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markdown_it import MarkdownIt
from markupsafe import Markup

__all__ = ["templates", "render", "markdown", "STATIC_DIR", "TEMPLATES_DIR", "page_csp"]

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
_md = MarkdownIt("js-default")  # the default preset lets raw <script> through; js-default does not


def markdown(text: str) -> Markup:
    return Markup(_md.render(text or ""))


templates.env.filters["markdown"] = markdown


def page_csp(nonce: str) -> str:
    return ("default-src 'self'; script-src 'self' 'nonce-%s'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob: https:; frame-src 'self'; connect-src 'self'; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'self'" % nonce)


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    ctx = {"static_url": "/static", "csp_nonce": nonce, **context}
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    response.headers["Content-Security-Policy"] = page_csp(nonce)
    return response
