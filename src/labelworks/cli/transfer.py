"""``import`` and ``export``: streamed, with progress bars."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ..core.formats.readers import FORMATS, detect_format
from ..core.formats.writers import EXPORT_FORMATS
from ..services import exports, imports, items
from .context import AsUser, DataDir, acting_as, console, default_data_dir, err, fail_on_errors, open_db

FormatOption = Annotated[str, typer.Option("--format", help=f"auto, folder or one of: {', '.join(FORMATS)}")]


def _bar() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=False)


def import_items(project: int, file: Path, format: FormatOption = "auto",
                 skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Import the good lines of a file with bad ones.")] = False,
                 as_user: AsUser = None, data_dir: DataDir = default_data_dir()) -> None:
    """Import a manifest (JSON lines), CSV, JSON array or a folder of images / text files."""
    if not file.exists():
        err.print(f"[bold red]error:[/] {file} does not exist")
        raise typer.Exit(2)
    fmt = format
    if fmt == "auto":
        if file.is_dir():
            fmt = "folder"
        else:
            with file.open("rb") as fh:
                fmt = detect_format(file.name, fh.read(4096))
    with fail_on_errors():
        settings, db = open_db(data_dir)
        actor = acting_as(db, as_user)
        with _bar() as bar:
            task = bar.add_task(f"checking {file.name}", total=None)

            def checked(lines: int) -> None:
                bar.update(task, description=f"importing {file.name}", total=lines, completed=0)

            def progress(done: int) -> None:
                bar.update(task, completed=done)

            if fmt == "folder":
                report = imports.import_folder(db, actor, project, file, roots=settings.allowed_media_roots,
                                               media_dir=settings.media_dir, progress=progress)
            else:
                report = imports.import_file(db, actor, project, lambda: file.open("rb"), fmt,
                                             skip_invalid=skip_invalid, progress=progress, checked=checked)
            bar.update(task, total=report.lines, completed=report.lines)
    console.print(f"{report.lines} lines: {report.created} items created, {report.duplicates} already there, "
                  f"{report.bad_count} bad lines skipped")
    for bad in report.bad[:20]:
        err.print(f"  line {bad.line_no}: {bad.reason}")


def export_items(project: int,
                 format: Annotated[str, typer.Option("--format", help=f"One of: {', '.join(EXPORT_FORMATS)}")] = "manifest",
                 output: Annotated[str, typer.Option("-o", "--output", help="File to write, or - for standard output.")] = "-",
                 as_user: AsUser = None, data_dir: DataDir = default_data_dir()) -> None:
    """Export every item once, with its labels (Ground Truth output manifest, JSONL or CSV)."""
    with fail_on_errors():
        _, db = open_db(data_dir)
        actor = acting_as(db, as_user)
        total = items.progress(db, actor, project).total
        stream = exports.open_export(db, actor, project, format)
        if output == "-":
            for chunk in stream.chunks:
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            return
        target = Path(output)
        partial = target.with_name(target.name + ".part")
        size = 0
        with _bar() as bar, partial.open("wb") as fh:
            task = bar.add_task(f"exporting {total} items", total=None)
            for chunk in stream.chunks:
                fh.write(chunk)
                size += len(chunk)
                bar.update(task, description=f"exporting {total} items ({size / 1e6:.1f} MB)")
        partial.replace(target)
    console.print(f"wrote {size} bytes to {target}")
