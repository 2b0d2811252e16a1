"""Whether the caller may generate with each of a project's model connections right now, and why
not — so the labeling page can disable "Draft with model" with the reason instead of letting the
worker press it and get a 403 or 429.

The answer is :func:`model_spending.check_spend`'s own, asked ahead of time: a role the connection
leaves out (``generate_roles``), or a token budget used up (the user's day, the project's month),
in the words the generate call would refuse with. Cheap: no query for a connection without
budgets, one or two index-only sums for one with them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..authz import authorize
from ..core.actor import Actor
from ..core.errors import PermissionDenied, RateLimited
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import ModelConnection
from .model_spending import SpendRules, check_spend, stored_roles
from .projects import load_visible

__all__ = ["generate_refusals"]


def generate_refusals(db: Database, actor: Actor, project_id: int,
                      now: datetime | None = None) -> dict[int, str | None]:
    """Per connection id: None when ``actor`` may generate with it now, else the refusal's message."""
    authorize(actor, "model.generate")
    now = now or utcnow()
    out: dict[int, str | None] = {}
    with db.read() as s:
        load_visible(s, actor, project_id)
        for row in s.scalars(select(ModelConnection).where(ModelConnection.project_id == project_id)):
            rules = SpendRules(row.id, row.name, stored_roles(row.generate_roles), row.user_daily_tokens,
                               row.project_monthly_tokens)
            try:
                check_spend(s, actor, rules, now)
                out[row.id] = None
            except (PermissionDenied, RateLimited) as refused:
                out[row.id] = refused.message
    return out
