"""Red-team replies written by threads of their own, side by side.

Each reply (one a model the tester's message went to) is written by a thread that saves what
arrived every half second and the whole reply at the end (``services.redteam_replies``); one more
thread keeps their heartbeat fresh while any is being written. The threads belong to the reply, not
to the browser's request: a tester who reloads mid-reply finds it still being written (the page
follows it), and a process that dies leaves a stale heartbeat that the page notices and asks again.
The request only relays the threads' events as they come (``run_replies``).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..db.engine import Database
from ..services import redteam_replies as replies
from ..services.redteam import PendingReply
from .chat import PreparedCall

__all__ = ["ReplyJob", "run_replies", "BEAT_EVERY_S", "SAVE_EVERY_S"]

BEAT_EVERY_S = 2.0  # well under services.redteam.STALE_AFTER_S
SAVE_EVERY_S = 0.5  # how often the part that arrived is saved (what a reload shows, what survives a crash)


@dataclass(frozen=True)
class ReplyJob:
    """A reply to write: the turn opened for it, and the call to make (None: the call could not be
    prepared, ``error`` says why and is stored on the turn)."""

    pending: PendingReply
    call: PreparedCall | None
    error: str | None = None


def _turn(info: Any) -> dict[str, Any] | None:
    return info.as_dict() if info is not None else None


def _write(db: Database, job: ReplyJob, out: queue.Queue[dict[str, Any] | None]) -> None:
    p = job.pending
    base = {"slot": p.slot, "turn_id": p.turn_id, "model": p.model}
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
                        out.put({"type": "error", "text": "".join(parts), "message": replies.STOPPED, **base,
                                 "turn": None})
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
        stream.close()


def run_replies(db: Database, jobs: list[ReplyJob]) -> Iterator[dict[str, Any]]:
    """Start the writers now; the returned iterator yields their events (``chunk``, then ``done`` or
    ``error`` per reply, each with ``slot``, ``turn_id`` and ``model``) until every reply ended.
    Leaving the iterator early (the browser went away) leaves the writers running."""
    out: queue.Queue[dict[str, Any] | None] = queue.Queue()
    live = {job.pending.turn_id for job in jobs}
    lock = threading.Lock()
    all_done = threading.Event()
    if not jobs:
        all_done.set()

    def heartbeat() -> None:
        while not all_done.wait(BEAT_EVERY_S):
            with lock:
                ids = sorted(live)
            try:
                replies.beat(db, ids)
            except Exception:  # a missed beat is tried again next time; the reply must go on
                continue

    def writer(job: ReplyJob) -> None:
        try:
            _write(db, job, out)
        finally:
            with lock:
                live.discard(job.pending.turn_id)
                if not live:
                    all_done.set()
            out.put(None)

    threading.Thread(target=heartbeat, name="redteam-heartbeat", daemon=True).start()
    for job in jobs:
        threading.Thread(target=writer, args=(job,), name=f"redteam-reply-{job.pending.turn_id}", daemon=True).start()

    def events() -> Iterator[dict[str, Any]]:
        remaining = len(jobs)
        while remaining:
            item = out.get()
            if item is None:
                remaining -= 1
                continue
            yield item

    return events()
