"""Fixtures for the CLI tests: a temp data directory and ``cli(...)`` running a command in-process.

``cli`` clears every LABELWORKS_ setting from the environment (so a developer's Redis or
PostgreSQL is never touched) and points LABELWORKS_DATA_DIR at the test's own directory.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from labelworks.cli.main import app
from labelworks.db.engine import Database
from labelworks.settings import load_settings

OWNER = "owner@example.org"
PASSWORD = "correct-horse-battery"
Cli = Callable[..., Result]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def cli_env(data_dir: Path) -> dict[str, str | None]:
    """The environment each command runs in; a test may add to it (e.g. LABELWORKS_DATABASE_URL)."""
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("LABELWORKS_")}
    env.update({"LABELWORKS_DATA_DIR": str(data_dir), "COLUMNS": "200", "NO_COLOR": "1"})
    return env


@pytest.fixture
def cli(cli_env: dict[str, str | None]) -> Cli:
    """``cli("user", "create", …, code=0)``: runs the command, asserts its exit status, returns the result."""
    runner = CliRunner()

    def run(*args: str, code: int | None = 0, input: str | None = None) -> Result:
        result = runner.invoke(app, list(args), env=cli_env, input=input)
        if code is not None:
            assert result.exit_code == code, (
                f"exit {result.exit_code}, expected {code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
                f"\nexception: {result.exception!r}")
        if code == 2:
            assert "Traceback" not in result.output
        return result

    return run


@pytest.fixture
def owner(cli: Cli) -> str:
    cli("user", "create", OWNER, "--password", PASSWORD, "--role", "owner")
    return OWNER


@pytest.fixture
def db(data_dir: Path, cli_env: dict[str, str | None]) -> Iterator[Database]:
    """The database the commands use, for checking what they did (through the services)."""
    url = cli_env.get("LABELWORKS_DATABASE_URL")
    database = Database(url or load_settings(data_dir=data_dir).resolved_database_url)
    yield database
    database.dispose()


@pytest.fixture
def make_project(cli: Cli, owner: str) -> Callable[..., int]:
    """``make_project("--multi-label", task_type=…)``: creates a project as the owner; returns its id."""

    def make(*extra: str, name: str = "Pets", task_type: str = "text-classification",
             labels: str = "cat,dog,bird") -> int:
        return int(cli("project", "create", name, "--type", task_type, "--labels", labels, *extra).stdout)

    return make
