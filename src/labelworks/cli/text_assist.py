"""``embed`` and ``dedup``: a project's text embedding index, and its near-duplicate groups."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ..assist.embeddings import run_embed
from ..services import embeddings
from .context import DEFAULT_DATA_DIR, AsUser, DataDir, acting_as, console, escape, fail_on_errors, open_db
from .transfer import _bar

__all__ = ["embed", "dedup"]


def embed(
    project: Annotated[int, typer.Argument(metavar="PROJECT", help="The project's id.")],
    as_user: AsUser = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Build or refresh the project's embedding index (items whose text is new or changed)."""
    with fail_on_errors(), open_db(data_dir) as (_, db), _bar() as bar:
        actor = acting_as(db, as_user)
        task = bar.add_task("embedding", total=None, amount="")

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, amount=f"{done:,}/{total:,} texts")

        report = run_embed(db, actor, project, progress=progress)
    console.print(f"{report.encoded:,} items embedded, {report.unchanged:,} unchanged, "
                  f"{report.without_text:,} without text in {report.seconds:.1f} s")


def dedup(
    project: Annotated[int, typer.Argument(metavar="PROJECT", help="The project's id.")],
    threshold: Annotated[float, typer.Option("--threshold", min=0.5, max=1.0,
                                             help="Cosine similarity at or above which two items are duplicates.")] = 0.95,
    mark: Annotated[bool, typer.Option("--mark", help="Write lw-duplicate-of: <first item's id> into the "
                                       "other items of each group (nothing is deleted).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the groups as JSON.")] = False,
    as_user: AsUser = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """List groups of near-duplicate items (needs the embedding index: `labelworks embed P`)."""
    with fail_on_errors(), open_db(data_dir) as (_, db):
        actor = acting_as(db, as_user)
        with _bar() as bar:  # on standard error: --json output on standard out stays clean
            task = bar.add_task("comparing", total=None, amount="")

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, amount=f"{done:,}/{total:,} tiles")

            groups = embeddings.dedup_groups(db, actor, project, threshold, progress=progress)
        marked = embeddings.mark_duplicates(db, actor, project, groups) if mark else 0
    if as_json:
        console.print_json(json.dumps({"threshold": threshold, "groups": groups, "marked": marked}))
        return
    console.print(f"{len(groups):,} groups of near-duplicates (similarity ≥ {threshold})"
                  + (f"; {marked:,} items marked" if mark else ""))
    for n, group in enumerate(groups, start=1):
        console.print(f"group {n} (min similarity {group['min_similarity']}):")
        for item in group["items"]:
            console.print(f"  item {item['item_id']}: {escape(item['text'][:100])}")
