"""Wire models for model connections and generations."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class GenerationParamsWire(BaseModel):
    model_config = ConfigDict(extra="forbid")
    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    system_prompt: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


class ModelConnectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    kind: Literal["openai", "python"]
    base_url: str | None = None
    model: str
    api_key: str | None = Field(None, description="Write-only: stored encrypted, never returned.")
    params: GenerationParamsWire = Field(default_factory=GenerationParamsWire)
    concurrency: int = 4
    timeout_s: float = 60.0
    max_retries: int = 3
    generate_roles: list[str] | None = Field(None, description="Roles that may generate with it; null: every role "
                                                                "with access to the project.")
    user_daily_tokens: int | None = Field(None, description="Token budget per user per UTC day; null: none.")
    project_monthly_tokens: int | None = Field(None, description="Token budget of the project per UTC calendar "
                                                                 "month; null: none.")


class ModelConnectionUpdate(BaseModel):
    """Fields left out keep their value; ``api_key: null`` or ``""`` removes the key."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    kind: Literal["openai", "python"] | None = None
    base_url: str | None = None
    model: str | None = None
    api_key: str | None = None
    params: GenerationParamsWire | None = None
    concurrency: int | None = None
    timeout_s: float | None = None
    max_retries: int | None = None
    generate_roles: list[str] | None = None  # null: every role again
    user_daily_tokens: int | None = None  # null: no budget
    project_monthly_tokens: int | None = None


class ModelConnectionPublic(BaseModel):
    id: int
    project_id: int
    name: str
    kind: str
    base_url: str | None
    model: str
    api_key: Literal["set", "not set"]
    params: GenerationParamsWire
    concurrency: int
    timeout_s: float
    max_retries: int
    generate_roles: list[str] | None
    user_daily_tokens: int | None
    project_monthly_tokens: int | None
    created_at: datetime
    updated_at: datetime
    # the caller's own standing, in the list: whether they may generate with it now, and why not
    may_generate: bool = True
    generate_refusal: str | None = None


class GenerateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    messages: list[dict[str, Any]]
    params: GenerationParamsWire | None = None
    item_id: int | None = None


class GenerationPublic(BaseModel):
    id: int
    project_id: int
    connection_id: int | None
    model_name: str
    item_id: int | None
    user_id: int | None
    source: str
    messages: list[dict[str, str]]
    params: dict[str, Any]
    response_text: str
    finish_reason: str | None
    latency_ms: int | None
    first_token_ms: int | None
    prompt_tokens: int | None
    completion_tokens: int | None
    tokens_counted: bool
    attempts: int
    error: str | None
    created_at: datetime


class BatchGenerateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    connections: list[int]
    overwrite: bool = False
