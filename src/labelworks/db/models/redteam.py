"""Red teaming: a project's taxonomy of harms and attacks, the testers' chat sessions with a target
model, their turns (saved one by one) and the labels on each model reply."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, utcnow


class RedteamTaxonomy(Base):
    """The project's harm categories and attack techniques (absent: the built-in default)."""

    __tablename__ = "redteam_taxonomies"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    harm_categories: Mapped[str] = mapped_column(Text)  # JSON [str]
    attack_techniques: Mapped[str] = mapped_column(Text)  # JSON [str]
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RedteamSession(Base):
    """One tester's conversation with one or more target models side by side, then its review by a
    second person. ``connection_id``/``model_name`` repeat the first model (slot 0) for older readers."""

    __tablename__ = "redteam_sessions"
    __table_args__ = (Index("ix_redteam_sessions_project", "project_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    tester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    # the connection may be deleted later: its name stays so the findings still say which model answered
    connection_id: Mapped[int | None] = mapped_column(ForeignKey("model_connections.id", ondelete="SET NULL"),
                                                      nullable=True)
    model_name: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | finished | reviewed
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    review_verdict: Mapped[str | None] = mapped_column(String(20), nullable=True)  # agree | disagree
    review_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class RedteamSessionModel(Base):
    """One of a session's target models, in its column (``slot`` 0, 1, …): every tester message goes to
    each of them; each reply is a turn of its own carrying the slot."""

    __tablename__ = "redteam_session_models"
    session_id: Mapped[int] = mapped_column(ForeignKey("redteam_sessions.id", ondelete="CASCADE"), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    # the connection may be deleted later: its name stays so the findings still say which model answered
    connection_id: Mapped[int | None] = mapped_column(ForeignKey("model_connections.id", ondelete="SET NULL"),
                                                      nullable=True)
    model_name: Mapped[str] = mapped_column(String(80))


class RedteamTurn(Base):
    """One message of a session; a model reply carries the tester's labels."""

    __tablename__ = "redteam_turns"
    __table_args__ = (UniqueConstraint("session_id", "position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("redteam_sessions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 0, 1, 2 … in conversation order
    role: Mapped[str] = mapped_column(String(20))  # user | assistant
    content: Mapped[str] = mapped_column(Text)
    model_name: Mapped[str | None] = mapped_column(String(80), nullable=True)  # assistant turns
    slot: Mapped[int | None] = mapped_column(Integer, nullable=True)  # assistant turns: the model's column
    # "streaming" while the reply is being written (saved as it arrives, the heartbeat kept fresh by the
    # process writing it); a stale heartbeat means that process died and the reply is asked again
    state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    generation_id: Mapped[int | None] = mapped_column(ForeignKey("generations.id", ondelete="SET NULL"),
                                                      nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)  # the call failed: what arrived is kept
    attack_technique: Mapped[str | None] = mapped_column(String(80), nullable=True)
    harm_category: Mapped[str | None] = mapped_column(String(80), nullable=True)
    severity: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 0 (none) … 4 (critical)
    model_failed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    labeled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
