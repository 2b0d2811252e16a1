"""Review stages on the wire: settings, the reviewer's task, decisions, feedback, stage history."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from .common import Strict, UtcDatetime


class ReviewSettingsBody(Strict):
    mode: Literal["none", "all", "percent", "below_confidence"]
    percent: float | None = None
    threshold: float | None = None
    time_limit_s: int = 900


class ReviewSettingsPublic(BaseModel):
    mode: str
    percent: float | None
    threshold: float | None
    time_limit_s: int
    updated_at: UtcDatetime | None
    queued: int | None = None  # after a change: items queued for review by it


class ReviewNextBody(Strict):
    exclude: list[int] = Field(default_factory=list, max_length=50)  # item ids to pass over


class ReviewTaskPublic(BaseModel):
    id: int
    project_id: int
    item_id: int
    round: int
    status: str
    reason: str
    confidence: float | None
    reviewer_id: int | None
    expires_at: UtcDatetime | None
    decided_at: UtcDatetime | None


class ReviewAnswerPublic(BaseModel):
    annotation_id: int
    user_id: int
    worker: str
    value: dict[str, Any]
    version: int
    source: str
    active_ms: int | None
    created_at: UtcDatetime


class ConsolidatedPublic(BaseModel):
    value: dict[str, Any]
    confidence: float
    method: str


class ReviewPublic(BaseModel):
    task: ReviewTaskPublic
    item_key: str
    data: dict[str, Any]
    answers: list[ReviewAnswerPublic]
    consolidated: ConsolidatedPublic | None
    labels: list[str]
    multi_label: bool
    earlier: list[dict[str, Any]]


class ApproveBody(Strict):
    note: str | None = None


class RejectBody(Strict):
    feedback: str
    annotation_ids: list[int] = Field(max_length=50)


class AdjustBody(Strict):
    value: Any
    note: str | None = None


class AdjustedPublic(BaseModel):
    task: ReviewTaskPublic
    annotation_id: int


class ReviewSummaryPublic(BaseModel):
    pending: int
    in_review: int
    approved: int
    rejected: int
    adjusted: int
    awaiting_rework: int


class FeedbackPublic(BaseModel):
    id: int
    project_id: int
    item_id: int
    item_key: str
    annotation_id: int
    annotator: str
    value: dict[str, Any]
    reviewer: str
    text: str
    round: int
    created_at: UtcDatetime
    resolved_at: UtcDatetime | None
    resolved_by_annotation_id: int | None


class StagePublic(BaseModel):
    stage: str
    round: int
    actor: str | None
    note: str | None
    at: UtcDatetime
