"""Manager pages (login, projects, import, progress, items, export, team), one router."""

from __future__ import annotations

from fastapi import APIRouter

from . import pages_auth, pages_data, pages_projects, pages_team

router = APIRouter(include_in_schema=False)
for module in (pages_auth, pages_projects, pages_data, pages_team):
    router.include_router(module.router)
