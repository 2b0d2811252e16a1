"""Batch pre-labeling: one assist over every item nobody has labeled yet (the CLI's ``prelabel``
and the ``prelabel`` job both come here). The regions become the items' ``lw-pre-annotations``,
which the editors load as ``initial-value``: editable objects marked ``source: "model"``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..core.actor import Actor
from ..core.errors import ValidationFailed
from ..db.engine import Database
from ..services import assist as assist_service
from .registry import project_assists

__all__ = ["run_prelabel"]


def run_prelabel(db: Database, actor: Actor, project_id: int, name: str, params: Mapping[str, Any], *,
                 roots: list[Path], allow_private: bool, label: str | None = None,
                 progress: Callable[[int, int], None] | None = None) -> assist_service.PrelabelReport:
    """Any registered assist or one of the project's backend assists, whether or not the project
    enables it for workers (a manager may pre-label with a model workers do not see)."""
    settings = assist_service.get_settings(db, actor, project_id)
    assists = project_assists(settings, allow_private)
    if name not in assists:
        raise ValidationFailed(f"no assist {name!r}; known: {', '.join(sorted(assists))}", field="assist")
    return assist_service.prelabel(db, actor, project_id, assists[name], params, roots, label=label,
                                   progress=progress)
