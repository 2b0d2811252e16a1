"""Assignments: an annotator's lease on an item. One row per (item, annotator), ever."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, utcnow


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (
        # the database itself refuses to give one item twice to one annotator
        UniqueConstraint("item_id", "user_id"),
        Index("ix_assignments_user", "project_id", "user_id", "status"),
        Index("ix_assignments_expiry", "project_id", "status", "expires_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    leased_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    draft: Mapped[str | None] = mapped_column(Text, nullable=True)
