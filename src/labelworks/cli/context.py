"""What every command shares: the data-directory option, settings, the database and error output.

Commands print results meant for scripts (an id, a token) with ``print`` on standard output, and
everything for people (progress, summaries, errors) through rich. A domain error exits with 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from ..core.actor import Actor
from ..core.enums import ROLE_RANK, Role
from ..core.errors import LabelworksError
from ..db.engine import Database
from ..db.migrate import upgrade
from ..services import accounts, imports
from ..settings import Settings, load_settings

__all__ = ["DataDir", "AsUser", "DEFAULT_DATA_DIR", "console", "err", "fail", "fail_on_errors",
           "load", "open_db", "acting_as", "escape"]

DEFAULT_DATA_DIR = Path("labelworks-data")
MAX_LISTED = 20  # bad lines listed in an error; the rest are counted

console = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DataDir = Annotated[Path, typer.Option(
    "--data-dir", envvar="LABELWORKS_DATA_DIR", show_default=True,
    help="Data directory (SQLite database, media, uploads, exports, secret key).")]
AsUser = Annotated[str | None, typer.Option(
    "--as", metavar="EMAIL", help="Act as this user; default: the first owner (else admin).")]


def fail(message: str) -> typer.Exit:
    """Print a red error line; ``raise fail(...)`` ends the command with status 2."""
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(2)


def _print_lines(details: list[dict[str, object]]) -> None:
    lines = [d for d in details if "line" in d]
    for d in lines[:MAX_LISTED]:
        err.print(f"  line {d['line']}: {escape(str(d.get('reason', '')))}")
    if len(lines) > MAX_LISTED:
        # the service keeps the first MAX_REPORTED bad lines only; the message above has the total
        capped = len(lines) >= imports.MAX_REPORTED
        err.print(f"  … and {'at least ' if capped else ''}{len(lines) - MAX_LISTED} more")


@contextmanager
def fail_on_errors() -> Iterator[None]:
    """Errors a user can fix print as a clear message (bad lines with numbers) and exit with 2."""
    try:
        yield
    except LabelworksError as exc:
        where = f" ({exc.field})" if exc.field else ""
        err.print(f"[bold red]error{escape(where)}:[/] {escape(exc.message)}")
        _print_lines(exc.details)
        raise typer.Exit(2) from None
    except OperationalError as exc:  # e.g. PostgreSQL unreachable, disk full, database locked for 30 s
        raise fail(f"database error: {exc.orig}") from None
    except OSError as exc:
        raise fail(str(exc)) from None


def load(data_dir: Path) -> Settings:
    """Settings for this data directory (the secret key is generated on first use)."""
    try:
        return load_settings(data_dir=data_dir)
    except ValueError as exc:  # a weak secret key, or an environment variable that does not parse
        raise fail(str(exc)) from None


@contextmanager
def open_db(data_dir: Path, *, migrate: bool = True) -> Iterator[tuple[Settings, Database]]:
    """Settings and the database (SQLite in the data directory, or LABELWORKS_DATABASE_URL), migrated;
    its connections are closed when the block ends."""
    settings = load(data_dir)
    db = Database(settings.resolved_database_url)
    try:
        if migrate:
            try:
                upgrade(db)
            except OperationalError as exc:
                url = make_url(db.url).render_as_string(hide_password=True)
                raise fail(f"cannot open the database {url}: {exc.orig}") from None
        yield settings, db
    finally:
        db.dispose()


def acting_as(db: Database, email: str | None) -> Actor:
    """The user named by ``--as``, else the first owner (by creation), else the first admin."""
    if email:
        return accounts.actor_for(accounts.find_user(db, email))
    staff = [u for u in accounts.all_users(db) if u.role in (Role.OWNER, Role.ADMIN) and u.is_active]
    if not staff:
        raise fail("there is no owner or admin yet; create one with: "
                   "labelworks user create EMAIL --password P --role owner")
    return accounts.actor_for(min(staff, key=lambda u: (-ROLE_RANK[u.role], u.id)))
