"""``project types``, ``project create``, ``project list`` and ``project chain``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ..authz import allowed
from ..core.errors import ValidationFailed
from ..plugins.manager import get_registry
from ..services import items, projects
from .context import DEFAULT_DATA_DIR, AsUser, DataDir, acting_as, console, escape, fail_on_errors, open_db

__all__ = ["project_app"]

project_app = typer.Typer(help="Projects.", no_args_is_help=True)


@project_app.command("types")
def types() -> None:
    """List the task types: the name --type takes, the title and the media."""
    for t in sorted(get_registry().task_types.values(), key=lambda t: t.name):
        modes = "single or multi-label" if t.supports_multi_label else "single"
        console.print(f"{t.name:<24} {escape(t.title):<28} {t.media:<8} {modes}")


def _labels(labels: str | None, labels_file: Path | None) -> Any:
    """A comma-separated list, or a Ground Truth label-category document taken as is."""
    if labels_file is not None:
        try:
            return json.loads(labels_file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValidationFailed(f"{labels_file} is not JSON ({exc})", field="labels-file") from None
    if not labels:
        raise ValidationFailed("give --labels a,b,c or --labels-file label-categories.json", field="labels")
    return labels


@project_app.command("create")
def create(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The project's name.")],
    task_type: Annotated[str, typer.Option("--type", "--task-type", help="A task type from `labelworks project types`.")],
    labels: Annotated[str | None, typer.Option(help="Comma-separated labels, in order.")] = None,
    labels_file: Annotated[Path | None, typer.Option(exists=True, dir_okay=False,
                                                     help="A Ground Truth label-category JSON file.")] = None,
    workers_per_item: Annotated[int, typer.Option(help="Annotators per item, 1 to 9.")] = 1,
    multi_label: Annotated[bool, typer.Option("--multi-label", help="Several labels per item.")] = False,
    time_limit: Annotated[int, typer.Option(help="Seconds an annotator may hold a task.")] = 300,
    instructions: Annotated[str, typer.Option(help="Short instructions (Markdown).")] = "",
    full_instructions: Annotated[str, typer.Option(help="Full instructions (Markdown).")] = "",
    as_user: AsUser = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Create a project; prints only its id."""
    with fail_on_errors():
        label_config = _labels(labels, labels_file)
        with open_db(data_dir) as (_, db):
            project = projects.create_project(db, acting_as(db, as_user), projects.ProjectInput(
                name=name, task_type=task_type, labels=label_config, multi_label=multi_label,
                workers_per_item=workers_per_item, task_time_limit_s=time_limit,
                short_instructions=instructions, full_instructions=full_instructions))
    print(project.id)


@project_app.command("list")
def list_projects(as_user: AsUser = None, data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """List the projects with their progress (newest first)."""
    with fail_on_errors(), open_db(data_dir) as (_, db):
        actor = acting_as(db, as_user)
        stats = allowed(actor, "project.stats")  # an annotator sees the names only
        rows = [(p, items.progress(db, actor, p.id) if stats else None) for p in projects.list_projects(db, actor)]
    for p, progress in rows:
        done = f"{progress.labeled}/{progress.total} labeled" if progress else ""
        console.print(f"{p.id:>5}  {escape(p.name):<40} {p.task_type:<22} {done}".rstrip())


@project_app.command("chain")
def chain(
    source: Annotated[int, typer.Argument(metavar="PROJECT", help="The finished project's id.")],
    mode: Annotated[str, typer.Option(help="verification or adjustment.")],
    name: Annotated[str, typer.Option(help="The new project's name.")],
    labels: Annotated[str | None, typer.Option(
        help="Verification verdicts, comma-separated (default Correct,Incorrect).")] = None,
    workers_per_item: Annotated[int, typer.Option(help="Annotators per item, 1 to 9.")] = 1,
    label_attribute: Annotated[str | None, typer.Option(help="The new label's attribute (default: from the name).")
                               ] = None,
    as_user: AsUser = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Create a verification or adjustment project from PROJECT's labeled items; prints only its id."""
    import sys

    from ..services import chaining

    with fail_on_errors(), open_db(data_dir) as (settings, db):
        request = chaining.ChainRequest(mode=mode, name=name, labels=labels, workers_per_item=workers_per_item,
                                        label_attribute=label_attribute)
        # in-process like `labelworks import`: no job, whatever the size
        out = chaining.chain_project(db, acting_as(db, as_user), source, request,
                                     spool_dir=settings.data_dir / "chains", sync_limit=sys.maxsize)
    print(out.project.id, file=sys.stdout)
    print(f"{out.created} items from project {source} ({out.project.task_type})", file=sys.stderr)
