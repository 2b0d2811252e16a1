"""Dependencies injected with Annotated aliases: the database, the settings, the current actor."""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from ..core.actor import Actor
from ..core.errors import NotAuthenticated
from ..db.engine import Database
from ..jobs.queue import JobQueue
from ..services import accounts
from ..services.media import MediaSigner
from ..settings import Settings
from .security import SESSION_COOKIE, SessionCookie

__all__ = ["DbDep", "SettingsDep", "QueueDep", "SignerDep", "CookieDep", "CurrentActor", "OptionalActor",
           "actor_from_request", "CredentialCache", "Writer", "WriterDep"]


async def _db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


async def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def _queue(request: Request) -> JobQueue:
    return request.app.state.queue  # type: ignore[no-any-return]


async def _signer(request: Request) -> MediaSigner:
    return request.app.state.signer  # type: ignore[no-any-return]


async def _writer(request: Request) -> Writer:
    return request.app.state.writer  # type: ignore[no-any-return]


async def _cookie(request: Request) -> SessionCookie:
    return request.app.state.cookie  # type: ignore[no-any-return]


T = TypeVar("T")


class Writer:
    """Runs the labeling hot path's write transactions off the event loop.

    On SQLite one thread runs them, several at a time in one transaction (``Database.write_batch``:
    group commit, each unit its own savepoint), and answers each caller only after the commit.
    SQLite has one writer anyway; a queue in front of it beats threads taking turns on a lock, and
    sharing BEGIN and COMMIT is most of the gain. On PostgreSQL the units go to the shared thread
    pool and run in parallel.
    """

    def __init__(self, db: Database, serial: bool, max_batch: int = 32) -> None:
        self._db, self._max_batch = db, max_batch
        self._queue: queue.SimpleQueue[_Unit | None] | None = None
        if serial:
            self._queue = queue.SimpleQueue()
            threading.Thread(target=self._drain, name="lw-writer", daemon=True).start()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        if self._queue is None:
            return await run_in_threadpool(fn, *args)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put((fn, args, loop, future))
        return await future

    def _drain(self) -> None:
        assert self._queue is not None
        while True:
            first = self._queue.get()
            if first is None:
                return
            units = [first]
            while len(units) < self._max_batch:
                try:
                    unit = self._queue.get_nowait()
                except queue.Empty:
                    break
                if unit is None:
                    self._queue.put(None)  # stop after this batch
                    break
                units.append(unit)
            outcomes: list[tuple[bool, Any]] = []
            try:
                with self._db.write_batch():
                    for fn, args, _, _ in units:
                        try:
                            outcomes.append((True, fn(*args)))
                        except Exception as exc:  # this unit's savepoint is rolled back; others go on
                            outcomes.append((False, exc))
            except Exception as exc:  # the commit itself failed: nobody's work is saved
                outcomes = [(False, exc)] * len(units)
            for (_, _, loop, future), (ok, value) in zip(units, outcomes, strict=True):
                loop.call_soon_threadsafe(_settle, future, ok, value)

    def close(self) -> None:
        if self._queue is not None:
            self._queue.put(None)


_Unit = tuple[Callable[..., Any], tuple[Any, ...], asyncio.AbstractEventLoop, "asyncio.Future[Any]"]


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.cancelled():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


class CredentialCache:
    """Who a token or session is, remembered for a few seconds.

    Looking a credential up costs a database read per request; at hundreds of requests a second
    that is a large share of the server. A revoked credential stops working within ``ttl_s``
    (logout clears its entry at once in this process).
    """

    def __init__(self, ttl_s: float = 10.0, size: int = 10_000) -> None:
        self.ttl_s, self.size = ttl_s, size
        self._entries: dict[str, tuple[float, Actor]] = {}

    def get(self, key: str) -> Actor | None:
        hit = self._entries.get(key)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def put(self, key: str, actor: Actor) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.ttl_s, actor)

    def drop(self, key: str) -> None:
        self._entries.pop(key, None)


def actor_from_request(request: Request) -> Actor | None:
    db: Database = request.app.state.db
    cache: CredentialCache = request.app.state.credentials
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if credential and scheme.lower() in ("bearer", "token"):
        key = "t:" + credential.strip()
        actor = cache.get(key) or accounts.actor_for_token(db, credential.strip())
        if actor is None:
            raise NotAuthenticated("the API token is not valid")
        cache.put(key, actor)
        return actor
    session_id = request.app.state.cookie.load(request.cookies.get(SESSION_COOKIE))
    if session_id:
        key = "s:" + session_id
        actor = cache.get(key) or accounts.actor_for_session(db, session_id)
        if actor is not None:
            cache.put(key, actor)
        return actor
    return None


# Dependencies are async so FastAPI does not hop to a worker thread for each one; a credential
# lookup that misses the cache reads the database on the event loop (once per credential per TTL).
async def _current(request: Request) -> Actor:
    actor = actor_from_request(request)
    if actor is None:
        raise NotAuthenticated("log in or send an API token (Authorization: Bearer …)")
    return actor


WriterDep = Annotated[Writer, Depends(_writer)]
DbDep = Annotated[Database, Depends(_db)]
SettingsDep = Annotated[Settings, Depends(_settings)]
QueueDep = Annotated[JobQueue, Depends(_queue)]
SignerDep = Annotated[MediaSigner, Depends(_signer)]
CookieDep = Annotated[SessionCookie, Depends(_cookie)]
CurrentActor = Annotated[Actor, Depends(_current)]
OptionalActor = Annotated[Actor | None, Depends(actor_from_request)]
