"""What every command shares: the data-directory option, settings, database and error output."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from ..core.actor import Actor
from ..core.enums import ROLE_RANK, Role
from ..core.errors import LabelworksError
from ..db.engine import Database
from ..db.migrate import upgrade
from ..services import accounts
from ..settings import Settings, load_settings

__all__ = ["DataDir", "AsUser", "console", "err", "open_db", "acting_as", "fail_on_errors"]

console = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
T = TypeVar("T")

DataDir = Annotated[Path, typer.Option(
    "--data-dir", envvar="LABELWORKS_DATA_DIR", help="Data directory (database, media, uploads, exports).")]
AsUser = Annotated[str | None, typer.Option(
    "--as", help="Act as this user (e-mail); default: the first owner or admin.")]


def default_data_dir() -> Path:
    return Path(os.environ.get("LABELWORKS_DATA_DIR", "labelworks-data"))


@contextmanager
def fail_on_errors() -> Iterator[None]:
    """Domain errors print as a clear message (with bad lines) and exit with code 2."""
    try:
        yield
    except LabelworksError as exc:
        where = f" ({exc.field})" if exc.field else ""
        err.print(f"[bold red]error{where}:[/] {exc.message}")
        for detail in exc.details[:20]:
            if "line" in detail:
                err.print(f"  line {detail['line']}: {detail.get('reason', '')}")
        if len(exc.details) > 20:
            err.print(f"  … and {len(exc.details) - 20} more")
        raise typer.Exit(2) from None
    except ValueError as exc:  # settings refusing a weak secret, bad values
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from None


def open_db(data_dir: Path, migrate: bool = True) -> tuple[Settings, Database]:
    settings = load_settings(data_dir=data_dir)
    db = Database(settings.resolved_database_url)
    if migrate:
        upgrade(db)
    return settings, db


def acting_as(db: Database, email: str | None) -> Actor:
    """The given user, or the senior-most user of the default organisation."""
    if email:
        return accounts.actor_for(accounts.find_user(db, email))
    users = accounts.all_users(db)
    staff = [u for u in users if u.role in (Role.OWNER, Role.ADMIN) and u.is_active]
    if not staff:
        err.print("[bold red]error:[/] no owner or admin yet; create one: "
                  "labelworks user create EMAIL --password P --role owner")
        raise typer.Exit(2)
    return accounts.actor_for(max(staff, key=lambda u: (ROLE_RANK[u.role], -u.id)))


def run(fn: Callable[[], T]) -> T:
    with fail_on_errors():
        return fn()


def is_tty() -> bool:
    return sys.stderr.isatty()
