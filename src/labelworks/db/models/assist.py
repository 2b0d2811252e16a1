"""Assist settings: per project, which assists are on and which HTTP model backend it uses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, utcnow


class ProjectAssist(Base):
    """One row per project that changed a default (no row: the assists fitting its task type, no backend)."""

    __tablename__ = "project_assist"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    enabled: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON list of names; None: by task type
    backend_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    backend_assists: Mapped[str] = mapped_column(Text, default="[]")  # JSON [{name, title, kinds, needs}]
    # JSON {assist name: {option: value}}, e.g. {"spacy-ner": {"label_map": {"ORG": "company"}}} (0007)
    options: Mapped[str] = mapped_column(Text, default="{}")
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
