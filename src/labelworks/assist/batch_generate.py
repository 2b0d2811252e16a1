"""The ``generate`` job: every prompt item answered by each chosen model connection, the reply kept
on the item (``lw-generations.<model name>``) for ranking and evaluation tasks.

The items are walked in pages (keyset by id, ``page_size`` at a time) and handed to as many threads
as the connection's ``concurrency`` (the same per-connection limit the labeling page's calls share),
with at most twice that many waiting: memory stays flat however many prompts the project holds.
Resumable: an item that already has a reply from that model is skipped unless ``overwrite``; a
failed item is reported and retried by the next run. A connection whose role rules refuse the job's
starter, or whose token budget is used up, stops there (``stopped`` says why and when it resets);
the rest of its items are left for a later run, and the other connections go on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ..core.actor import Actor
from ..core.chat import ChatModel
from ..core.errors import LabelworksError, PermissionDenied, RateLimited
from ..db.base import utcnow
from ..db.engine import Database
from ..services import model_connections as conns
from ..services.model_spending import Clock
from .chat import prepare

__all__ = ["run_generate", "PAGE_SIZE"]

_MAX_FAILURES_LISTED = 50
PAGE_SIZE = 200
_PROGRESS_EVERY_S = 0.25


def _walk(db: Database, project_id: int, page_size: int) -> Iterator[tuple[int, dict[str, Any]]]:
    after = 0
    while True:
        page = conns.prompt_item_page(db, project_id, after, page_size)
        yield from page
        if len(page) < page_size:
            return
        after = page[-1][0]


class _Progress:
    """Counts handled (item, model) pairs; reports at most every quarter second, and the last one."""

    def __init__(self, total: int, report: Callable[[int, int], None] | None) -> None:
        self.total, self.done, self._report = total, 0, report
        self._lock = threading.Lock()
        self._last = 0.0

    def tick(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
            now = time.monotonic()
            if self._report is not None and (now - self._last >= _PROGRESS_EVERY_S or self.done == self.total):
                self._last = now
                self._report(self.done, self.total)

    def flush(self) -> None:
        if self._report is not None:
            self._report(self.done, self.total)


def run_generate(db: Database, actor: Actor, project_id: int, params: Mapping[str, Any], *, secret_key: str,
                 allow_private: bool, progress: Callable[[int, int], None] | None = None,
                 page_size: int = PAGE_SIZE, clock: Clock = utcnow,
                 models: Mapping[str, ChatModel] | None = None) -> dict[str, Any]:
    """``models``: the in-process models to look names up in (None: the registered ones), as for
    ``prepare``, so a plugin's model can run a batch in its tests."""
    connection_ids = [int(c) for c in params.get("connections", [])]
    overwrite = bool(params.get("overwrite"))
    items = conns.count_prompt_items(db, project_id)
    ticks = _Progress(items * len(connection_ids), progress)
    report: dict[str, Any] = {"items": items, "models": {}}
    for cid in connection_ids:
        conn = conns.get_connection(db, actor, project_id, cid)
        report["models"][conn.name] = _one_connection(db, actor, project_id, conn, overwrite, items, ticks, page_size,
                                                      secret_key=secret_key, allow_private=allow_private, clock=clock,
                                                      models=models)
    ticks.flush()
    return report


def _one_connection(db: Database, actor: Actor, project_id: int, conn: conns.ConnectionInfo, overwrite: bool,
                    items: int, ticks: _Progress, page_size: int, *, secret_key: str, allow_private: bool,
                    clock: Clock, models: Mapping[str, ChatModel] | None) -> dict[str, Any]:
    counts: dict[str, Any] = {"generated": 0, "skipped": 0, "failed": []}
    lock = threading.Lock()
    stop = threading.Event()  # set by the first call the connection's spending rules refuse
    crashed: list[BaseException] = []

    def one(item_id: int, data: dict[str, Any]) -> None:
        try:
            if stop.is_set():
                return
            try:
                call = prepare(db, actor, project_id, conn.id, [m.as_dict() for m in conns.item_messages(data)],
                               None, secret_key=secret_key, allow_private=allow_private, item_id=item_id,
                               source="batch", clock=clock, models=models)
            except (RateLimited, PermissionDenied) as exc:
                with lock:
                    if not stop.is_set():
                        stop.set()
                        counts["stopped"] = exc.message
                return
            except LabelworksError as exc:
                result: dict[str, Any] = {"message": exc.message, "generation_id": None}
                ok = False
            else:
                event = call.collect()
                result, ok = dict(event.data), event.type == "done"
            if ok:
                conns.store_item_generation(db, item_id, conn.name, str(result["text"]), int(result["generation_id"]),
                                            result.get("finish_reason"))
            with lock:
                if ok:
                    counts["generated"] += 1
                elif len(counts["failed"]) < _MAX_FAILURES_LISTED:
                    counts["failed"].append({"item_id": item_id, "error": result.get("message"),
                                             "generation_id": result.get("generation_id")})
                else:
                    counts["failed_unlisted"] = counts.get("failed_unlisted", 0) + 1
        finally:
            ticks.tick()

    # at most two items per thread wait in the pool's queue: the walk never runs ahead of the calls
    room = threading.BoundedSemaphore(conn.concurrency * 2)

    def finished(future: Future[None]) -> None:
        room.release()
        if future.exception() is not None:
            crashed.append(future.exception())  # type: ignore[arg-type]

    with ThreadPoolExecutor(max_workers=conn.concurrency, thread_name_prefix="lw-generate") as pool:
        for item_id, data in _walk(db, project_id, page_size):
            if stop.is_set() or crashed:
                break
            existing = data.get(conns.GENERATIONS_KEY)
            if not overwrite and isinstance(existing, dict) and conn.name in existing:
                with lock:
                    counts["skipped"] += 1
                ticks.tick()
                continue
            room.acquire()
            pool.submit(one, item_id, data).add_done_callback(finished)
    if crashed:
        raise crashed[0]
    if stop.is_set():  # what this run left for a later one (the walk stopped, or items were refused)
        counts["left"] = max(0, items - counts["generated"] - counts["skipped"] - len(counts["failed"])
                             - counts.get("failed_unlisted", 0))
    return counts
