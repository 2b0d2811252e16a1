"""All v1 routers under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from . import auth, exports, items, jobs, projects, tasks, users

__all__ = ["api_v1"]

api_v1 = APIRouter(prefix="/api/v1")
for module in (auth, users, projects, items, tasks, exports, jobs):
    api_v1.include_router(module.router)
