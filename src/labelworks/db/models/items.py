"""Items: one data object each (a manifest line, kept verbatim)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, utcnow


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("project_id", "key"),
        # next-task scans open items of a project by priority, then age
        Index("ix_items_next", "project_id", "is_open", text("priority DESC"), "id"),
        Index("ix_items_done", "project_id", "done", "id"),
        # progress counts read the index alone (wanted: adaptive routing's per-item target)
        Index("ix_items_state", "project_id", "done", "taken", "wanted"),
        Index("ix_items_order", "project_id", "id"),  # exports and the item table page by id
        Index("ix_items_last", "project_id", "last_annotated_at"),  # the item table's "recent" sort
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))  # stable: importing the same line twice finds it
    data: Mapped[str] = mapped_column(Text)  # the JSON object as imported
    priority: Mapped[int] = mapped_column(Integer, default=0)  # higher first; ties by import order
    taken: Mapped[int] = mapped_column(Integer, default=0)  # active leases + submitted annotations
    done: Mapped[int] = mapped_column(Integer, default=0)  # distinct annotators who submitted
    is_open: Mapped[int] = mapped_column(SmallInteger, default=1)  # 1 while taken < workers_per_item
    wanted: Mapped[int | None] = mapped_column(Integer, nullable=True)  # routing's per-item target (0003)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_annotated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
