#!/usr/bin/env python3
"""Diagnosis only: ``labelworks serve`` with server-side timings, to tell server latency from client.

Builds the app exactly as the CLI does and wraps it (outside ``src/``) in a plain ASGI middleware
that records, per route (ids replaced by {id}), the time from the request's arrival to its last
body byte; an asyncio task records event-loop lag (how late a 5 ms sleep wakes up); gc callbacks
record collection pauses. ``GET /__bench/stats`` returns percentiles; ``?reset=1`` clears them.

    PYTHONPATH=<snapshot>/src .venv/bin/python bench/timed_serve.py DATA_DIR PORT [--gc-freeze]

``--gc-freeze`` calls ``gc.collect(); gc.freeze()`` once the app is built (the experiment in
RESULTS.md: start-up objects then stay out of every full collection).

Headline figures come from the plain server (lw_server.sh); this one adds a little overhead.
"""

from __future__ import annotations

import asyncio
import gc
import json
import re
import sys
import time
from pathlib import Path

import uvicorn

_ID = re.compile(r"/\d+")


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, int(len(s) * p / 100))] * 1e3, 1)


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": pct(values, 50), "p95_ms": pct(values, 95), "p99_ms": pct(values, 99),
            "max_ms": round(max(values) * 1e3, 1) if values else None}


class Timings:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.routes: dict[str, list[float]] = {}
        self.lag: list[float] = []
        self.gc: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self.since = time.perf_counter()

    def stats(self) -> dict:
        return {"seconds": round(time.perf_counter() - self.since, 1),
                "gc_tracked_objects": len(gc.get_objects()), "gc_frozen_objects": gc.get_freeze_count(),
                "gc_threshold": gc.get_threshold(),
                "routes": {k: summary(v) for k, v in sorted(self.routes.items())},
                "event_loop_lag": summary(self.lag),
                "gc_pauses": {f"gen{g}": {**summary(v), "total_ms": round(sum(v) * 1e3, 1)} for g, v in self.gc.items()}}


def wrap(app, t: Timings, probe):
    started: list[asyncio.Task] = []

    async def timed(scope, receive, send):
        if not started:  # the lag probe starts with the first request, on the server's own loop
            started.append(asyncio.get_running_loop().create_task(probe()))
        if scope["type"] != "http":
            return await app(scope, receive, send)
        if scope["path"] == "/__bench/stats":
            if b"reset=1" in scope.get("query_string", b""):
                t.reset()
                body = b"{}"
            else:
                body = json.dumps(t.stats()).encode()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
            return
        start = time.perf_counter()
        key = f"{scope['method']} {_ID.sub('/{id}', scope['path'])}"

        async def timed_send(message):
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                t.routes.setdefault(key, []).append(time.perf_counter() - start)

        await app(scope, receive, timed_send)

    return timed


def main() -> None:
    data_dir, port = Path(sys.argv[1]), int(sys.argv[2])
    freeze = "--gc-freeze" in sys.argv[3:]  # experiment: move start-up objects out of the collector's way
    from labelworks.app import create_app
    from labelworks.cli.context import open_db

    settings, db = open_db(data_dir)
    t = Timings()
    gc_start: dict[str, float] = {}

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_start["t"] = time.perf_counter()
        elif "t" in gc_start:
            t.gc[info["generation"]].append(time.perf_counter() - gc_start.pop("t"))

    gc.callbacks.append(on_gc)
    app = create_app(settings, db=db)
    if freeze:
        gc.collect()
        gc.freeze()

    async def lag_probe() -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            t.lag.append(max(0.0, time.perf_counter() - before - 0.005))

    uvicorn.run(wrap(app, t, lag_probe), host="127.0.0.1", port=port, log_level="warning", access_log=False,
                server_header=False)


if __name__ == "__main__":
    main()
