"""Consolidation settings, runs and agreement figures."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MethodPublic", "ConsolidationPublic", "ConsolidationUpdate", "RunPublic", "AgreementPublic",
           "JobStarted"]


class MethodPublic(BaseModel):
    name: str
    title: str
    params: dict[str, Any]
    is_default: bool
    worker_model: bool = Field(description="fits worker parameters over the whole project (refit as a job)")


class RunPublic(BaseModel):
    id: int
    method: str
    params: dict[str, Any]
    worker_quality: dict[str, float] = Field(description="user id -> estimated probability of a correct answer")
    iterations: int
    items: int
    answers: int
    seconds: float
    created_at: str


class ConsolidationPublic(BaseModel):
    method: MethodPublic
    available: list[MethodPublic]
    last_run: RunPublic | None


class ConsolidationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: str = Field(min_length=1, max_length=80)
    params: dict[str, Any] = Field(default_factory=dict)


class JobStarted(BaseModel):
    job_id: int


class AgreementPublic(BaseModel):
    project_id: int
    kind: str
    items: int
    answers: int
    alpha: float | None
    fleiss_kappa: float | None
    mean_similarity: float | None
    similarity_name: str | None
    per_label: dict[str, dict[str, float | None]]
    cohen: list[dict[str, Any]]
    note: str
    relations: dict[str, Any] | None = None  # named entities: {f1, agreed, drawn, pairs}
    document_labels: dict[str, Any] | None = None  # named entities: {alpha, fleiss_kappa, items, answers, per_label}
