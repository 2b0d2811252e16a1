"""Model connections (the chat models a project names) and the generations they produced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, utcnow


class ModelConnection(Base):
    """One model a project can call: an OpenAI-compatible endpoint or an in-process plugin model."""

    __tablename__ = "model_connections"
    __table_args__ = (UniqueConstraint("project_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))  # the project's name for it: "gpt-small", "model-a"
    kind: Mapped[str] = mapped_column(String(20))  # "openai" | "python"
    base_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)  # openai: …/v1
    model: Mapped[str] = mapped_column(String(200))  # the endpoint's model id, or the plugin model's name
    api_key_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)  # core.secret_box token, never plain
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON GenerationParams
    concurrency: Mapped[int] = mapped_column(Integer, default=4)  # requests in flight at once, per server process
    timeout_s: Mapped[float] = mapped_column(Float, default=60.0)
    max_retries: Mapped[int] = mapped_column(Integer, default=3)
    # spending control: the roles that may generate ("manager,reviewer"; NULL: every role with project
    # access) and token budgets (NULL: none), counted from the generations below
    generate_roles: Mapped[str | None] = mapped_column(String(200), nullable=True)
    user_daily_tokens: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    project_monthly_tokens: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Generation(Base):
    """One call to a model, kept whatever happened (an error is a row too)."""

    __tablename__ = "generations"
    __table_args__ = (Index("ix_generations_project", "project_id", "id"),
                      Index("ix_generations_item", "item_id"),
                      # the spending check sums tokens from these alone (model_spending): the project's
                      # window, and one user's
                      Index("ix_generations_spend", "connection_id", "created_at", "user_id", "finish_reason",
                            "prompt_tokens", "completion_tokens"),
                      Index("ix_generations_spend_user", "connection_id", "user_id", "created_at", "finish_reason",
                            "prompt_tokens", "completion_tokens"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    # the connection may be deleted later: its name stays here so the record still says who answered
    connection_id: Mapped[int | None] = mapped_column(ForeignKey("model_connections.id", ondelete="SET NULL"),
                                                      nullable=True)
    model_name: Mapped[str] = mapped_column(String(80))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    source: Mapped[str] = mapped_column(String(20), default="api")  # api | test | batch
    messages: Mapped[str] = mapped_column(Text)  # JSON [{role, content}] as sent (system prompt included)
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON GenerationParams as sent
    response_text: Mapped[str] = mapped_column(Text, default="")
    finish_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    latency_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    first_token_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    prompt_tokens: Mapped[int | None] = mapped_column(Integer, nullable=True)
    completion_tokens: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tokens_counted: Mapped[int] = mapped_column(Integer, default=0)  # 1: estimated here, the model gave no usage
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
