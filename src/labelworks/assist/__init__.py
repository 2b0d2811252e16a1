"""Model backends: the Assist protocol (core/assist.py), the built-in CPU assists (assist/builtin),
the HTTP model backend (assist/http.py) behind a guarded client (assist/outbound.py), and the
registry that puts them together per project. docs/assist.md describes them."""

from __future__ import annotations

from ..core.assist import Assist, AssistResult

__all__ = ["Assist", "AssistResult"]
