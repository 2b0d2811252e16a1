"""``user create``, ``user list`` and ``token create``."""

from __future__ import annotations

from typing import Annotated

import typer

from ..core.enums import Role
from ..services import accounts
from .context import DEFAULT_DATA_DIR, DataDir, console, escape, fail_on_errors, open_db

__all__ = ["user_app", "token_app"]

user_app = typer.Typer(help="Users.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)


@user_app.command("create")
def create_user(
    email: Annotated[str, typer.Argument(metavar="EMAIL", help="The login e-mail.")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          help="At least 8 characters (asked for when left out).")],
    role: Annotated[Role, typer.Option(help="What the user may do (see authz/matrix.csv).")],
    name: Annotated[str, typer.Option(help="Display name; default: the part before @.")] = "",
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Create a user in the default organisation; prints the user's id."""
    with fail_on_errors(), open_db(data_dir) as (_, db):
        user = accounts.create_user(db, email, password, role, name=name)
    print(user.id)


@user_app.command("list")
def list_users(data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """List every user: id, e-mail, role, state."""
    with fail_on_errors(), open_db(data_dir) as (_, db):
        users = accounts.all_users(db)
    for u in users:
        state = "active" if u.is_active else "inactive"
        console.print(f"{u.id:>5}  {escape(u.email):<40} {u.role.value:<10} {state}")


@token_app.command("create")
def create_token(
    email: Annotated[str, typer.Argument(metavar="EMAIL", help="Whose token it is.")],
    name: Annotated[str, typer.Option(help="A note saying what the token is for.")] = "",
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Create an API token for a user; prints only the token (it is shown once)."""
    with fail_on_errors(), open_db(data_dir) as (_, db):
        token = accounts.create_token(db, accounts.find_user(db, email).id, name)
    print(token)
