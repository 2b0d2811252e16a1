"""``labelworks``: the command groups, put together."""

from __future__ import annotations

import typer

from . import admin, demo, projects, serve, transfer

app = typer.Typer(name="labelworks", help="Labelworks: human judgement into data for AI.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
app.command("serve")(serve.serve)
app.command("worker")(serve.worker)
app.add_typer(admin.db_app, name="db")
app.add_typer(admin.user_app, name="user")
app.add_typer(admin.token_app, name="token")
app.add_typer(projects.project_app, name="project")
app.command("import")(transfer.import_items)
app.command("export")(transfer.export_items)
app.command("demo")(demo.demo)


def main() -> None:
    app()
