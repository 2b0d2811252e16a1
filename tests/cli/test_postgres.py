"""The same commands on PostgreSQL, chosen by LABELWORKS_DATABASE_URL alone."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from labelworks.db.engine import Database
from labelworks.services import accounts, items

pytestmark = pytest.mark.postgres
_names = itertools.count(1)


@pytest.fixture
def pg_url(pg_server, cli_env: dict[str, str | None]) -> Iterator[str]:
    name = f"cli_{os.getpid()}_{next(_names)}"
    url = pg_server.new_database(name)  # empty: the commands migrate it
    cli_env["LABELWORKS_DATABASE_URL"] = url
    yield url
    pg_server.drop_database(name)


def test_commands_work_on_postgresql(pg_url: str, cli, db: Database, data_dir: Path, tmp_path: Path) -> None:
    assert cli("db", "current").stdout == "none\n"
    cli("user", "create", "boss@example.org", "--password", "correct-horse-battery", "--role", "owner")
    assert cli("token", "create", "boss@example.org").stdout.startswith("lw_")
    pid = cli("project", "create", "Pets", "--type", "text-classification", "--labels", "cat,dog").stdout.strip()
    manifest = tmp_path / "in.manifest"
    manifest.write_text('{"source": "one"}\n{"source": "two"}\n')
    assert "2 items created" in cli("import", pid, str(manifest)).stdout
    assert "0 items created, 2 already there" in cli("import", pid, str(manifest)).stdout
    out = tmp_path / "out.manifest"
    cli("export", pid, "-o", str(out))
    assert [json.loads(line)["source"] for line in out.read_text().splitlines()] == ["one", "two"]
    assert "PostgreSQL" in cli("db", "upgrade").stdout
    assert not (data_dir / "labelworks.db").exists()  # nothing went to SQLite
    assert db.url == pg_url
    owner = accounts.actor_for(accounts.find_user(db, "boss@example.org"))
    assert items.progress(db, owner, int(pid)).total == 2
