from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from .common import Strict, UtcDatetime


class NextBody(Strict):
    exclude: list[int] = Field(default_factory=list, max_length=20)


class TaskPublic(BaseModel):
    assignment_id: int
    item_id: int
    project_id: int
    expires_at: UtcDatetime
    frame_url: str
    draft: Any | None
    data: dict[str, Any]
    labels: list[str]
    multi_label: bool


class DraftBody(Strict):
    value: Any


class SubmitBody(Strict):
    value: Any
    client_submission_id: str | None = None
    active_ms: int | None = None


class AnnotationPublic(BaseModel):
    id: int
    item_id: int
    project_id: int
    user_id: int
    worker: str
    value: dict[str, Any]
    version: int
    supersedes_id: int | None
    source: str
    active_ms: int | None
    client_submission_id: str | None
    created_at: UtcDatetime


class ImportRowsBody(Strict):
    rows: list[Any] = Field(max_length=100_000)
    skip_invalid: bool = False


class ImportReportPublic(BaseModel):
    lines: int
    created: int
    duplicates: int
    bad_count: int
    bad: list[dict[str, Any]]


class JobPublic(BaseModel):
    id: int
    project_id: int | None
    kind: str
    status: str
    progress_done: int
    progress_total: int | None
    result: dict[str, Any] | None
    error: str | None
    created_at: UtcDatetime
    finished_at: UtcDatetime | None
    download_url: str | None = None


class ItemPublic(BaseModel):
    id: int
    key: str
    data: dict[str, Any]
    source: str | None
    done: int
    taken: int
    priority: int
    last_annotated_at: UtcDatetime | None
    labels: list[str]


class ItemPage(BaseModel):
    items: list[ItemPublic]
    page: int
    page_size: int
    has_more: bool


class PriorityBody(Strict):
    item_ids: list[int] = Field(min_length=1, max_length=10_000)
    priority: int


class ExportJobCreate(Strict):
    format: str = "manifest"
