"""Red-team replies written by threads of their own, side by side, at most so many at once.

Each reply (one a model the tester's message went to) is written by a thread that saves what
arrived every half second and the whole reply at the end (``services.redteam_replies``). The threads
belong to the reply, not to the browser's request: a tester who reloads mid-reply finds it still
being written (the page follows it), and a process that dies leaves a stale heartbeat that the page
notices and asks again. The request only relays the threads' events as they come (``run_replies``).

Bounds, so a burst of testers cannot start unbounded threads: the writers come from a process-wide
pool (``WriterPool``) of at most ``settings.redteam_reply_writers`` threads; a reply past that waits
its turn in order (its first event says ``queued``, then ``started`` when a writer takes it) and
keeps a live heartbeat while it waits, so nobody takes it for dead. One process-wide thread beats
every reply this process has in hand (``Heartbeat``).
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from ..db.engine import Database
from ..services import redteam_replies as replies
from ..services.redteam import PendingReply
from .chat import PreparedCall

__all__ = ["ReplyJob", "WriterPool", "Heartbeat", "run_replies", "pool_for", "queued_turns", "BEAT_EVERY_S",
           "SAVE_EVERY_S", "DEFAULT_WRITERS"]

BEAT_EVERY_S = 2.0  # well under services.redteam.STALE_AFTER_S
SAVE_EVERY_S = 0.5  # how often the part that arrived is saved (what a reload shows, what survives a crash)
DEFAULT_WRITERS = 16  # settings.redteam_reply_writers


@dataclass(frozen=True)
class ReplyJob:
    """A reply to write: the turn opened for it, and the call to make (None: the call cannot be
    made — over budget, a role not allowed, no key — and ``error`` says why; it is stored on the turn)."""

    pending: PendingReply
    call: PreparedCall | None
    error: str | None = None


class WriterPool:
    """At most ``limit`` writer threads at once; work past that waits in a queue, first come first
    served. A thread is started when work arrives and fewer than ``limit`` run, and ends when the
    queue is empty (no idle threads linger). Daemon threads: a process that stops leaves its replies
    with a stale heartbeat, which the page recovers."""

    def __init__(self, limit: int, name: str = "redteam-writer") -> None:
        if limit < 1:
            raise ValueError("a writer pool needs at least one thread")
        self.limit = limit
        self._name = name
        self._lock = threading.Lock()
        self._work: deque[Callable[[], None]] = deque()
        self.threads = 0  # running now
        self.most_threads = 0  # the most ever at once (what the tests read)

    def submit(self, work: Callable[[], None]) -> bool:
        """Run ``work`` on a writer thread; True when it has to wait for one (every thread is busy)."""
        with self._lock:
            self._work.append(work)
            if self.threads < self.limit:
                self.threads += 1
                self.most_threads = max(self.most_threads, self.threads)
                threading.Thread(target=self._run, name=f"{self._name}-{self.threads}", daemon=True).start()
                return False
            return True

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._work:
                    self.threads -= 1
                    return
                work = self._work.popleft()
            try:
                work()
            except Exception:  # the work reports its own failures; the thread serves the next one
                continue


class Heartbeat:
    """One thread beats every reply this process has in hand (being written or waiting for a writer)
    every ``BEAT_EVERY_S``; it runs while there is any and ends when none is left."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[int, Database] = {}
        self._running = False

    def add(self, db: Database, turn_ids: list[int]) -> None:
        with self._lock:
            self._live.update({t: db for t in turn_ids})
            if self._live and not self._running:
                self._running = True
                threading.Thread(target=self._run, name="redteam-heartbeat", daemon=True).start()

    def discard(self, turn_id: int) -> None:
        with self._lock:
            self._live.pop(turn_id, None)

    def _run(self) -> None:
        while True:
            time.sleep(BEAT_EVERY_S)
            with self._lock:
                if not self._live:
                    self._running = False
                    return
                by_db: dict[int, tuple[Database, list[int]]] = {}
                for turn_id, db in self._live.items():
                    by_db.setdefault(id(db), (db, []))[1].append(turn_id)
            for db, ids in by_db.values():
                try:
                    replies.beat(db, sorted(ids))
                except Exception:  # a missed beat is tried again next time; the reply must go on
                    continue


_pools: dict[int, WriterPool] = {}
_pools_lock = threading.Lock()
_heartbeat = Heartbeat()
# the turns this process holds: "new" (being handed over), "queued" (waiting for a writer), "started"
_state: dict[int, str] = {}


def pool_for(limit: int) -> WriterPool:
    """The process's pool for this bound (one per configured value: one in a deployment)."""
    with _pools_lock:
        found = _pools.get(limit)
        if found is None:
            found = _pools[limit] = WriterPool(limit)
        return found


def queued_turns() -> set[int]:
    """The replies this process holds that wait for a writer (the page shows them as queued)."""
    with _pools_lock:
        return {turn_id for turn_id, state in _state.items() if state == "queued"}


def _turn(info: Any) -> dict[str, Any] | None:
    return info.as_dict() if info is not None else None


def _write(db: Database, job: ReplyJob, out: queue.Queue[dict[str, Any] | None], waited: bool = False) -> None:
    p = job.pending
    base = {"slot": p.slot, "turn_id": p.turn_id, "model": p.model}
    if waited and replies.save_reply(db, p.turn_id, "") is None:  # stopped while it waited: not asked at all
        out.put({"type": "error", "text": "", "message": replies.why_ended(db, p.turn_id), **base, "turn": None})
        return
    if job.call is None:
        stored = replies.save_reply(db, p.turn_id, "", final=True, error=job.error)
        out.put({"type": "error", "text": "", "message": job.error, **base, "turn": _turn(stored)})
        return
    parts: list[str] = []
    saved_at = time.monotonic()
    stream = job.call.stream()
    try:
        for event in stream:
            if event.type == "chunk":
                parts.append(event.text)
                out.put({**event.as_dict(), **base})
                if time.monotonic() - saved_at >= SAVE_EVERY_S:
                    saved_at = time.monotonic()
                    if replies.save_reply(db, p.turn_id, "".join(parts)) is None:  # stopped, or taken over
                        why = replies.why_ended(db, p.turn_id)
                        job.call.cancel_reason = why  # what the generation row says
                        out.put({"type": "error", "text": "".join(parts), "message": why, **base, "turn": None})
                        return
                continue
            error = str(event.data.get("message")) if event.type == "error" else None
            gid = event.data.get("generation_id")
            stored = replies.save_reply(db, p.turn_id, str(event.data.get("text", "")), final=True,
                                        generation_id=gid if isinstance(gid, int) else None, error=error)
            out.put({**event.as_dict(), **base, "turn": _turn(stored)})
    except Exception as exc:  # the writer must never leave its turn "streaming" with a live heartbeat
        message = f"the reply could not be saved: {type(exc).__name__}: {exc}"[:500]
        stored = replies.save_reply(db, p.turn_id, "".join(parts), final=True, error=message)
        out.put({"type": "error", "text": "".join(parts), "message": message, **base, "turn": _turn(stored)})
    finally:
        close = getattr(stream, "close", None)  # a generator: ends the call (its generation row says why)
        if close is not None:
            close()


def run_replies(db: Database, jobs: list[ReplyJob], limit: int = DEFAULT_WRITERS) -> Iterator[dict[str, Any]]:
    """Hand the replies to the process's writers now; the returned iterator yields their events
    (``queued``/``started`` for a reply that waits for a writer, ``chunk``, then ``done`` or
    ``error`` per reply, each with ``slot``, ``turn_id`` and ``model``) until every reply ended.
    Leaving the iterator early (the browser went away) leaves the writers running."""
    out: queue.Queue[dict[str, Any] | None] = queue.Queue()
    pool = pool_for(limit)
    _heartbeat.add(db, [job.pending.turn_id for job in jobs])

    def writer(job: ReplyJob) -> None:
        p = job.pending
        with _pools_lock:
            waited = _state.get(p.turn_id) == "queued"
            _state[p.turn_id] = "started"
            if waited:
                out.put({"type": "started", "slot": p.slot, "turn_id": p.turn_id, "model": p.model})
        try:
            _write(db, job, out, waited)
        finally:
            _heartbeat.discard(p.turn_id)
            with _pools_lock:
                _state.pop(p.turn_id, None)
            out.put(None)

    for job in jobs:
        p = job.pending
        with _pools_lock:
            _state[p.turn_id] = "new"
        if pool.submit(partial(writer, job)):
            with _pools_lock:  # unless a writer freed up and took it (or even finished it) meanwhile
                if _state.get(p.turn_id) == "new":
                    _state[p.turn_id] = "queued"
                    out.put({"type": "queued", "slot": p.slot, "turn_id": p.turn_id, "model": p.model,
                             "message": f"waiting for a free writer (this server writes {pool.limit} "
                                        "replies at once)"})

    def events() -> Iterator[dict[str, Any]]:
        remaining = len(jobs)
        while remaining:
            item = out.get()
            if item is None:
                remaining -= 1
                continue
            yield item

    return events()
