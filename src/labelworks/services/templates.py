"""Task templates: Liquid with HTML autoescape, resource limits and Ground Truth's filters.

Templates and item data are untrusted. Output is escaped by default; the ``safe`` filter is
removed, and Ground Truth's ``skip_autoescape`` returns HTML sanitised by nh3 instead of raw.
The result is shown only inside a sandboxed iframe (see docs/labeling-contract.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import nh3
from liquid import Environment
from liquid.exceptions import LiquidError
from liquid.filter import with_context
from markupsafe import Markup

from ..core.errors import ValidationFailed

__all__ = ["check_template", "render_task", "MAX_TEMPLATE_BYTES"]

MAX_TEMPLATE_BYTES = 512 * 1024
SignMedia = Callable[[str], str]


class _TaskEnvironment(Environment):
    context_depth_limit = 30
    loop_iteration_limit = 100_000
    local_namespace_limit = 200_000
    output_stream_limit = 8 * 1024 * 1024
    block_nesting_limit = 64


def _to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _skip_autoescape(value: Any) -> Markup:
    return Markup(nh3.clean(str(value)))


def _sanitize_html(value: Any) -> str:
    """HTML cleaned by nh3 but still escaped on output: a ``<lw-html-content>`` reads it as text and
    sanitises it again with DOMPurify before showing it (two sanitisers, neither trusted alone)."""
    return nh3.clean(value) if isinstance(value, str) else ""


def _media_kind(value: Any) -> str:
    """``image``, ``audio``, ``video``, ``pdf`` or ``""``: what a media reference is, by its extension
    (the signed URL hides it), so a template can pick ``<img>``, ``<audio>`` or ``<video>``."""
    if not isinstance(value, str) or not value:
        return ""
    from .media import media_kind

    return media_kind(value)


@with_context
def _grant_read_access(value: Any, *, context: Any) -> str:
    """Ground Truth's filter: turn an s3:// or local reference into a short-lived signed URL."""
    if not isinstance(value, str) or not value:
        return ""
    sign: SignMedia | None = context.globals.get("_sign_media")
    return sign(value) if sign else value


def _environment() -> Environment:
    env = _TaskEnvironment(autoescape=True)
    env.filters.pop("safe", None)
    env.filters["to_json"] = _to_json
    env.filters["json"] = _to_json
    env.filters["skip_autoescape"] = _skip_autoescape
    env.filters["grant_read_access"] = _grant_read_access
    env.filters["sanitize_html"] = _sanitize_html
    env.filters["media_kind"] = _media_kind
    return env


_ENV: Environment | None = None


def _env() -> Environment:
    global _ENV
    if _ENV is None:
        _ENV = _environment()
    return _ENV


def _line_of(exc: LiquidError, source: str) -> int | None:
    token = getattr(exc, "token", None)
    start = getattr(token, "start_index", None)
    if start is None:
        return None
    return source.count("\n", 0, start) + 1


def _failure(exc: LiquidError, source: str) -> ValidationFailed:
    line = _line_of(exc, source)
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    where = f" on line {line}" if line else ""
    return ValidationFailed(f"template error{where}: {message}", field="template",
                            details=[{"line": line, "reason": message}] if line else [])


def check_template(source: str) -> None:
    """Parse the template; a syntax error names its line."""
    if len(source.encode()) > MAX_TEMPLATE_BYTES:
        raise ValidationFailed(f"the template is larger than {MAX_TEMPLATE_BYTES // 1024} KiB", field="template")
    try:
        _env().from_string(source)
    except LiquidError as exc:
        raise _failure(exc, source) from None


def render_task(source: str, data: dict[str, Any], labels: list[str], *, header: str = "",
                sign_media: SignMedia | None = None, worker_seed: str = "") -> str:
    """Render one task. ``task.input`` is the item's data, as in Ground Truth; ``task.worker_seed``
    is fixed per item and annotator (elements shuffle responses with it; empty: the item's order)."""
    try:
        template = _env().from_string(source)
        return template.render(task={"input": data, "worker_seed": worker_seed}, labels=labels, header=header,
                               _sign_media=sign_media)
    except LiquidError as exc:
        raise _failure(exc, source) from None
