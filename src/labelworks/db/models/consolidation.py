"""Consolidated answers, one per item, and the runs that produced them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, utcnow


class Consolidation(Base):
    """The project's current answer for one item (replaced as annotations arrive)."""

    __tablename__ = "consolidations"
    __table_args__ = (
        Index("ix_consolidations_confidence", "project_id", "confidence"),  # "items below a confidence"
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(Text)  # canonical value (JSON)
    confidence: Mapped[float] = mapped_column(Float)
    confidence_map: Mapped[str] = mapped_column(Text, default="{}")
    object_confidence: Mapped[str] = mapped_column(Text, default="[]")
    votes: Mapped[int] = mapped_column(Integer, default=0)
    method: Mapped[str] = mapped_column(String(80))  # the algorithm, or "gold" / "review"
    run_id: Mapped[int | None] = mapped_column(ForeignKey("consolidation_runs.id", ondelete="SET NULL"),
                                               nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ConsolidationRun(Base):
    """One run of an algorithm over a project: its parameters and fitted state (for updates)."""

    __tablename__ = "consolidation_runs"
    __table_args__ = (Index("ix_consolidation_runs_project", "project_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(80))
    params: Mapped[str] = mapped_column(Text, default="{}")
    state: Mapped[str] = mapped_column(Text, default="{}")  # JSON: what update() needs (prior, confusions…)
    worker_quality: Mapped[str] = mapped_column(Text, default="{}")  # user id -> estimated accuracy
    iterations: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[int] = mapped_column(Integer, default=0)
    answers: Mapped[int] = mapped_column(Integer, default=0)  # annotations seen: the next refit compares
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
