"""Organisations, users, passwords, login sessions, API tokens and teams."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from pwdlib import PasswordHash
from sqlalchemy import delete, func, select

from ..authz import authorize
from ..core.actor import Actor
from ..core.enums import ROLE_RANK, Role
from ..core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import ApiToken, LoginSession, Organization, Team, TeamMember, User

__all__ = [
    "UserInfo", "TeamInfo", "DEFAULT_ORG_NAME", "hash_password", "ensure_org", "create_user",
    "authenticate", "actor_for", "start_session", "actor_for_session", "end_session",
    "create_token", "actor_for_token", "list_users", "create_team", "add_team_member", "list_teams",
    "find_user", "count_users", "actor_by_id", "Actor", "all_users",
]

DEFAULT_ORG_NAME = "Default organisation"
_hasher = PasswordHash.recommended()
# Verified when the e-mail is unknown, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("labelworks-timing-equaliser")


@dataclass(frozen=True)
class UserInfo:
    id: int
    org_id: int
    email: str
    name: str
    role: Role
    is_active: bool


@dataclass(frozen=True)
class TeamInfo:
    id: int
    name: str
    member_ids: tuple[int, ...]


def _info(u: User) -> UserInfo:
    return UserInfo(u.id, u.org_id, u.email, u.name, Role(u.role), u.is_active)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise ValidationFailed("the password needs at least 8 characters", field="password")
    return _hasher.hash(password)


def _normal_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise ValidationFailed(f"{email!r} is not an e-mail address", field="email")
    return email


def ensure_org(db: Database, name: str = DEFAULT_ORG_NAME) -> int:
    """The organisation with this name, created when missing."""
    with db.write() as s:
        org_id = s.scalar(select(Organization.id).where(Organization.name == name).order_by(Organization.id))
        if org_id is None:
            org = Organization(name=name)
            s.add(org)
            s.flush()
            org_id = org.id
        return org_id


def create_user(db: Database, email: str, password: str | None, role: Role | str, *,
                org_id: int | None = None, name: str = "", by: Actor | None = None) -> UserInfo:
    """Create a user; without ``org_id`` the first user goes into the default organisation."""
    role = Role(role)
    if by is not None:
        authorize(by, "user.create")
        if ROLE_RANK[role] > ROLE_RANK[by.role]:
            raise PermissionDenied(f"a {by.role.value} may not create a {role.value}")
        org_id = by.org_id
    email = _normal_email(email)
    password_hash = hash_password(password) if password is not None else None
    if org_id is None:
        org_id = ensure_org(db)
    with db.write() as s:
        if s.scalar(select(User.id).where(User.email == email)) is not None:
            raise Conflict(f"a user with e-mail {email} already exists", field="email")
        user = User(org_id=org_id, email=email, name=name or email.split("@")[0],
                    password_hash=password_hash, role=role.value)
        s.add(user)
        s.flush()
        return _info(user)


def find_user(db: Database, email: str) -> UserInfo:
    with db.read() as s:
        user = s.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise NotFound(f"no user with e-mail {email}")
        return _info(user)


def authenticate(db: Database, email: str, password: str) -> UserInfo:
    with db.read() as s:
        user = s.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.password_hash or not user.is_active:
        _hasher.verify(password, _DUMMY_HASH)
        raise NotAuthenticated("wrong e-mail or password")
    if not _hasher.verify(password, user.password_hash):
        raise NotAuthenticated("wrong e-mail or password")
    return _info(user)


def actor_for(user: UserInfo) -> Actor:
    return Actor(user_id=user.id, org_id=user.org_id, role=user.role, email=user.email)


def start_session(db: Database, user_id: int, days: int) -> str:
    """A new session id (the cookie holds it signed; the table only its hash)."""
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    with db.write() as s:
        s.add(LoginSession(id_hash=_digest(session_id), user_id=user_id, created_at=now,
                           expires_at=now + timedelta(days=days)))
        s.execute(delete(LoginSession).where(LoginSession.expires_at < now))
    return session_id


def _actor_row(user: User | None) -> Actor | None:
    if user is None or not user.is_active:
        return None
    return Actor(user_id=user.id, org_id=user.org_id, role=Role(user.role), email=user.email)


def actor_for_session(db: Database, session_id: str) -> Actor | None:
    with db.read() as s:
        row = s.execute(
            select(User, LoginSession.expires_at)
            .join(LoginSession, LoginSession.user_id == User.id)
            .where(LoginSession.id_hash == _digest(session_id))
        ).first()
    if row is None or row[1] < utcnow():
        return None
    return _actor_row(row[0])


def end_session(db: Database, session_id: str) -> None:
    with db.write() as s:
        s.execute(delete(LoginSession).where(LoginSession.id_hash == _digest(session_id)))


def create_token(db: Database, user_id: int, name: str = "") -> str:
    """A new API token, shown once: ``lw_`` + 40 random characters."""
    token = "lw_" + secrets.token_urlsafe(30)
    with db.write() as s:
        if s.get(User, user_id) is None:
            raise NotFound(f"no user {user_id}")
        s.add(ApiToken(user_id=user_id, name=name, token_hash=_digest(token), prefix=token[:8]))
    return token


_TOKEN_TOUCH = timedelta(minutes=5)


def actor_for_token(db: Database, token: str) -> Actor | None:
    digest = _digest(token)
    with db.read() as s:
        row = s.execute(
            select(User, ApiToken.last_used_at, ApiToken.id)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == digest)
        ).first()
    if row is None:
        return None
    user, last_used, token_id = row
    now = utcnow()
    if last_used is None or now - last_used > _TOKEN_TOUCH:  # touch rarely: no write per request
        with db.write() as s:
            tok = s.get(ApiToken, token_id)
            if tok is not None:
                tok.last_used_at = now
    return _actor_row(user)


def list_users(db: Database, actor: Actor) -> list[UserInfo]:
    authorize(actor, "user.list")
    with db.read() as s:
        return [_info(u) for u in s.scalars(select(User).where(User.org_id == actor.org_id).order_by(User.id))]


def create_team(db: Database, actor: Actor, name: str) -> TeamInfo:
    authorize(actor, "team.manage")
    name = name.strip()
    if not name:
        raise ValidationFailed("a team needs a name", field="name")
    with db.write() as s:
        if s.scalar(select(Team.id).where(Team.org_id == actor.org_id, Team.name == name)) is not None:
            raise Conflict(f"a team named {name!r} already exists", field="name")
        team = Team(org_id=actor.org_id, name=name)
        s.add(team)
        s.flush()
        return TeamInfo(team.id, team.name, ())


def add_team_member(db: Database, actor: Actor, team_id: int, user_id: int) -> None:
    authorize(actor, "team.manage")
    with db.write() as s:
        team = s.get(Team, team_id)
        user = s.get(User, user_id)
        if team is None or team.org_id != actor.org_id:
            raise NotFound(f"no team {team_id}")
        if user is None or user.org_id != actor.org_id:
            raise NotFound(f"no user {user_id}")
        if s.get(TeamMember, (team_id, user_id)) is None:
            s.add(TeamMember(team_id=team_id, user_id=user_id))


def list_teams(db: Database, actor: Actor) -> list[TeamInfo]:
    authorize(actor, "org.view")
    with db.read() as s:
        teams = s.scalars(select(Team).where(Team.org_id == actor.org_id).order_by(Team.id)).all()
        members: dict[int, list[int]] = {}
        for team_id, user_id in s.execute(
            select(TeamMember.team_id, TeamMember.user_id).join(Team, Team.id == TeamMember.team_id)
            .where(Team.org_id == actor.org_id)
        ):
            members.setdefault(team_id, []).append(user_id)
        return [TeamInfo(t.id, t.name, tuple(members.get(t.id, []))) for t in teams]


def count_users(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count(User.id))) or 0)




def actor_by_id(db: Database, user_id: int) -> Actor:
    with db.read() as s:
        user = s.get(User, user_id)
        actor = _actor_row(user)
    if actor is None:
        raise NotFound(f"no active user {user_id}")
    return actor


def all_users(db: Database) -> list[UserInfo]:
    """Every user (for the CLI working on the data directory as its operator)."""
    with db.read() as s:
        return [_info(u) for u in s.scalars(select(User).order_by(User.id))]
