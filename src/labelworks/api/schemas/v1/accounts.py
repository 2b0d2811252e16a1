from __future__ import annotations

from pydantic import BaseModel

from ....core.enums import Role
from .common import Strict


class LoginBody(Strict):
    email: str
    password: str


class UserCreate(Strict):
    email: str
    password: str | None = None
    role: Role = Role.ANNOTATOR
    name: str = ""


class UserPublic(BaseModel):
    id: int
    email: str
    name: str
    role: Role
    is_active: bool


class MePublic(BaseModel):
    id: int
    email: str
    role: Role
    org_id: int


class TokenCreate(Strict):
    name: str = ""


class TokenPublic(BaseModel):
    token: str


class TeamCreate(Strict):
    name: str


class TeamMemberAdd(Strict):
    user_id: int


class TeamPublic(BaseModel):
    id: int
    name: str
    member_ids: list[int]
