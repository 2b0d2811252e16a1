"""The database handle: one engine, read and write transactions.

SQLite runs in WAL mode with foreign keys and a busy timeout, and every write transaction starts
with ``BEGIN IMMEDIATE``: a deferred transaction that reads and then writes can fail at once with
"database is locked" instead of waiting, which is the failure seen in peers under concurrent load.
"""

from __future__ import annotations

from collections.abc import Iterator
import threading
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["Database"]

_WRITE = "lw_write"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA cache_size=-65536")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


class Database:
    """Owns the engine; services open transactions with ``read()`` and ``write()``."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            kwargs["pool_size"] = 40
            kwargs["max_overflow"] = 20
        else:
            kwargs["pool_size"] = 20
            kwargs["max_overflow"] = 40
            kwargs["pool_pre_ping"] = True
        self.engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._write_lock: AbstractContextManager[object] = threading.Lock() if self.is_sqlite else nullcontext()
        self._local = threading.local()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read transaction; nothing is committed (closing the session ends it; loaded rows stay usable)."""
        with self._sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction, committed on success and rolled back on any error.

        On SQLite, writers of this process queue on a lock first: SQLite's own busy handler
        polls with sleeps of up to 100 ms, which turns contention into long latency tails.
        Inside ``write_batch`` (same thread) it is a savepoint of the batch's transaction instead.
        """
        batch: Session | None = getattr(self._local, "batch", None)
        if batch is not None:
            with batch.begin_nested():
                yield batch
            return
        with self._write_lock, self._sessions() as session:
            session.connection(execution_options={_WRITE: True})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def write_plain(self) -> Iterator[Session]:
        """``write()`` for a unit that runs plain SQL and keeps no ORM objects (next-task, submit).

        Inside ``write_batch`` on SQLite its savepoint is a bare SAVEPOINT on the driver's
        connection: the ORM's nested transaction tracks objects to expire on rollback, which such a
        unit mostly has none of, and cost more than the unit's own statements. Elsewhere it is ``write()``.
        """
        batch: Session | None = getattr(self._local, "batch", None)
        if batch is None or not self.is_sqlite:
            with self.write() as session:
                yield session
            return
        driver: Any = batch.connection().connection.driver_connection
        cur = driver.cursor()
        cur.execute("SAVEPOINT lw_plain")
        try:
            yield batch
        except BaseException:
            cur.execute("ROLLBACK TO lw_plain")
            cur.execute("RELEASE lw_plain")
            if batch.new or batch.identity_map:
                # a rare ORM object (a quality notification) must not stay in the session as if
                # stored: the batch would flush it at commit, or meet its reused id. The earlier
                # units' objects are flushed already and their results are plain values.
                batch.expunge_all()
            raise
        cur.execute("RELEASE lw_plain")

    @contextmanager
    def write_batch(self) -> Iterator[None]:
        """One transaction for several units of work (group commit).

        Each ``write()`` opened by this thread inside it becomes a savepoint: a unit that fails
        rolls back alone, the others commit together at the end. The commit and ``BEGIN`` are what
        a small labeling write mostly costs on SQLite, so sharing them multiplies throughput.
        Callers must not report any unit as done before this block has exited without error.
        """
        with self._write_lock, self._sessions() as session:
            session.connection(execution_options={_WRITE: True})
            self._local.batch = session
            try:
                yield
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                self._local.batch = None

    def dispose(self) -> None:
        self.engine.dispose()
