"""Hook specifications. Every hook has a one-line docstring (a test fails when one lacks it)."""

from __future__ import annotations

import pluggy

from ..core.tasktypes.base import TaskType

__all__ = ["hookspec", "hookimpl", "PROJECT_NAME", "register_task_types"]

PROJECT_NAME = "labelworks"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_task_types() -> list[TaskType]:  # type: ignore[empty-body]
    """Return the task types this plugin provides (each with a unique kebab-case name)."""
