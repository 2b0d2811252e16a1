"""The ``generate`` job: every prompt item answered by each chosen model connection, the reply kept
on the item (``lw-generations.<model name>``) for ranking and evaluation tasks.

Requests run on as many threads as the connection's ``concurrency`` (the same per-connection
limit the labeling page's calls share). Resumable: an item that already has a reply from that
model is skipped unless ``overwrite``; a failed item is reported and retried by the next run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..core.actor import Actor
from ..core.errors import LabelworksError
from ..db.engine import Database
from ..services import model_connections as conns
from .chat import prepare

__all__ = ["run_generate"]

_MAX_FAILURES_LISTED = 50


def run_generate(db: Database, actor: Actor, project_id: int, params: Mapping[str, Any], *, secret_key: str,
                 allow_private: bool, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    connection_ids = [int(c) for c in params.get("connections", [])]
    overwrite = bool(params.get("overwrite"))
    items = conns.prompt_items(db, project_id)
    total = len(items) * len(connection_ids)
    done = 0
    lock = threading.Lock()
    report: dict[str, Any] = {"items": len(items), "models": {}}

    def tick() -> None:
        nonlocal done
        with lock:
            done += 1
            if progress is not None and (done % 5 == 0 or done == total):
                progress(done, total)

    for cid in connection_ids:
        conn = conns.get_connection(db, actor, project_id, cid)
        counts: dict[str, Any] = {"generated": 0, "skipped": 0, "failed": []}
        report["models"][conn.name] = counts

        def one(entry: tuple[int, dict[str, Any]], conn: conns.ConnectionInfo = conn,
                counts: dict[str, Any] = counts) -> None:
            item_id, data = entry
            try:
                existing = data.get(conns.GENERATIONS_KEY)
                if not overwrite and isinstance(existing, dict) and conn.name in existing:
                    with lock:
                        counts["skipped"] += 1
                    return
                try:
                    call = prepare(db, actor, project_id, conn.id, [m.as_dict() for m in conns.item_messages(data)],
                                   None, secret_key=secret_key, allow_private=allow_private, item_id=item_id,
                                   source="batch")
                except LabelworksError as exc:
                    result: dict[str, Any] = {"message": exc.message, "generation_id": None}
                    ok = False
                else:
                    event = call.collect()
                    result, ok = dict(event.data), event.type == "done"
                if ok:
                    conns.store_item_generation(db, item_id, conn.name, str(result["text"]),
                                                int(result["generation_id"]), result.get("finish_reason"))
                with lock:
                    if ok:
                        counts["generated"] += 1
                    elif len(counts["failed"]) < _MAX_FAILURES_LISTED:
                        counts["failed"].append({"item_id": item_id, "error": result.get("message"),
                                                 "generation_id": result.get("generation_id")})
                    else:
                        counts["failed_unlisted"] = counts.get("failed_unlisted", 0) + 1
            finally:
                tick()

        with ThreadPoolExecutor(max_workers=conn.concurrency, thread_name_prefix="lw-generate") as pool:
            list(pool.map(one, items))
    if progress is not None:
        progress(done, total)
    return report
