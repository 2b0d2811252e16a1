"""Annotations: append-only. Every submit and every edit is a new row; nothing is overwritten."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, utcnow


class Annotation(Base):
    __tablename__ = "annotations"
    __table_args__ = (
        UniqueConstraint("user_id", "client_submission_id"),  # a retried submit stores one row
        # two concurrent edits of one version cannot both become the next version
        UniqueConstraint("item_id", "user_id", "version", name="uq_annotations_item_user_version"),
        Index("ix_annotations_item", "project_id", "item_id", "id"),
        Index("ix_annotations_user", "project_id", "user_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="SET NULL"), nullable=True)
    value: Mapped[str] = mapped_column(Text)  # canonical value (JSON)
    raw: Mapped[str | None] = mapped_column(Text, nullable=True)  # the form output as submitted
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("annotations.id"), nullable=True)
    client_submission_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    active_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source: Mapped[str] = mapped_column(String(16), default="human")
    leased_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
