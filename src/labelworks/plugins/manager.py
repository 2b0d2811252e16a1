"""Builds the plugin manager and the registries read from it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pluggy

from ..core.consolidation.base import Consolidator
from ..core.errors import ValidationFailed
from ..core.tasktypes.base import TaskType
from . import hookspecs

__all__ = ["Registry", "get_registry", "build_plugin_manager"]


def build_plugin_manager(load_entry_points: bool = True) -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    from . import builtin

    pm.register(builtin, name="builtin")
    if load_entry_points:
        pm.load_setuptools_entrypoints(hookspecs.PROJECT_NAME)
    return pm


@dataclass(frozen=True)
class Registry:
    task_types: dict[str, TaskType]
    consolidators: dict[str, Consolidator]

    def task_type(self, name: str) -> TaskType:
        try:
            return self.task_types[name]
        except KeyError:
            known = ", ".join(sorted(self.task_types))
            raise ValidationFailed(f"unknown task type {name!r}; known: {known}", field="task_type") from None

    def consolidator(self, name: str) -> Consolidator:
        try:
            return self.consolidators[name]
        except KeyError:
            known = ", ".join(sorted(self.consolidators))
            raise ValidationFailed(f"unknown consolidation method {name!r}; known: {known}",
                                   field="consolidation_method") from None

    def consolidators_for(self, value_kind: str) -> list[Consolidator]:
        """The registered algorithms that read this shape of value, by name."""
        return sorted((c for c in self.consolidators.values() if value_kind in c.value_kinds),
                      key=lambda c: c.name)


def registry_from(pm: pluggy.PluginManager) -> Registry:
    task_types: dict[str, TaskType] = {}
    for batch in pm.hook.register_task_types():
        for tt in batch:
            if tt.name in task_types:
                raise RuntimeError(f"two plugins register the task type {tt.name!r}")
            task_types[tt.name] = tt
    consolidators: dict[str, Consolidator] = {}
    for batch in pm.hook.register_consolidators():
        for c in batch:
            if c.name in consolidators:
                raise RuntimeError(f"two plugins register the consolidator {c.name!r}")
            consolidators[c.name] = c
    return Registry(task_types=task_types, consolidators=consolidators)


@lru_cache(maxsize=1)
def get_registry() -> Registry:
    """The process-wide registry, built on first use (never at import time)."""
    return registry_from(build_plugin_manager())
