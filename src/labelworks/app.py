"""``create_app(settings)``: the one place the API and the web pages are put together.

Nothing is built at import time; tests pick SQLite or PostgreSQL per run by passing Settings.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from . import __version__
from .api.app import install_api
from .db.engine import Database
from .jobs.queue import JobQueue, build_queue
from .settings import Settings, load_settings
from .web.app import install_web

__all__ = ["create_app"]

# The server makes no outbound calls of its own: FastAPI's OpenTelemetry export stays off even
# when FASTAPI_OTEL_AUTO_CONFIGURE is set in the environment.
# No Swagger/ReDoc page: FastAPI's loads its scripts from a CDN, and nothing here may need the internet.
_NO_TELEMETRY = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False,
                 "auto_configure": False}


def create_app(settings: Settings | None = None, *, db: Database | None = None,
               queue: JobQueue | None = None, run_jobs_in_process: bool | None = None,
               freeze_gc: bool = False) -> FastAPI:
    settings = settings or load_settings()
    db = db or Database(settings.resolved_database_url)
    queue = queue or build_queue(settings, db)
    in_process = queue.in_process if run_jobs_in_process is None else run_jobs_in_process

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if in_process:
            queue.start_in_process()
        if freeze_gc:
            # A served process: what start-up built lives as long as the server. Moved out of the
            # collector's view, full collections no longer walk it (~80 ms pauses were the next-task
            # p99 under load). Not for tests, which build many apps in one process.
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            queue.stop()
            app.state.writer.close()

    app = FastAPI(title="Labelworks", version=__version__, lifespan=lifespan,
                  openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None,
                  telemetry=_NO_TELEMETRY)
    install_api(app, settings, db, queue)
    install_web(app, settings)
    return app
