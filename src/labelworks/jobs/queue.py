"""The queue adapter. Built by ``create_app`` / the CLI from Settings, never at import time.

Without ``LABELWORKS_REDIS_URL`` jobs go to a SQLite huey in the data directory and run on
threads inside the server; with it they go to Redis and run in ``labelworks worker`` processes.
Job rows are the outbox: the relay enqueues a job after its transaction commits, and a sweep at
start enqueues any job left queued (a crash between commit and enqueue loses nothing).
"""

from __future__ import annotations

import logging
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

from ..db.engine import Database
from ..services import jobs as job_records
from ..settings import Settings
from .runners import run_job

__all__ = ["JobQueue", "build_queue"]

TASK_NAME = "labelworks.run_job"
log = logging.getLogger(__name__)


class _ThreadConsumer(Consumer):
    """A consumer living inside the server: no signal handlers (they belong to uvicorn)."""

    def _set_signal_handlers(self) -> None:
        return None


class JobQueue:
    def __init__(self, huey: Huey, db: Database, settings: Settings) -> None:
        self.huey = huey
        self.db = db
        self.settings = settings
        self._consumer: _ThreadConsumer | None = None

        def _task(job_id: int) -> None:
            run_job(db, settings, job_id)

        self._task: Any = huey.task(name=TASK_NAME, retries=0)(_task)

    @property
    def in_process(self) -> bool:
        return not isinstance(self.huey, RedisHuey)

    def enqueue(self, job_id: int) -> None:
        """Hand a committed job row to the queue (call after the transaction that wrote it)."""
        self._task(job_id)

    def sweep(self) -> int:
        ids = job_records.queued_job_ids(self.db)
        for job_id in ids:
            self.enqueue(job_id)
        return len(ids)

    def start_in_process(self) -> None:
        if self._consumer is not None:
            return
        self._consumer = _ThreadConsumer(self.huey, workers=self.settings.in_process_workers,
                                         worker_type="thread", periodic=False, check_worker_health=False)
        self._consumer.start()
        self.sweep()

    def stop(self) -> None:
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
            self._consumer = None

    def consumer(self, workers: int) -> Consumer:
        """For ``labelworks worker``: a normal consumer (signals handled) on the same queue."""
        return Consumer(self.huey, workers=workers, worker_type="thread", periodic=False)


def build_queue(settings: Settings, db: Database) -> JobQueue:
    if settings.redis_url:
        huey: Huey = RedisHuey("labelworks", url=settings.redis_url)
    else:
        huey = SqliteHuey("labelworks", filename=str(settings.data_dir / "jobs.db"))
    return JobQueue(huey, db, settings)
