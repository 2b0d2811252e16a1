"""``serve``: migrate, then run the web server (loopback unless told otherwise)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from fastapi import FastAPI

from ..db.engine import Database
from ..settings import Settings

from .context import DEFAULT_DATA_DIR, DataDir, console, err, escape, fail, open_db

__all__ = ["serve", "app_from_environment"]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def app_from_environment() -> FastAPI:
    """The app factory each uvicorn worker process calls when ``--workers`` is above 1."""
    from ..app import create_app

    return create_app(freeze_gc=True)


def serve(data_dir: DataDir = DEFAULT_DATA_DIR,
          host: Annotated[str, typer.Option(envvar="LABELWORKS_HOST", help="Address to bind; loopback by default.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(envvar="LABELWORKS_PORT", help="Port to listen on.")] = 8000,
          workers: Annotated[int, typer.Option(min=1, max=64, help="Server processes.")] = 1) -> None:
    """Apply pending migrations, then serve the app and the API."""
    with open_db(data_dir) as (settings, db):
        _run(settings, db, host, port, workers)


def _run(settings: Settings, db: Database, host: str, port: int, workers: int) -> None:
    import uvicorn

    from ..app import create_app

    settings.host, settings.port = host, port
    url_host = f"[{host}]" if ":" in host else host
    console.print(f"Labelworks on [bold]http://{escape(url_host)}:{port}[/]  (data in {escape(str(settings.data_dir))}, "
                  f"{'SQLite' if settings.is_sqlite else 'PostgreSQL'}, "
                  f"jobs {'in Redis: run labelworks worker' if settings.redis_url else 'in-process'})")
    if not _is_loopback(host):
        err.print("[yellow]note:[/] reachable from other machines; serve it behind HTTPS and set "
                  "LABELWORKS_SECURE_COOKIES=true")
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "info", "access_log": False,
                               "server_header": False}
    try:
        if workers == 1:
            uvicorn.run(create_app(settings, db=db, freeze_gc=True), **options)
        else:
            # Several processes need an import string; each builds its own app from the same environment.
            os.environ.update({"LABELWORKS_DATA_DIR": str(Path(settings.data_dir)), "LABELWORKS_HOST": host,
                               "LABELWORKS_PORT": str(port)})
            uvicorn.run("labelworks.cli.serve:app_from_environment", factory=True, workers=workers, **options)
    except SystemExit as exc:  # uvicorn exits when it cannot start (the port is taken): it logged why
        if exc.code not in (0, None):
            raise fail("the server could not start or stopped with an error (see above)") from None
        raise
