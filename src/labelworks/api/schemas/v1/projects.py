from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from .common import Strict


class Example(Strict):
    kind: Literal["good", "bad"]
    text: str
    explanation: str = ""


class ProjectCreate(Strict):
    name: str
    task_type: str
    labels: list[str] | dict[str, Any] | str = Field(description="A list, 'a,b,c', or Ground Truth label-category JSON")
    multi_label: bool = False
    workers_per_item: int = 1
    task_time_limit_s: int = 300
    task_lifetime_s: int | None = None
    short_instructions: str = ""
    full_instructions: str = ""
    examples: list[Example] = []
    template: str | None = None
    label_attribute: str | None = None
    team_ids: list[int] = []


class ProjectUpdate(Strict):
    name: str | None = None
    labels: list[str] | dict[str, Any] | str | None = None
    multi_label: bool | None = None
    workers_per_item: int | None = None
    task_time_limit_s: int | None = None
    task_lifetime_s: int | None = None
    short_instructions: str | None = None
    full_instructions: str | None = None
    examples: list[Example] | None = None
    template: str | None = None
    label_attribute: str | None = None
    team_ids: list[int] | None = None


class ProjectPublic(BaseModel):
    id: int
    name: str
    task_type: str
    labels: list[str]
    label_config: dict[str, Any]
    multi_label: bool
    label_attribute: str
    workers_per_item: int
    task_time_limit_s: int
    task_lifetime_s: int | None
    short_instructions: str
    full_instructions: str
    examples: list[dict[str, Any]]
    template: str | None
    team_ids: list[int]


class TaskTypePublic(BaseModel):
    name: str
    title: str
    media: str
    supports_multi_label: bool


class AnnotatorPublic(BaseModel):
    user_id: int
    email: str
    submitted: int
    active_leases: int
    skipped: int
    median_active_ms: int | None
    last_submitted_at: str | None


class ProgressPublic(BaseModel):
    total: int
    labeled: int
    in_progress: int
    remaining: int
    annotations: int
    percent: float
    annotators: list[AnnotatorPublic]
