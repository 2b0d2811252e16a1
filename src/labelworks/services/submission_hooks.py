"""What runs around every stored submission, inside the submitting transaction.

One place the annotation service calls, so that the quality rules, gold scoring and the
incremental consolidation each stay in their own module:

* :func:`before_store` may refuse the submission (machine validation rules) before anything is
  written; it raises ``ValidationFailed`` naming the field.
* :func:`after_store` runs after the annotation row exists: gold scoring and worker flags
  (quality), then the item's consolidated answer (consolidation), which may route the item to
  more workers. It runs in the same transaction, so a failure leaves nothing half-written.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from . import consolidation, quality
from .hotpath import ProjectRow

__all__ = ["before_store", "after_store"]


def before_store(s: Session, p: ProjectRow, item_id: int, user_id: int, canonical: dict[str, Any],
                 active_ms: int | None) -> None:
    quality.check_submission(s, p, item_id, user_id, canonical, active_ms)


def after_store(s: Session, p: ProjectRow, item_id: int, user_id: int, annotation_id: int,
                canonical: dict[str, Any], active_ms: int | None) -> None:
    quality.record_submission(s, p, item_id, user_id, annotation_id, canonical, active_ms)
    consolidation.refresh_item(s, p, item_id)
