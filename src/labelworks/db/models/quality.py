"""Quality: a project's quality settings, gold items, paused workers and the managers' notifications.

The per-item routing target lives on ``items.wanted`` (added by migration 0003): the next-task
query reads it in the same row it already locks.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, utcnow


class ProjectQuality(Base):
    """One row per project that changed a default (no row: every default applies)."""

    __tablename__ = "project_quality"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    gold_rate: Mapped[float] = mapped_column(Float, default=0.0)  # share of next-task answers that are gold
    gold_key: Mapped[str] = mapped_column(String(120), default="gold")  # the import key holding a gold answer
    min_gold_answers: Mapped[int] = mapped_column(Integer, default=0)  # 0: no qualification
    min_gold_accuracy: Mapped[float] = mapped_column(Float, default=0.0)
    min_seconds: Mapped[float] = mapped_column(Float, default=0.0)  # answers faster than this are flagged
    one_label_min_answers: Mapped[int] = mapped_column(Integer, default=10)
    one_label_share: Mapped[float] = mapped_column(Float, default=0.95)
    routing: Mapped[bool] = mapped_column(Boolean, default=False)
    initial_workers: Mapped[int] = mapped_column(Integer, default=1)
    max_workers: Mapped[int] = mapped_column(Integer, default=3)
    confidence_threshold: Mapped[float] = mapped_column(Float, default=0.7)
    rules: Mapped[str] = mapped_column(Text, default="[]")  # machine validation rules (JSON list)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class GoldItem(Base):
    """An item with its known answer (canonical value). The item's own data never holds it."""

    __tablename__ = "gold_items"
    __table_args__ = (Index("ix_gold_items_project", "project_id", "item_id"),)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(Text)  # canonical JSON, as the task type normalizes it
    source: Mapped[str] = mapped_column(String(16))  # import | manual | consolidated
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class WorkerPause(Base):
    """A worker paused from a project by qualification; a manager's resume keeps the row (history)."""

    __tablename__ = "worker_pauses"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=True)
    reason: Mapped[str] = mapped_column(Text)
    paused_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # after a resume only gold answers submitted later count toward the next qualification check
    resumed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    resumed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


class QualityNotification(Base):
    """What the project's managers are told (a worker paused, resumed)."""

    __tablename__ = "quality_notifications"
    __table_args__ = (Index("ix_quality_notifications_project", "project_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=True)
    kind: Mapped[str] = mapped_column(String(32))  # paused | resumed
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
