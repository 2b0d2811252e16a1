"""Wire models for red teaming: the request bodies (labels and the taxonomy go to the service as
given, so its errors name the field)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class SessionStart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    connection_id: int | None = None  # one model
    connection_ids: list[int] | None = None  # or several, side by side (checked by the service)
    title: str = ""


class TurnSend(BaseModel):
    model_config = ConfigDict(extra="forbid")
    content: str


class SessionReview(BaseModel):
    model_config = ConfigDict(extra="forbid")
    verdict: str
    note: str = ""
