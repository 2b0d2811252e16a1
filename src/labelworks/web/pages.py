"""Manager pages (login, projects, import, progress, items, export, team) as one router.

Server-rendered Jinja2 with htmx 2 (``static/vendor/htmx.min.js``) for the partial updates; each
module holds one area, ``pages_common`` what they share. docs/pages.md describes every page.
"""

from __future__ import annotations

from fastapi import APIRouter

from . import pages_evaluation
from . import pages_assist, pages_auth, pages_chaining, pages_consensus, pages_import, pages_items, pages_models, pages_projects, pages_quality, pages_redteam, pages_review, pages_team

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
for _module in (pages_auth, pages_projects, pages_import, pages_items, pages_team, pages_quality, pages_review, pages_consensus, pages_chaining, pages_assist, pages_models, pages_redteam):
    router.include_router(_module.router)
router.include_router(pages_evaluation.router)  # a model-evaluation project's report
