"""``worker``: runs background jobs from Redis, for servers with LABELWORKS_REDIS_URL set."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

import typer
from redis.exceptions import RedisError

from ..jobs.queue import build_queue
from .context import DEFAULT_DATA_DIR, DataDir, console, escape, fail, fail_on_errors, load, open_db

__all__ = ["worker"]


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return parts.geturl()


def worker(data_dir: DataDir = DEFAULT_DATA_DIR,
           workers: Annotated[int, typer.Option(min=1, max=256, help="Threads running jobs.")] = 2) -> None:
    """Run jobs (imports, exports) queued in Redis; first picks up jobs left queued."""
    if not load(data_dir).redis_url:
        raise fail("LABELWORKS_REDIS_URL is not set. Without Redis, jobs run inside `labelworks serve` "
                   "and no worker is needed; to scale out, set it (redis://host:6379/0) for the server "
                   "and the workers alike")
    with fail_on_errors(), open_db(data_dir) as (settings, db):
        queue = build_queue(settings, db)
        where = _redacted(str(settings.redis_url))
        try:
            queue.huey.storage.conn.ping()
            swept = queue.sweep()
        except RedisError as exc:
            raise fail(f"cannot reach Redis at {where}: {exc}") from None
        console.print(f"worker: {workers} threads on {escape(where)}; {swept} queued jobs picked up")
        queue.consumer(workers).run()
