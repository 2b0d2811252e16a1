"""All v1 routers under /api/v1."""

from __future__ import annotations

from fastapi import FastAPI

from . import evaluation
from . import (assist, auth, chaining, consolidation, exports, items, jobs, model_connections, projects, quality, redteam,
               reviews, tasks, text_assist, users)

__all__ = ["include_v1"]

PREFIX = "/api/v1"


def include_v1(app: FastAPI) -> None:
    """Mounted one by one, the labeling routes first: they take most of the traffic."""
    for module in (tasks, projects, items, exports, jobs, auth, users, quality, reviews, consolidation, assist, chaining,
                   text_assist, model_connections, redteam):
        app.include_router(module.router, prefix=PREFIX)
    app.include_router(evaluation.router, prefix=PREFIX)  # the model-evaluation report
