"""Quality: settings, gold items, worker quality, notifications (managers only)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from .common import Strict, UtcDatetime


class RuleBody(BaseModel):
    """One machine validation rule; the service checks the kind and its parameters."""

    model_config = {"extra": "allow"}
    rule: str = Field(description="required | min_text_length | max_labels | box_inside_image")
    path: str | None = Field(None, description="key path in the answer: dotted keys, '*' for every list element")


class QualitySettingsUpdate(Strict):
    """Fields left out keep their value."""

    gold_rate: float | None = Field(None, description="0..1: share of next-task answers that serve a gold item")
    gold_key: str | None = Field(None, description="the imported key that holds a line's gold answer")
    min_gold_answers: int | None = Field(None, description="qualification: judged after this many gold answers (0: off)")
    min_gold_accuracy: float | None = Field(None, description="…paused from the project below this accuracy")
    min_seconds: float | None = Field(None, description="answers faster than this are flagged (0: off)")
    one_label_min_answers: int | None = None
    one_label_share: float | None = None
    routing: bool | None = Field(None, description="adaptive routing: K workers first, one more while unsure, up to N")
    initial_workers: int | None = Field(None, description="K")
    max_workers: int | None = Field(None, description="N")
    confidence_threshold: float | None = None
    rules: list[RuleBody] | None = None


class QualitySettingsPublic(BaseModel):
    gold_rate: float
    gold_key: str
    min_gold_answers: int
    min_gold_accuracy: float
    min_seconds: float
    one_label_min_answers: int
    one_label_share: float
    routing: bool
    initial_workers: int
    max_workers: int
    confidence_threshold: float
    rules: list[dict[str, Any]]


class GoldBody(Strict):
    value: Any = Field(description="the true answer, as a submission's value (or a label, or a list of labels)")


class GoldPublic(BaseModel):
    item_id: int
    key: str
    preview: str
    value: dict[str, Any]
    source: str
    created_at: UtcDatetime
    answered: int
    correct: int


class WorkerQualityPublic(BaseModel):
    user_id: int
    email: str
    answers: int
    gold_answered: int
    gold_correct: int
    gold_accuracy: float | None
    agreement: float | None
    agreement_items: int
    median_active_ms: float | None
    too_fast: int
    too_fast_share: float
    top_value: str | None
    top_share: float
    flags: list[str]
    paused: bool
    pause_reason: str | None


class NotificationPublic(BaseModel):
    id: int
    worker_id: int | None
    kind: str
    message: str
    created_at: UtcDatetime
