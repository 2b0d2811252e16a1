"""``prelabel``: run an assist over a project's unlabeled items and store its regions as
pre-annotations (in-process, with a progress bar on standard error)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from ..assist.prelabel import run_prelabel
from .context import DEFAULT_DATA_DIR, AsUser, DataDir, acting_as, console, err, escape, fail, fail_on_errors, open_db
from .transfer import _bar

__all__ = ["prelabel"]


def _params(raw: list[str]) -> dict[str, Any]:
    """``key=value`` pairs; a value that parses as JSON (a number, true, an object) is taken as such."""
    out: dict[str, Any] = {}
    for pair in raw:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise fail(f"--param {pair!r}: expected key=value")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def prelabel(
    project: Annotated[int, typer.Argument(metavar="PROJECT", help="The project's id.")],
    assist: Annotated[str, typer.Option("--assist", help="The assist to run: faces, text, person, pose, … "
                                        "or one of the project's backend assists.")],
    label: Annotated[str | None, typer.Option("--label", help="The project label for regions whose own "
                                              "label is not one (default: the first label).")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", help="An assist parameter, key=value "
                                                    "(repeatable), e.g. --param min_score=0.7.")] = None,
    as_user: AsUser = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Pre-label every unlabeled item of a project with an assist (objects marked source "model")."""
    params = _params(param or [])
    with fail_on_errors(), open_db(data_dir) as (settings, db), _bar() as bar:
        actor = acting_as(db, as_user)
        task = bar.add_task(f"pre-labeling with {escape(assist)}", total=None, amount="")

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, amount=f"{done:,}/{total:,} items")

        report = run_prelabel(db, actor, project, assist, params, roots=settings.allowed_media_roots,
                              allow_private=settings.outbound_allow_private, label=label, progress=progress)
    console.print(f"{report.labeled:,} of {report.items:,} unlabeled items pre-labeled with {report.objects:,} "
                  f"objects in {report.seconds:.1f} s; {len(report.failed or []):,} failed")
    for bad in (report.failed or [])[:20]:
        err.print(f"  item {bad['item_id']}: {escape(str(bad['error']))}")
