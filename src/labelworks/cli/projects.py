"""``project types``, ``project create``, ``project list``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ..core.errors import ValidationFailed
from ..plugins.manager import get_registry
from ..services import items, projects
from .context import AsUser, DataDir, acting_as, console, default_data_dir, fail_on_errors, open_db

project_app = typer.Typer(help="Projects.", no_args_is_help=True)


@project_app.command("types")
def types() -> None:
    """List the task types (kebab-case names used by --type)."""
    for t in get_registry().task_types.values():
        multi = " (single and multi-label)" if t.supports_multi_label else ""
        console.print(f"{t.name:<24} {t.title}, {t.media}{multi}")


def _labels(labels: str | None, labels_file: Path | None) -> Any:
    if labels_file is not None:
        try:
            return json.loads(labels_file.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ValidationFailed(f"cannot read {labels_file}: {exc}", field="labels_file") from None
    if not labels:
        raise ValidationFailed("give --labels a,b,c or --labels-file label-categories.json", field="labels")
    return labels


@project_app.command("create")
def create(name: str,
           type: Annotated[str, typer.Option("--type", help="A task type from `labelworks project types`.")],
           labels: Annotated[str | None, typer.Option(help="Comma-separated labels.")] = None,
           labels_file: Annotated[Path | None, typer.Option(help="Ground Truth label-category JSON.")] = None,
           workers_per_item: Annotated[int, typer.Option(help="Annotators per item, 1 to 9.")] = 1,
           multi_label: Annotated[bool, typer.Option("--multi-label", help="Several labels per item.")] = False,
           time_limit: Annotated[int, typer.Option(help="Seconds an annotator holds a task.")] = 300,
           instructions: Annotated[str, typer.Option(help="Short instructions (Markdown).")] = "",
           full_instructions: Annotated[str, typer.Option(help="Full instructions (Markdown).")] = "",
           as_user: AsUser = None, data_dir: DataDir = default_data_dir()) -> None:
    """Create a project; prints its id."""
    with fail_on_errors():
        _, db = open_db(data_dir)
        actor = acting_as(db, as_user)
        p = projects.create_project(db, actor, projects.ProjectInput(
            name=name, task_type=type, labels=_labels(labels, labels_file), multi_label=multi_label,
            workers_per_item=workers_per_item, task_time_limit_s=time_limit,
            short_instructions=instructions, full_instructions=full_instructions))
    print(p.id)


@project_app.command("list")
def list_(as_user: AsUser = None, data_dir: DataDir = default_data_dir()) -> None:
    """List projects with their progress."""
    with fail_on_errors():
        _, db = open_db(data_dir)
        actor = acting_as(db, as_user)
        for p in projects.list_projects(db, actor):
            prog = items.progress(db, actor, p.id)
            console.print(f"{p.id:>5}  {p.name:<40} {p.task_type:<22} {prog.labeled}/{prog.total} labeled")
