"""Quality: gold items, worker quality, qualification, flags, routing and validation rules.

(Being built for issue 3; the two entry points below are called by ``submission_hooks``.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .hotpath import ProjectRow

__all__ = ["check_submission", "record_submission"]


def check_submission(s: Session, p: ProjectRow, item_id: int, user_id: int, canonical: dict[str, Any],
                     active_ms: int | None) -> None:
    """Refuse a submission that breaks one of the project's machine validation rules."""


def record_submission(s: Session, p: ProjectRow, item_id: int, user_id: int, annotation_id: int,
                      canonical: dict[str, Any], active_ms: int | None) -> None:
    """Score a gold item's answer, update the worker's flags and qualification."""
