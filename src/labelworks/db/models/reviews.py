"""Review stages: a project's review settings, review tasks (leases and decisions), feedback, history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, utcnow


class ProjectReview(Base):
    """Whether, and which, labeled items of a project go to review. No row: review is off."""

    __tablename__ = "project_reviews"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(20), default="none")  # none | all | percent | below_confidence
    percent: Mapped[float | None] = mapped_column(Float, nullable=True)  # mode percent: share sampled, 0-100
    threshold: Mapped[float | None] = mapped_column(Float, nullable=True)  # mode below_confidence
    time_limit_s: Mapped[int] = mapped_column(Integer, default=900)  # a reviewer's lease on one item
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    swept_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # last backfill of the queue
    swept_workers: Mapped[int | None] = mapped_column(Integer, nullable=True)  # workers per item at that time


class ReviewTask(Base):
    """One review round of one item: queued, leased to a reviewer, then decided.

    Round 1 starts when labeling completes; a rejection whose feedback has all been reworked starts
    the next round. The row is the lease (conditional UPDATE on status and expiry), as assignments are.
    """

    __tablename__ = "review_tasks"
    __table_args__ = (
        UniqueConstraint("item_id", "round", name="uq_review_tasks_item_round"),
        Index("ix_review_tasks_queue", "project_id", "status", "id"),  # the next pending task, FIFO
        Index("ix_review_tasks_item", "project_id", "item_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16))  # pending | leased | approved | rejected | adjusted
    reason: Mapped[str] = mapped_column(String(200), default="")  # why it was sampled, in words
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)  # consolidated, when sampled
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    leased_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    adjusted_annotation_id: Mapped[int | None] = mapped_column(ForeignKey("annotations.id", ondelete="SET NULL"),
                                                               nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ReviewFeedback(Base):
    """A reviewer's rejection of one annotation, addressed to its author until they rework it."""

    __tablename__ = "review_feedback"
    __table_args__ = (
        Index("ix_review_feedback_annotator", "project_id", "annotator_id", "resolved_at"),
        Index("ix_review_feedback_annotation", "annotation_id"),
        Index("ix_review_feedback_task", "task_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("review_tasks.id", ondelete="CASCADE"))
    annotation_id: Mapped[int] = mapped_column(ForeignKey("annotations.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # the annotator's revision that answered it
    resolved_by_annotation_id: Mapped[int | None] = mapped_column(ForeignKey("annotations.id", ondelete="SET NULL"),
                                                                  nullable=True)


class ItemStage(Base):
    """One stage change of one item (sampled, in_review, approved, rejected, adjusted, reworked…)."""

    __tablename__ = "item_stages"
    __table_args__ = (Index("ix_item_stages_item", "project_id", "item_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    stage: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
