"""``serve`` and ``worker``."""

from __future__ import annotations

from typing import Annotated

import typer

from .context import DataDir, console, default_data_dir, err, fail_on_errors, open_db


def serve(data_dir: DataDir = default_data_dir(),
          host: Annotated[str, typer.Option(envvar="LABELWORKS_HOST", help="Bind address (loopback by default).")] = "127.0.0.1",
          port: Annotated[int, typer.Option(envvar="LABELWORKS_PORT")] = 8000) -> None:
    """Apply migrations and run the server."""
    import uvicorn

    from ..app import create_app

    with fail_on_errors():
        settings, db = open_db(data_dir)
    settings.host, settings.port = host, port
    console.print(f"Labelworks on [bold]http://{host}:{port}[/] (data in {settings.data_dir}, "
                  f"database {'SQLite' if settings.is_sqlite else 'PostgreSQL'})")
    uvicorn.run(create_app(settings, db=db), host=host, port=port, log_level="info", access_log=False,
                server_header=False)


def worker(data_dir: DataDir = default_data_dir(),
           workers: Annotated[int, typer.Option(help="Threads running jobs.")] = 2) -> None:
    """Run background jobs from Redis (needs LABELWORKS_REDIS_URL)."""
    from ..jobs.queue import build_queue

    with fail_on_errors():
        settings, db = open_db(data_dir)
    if not settings.redis_url:
        err.print("[bold red]error:[/] LABELWORKS_REDIS_URL is not set: without Redis, jobs run inside "
                  "the server and no worker is needed")
        raise typer.Exit(2)
    queue = build_queue(settings, db)
    swept = queue.sweep()
    console.print(f"worker: {workers} threads on {settings.redis_url} ({swept} queued jobs picked up)")
    queue.consumer(workers).run()
