"""Hook specifications. Every hook has a one-line docstring (a test fails when one lacks it)."""

from __future__ import annotations

import pluggy

from ..core.assist import Assist
from ..core.chat import ChatModel
from ..core.consolidation.base import Consolidator
from ..core.tasktypes.base import TaskType

__all__ = ["hookspec", "hookimpl", "PROJECT_NAME", "register_task_types", "register_consolidators",
           "register_assists", "register_models"]

PROJECT_NAME = "labelworks"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_task_types() -> list[TaskType]:  # type: ignore[empty-body]
    """Return the task types this plugin provides (each with a unique kebab-case name)."""


@hookspec
def register_consolidators() -> list[Consolidator]:  # type: ignore[empty-body]
    """Return the consolidation algorithms this plugin provides (each with a unique name)."""


@hookspec
def register_assists() -> list[Assist]:  # type: ignore[empty-body]
    """Return the assists (model-assisted tools, core/assist.py) this plugin provides, each with a unique name."""


@hookspec
def register_models() -> list[ChatModel]:  # type: ignore[empty-body]
    """Return the in-process chat models (core/chat.py) this plugin provides, each with a unique name."""
