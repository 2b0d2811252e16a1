"""The real servers of tests/servers.py start, serve queries, and leave nothing behind."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

try:  # the repository root is on sys.path (python -m pytest, tests/__init__.py, pythonpath)
    from tests import servers
except ImportError:  # pytest's default "prepend" import mode puts tests/ itself on sys.path
    import servers  # type: ignore[no-redef]

RunningPostgres = servers.RunningPostgres
RunningRedis = servers.RunningRedis
ServerNotInstalled = servers.ServerNotInstalled
find_postgres_bindir = servers.find_postgres_bindir
start_postgres = servers.start_postgres
start_redis = servers.start_redis


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.postgres
def test_postgres_serves_queries_and_new_databases() -> None:
    psycopg = pytest.importorskip("psycopg")
    pg = start_postgres()
    try:
        assert isinstance(pg, RunningPostgres)
        assert pg.url == f"postgresql+psycopg://labelworks@127.0.0.1:{pg.port}/labelworks"
        with psycopg.connect(pg.dsn) as conn:
            conn.execute("CREATE TABLE item (id serial PRIMARY KEY, source text NOT NULL)")
            conn.execute("INSERT INTO item (source) VALUES (%s), (%s)", ("a.jpg", "b.jpg"))
            rows = conn.execute("SELECT source FROM item ORDER BY id").fetchall()
            assert rows == [("a.jpg",), ("b.jpg",)]
            settings = dict(
                conn.execute(
                    "SELECT name, setting FROM pg_settings WHERE name IN "
                    "('fsync', 'synchronous_commit', 'full_page_writes', 'max_connections', "
                    "'listen_addresses')"
                ).fetchall()
            )
        assert settings["fsync"] == "off"
        assert settings["synchronous_commit"] == "off"
        assert settings["full_page_writes"] == "off"
        assert int(settings["max_connections"]) >= 200
        assert settings["listen_addresses"] == "127.0.0.1"

        url2 = pg.new_database("second_db")
        assert url2 == f"postgresql+psycopg://labelworks@127.0.0.1:{pg.port}/second_db"
        with psycopg.connect(pg.dsn_for("second_db")) as conn:
            # A fresh database: the first one's table is not there.
            assert conn.execute("SELECT to_regclass('item')").fetchone() == (None,)
            conn.execute("CREATE TABLE t (x int)")
            conn.execute("INSERT INTO t VALUES (42)")
            assert conn.execute("SELECT x FROM t").fetchone() == (42,)

        # A copy of a database by template (how per-test databases can skip migrations).
        pg.new_database("third_db", template="second_db")
        with psycopg.connect(pg.dsn_for("third_db")) as conn:
            assert conn.execute("SELECT x FROM t").fetchone() == (42,)
        pg.drop_database("third_db")

        with pytest.raises(ValueError):
            pg.new_database('bad"; DROP DATABASE labelworks; --')
    finally:
        pg.stop()
    assert not Path(pg.tmpdir).exists()
    assert not _port_open(pg.port)
    pg.stop()  # idempotent


@pytest.mark.postgres
def test_postgres_sqlalchemy_url_works() -> None:
    sqlalchemy = pytest.importorskip("sqlalchemy")
    with start_postgres() as pg:
        engine = sqlalchemy.create_engine(pg.url)
        try:
            with engine.begin() as conn:
                assert conn.execute(sqlalchemy.text("SELECT current_user")).scalar() == "labelworks"
        finally:
            engine.dispose()
    assert not Path(pg.tmpdir).exists()


@pytest.mark.postgres
def test_postgres_bindir_found() -> None:
    bindir = find_postgres_bindir()
    assert (bindir / "initdb").exists() and (bindir / "pg_ctl").exists()


@pytest.mark.postgres
def test_postgres_missing_binaries_say_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABELWORKS_PG_BINDIR", "/nonexistent")
    with pytest.raises(ServerNotInstalled, match="initdb"):
        start_postgres()


@pytest.mark.redis
def test_redis_set_get_and_stop() -> None:
    redis = pytest.importorskip("redis")
    server = start_redis()
    try:
        assert isinstance(server, RunningRedis)
        assert server.url == f"redis://127.0.0.1:{server.port}/0"
        client = redis.Redis.from_url(server.url)
        try:
            assert client.set("greeting", "hello")
            assert client.get("greeting") == b"hello"
            assert client.incr("counter") == 1
        finally:
            client.close()
        other = redis.Redis.from_url(server.url_for(1))
        try:
            assert other.get("greeting") is None  # logical databases are separate
        finally:
            other.close()
    finally:
        server.stop()
    assert not Path(server.tmpdir).exists()
    assert not _port_open(server.port)
    server.stop()  # idempotent


@pytest.mark.redis
def test_redis_missing_binary_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(servers.os, "access", lambda *a, **k: False)
    with pytest.raises(ServerNotInstalled, match="install-system-deps.sh"):
        start_redis()
