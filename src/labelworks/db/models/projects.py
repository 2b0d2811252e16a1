"""Labeling projects and the teams they are given to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, utcnow


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    task_type: Mapped[str] = mapped_column(String(80))
    label_config: Mapped[str] = mapped_column(Text)  # the label-category JSON, verbatim
    multi_label: Mapped[bool] = mapped_column(Boolean, default=False)
    label_attribute: Mapped[str] = mapped_column(String(120))
    template: Mapped[str | None] = mapped_column(Text, nullable=True)  # None: the task type's default
    short_instructions: Mapped[str] = mapped_column(Text, default="")
    full_instructions: Mapped[str] = mapped_column(Text, default="")
    examples: Mapped[str] = mapped_column(Text, default="[]")  # [{"kind": "good"|"bad", "text", "explanation"}]
    workers_per_item: Mapped[int] = mapped_column(Integer, default=1)
    task_time_limit_s: Mapped[int] = mapped_column(Integer, default=300)
    task_lifetime_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # None: the task type's default consolidator; params are that algorithm's overrides (JSON)
    consolidation_method: Mapped[str | None] = mapped_column(String(80), nullable=True)
    consolidation_params: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ProjectTeam(Base):
    __tablename__ = "project_teams"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, index=True)
