"""Consolidation: the project's answer per item, stored with its algorithm and parameters."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .hotpath import ProjectRow

__all__ = ["refresh_item"]


def refresh_item(s: Session, p: ProjectRow, item_id: int) -> None:
    """Recompute one item's consolidated answer after a submission (incremental)."""
