"""Which assists exist: the built-ins and plugins' (through ``register_assists``), plus per project
the assists of its HTTP model backend."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from ..core.assist import Assist, check_name
from ..core.errors import ValidationFailed
from ..plugins.manager import build_plugin_manager
from ..services.assist import AssistSettings
from . import builtin
from .http import backend_assists
from .outbound import check_url

__all__ = ["registered_assists", "project_assists", "settings_check", "resolver"]


@lru_cache(maxsize=1)
def registered_assists() -> dict[str, Assist]:
    """Built-in and plugin assists by name, built on first use (never at import time)."""
    pm = build_plugin_manager()
    pm.register(builtin, name="builtin-assists")
    found: dict[str, Assist] = {}
    for batch in pm.hook.register_assists():
        for a in batch:
            check_name(a.name)
            if a.name in found:
                raise RuntimeError(f"two plugins register the assist {a.name!r}")
            found[a.name] = a
    return found


def project_assists(settings: AssistSettings, allow_private: bool) -> dict[str, Assist]:
    """Every assist a project could use: the registered ones, and its backend's (which take
    precedence over a registered assist of the same name: the project asked for them)."""
    out = dict(registered_assists())
    if settings.backend_url:
        for a in backend_assists(settings.backend_url, list(settings.backend_assists),
                                 allow_private=allow_private):
            out[a.name] = a
    return out


def settings_check(allow_private: bool) -> Callable[[AssistSettings], None]:
    """Refuses settings naming assists that do not exist, or a backend the server may not call."""

    def check(settings: AssistSettings) -> None:
        if settings.backend_url:
            check_url(settings.backend_url, allow_private, field="backend_url")
        known = project_assists(settings, allow_private)
        for i, name in enumerate(settings.enabled or ()):
            if name not in known:
                raise ValidationFailed(f"enabled[{i}]: no assist {name!r}; known: {', '.join(sorted(known))}",
                                       field=f"enabled[{i}]")

    return check


def resolver(allow_private: bool) -> Callable[[AssistSettings], dict[str, Assist]]:
    """What services call to turn a project's settings into its assists."""
    return lambda settings: project_assists(settings, allow_private)
