"""``user create``, ``user list``, ``token create``."""

from __future__ import annotations

import stat
from pathlib import Path

from labelworks.db.engine import Database
from labelworks.services import accounts

PASSWORD = "correct-horse-battery"


def test_user_create_prints_the_id_and_puts_the_first_user_in_the_default_org(cli, db: Database) -> None:
    out = cli("user", "create", "Boss@Example.org", "--password", PASSWORD, "--role", "owner", "--name", "Boss").stdout
    user = accounts.find_user(db, "boss@example.org")
    assert out == f"{user.id}\n"
    assert (user.role, user.name) == ("owner", "Boss")
    second = int(cli("user", "create", "ann@example.org", "--password", PASSWORD, "--role", "annotator").stdout)
    assert accounts.find_user(db, "ann@example.org").org_id == user.org_id
    assert second != user.id
    assert accounts.authenticate(db, "boss@example.org", PASSWORD).id == user.id


def test_the_first_run_writes_a_private_secret_key(cli, data_dir: Path) -> None:
    cli("user", "create", "a@example.org", "--password", PASSWORD, "--role", "owner")
    key = data_dir / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_text()) >= 32


def test_data_dir_option_beats_the_environment(cli, tmp_path: Path) -> None:
    other = tmp_path / "other"
    cli("user", "create", "a@example.org", "--password", PASSWORD, "--role", "owner", "--data-dir", str(other))
    assert (other / "labelworks.db").exists()
    assert "a@example.org" in cli("user", "list", "--data-dir", str(other)).stdout
    assert "a@example.org" not in cli("user", "list").stdout


def test_user_create_errors_are_one_red_line_and_exit_2(cli) -> None:
    short = cli("user", "create", "a@example.org", "--password", "short", "--role", "owner", code=2)
    assert "error (password): the password needs at least 8 characters" in short.stderr
    cli("user", "create", "a@example.org", "--password", PASSWORD, "--role", "owner")
    again = cli("user", "create", "A@example.org", "--password", PASSWORD, "--role", "admin", code=2)
    assert "already exists" in again.stderr
    assert "not an e-mail" in cli("user", "create", "nobody", "--password", PASSWORD, "--role", "owner", code=2).stderr


def test_user_create_refuses_an_unknown_role(cli) -> None:
    result = cli("user", "create", "a@example.org", "--password", PASSWORD, "--role", "boss", code=2)
    assert "boss" in result.stderr


def test_password_is_asked_for_when_left_out(cli, db: Database) -> None:
    cli("user", "create", "a@example.org", "--role", "owner", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert accounts.authenticate(db, "a@example.org", PASSWORD).email == "a@example.org"


def test_user_list(cli) -> None:
    cli("user", "create", "a@example.org", "--password", PASSWORD, "--role", "owner")
    cli("user", "create", "b@example.org", "--password", PASSWORD, "--role", "annotator")
    lines = cli("user", "list").stdout.splitlines()
    assert [line.split()[1:3] for line in lines] == [["a@example.org", "owner"], ["b@example.org", "annotator"]]


def test_token_create_prints_only_a_working_token(cli, db: Database) -> None:
    user_id = int(cli("user", "create", "a@example.org", "--password", PASSWORD, "--role", "manager").stdout)
    out = cli("token", "create", "a@example.org", "--name", "ci").stdout
    token = out.strip()
    assert out == token + "\n" and token.startswith("lw_")
    actor = accounts.actor_for_token(db, token)
    assert actor is not None and actor.user_id == user_id


def test_token_for_an_unknown_user_fails_clearly(cli) -> None:
    result = cli("token", "create", "ghost@example.org", code=2)
    assert "no user with e-mail ghost@example.org" in result.stderr
    assert result.stdout == ""
