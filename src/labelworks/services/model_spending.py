"""Spending control for model connections: which roles may generate with a connection, and its token
budgets (per user per UTC day, per project per UTC calendar month), counted from the stored
generations. ``model_connections.connection_for_call`` asks :func:`check_spend` before every call,
so the labeling page, red teaming, the Test button and batch generation are all held to it.

Counted: ``prompt_tokens + completion_tokens`` of a connection's generations in the window. A call
that failed before any reply arrived (an error and no completion tokens) is not counted: nothing was
spent at the provider. Calls already in flight are counted when they are stored, so several callers
at once can overshoot a budget by their own calls; the next call after that is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from ..authz import allowed, authorize
from ..core.actor import Actor
from ..core.enums import Role
from ..core.errors import NotFound, PermissionDenied, RateLimited, ValidationFailed
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import Generation, ModelConnection, User
from .projects import load_visible

__all__ = ["Clock", "ROLES", "MAX_BUDGET", "SpendRules", "parse_roles", "parse_budget", "stored_roles",
           "day_window", "month_window", "tokens_spent", "check_spend", "usage_report"]

Clock = Callable[[], datetime]  # naive UTC, like every stored timestamp
ROLES = tuple(r.value for r in Role)  # owner … annotator, the order the pages show them in
MAX_BUDGET = 10**12
_TOP_USERS = 5


@dataclass(frozen=True)
class SpendRules:
    connection_id: int
    name: str
    generate_roles: tuple[str, ...] | None  # None: every role with project access
    user_daily_tokens: int | None
    project_monthly_tokens: int | None


def parse_roles(value: object, field: str = "generate_roles") -> str | None:
    """A list of role names (``null``: every role) → the stored comma-separated form."""
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not value:
        raise ValidationFailed(f"{field}: a non-empty list of roles ({', '.join(ROLES)}), or null for every role",
                               field=field)
    for role in value:
        if role not in ROLES:
            raise ValidationFailed(f"{field}: {role!r} is not a role; roles: {', '.join(ROLES)}", field=field)
    return ",".join(r for r in ROLES if r in value)


def stored_roles(stored: str | None) -> tuple[str, ...] | None:
    return tuple(stored.split(",")) if stored else None


def parse_budget(value: object, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_BUDGET:
        raise ValidationFailed(f"{field}: a whole number of tokens from 1 to {MAX_BUDGET:,}, or empty for no budget",
                               field=field)
    return value


def day_window(now: datetime) -> tuple[datetime, datetime]:
    """The UTC day ``now`` falls in: its start and the moment it resets."""
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def month_window(now: datetime) -> tuple[datetime, datetime]:
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return start, (start + timedelta(days=32)).replace(day=1)


def _tokens() -> ColumnElement[Any]:
    return func.coalesce(func.sum(func.coalesce(Generation.prompt_tokens, 0)
                                  + func.coalesce(Generation.completion_tokens, 0)), 0)


def _counted(connection_id: int, since: datetime, until: datetime) -> ColumnElement[bool]:
    # a failed call is stored with finish_reason "error" (never otherwise): reading that rather than
    # ``error`` keeps the sum inside the covering indexes ix_generations_spend(_user)
    return and_(Generation.connection_id == connection_id, Generation.created_at >= since,
                Generation.created_at < until,
                or_(Generation.finish_reason.is_(None), Generation.finish_reason != "error",
                    Generation.completion_tokens > 0))


def tokens_spent(s: Session, connection_id: int, since: datetime, until: datetime,
                 user_id: int | None = None) -> int:
    q = select(_tokens()).where(_counted(connection_id, since, until))
    if user_id is not None:
        q = q.where(Generation.user_id == user_id)
    return int(s.scalar(q) or 0)


def _when(reset: datetime, now: datetime) -> str:
    left = max(0, int((reset - now).total_seconds()))
    hours, minutes = divmod(left // 60, 60)
    span = f"{hours // 24} d {hours % 24} h" if hours >= 24 else f"{hours} h {minutes} min" if hours else \
        f"{max(minutes, 1)} min"
    return f"it resets at {reset:%Y-%m-%d %H:%M} UTC (in {span})"


def _refuse(rules: SpendRules, budget: str, what: str, limit: int, used: int, reset: datetime,
            now: datetime) -> RateLimited:
    return RateLimited(f"{rules.name}: {what} of {limit:,} tokens is used up ({used:,} spent); {_when(reset, now)}",
                       field=budget,
                       details=[{"connection": rules.name, "budget": budget, "limit": limit, "used": used,
                                 "resets_at": reset.isoformat() + "Z",
                                 "retry_after_s": max(1, int((reset - now).total_seconds()))}])


def check_spend(s: Session, actor: Actor, rules: SpendRules, now: datetime) -> None:
    """Refuses a call the connection's rules forbid: a role it does not allow (403), a budget used up
    (429, naming the connection, the budget and when it resets). The project's month first: when
    both are used up, that one lasts longer."""
    if rules.generate_roles is not None and actor.role.value not in rules.generate_roles:
        raise PermissionDenied(f"{rules.name}: only {', '.join(rules.generate_roles)} may generate with this model "
                               f"(you are {actor.role.value})", field="generate_roles")
    if rules.project_monthly_tokens is not None:
        start, reset = month_window(now)
        used = tokens_spent(s, rules.connection_id, start, reset)
        if used >= rules.project_monthly_tokens:
            raise _refuse(rules, "project_monthly_tokens", "the project's monthly budget",
                          rules.project_monthly_tokens, used, reset, now)
    if rules.user_daily_tokens is not None:
        start, reset = day_window(now)
        used = tokens_spent(s, rules.connection_id, start, reset, actor.user_id)
        if used >= rules.user_daily_tokens:
            raise _refuse(rules, "user_daily_tokens", "your daily budget", rules.user_daily_tokens, used, reset, now)


# ---------------------------------------------------------------------------- usage


def _per_user(s: Session, connection_id: int, since: datetime, until: datetime,
              user_ids: Iterable[int | None] | None = None, limit: int | None = None) -> list[tuple[int | None, int]]:
    total = _tokens().label("tokens")
    q = (select(Generation.user_id, total).where(_counted(connection_id, since, until))
         .group_by(Generation.user_id).order_by(total.desc(), Generation.user_id))
    if user_ids is not None:
        q = q.where(Generation.user_id.in_([u for u in user_ids if u is not None]))
    if limit is not None:
        q = q.limit(limit)
    return [(uid, int(tokens)) for uid, tokens in s.execute(q).all()]


def _connection_usage(s: Session, actor: Actor, row: ModelConnection, now: datetime,
                      top: list[tuple[int | None, int]] | None,
                      people: Mapping[int, tuple[str, str]]) -> dict[str, Any]:
    day, day_reset = day_window(now)
    month, month_reset = month_window(now)
    mine_today = tokens_spent(s, row.id, day, day_reset, actor.user_id)
    report: dict[str, Any] = {
        "connection_id": row.id, "name": row.name,
        "user_daily_tokens": row.user_daily_tokens, "project_monthly_tokens": row.project_monthly_tokens,
        "today": {"start": day, "resets_at": day_reset, "tokens": tokens_spent(s, row.id, day, day_reset)},
        "month": {"start": month, "resets_at": month_reset, "tokens": tokens_spent(s, row.id, month, month_reset)},
        "you": {"tokens_today": mine_today,
                "remaining_today": None if row.user_daily_tokens is None
                else max(0, row.user_daily_tokens - mine_today)},
    }
    if top is not None:  # managers: who spent most this month, with their day beside it
        today = dict(_per_user(s, row.id, day, day_reset, user_ids=[u for u, _ in top]))
        report["top_users"] = [{"user_id": uid, "email": people.get(uid, ("", ""))[0] if uid else None,
                                "name": people.get(uid, ("", ""))[1] if uid else "deleted user",
                                "tokens_month": tokens, "tokens_today": today.get(uid, 0)} for uid, tokens in top]
    return report


def usage_report(db: Database, actor: Actor, project_id: int, connection_ids: Sequence[int] | None = None,
                 now: datetime | None = None) -> list[dict[str, Any]]:
    """Tokens today and this month per connection, and the caller's own day. Managers also get the
    top users (``top_users``); other roles see only the totals and themselves."""
    authorize(actor, "model.generate")
    now = now or utcnow()
    with db.read() as s:
        load_visible(s, actor, project_id)
        q = select(ModelConnection).where(ModelConnection.project_id == project_id).order_by(ModelConnection.id)
        if connection_ids is not None:
            q = q.where(ModelConnection.id.in_(list(connection_ids)))
        rows = list(s.scalars(q))
        if connection_ids is not None and len(rows) != len(set(connection_ids)):
            missing = sorted(set(connection_ids) - {r.id for r in rows})
            raise NotFound(f"no model connection {missing[0]} in project {project_id}")
        tops: dict[int, list[tuple[int | None, int]]] = {}
        if allowed(actor, "model.manage"):
            tops = {r.id: _per_user(s, r.id, *month_window(now), limit=_TOP_USERS) for r in rows}
        ids = {uid for top in tops.values() for uid, _ in top if uid is not None}
        people = {u.id: (u.email, u.name) for u in s.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
        return [_connection_usage(s, actor, r, now, tops.get(r.id), people) for r in rows]
