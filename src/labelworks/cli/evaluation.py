"""``labelworks evaluation report``: a model-evaluation project's report, as the Report page and
the API build it (services/evaluation.py), written as JSON, Bedrock-shaped JSON lines or HTML."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..services import evaluation
from .context import DEFAULT_DATA_DIR, AsUser, DataDir, acting_as, console, escape, fail_on_errors, open_db

__all__ = ["evaluation_app"]

evaluation_app = typer.Typer(help="Human model evaluation.", no_args_is_help=True)


class ReportFormat(StrEnum):
    JSON = "json"
    JSONL = "jsonl"
    HTML = "html"


@evaluation_app.command("report")
def report(
    project: Annotated[int, typer.Argument(metavar="PROJECT", help="The model-evaluation project's id.")],
    fmt: Annotated[ReportFormat, typer.Option("--format", help="json: the report with the Bedrock-shaped records; "
                                              "jsonl: only the records, one prompt per line; html: one "
                                              "self-contained page.")] = ReportFormat.JSON,
    category: Annotated[str | None, typer.Option("--category", help="Only the items of this category.")] = None,
    output: Annotated[str, typer.Option("-o", "--output", help="The file to write, or - for standard output.")] = "-",
    as_user: AsUser = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Leaderboard, win rates, per-criterion figures and agreement; the file appears only when complete."""
    with fail_on_errors(), open_db(data_dir) as (_, db):
        actor = acting_as(db, as_user)
        body = evaluation.evaluation_report(db, actor, project, category or None,
                                            with_records=fmt != ReportFormat.HTML)
    if fmt == ReportFormat.HTML:
        text = evaluation.report_html(body)
    elif fmt == ReportFormat.JSONL:
        text = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in body["records"])
    else:
        text = json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    if output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = Path(output)
    partial = target.with_name(target.name + ".part")
    with fail_on_errors():
        try:
            partial.write_text(text, encoding="utf-8")
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    console.print(f"wrote the report ({body['items']:,} prompts, {body['raters']:,} raters, "
                  f"{len(body['models']):,} models) to {escape(str(target))}")
