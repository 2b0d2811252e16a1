"""Real PostgreSQL and Redis servers for the test suite.

Each server runs on a free loopback port with its files in a fresh temporary folder, and is
removed completely by ``stop()``. Nothing here imports pytest; fixtures in conftest.py wrap these::

    pg = start_postgres()          # RunningPostgres
    pg.url                         # postgresql+psycopg://labelworks@127.0.0.1:PORT/labelworks
    url = pg.new_database("t_1")   # a fresh, empty database on the same server
    pg.stop()

    r = start_redis()              # RunningRedis
    r.url                          # redis://127.0.0.1:PORT/0
    r.stop()

Both objects are context managers, and a server still running at interpreter exit is stopped.

Debian's PostgreSQL refuses to run as root: when this process is root, the data folder is owned
by the ``postgres`` system user and initdb/pg_ctl run through ``runuser -u postgres --``.

The binaries come from Debian packages installed by ``scripts/install-system-deps.sh``.
"""

from __future__ import annotations

import atexit
import glob
import os
import re
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = [
    "RunningPostgres",
    "RunningRedis",
    "ServerError",
    "ServerNotInstalled",
    "find_postgres_bindir",
    "start_postgres",
    "start_redis",
]

PG_USER = "labelworks"
PG_DBNAME = "labelworks"
INSTALL_HINT = "run `scripts/install-system-deps.sh` (as root or with sudo) to install it"

_DB_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class ServerError(RuntimeError):
    """A test server could not be started or stopped."""


class ServerNotInstalled(ServerError):
    """The binary needed to run a test server is not installed."""


# --------------------------------------------------------------------------------------- helpers


def _free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the caller retries if it is taken in between)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _is_root() -> bool:
    return os.geteuid() == 0


def _tempdir_base_for_postgres() -> str | None:
    """A base folder that the ``postgres`` user can traverse (TMPDIR may be under /root)."""
    base = Path(tempfile.gettempdir()).resolve()
    for p in (base, *base.parents):
        if not p.stat().st_mode & stat.S_IXOTH:
            return "/tmp"
    return None


def find_postgres_bindir() -> Path:
    """The folder holding initdb, pg_ctl and postgres (the newest installed major version).

    ``pg_config --bindir`` is tried first, but on Debian it can belong to a client-only version,
    so /usr/lib/postgresql/*/bin is searched too. ``LABELWORKS_PG_BINDIR`` overrides both.
    """
    needed = ("initdb", "pg_ctl", "postgres")

    def complete(d: Path) -> bool:
        return all(os.access(d / name, os.X_OK) for name in needed)

    override = os.environ.get("LABELWORKS_PG_BINDIR")
    if override:
        if complete(Path(override)):
            return Path(override)
        raise ServerNotInstalled(
            f"LABELWORKS_PG_BINDIR={override} does not hold {', '.join(needed)}"
        )

    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            if out:
                candidates.append(Path(out))
        except (subprocess.SubprocessError, OSError):
            pass

    def major(p: str) -> int:
        m = re.search(r"/postgresql/(\d+)/bin$", p)
        return int(m.group(1)) if m else -1

    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=major, reverse=True)]
    initdb_on_path = shutil.which("initdb")
    if initdb_on_path:
        candidates.append(Path(os.path.realpath(initdb_on_path)).parent)

    for d in candidates:
        if complete(d):
            return d
    raise ServerNotInstalled(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in "
        f"{[str(c) for c in candidates] or '/usr/lib/postgresql/*/bin'}; {INSTALL_HINT}"
    )


def _find_redis_server() -> str:
    path = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.access("/usr/bin/redis-server", os.X_OK) else None
    )
    if not path:
        raise ServerNotInstalled(f"redis-server not found on PATH; {INSTALL_HINT}")
    return path


# -------------------------------------------------------------------------------------- postgres


@dataclass
class RunningPostgres:
    """A PostgreSQL server started by :func:`start_postgres`.

    ``url`` is an SQLAlchemy URL (``postgresql+psycopg://…``) of the ``labelworks`` database;
    ``dsn`` is the same as a plain libpq URL, for ``psycopg.connect``.
    """

    host: str
    port: int
    user: str
    dbname: str
    tmpdir: Path
    bindir: Path
    _as_postgres: bool = field(repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def datadir(self) -> Path:
        return self.tmpdir / "data"

    @property
    def socket_dir(self) -> Path:
        return self.tmpdir / "sock"

    @property
    def logfile(self) -> Path:
        return self.tmpdir / "postgres.log"

    def url_for(self, dbname: str) -> str:
        """SQLAlchemy URL of database ``dbname`` on this server."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    def dsn_for(self, dbname: str) -> str:
        """libpq URL (for ``psycopg.connect``) of database ``dbname`` on this server."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{dbname}"

    @property
    def url(self) -> str:
        return self.url_for(self.dbname)

    @property
    def dsn(self) -> str:
        return self.dsn_for(self.dbname)

    def new_database(self, name: str, *, template: str | None = None) -> str:
        """Create an empty database ``name`` (lower-case identifier) and return its SQLAlchemy URL.

        ``template`` copies an existing database instead (it must have no open connections),
        which is much faster than re-running migrations per test.
        """
        import psycopg
        from psycopg import sql

        for n in (name, template):
            if n is not None and not _DB_NAME_RE.match(n):
                raise ValueError(f"database name must match {_DB_NAME_RE.pattern}: {n!r}")
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            query = sql.SQL("{} TEMPLATE {}").format(query, sql.Identifier(template))
        with psycopg.connect(self.dsn_for("postgres"), autocommit=True, connect_timeout=10) as conn:
            conn.execute(query)
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name``, closing any connections still open to it."""
        import psycopg
        from psycopg import sql

        if not _DB_NAME_RE.match(name):
            raise ValueError(f"database name must match {_DB_NAME_RE.pattern}: {name!r}")
        with psycopg.connect(self.dsn_for("postgres"), autocommit=True, connect_timeout=10) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def stop(self) -> None:
        """Stop the server at once (``pg_ctl stop -m immediate``) and delete its folder."""
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        try:
            if (self.datadir / "postmaster.pid").exists():
                _pg_run(
                    [str(self.bindir / "pg_ctl"), "stop", "-D", str(self.datadir), "-m", "immediate", "-w", "-t", "30"],
                    as_postgres=self._as_postgres,
                    cwd=self.tmpdir,
                    check=False,
                )
        finally:
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _pg_run(
    cmd: list[str], *, as_postgres: bool, cwd: Path, check: bool = True, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    if as_postgres:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.setdefault("LC_ALL", "C.UTF-8")
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )
    if check and proc.returncode != 0:
        raise ServerError(
            f"{' '.join(cmd)} failed with exit code {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def _wait_for_postgres(dsn: str, deadline: float, logfile: Path) -> None:
    import psycopg

    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(dsn, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return
        except psycopg.OperationalError as e:
            last = e
            time.sleep(0.05)
    raise ServerError(f"PostgreSQL did not accept connections in time ({last}); log:\n{_tail(logfile)}")


def start_postgres(*, timeout: float = 60.0, max_connections: int = 300) -> RunningPostgres:
    """Start a throw-away PostgreSQL server on 127.0.0.1 and return it once it accepts connections.

    The server has a ``labelworks`` superuser (trust authentication) and an empty ``labelworks``
    database; durability is switched off (fsync, synchronous_commit, full_page_writes) for speed.
    """
    bindir = find_postgres_bindir()
    as_postgres = _is_root()
    if as_postgres:
        if not shutil.which("runuser"):
            raise ServerNotInstalled("runuser (util-linux) is needed to run PostgreSQL as root")
        try:
            import pwd

            pw = pwd.getpwnam("postgres")
        except KeyError:
            raise ServerNotInstalled(
                f"PostgreSQL cannot run as root and there is no `postgres` user; {INSTALL_HINT}"
            ) from None

    tmpdir = Path(
        tempfile.mkdtemp(
            prefix="labelworks-pg-", dir=_tempdir_base_for_postgres() if as_postgres else None
        )
    )
    try:
        datadir, sockdir = tmpdir / "data", tmpdir / "sock"
        sockdir.mkdir()
        if as_postgres:
            # mkdtemp makes a 0700 folder owned by root: hand the whole folder to postgres.
            for p in (tmpdir, sockdir):
                os.chown(p, pw.pw_uid, pw.pw_gid)
        _pg_run(
            [
                str(bindir / "initdb"),
                "-D", str(datadir),
                "-A", "trust",
                "-U", PG_USER,
                "-E", "UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ],
            as_postgres=as_postgres,
            cwd=tmpdir,
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{sockdir}'",
            "max_connections": str(max_connections),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "shared_buffers": "128MB",
            "dynamic_shared_memory_type": "mmap",
            "log_min_messages": "warning",
            "logging_collector": "off",
            "timezone": "'UTC'",
        }
        conf = datadir / "postgresql.conf"
        with conf.open("a") as f:
            f.write("\n# labelworks test server\n")
            f.writelines(f"{k} = {v}\n" for k, v in settings.items())

        deadline = time.monotonic() + timeout
        logfile = tmpdir / "postgres.log"
        for attempt in range(5):
            port = _free_port()
            proc = _pg_run(
                [
                    str(bindir / "pg_ctl"), "start",
                    "-D", str(datadir),
                    "-l", str(logfile),
                    "-o", f"-p {port}",
                    "-w", "-t", str(max(5, int(deadline - time.monotonic()))),
                ],
                as_postgres=as_postgres,
                cwd=tmpdir,
                check=False,
            )
            if proc.returncode == 0:
                break
            log = _tail(logfile)
            if "could not bind" in log or "already in use" in log:
                continue  # someone took the port between _free_port() and the bind: retry
            raise ServerError(f"pg_ctl start failed ({proc.returncode}):\n{proc.stderr}\nlog:\n{log}")
        else:
            raise ServerError(f"pg_ctl start: no free port after {attempt + 1} attempts")

        pg = RunningPostgres(
            host="127.0.0.1", port=port, user=PG_USER, dbname=PG_DBNAME, tmpdir=tmpdir,
            bindir=bindir, _as_postgres=as_postgres,
        )
        atexit.register(pg.stop)
        try:
            _wait_for_postgres(pg.dsn_for("postgres"), deadline, logfile)
            pg.new_database(PG_DBNAME)
        except BaseException:
            pg.stop()
            raise
        return pg
    except BaseException:
        if (tmpdir / "data" / "postmaster.pid").exists():
            _pg_run(
                [str(bindir / "pg_ctl"), "stop", "-D", str(tmpdir / "data"), "-m", "immediate"],
                as_postgres=as_postgres, cwd=tmpdir, check=False,
            )
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise


# ----------------------------------------------------------------------------------------- redis


@dataclass
class RunningRedis:
    """A Redis server started by :func:`start_redis`; ``url`` is ``redis://127.0.0.1:PORT/0``."""

    host: str
    port: int
    tmpdir: Path
    _proc: subprocess.Popen[bytes] = field(repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def url(self) -> str:
        return self.url_for(0)

    def url_for(self, db: int) -> str:
        """URL of logical database ``db`` (0-15) on this server."""
        return f"redis://{self.host}:{self.port}/{db}"

    @property
    def logfile(self) -> Path:
        return self.tmpdir / "redis.log"

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s) and delete its folder."""
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        try:
            if self._proc.poll() is None:
                self._proc.terminate()
                try:
                    self._proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait(timeout=10)
        finally:
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _die_with_parent() -> None:
    """In the child: ask the kernel to SIGTERM us when the test process dies (Linux only).

    Strictly, the signal comes when the *thread* that started us ends, so this is only used
    when the server is started from the main thread.
    """
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except Exception:
        pass


def start_redis(*, timeout: float = 30.0) -> RunningRedis:
    """Start a throw-away Redis server on 127.0.0.1 (no persistence) once it answers PING."""
    import redis

    binary = _find_redis_server()
    tmpdir = Path(tempfile.mkdtemp(prefix="labelworks-redis-"))
    deadline = time.monotonic() + timeout
    in_main_thread = threading.current_thread() is threading.main_thread()
    proc: subprocess.Popen[bytes] | None = None
    try:
        for _attempt in range(5):
            port = _free_port()
            logfile = tmpdir / "redis.log"
            with logfile.open("ab") as log:
                proc = subprocess.Popen(
                    [
                        binary,
                        "--port", str(port),
                        "--bind", "127.0.0.1",
                        "--save", "",
                        "--appendonly", "no",
                        "--dir", str(tmpdir),
                        "--daemonize", "no",
                        "--loglevel", "warning",
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=tmpdir,
                    preexec_fn=_die_with_parent if in_main_thread else None,
                )
            server = RunningRedis(host="127.0.0.1", port=port, tmpdir=tmpdir, _proc=proc)
            client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
            try:
                while time.monotonic() < deadline:
                    if proc.poll() is not None:
                        break  # exited: most likely the port was taken meanwhile
                    try:
                        if client.ping():
                            atexit.register(server.stop)
                            return server
                    except redis.exceptions.ConnectionError:
                        time.sleep(0.02)
            finally:
                client.close()
            if proc.poll() is None:  # still running but never answered: give up
                proc.kill()
                proc.wait()
                raise ServerError(f"redis-server did not answer PING in time; log:\n{_tail(logfile)}")
            log_text = _tail(logfile)
            if "Address already in use" not in log_text:
                raise ServerError(f"redis-server exited with {proc.returncode}; log:\n{log_text}")
        raise ServerError("redis-server: no free port after 5 attempts")
    except BaseException:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise
