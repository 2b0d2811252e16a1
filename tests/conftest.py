"""Fixtures shared by the whole suite: real databases, the app, factories, a live server, Chromium.

Databases are migrated once per session and copied per test (SQLite: a file copy; PostgreSQL:
``CREATE DATABASE … TEMPLATE``), so each test starts from an empty, migrated schema in ~10-40 ms.

- ``backend``: ``"sqlite"`` or ``"postgres"``; a test using ``db`` (or anything built on it) runs
  on both. Pin one with ``@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)``.
- ``db`` (``Database``), ``settings``, ``app``, ``client`` (``TestClient``, lifespan started, so
  in-process jobs run), ``make_client(**setting_overrides)`` for a second app with other settings.
- ``factory`` (``tests/factories.py``), ``org`` (one organisation with a user of each role, each with
  an API token: ``org.owner.headers``).
- ``pg_server`` / ``redis_server``: one real server per session, started on first use only.
- ``live_server``: uvicorn on a free 127.0.0.1 port in a thread, SQLite in a temp data dir
  (``.url``, ``.settings``, ``.db``, ``.factory``).
- ``chromium``: a Playwright ``Browser`` on Debian's ``/usr/bin/chromium`` (session-wide; make a
  context per test: ``ctx = chromium.new_context(base_url=live_server.url)``).
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import settings as hypothesis_settings
from fastapi.testclient import TestClient

from labelworks.app import create_app
from labelworks.db.engine import Database
from labelworks.db.migrate import upgrade
from labelworks.settings import Settings, load_settings

try:
    import servers
    from factories import Factory, OrgUsers
except ImportError:  # run with the repository root on sys.path instead of tests/
    from tests import servers  # type: ignore[no-redef]
    from tests.factories import Factory, OrgUsers  # type: ignore[no-redef]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PG_TEMPLATE = "lw_template"
_db_names = itertools.count(1)

# No example database left in the working tree, and no deadline flakes on a busy CI machine.
hypothesis_settings.register_profile("labelworks", database=None, deadline=None)
hypothesis_settings.load_profile("labelworks")


def _unavailable(reason: str) -> None:
    """Missing system parts skip a test on a developer's machine but fail it in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is an error; run scripts/install-system-deps.sh)")
    pytest.skip(reason)


# ------------------------------------------------------------------------------------ servers


@pytest.fixture(scope="session")
def pg_server() -> Iterator[servers.RunningPostgres]:
    try:
        server = servers.start_postgres()
    except servers.ServerNotInstalled as exc:
        _unavailable(str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server: servers.RunningPostgres) -> str:
    """A migrated database to copy; its engine is disposed (a template must have no connections)."""
    db = Database(pg_server.new_database(PG_TEMPLATE))
    upgrade(db)
    db.dispose()
    return PG_TEMPLATE


@pytest.fixture(scope="session")
def redis_server() -> Iterator[servers.RunningRedis]:
    try:
        server = servers.start_redis()
    except servers.ServerNotInstalled as exc:
        _unavailable(str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "labelworks.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    db.dispose()
    with sqlite3.connect(path) as conn:  # fold the WAL into the file, so copying the file is enough
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def _sqlite_copy(template: Path, data_dir: Path) -> str:
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / "labelworks.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


# ---------------------------------------------------------------------------------- databases


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def database_url(backend: str, data_dir: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh migrated database for this test, on the backend under test."""
    if backend == "sqlite":
        yield _sqlite_copy(request.getfixturevalue("sqlite_template"), data_dir)
        return
    pg: servers.RunningPostgres = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("pg_template")
    name = f"t_{os.getpid()}_{next(_db_names)}"
    url = pg.new_database(name, template=template)
    yield url
    pg.drop_database(name)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def factory(db: Database) -> Factory:
    return Factory(db)


@pytest.fixture
def org(factory: Factory) -> OrgUsers:
    """An organisation with an owner, admin, manager, reviewer and annotator (API tokens, no passwords)."""
    return factory.org_users("Org A")


# ---------------------------------------------------------------------------------- the app


def _settings(data_dir: Path, database_url: str, **overrides: Any) -> Settings:
    return load_settings(data_dir=data_dir, database_url=database_url, **overrides)


@pytest.fixture
def settings(data_dir: Path, database_url: str) -> Settings:
    return _settings(data_dir, database_url)


def _close_app(app: FastAPI) -> None:
    app.state.writer.close()  # the writer thread starts in create_app: close it even if no lifespan ran


@pytest.fixture
def app(settings: Settings, db: Database) -> Iterator[FastAPI]:
    application = create_app(settings, db=db)
    yield application
    _close_app(application)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """Entered, so the lifespan runs: in-process job workers are started and stopped."""
    with TestClient(app) as c:
        yield c


@pytest.fixture
def make_client(db: Database, data_dir: Path, database_url: str) -> Iterator[Callable[..., TestClient]]:
    """``make_client(login_rate_limit="2/minute")``: another app on the same database, other settings."""
    opened: list[TestClient] = []

    def make(*, run_jobs_in_process: bool | None = None, **overrides: Any) -> TestClient:
        application = create_app(_settings(data_dir, database_url, **overrides), db=db,
                                 run_jobs_in_process=run_jobs_in_process)
        c = TestClient(application)
        c.__enter__()
        opened.append(c)
        return c

    yield make
    for c in reversed(opened):
        c.__exit__(None, None, None)
        _close_app(c.app)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- live server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    settings: Settings
    db: Database
    factory: Factory
    app: FastAPI


@pytest.fixture
def live_server(tmp_path: Path, sqlite_template: Path) -> Iterator[LiveServer]:
    """The real server (uvicorn) on SQLite, for browser tests; ``.factory`` adds users and data."""
    import uvicorn

    data = tmp_path / "live-data"
    url = _sqlite_copy(sqlite_template, data)
    settings = _settings(data, url)
    database = Database(url)
    application = create_app(settings, db=database)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", settings, database, Factory(database), application)
    finally:
        server.should_exit = True
        thread.join(15)
        _close_app(application)
        database.dispose()


# -------------------------------------------------------------------------------- chromium


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium through Playwright (never ``playwright install``)."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
