"""``labelworks``: the command groups put together (each group lives in its own module)."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import __version__
from . import aggregate, database, demo, evaluation, prelabel, projects, serve, text_assist, transfer, users, worker

__all__ = ["app", "main"]

app = typer.Typer(name="labelworks", help="Labelworks: human judgement into data for AI. "
                  "Every command works on the data directory directly; no server needs to run.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


def _version(value: bool) -> None:
    if value:
        print(__version__)
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False) -> None:
    """Labelworks: human judgement into data for AI."""


app.command("serve")(serve.serve)
app.add_typer(database.db_app, name="db")
app.add_typer(users.user_app, name="user")
app.add_typer(users.token_app, name="token")
app.add_typer(projects.project_app, name="project")
app.command("import")(transfer.import_items)
app.command("export")(transfer.export_items)
app.command("worker")(worker.worker)
app.command("demo")(demo.demo)
app.command("aggregate")(aggregate.aggregate)
app.command("prelabel")(prelabel.prelabel)
app.command("embed")(text_assist.embed)
app.command("dedup")(text_assist.dedup)
app.add_typer(evaluation.evaluation_app, name="evaluation")


def main() -> None:
    app()
