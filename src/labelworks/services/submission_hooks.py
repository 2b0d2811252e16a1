"""What runs around every stored submission, inside the submitting transaction.

One place the annotation service calls, so that the quality rules, gold scoring and the
incremental consolidation each stay in their own module:

* :func:`before_store` may refuse the submission (machine validation rules, a drafted chat reply
  naming a generation this project's model did not make) before anything is written; it raises ``ValidationFailed`` naming the field. It returns the :class:`HookContext`
  that :func:`after_store` takes.
* :func:`after_store` runs after the annotation row exists: gold scoring and worker flags
  (quality), then the item's consolidated answer (consolidation), which may route the item to
  more workers and queue it for review. It runs in the same transaction, so a failure leaves
  nothing half-written.

Every submission needs the project's consolidation method, validation rules, routing and review
settings and whether the item is gold: :class:`HookContext` reads them in ONE prebuilt statement
(six primary-key reads before, about a third of what the hooks cost); the submit path reads them in
its own first statement (``hotpath.S.context``, the same ``HOOK_COLUMNS``) and passes them in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from . import consolidation, draft_generations, quality
from .hotpath import ProjectRow, S, Sql

__all__ = ["HookContext", "load_context", "context_from_row", "before_store", "after_store"]


@dataclass(frozen=True)
class HookContext:
    """The per-project settings and per-item facts the hooks read on every submission."""

    method: str | None  # the project's consolidation method (None: the task type's default)
    method_params: str | None  # its parameter overrides (JSON)
    rules: str | None  # validation rules (JSON), None when the project never set quality settings
    routing: tuple[bool, int, int, float] | None  # (on, initial workers, max workers, threshold)
    review: tuple[str, float | None, float | None] | None  # (mode, percent, threshold)
    gold: str | None  # the item's gold answer (JSON) if it is a gold item


def load_context(s: Session, project_id: int, item_id: int) -> HookContext:
    return context_from_row(Sql(s).first(S.hooks, {"pid": project_id, "iid": item_id}))


def context_from_row(row: Sequence[Any] | None) -> HookContext:
    """The context from the ``HOOK_COLUMNS`` of a row (None: no project)."""
    if row is None:  # the project was deleted meanwhile: the insert will fail on its own
        return HookContext(None, None, None, None, None, None)
    (method, params, rules, routing, initial, maximum, threshold, mode, percent, review_threshold, gold) = row
    return HookContext(
        method, params, rules,
        (bool(routing), int(initial), int(maximum), float(threshold)) if routing is not None else None,
        (str(mode), percent, review_threshold) if mode is not None else None,
        gold)


def before_store(s: Session, p: ProjectRow, item_id: int, user_id: int, canonical: dict[str, Any],
                 active_ms: int | None, raw: Any = None, ctx: HookContext | None = None) -> HookContext:
    """``raw``: the value as submitted, to name fields as the task type did (``value.chat…``);
    ``ctx``: the context when the caller has read it already (submit)."""
    draft_generations.check_drafted_generations(s, p.id, canonical, raw)
    if ctx is None:
        ctx = load_context(s, p.id, item_id)
    quality.check_submission(s, p, item_id, user_id, canonical, active_ms, rules=ctx.rules)
    return ctx


def after_store(s: Session, p: ProjectRow, item_id: int, user_id: int, annotation_id: int,
                canonical: dict[str, Any], active_ms: int | None, ctx: HookContext | None = None) -> None:
    if ctx is None:
        ctx = load_context(s, p.id, item_id)
    quality.record_submission(s, p, item_id, user_id, annotation_id, canonical, active_ms,
                              is_gold=ctx.gold is not None)
    consolidation.refresh_item(s, p, item_id, ctx)
