"""``db``, ``user`` and ``token``."""

from __future__ import annotations

from typing import Annotated

import typer

from ..core.enums import Role
from ..services import accounts
from .context import DataDir, console, default_data_dir, fail_on_errors, open_db

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Users.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = default_data_dir()) -> None:
    """Apply every migration not yet applied."""
    with fail_on_errors():
        settings, _ = open_db(data_dir)
    console.print(f"database is up to date ({settings.resolved_database_url.split('://')[0]})")


@db_app.command("current")
def db_current(data_dir: DataDir = default_data_dir()) -> None:
    """Print the schema revision."""
    from sqlalchemy import text

    with fail_on_errors():
        _, db = open_db(data_dir, migrate=False)
        with db.read() as s:
            try:
                revision = s.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except Exception:
                revision = None
    console.print(revision or "none (run: labelworks db upgrade)")


@user_app.command("create")
def user_create(email: str,
                password: Annotated[str, typer.Option(help="At least 8 characters.")],
                role: Annotated[Role, typer.Option(help="owner, admin, manager, reviewer or annotator")] = Role.ANNOTATOR,
                name: str = "", data_dir: DataDir = default_data_dir()) -> None:
    """Create a user (the first one goes into the default organisation); prints its id."""
    with fail_on_errors():
        _, db = open_db(data_dir)
        user = accounts.create_user(db, email, password, role, name=name)
    print(user.id)


@user_app.command("list")
def user_list(data_dir: DataDir = default_data_dir()) -> None:
    """List users."""
    with fail_on_errors():
        _, db = open_db(data_dir)
        for u in accounts.all_users(db):
            console.print(f"{u.id:>5}  {u.email:<40} {u.role.value:<10} {'active' if u.is_active else 'inactive'}")


@token_app.command("create")
def token_create(email: str, name: str = "", data_dir: DataDir = default_data_dir()) -> None:
    """Create an API token for a user and print it (shown once)."""
    with fail_on_errors():
        _, db = open_db(data_dir)
        user = accounts.find_user(db, email)
        token = accounts.create_token(db, user.id, name)
    print(token)
