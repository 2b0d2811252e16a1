"""Who is acting: a plain value every service call receives."""

from __future__ import annotations

from dataclasses import dataclass

from .enums import Role

__all__ = ["Actor"]


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    org_id: int
    role: Role
    email: str = ""
