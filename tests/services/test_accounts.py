"""Accounts: argon2 passwords, login, sessions, API tokens, teams."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from labelworks.core.enums import Role
from labelworks.core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from labelworks.db.base import utcnow
from labelworks.db.engine import Database
from labelworks.db.models import ApiToken, LoginSession, User
from labelworks.services import accounts

from factories import PASSWORD, Factory, OrgUsers


def test_passwords_are_argon2_hashed(db: Database) -> None:
    user = accounts.create_user(db, "  Ann@Example.ORG ", PASSWORD, Role.ANNOTATOR)
    assert user.email == "ann@example.org"
    with db.read() as s:
        stored = s.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored is not None and stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert accounts.authenticate(db, "ANN@example.org", PASSWORD).id == user.id


def test_wrong_password_unknown_email_and_inactive_user_look_the_same(db: Database) -> None:
    user = accounts.create_user(db, "bob@example.org", PASSWORD, Role.MANAGER)
    accounts.create_user(db, "nopass@example.org", None, Role.ANNOTATOR)
    messages = set()
    for email, password in (("bob@example.org", "wrong-password"), ("nobody@example.org", PASSWORD),
                            ("nopass@example.org", PASSWORD)):
        with pytest.raises(NotAuthenticated) as info:
            accounts.authenticate(db, email, password)
        messages.add(info.value.message)
    with db.write() as s:
        s.execute(update(User).where(User.id == user.id).values(is_active=False))
    with pytest.raises(NotAuthenticated) as info:
        accounts.authenticate(db, "bob@example.org", PASSWORD)
    messages.add(info.value.message)
    assert messages == {"wrong e-mail or password"}


@pytest.mark.parametrize(("email", "password", "field"), [
    ("not-an-email", PASSWORD, "email"),
    ("a@example.org", "short", "password"),
])
def test_bad_user_input_names_the_field(db: Database, email: str, password: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        accounts.create_user(db, email, password, Role.ANNOTATOR)
    assert info.value.field == field


def test_duplicate_email_is_a_conflict(db: Database) -> None:
    accounts.create_user(db, "dup@example.org", None, Role.ANNOTATOR)
    with pytest.raises(Conflict) as info:
        accounts.create_user(db, "DUP@example.org", None, Role.ANNOTATOR)
    assert info.value.field == "email"


def test_first_user_goes_to_the_default_org_and_creators_put_users_in_theirs(db: Database, factory: Factory) -> None:
    first = accounts.create_user(db, "first@example.org", None, Role.OWNER)
    assert first.org_id == accounts.ensure_org(db)
    other = factory.org_users("Other")
    made = accounts.create_user(db, "made@example.org", None, Role.ANNOTATOR, org_id=first.org_id, by=other.admin.actor)
    assert made.org_id == other.org_id
    with pytest.raises(PermissionDenied):
        accounts.create_user(db, "no@example.org", None, Role.ANNOTATOR, by=other.manager.actor)


def test_sessions_start_resolve_expire_and_end(db: Database, factory: Factory) -> None:
    user = factory.user(Role.REVIEWER)
    session_id = accounts.start_session(db, user.id, days=1)
    actor = accounts.actor_for_session(db, session_id)
    assert actor is not None and actor.user_id == user.id and actor.role == Role.REVIEWER
    with db.read() as s:  # only the hash is stored
        assert s.scalar(select(LoginSession.id_hash)) != session_id
    assert accounts.actor_for_session(db, session_id + "x") is None
    with db.write() as s:
        s.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert accounts.actor_for_session(db, session_id) is None
    second = accounts.start_session(db, user.id, days=1)
    with db.read() as s:  # starting a session clears expired ones
        assert s.scalar(select(LoginSession.id_hash).where(LoginSession.expires_at < utcnow())) is None
    accounts.end_session(db, second)
    assert accounts.actor_for_session(db, second) is None


def test_tokens_resolve_to_their_user_and_are_stored_hashed(db: Database, factory: Factory) -> None:
    user = factory.user(Role.MANAGER)
    token = accounts.create_token(db, user.id, "ci")
    assert token.startswith("lw_") and len(token) == 43
    actor = accounts.actor_for_token(db, token)
    assert actor is not None and actor.user_id == user.id
    with db.read() as s:
        row = s.scalars(select(ApiToken).where(ApiToken.name == "ci")).one()
    assert row.token_hash != token and row.prefix == token[:8] and row.last_used_at is not None
    assert accounts.actor_for_token(db, token[:-1]) is None
    with db.write() as s:
        s.execute(update(User).where(User.id == user.id).values(is_active=False))
    assert accounts.actor_for_token(db, token) is None
    with pytest.raises(NotFound):
        accounts.create_token(db, 999_999)


def test_teams_belong_to_one_org(db: Database, factory: Factory, org: OrgUsers) -> None:
    other = factory.org_users("Other")
    team = accounts.create_team(db, org.manager.actor, "Linguists")
    accounts.add_team_member(db, org.manager.actor, team.id, org.annotator.id)
    accounts.add_team_member(db, org.manager.actor, team.id, org.annotator.id)  # twice is once
    assert [(t.name, t.member_ids) for t in accounts.list_teams(db, org.annotator.actor)] == [("Linguists", (org.annotator.id,))]
    assert accounts.list_teams(db, other.owner.actor) == []
    with pytest.raises(NotFound):
        accounts.add_team_member(db, other.owner.actor, team.id, other.annotator.id)
    with pytest.raises(NotFound):
        accounts.add_team_member(db, org.owner.actor, team.id, other.annotator.id)
    with pytest.raises(Conflict):
        accounts.create_team(db, org.owner.actor, "Linguists")
    with pytest.raises(PermissionDenied):
        accounts.create_team(db, org.reviewer.actor, "Nope")
    with pytest.raises(ValidationFailed):
        accounts.create_team(db, org.owner.actor, "  ")
