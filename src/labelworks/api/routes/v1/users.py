from __future__ import annotations

from fastapi import APIRouter

from ....services import accounts
from ...deps import CurrentActor, DbDep
from ...schemas.v1.accounts import TeamCreate, TeamMemberAdd, TeamPublic, UserCreate, UserPublic

router = APIRouter(tags=["users"])


def _user(u: accounts.UserInfo) -> UserPublic:
    return UserPublic(id=u.id, email=u.email, name=u.name, role=u.role, is_active=u.is_active)


@router.get("/users", response_model=list[UserPublic])
def list_users(actor: CurrentActor, db: DbDep) -> list[UserPublic]:
    return [_user(u) for u in accounts.list_users(db, actor)]


@router.post("/users", response_model=UserPublic, status_code=201)
def create_user(body: UserCreate, actor: CurrentActor, db: DbDep) -> UserPublic:
    return _user(accounts.create_user(db, body.email, body.password, body.role, name=body.name, by=actor))


@router.get("/teams", response_model=list[TeamPublic])
def list_teams(actor: CurrentActor, db: DbDep) -> list[TeamPublic]:
    return [TeamPublic(id=t.id, name=t.name, member_ids=list(t.member_ids)) for t in accounts.list_teams(db, actor)]


@router.post("/teams", response_model=TeamPublic, status_code=201)
def create_team(body: TeamCreate, actor: CurrentActor, db: DbDep) -> TeamPublic:
    t = accounts.create_team(db, actor, body.name)
    return TeamPublic(id=t.id, name=t.name, member_ids=[])


@router.post("/teams/{team_id}/members", status_code=204)
def add_member(team_id: int, body: TeamMemberAdd, actor: CurrentActor, db: DbDep) -> None:
    accounts.add_team_member(db, actor, team_id, body.user_id)
