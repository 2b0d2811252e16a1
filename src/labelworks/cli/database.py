"""``db upgrade`` and ``db current``: the schema's migrations."""

from __future__ import annotations

import typer
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from ..db.migrate import alembic_config
from .context import DEFAULT_DATA_DIR, DataDir, console, err, fail_on_errors, open_db

__all__ = ["db_app"]

db_app = typer.Typer(help="Database schema (migrations).", no_args_is_help=True)


def _head(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


@db_app.command("upgrade")
def upgrade(data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Apply every migration not applied yet (serve and the other commands do it too)."""
    with fail_on_errors(), open_db(data_dir) as (settings, db):
        kind = "SQLite" if settings.is_sqlite else "PostgreSQL"
    console.print(f"{kind} database at revision {_head(db.url)} (head)")


@db_app.command("current")
def current(data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Print the database's schema revision ("none" before the first upgrade)."""
    with fail_on_errors(), open_db(data_dir, migrate=False) as (_, db):
        with db.engine.connect() as conn:
            revision = MigrationContext.configure(conn).get_current_revision()
    print(revision or "none")
    head = _head(db.url)
    if revision != head:
        err.print(f"[yellow]behind:[/] the code's head is {head}; run labelworks db upgrade")
