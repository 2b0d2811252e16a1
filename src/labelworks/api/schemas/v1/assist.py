"""Assist info, results and project assist settings."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class AssistInfoPublic(BaseModel):
    name: str
    title: str
    kinds: list[str]
    needs: str
    model: str
    media: str = "image"  # "text": the assist reads the item's text


class AssistResultPublic(BaseModel):
    assist: str
    model: str
    seconds: float
    regions: list[dict[str, Any]]


class AssistSettingsPublic(BaseModel):
    enabled: list[str] | None
    backend_url: str | None
    backend_assists: list[dict[str, Any]]
    assist_options: dict[str, dict[str, Any]] = {}


class AssistSettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: list[str] | None = None
    backend_url: str | None = None
    backend_assists: list[dict[str, Any]] | None = None
    assist_options: dict[str, dict[str, Any]] | None = None  # {assist: {option: value}}, e.g. spacy-ner's label_map


class PrelabelBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assist: str
    params: dict[str, Any] = {}
    label: str | None = None
