"""``import`` and ``export``: in-process, streamed, with progress bars on standard error."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.filesize import decimal
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn

from ..core.actor import Actor
from ..core.formats.readers import detect_format
from ..db.engine import Database
from ..services import exports, imports, items, projects
from .context import (DEFAULT_DATA_DIR, AsUser, DataDir, acting_as, console, err, escape, fail,
                      fail_on_errors, open_db)

__all__ = ["import_items", "export_items"]

MAX_LISTED = 20


class ImportFormat(StrEnum):
    AUTO = "auto"
    MANIFEST = "manifest"
    CSV = "csv"
    JSON = "json"
    FOLDER = "folder"
    COCO = "coco"
    YOLO = "yolo"
    VOC = "voc"
    GT_DETECTION = "gt-detection"
    GT_OBJECTS = "gt-objects"
    GT_VERIFICATION = "gt-verification"
    MASKS = "masks"
    GT_SEGMENTATION = "gt-segmentation"
    GT_NER = "gt-ner"
    CONLL = "conll"
    JSONL_SPANS = "jsonl-spans"
    SPACY_JSONL = "spacy-jsonl"
    DOCBIN = "docbin"
    PARQUET = "parquet"


class ExportFormat(StrEnum):
    MANIFEST = "manifest"
    JSONL = "jsonl"
    CSV = "csv"
    COCO = "coco"
    YOLO = "yolo"
    VOC = "voc"
    MASKS = "masks"
    GT_SEGMENTATION = "gt-segmentation"
    CONLL = "conll"
    JSONL_SPANS = "jsonl-spans"
    SPACY_JSONL = "spacy-jsonl"
    DOCBIN = "docbin"
    PARQUET = "parquet"
    # demonstrations: TRL's supervised fine-tuning datasets (core/formats/sft.py)
    SFT_MESSAGES = "sft-messages"
    SFT_PROMPT_COMPLETION = "sft-prompt-completion"
    SFT_PROMPT_COMPLETION_TEXT = "sft-prompt-completion-text"
    SFT_MESSAGES_PARQUET = "sft-messages-parquet"
    SFT_PROMPT_COMPLETION_PARQUET = "sft-prompt-completion-parquet"
    # preference data (text-ranking): TRL's DPO, reward and KTO datasets (core/formats/trl.py)
    DPO = "dpo"
    REWARD = "reward"
    KTO = "kto"
    DPO_PARQUET = "dpo-parquet"
    REWARD_PARQUET = "reward-parquet"
    KTO_PARQUET = "kto-parquet"
    DPO_TEXT = "dpo-text"
    REWARD_TEXT = "reward-text"
    KTO_TEXT = "kto-text"
    # model-evaluation: Amazon Bedrock's human-evaluation output records (core/formats/bedrock_evaluation.py)
    BEDROCK_EVALUATION = "bedrock-evaluation"


class TagScheme(StrEnum):
    """CoNLL export tags (docs/formats.md); without --scheme each item keeps the one it was read in."""

    BIO = "bio"
    IOB1 = "iob1"
    BILOU = "bilou"
    BIOES = "bioes"


@contextmanager
def _bar() -> Iterator[Progress]:
    """A progress display on standard error; on an error it vanishes, leaving the message alone."""
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                        TextColumn("{task.fields[amount]}"), TimeElapsedColumn(), console=err)
    with progress:
        try:
            yield progress
        except BaseException:
            progress.live.transient = True
            raise


class _CountingReader(io.RawIOBase):
    """A file that reports the bytes read, so the check pass shows progress over the file size."""

    def __init__(self, path: Path, on_read: Callable[[int], None]) -> None:
        self._raw = path.open("rb", buffering=0)
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int | None:  # type: ignore[override]
        n = self._raw.readinto(buffer)
        if n:
            self._on_read(n)
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def _resolve_format(file: Path, fmt: ImportFormat) -> str:
    if fmt != ImportFormat.AUTO:
        return fmt.value
    if file.is_dir():
        return "folder"
    with file.open("rb") as fh:
        return detect_format(file.name, fh.read(4096))


def _media_files(folder: Path, media: str) -> int:
    wanted = imports.media_suffixes(media)
    return sum(1 for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in wanted)


def import_items(
    project: Annotated[int, typer.Argument(metavar="PROJECT", help="The project's id.")],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A manifest, CSV or JSON file, or a folder of images or texts.")],
    fmt: Annotated[ImportFormat, typer.Option("--format", help="auto: a folder, else from the name and first bytes.")] = ImportFormat.AUTO,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Import the good lines of a file with bad ones.")] = False,
    as_user: AsUser = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Import items into a project; a file with a bad line imports nothing unless --skip-invalid."""
    if not file.exists():
        raise fail(f"{file} does not exist")
    with fail_on_errors():
        kind = _resolve_format(file, fmt)
        if kind == "folder" and not file.is_dir():
            raise fail(f"{file} is not a folder")
        with open_db(data_dir) as (settings, db), _bar() as bar:
            actor = acting_as(db, as_user)
            if kind == "folder":
                media = projects.get_project(db, actor, project).type.media
                total = _media_files(file, media)
                task = bar.add_task(f"importing {escape(file.name)}", total=total, amount=f"{total} files")
                report = imports.import_folder(
                    db, actor, project, file, roots=settings.allowed_media_roots, media_dir=settings.media_dir,
                    progress=lambda done: bar.update(task, completed=done, amount=f"{done:,}/{total:,} files"))
            else:
                report = _import_file(bar, db, actor, project, file, kind, skip_invalid)
    console.print(f"{report.lines:,} lines: {report.created:,} items created, {report.duplicates:,} already there, "
                  f"{report.bad_count:,} bad lines skipped")
    for bad in report.bad[:MAX_LISTED]:
        err.print(f"  line {bad.line_no}: {escape(bad.reason)}")
    if report.bad_count > MAX_LISTED:
        err.print(f"  … and {report.bad_count - MAX_LISTED:,} more")


def _import_file(bar: Progress, db: Database, actor: Actor, project: int, file: Path, kind: str,
                 skip_invalid: bool) -> imports.ImportReport:
    size = file.stat().st_size
    task = bar.add_task(f"checking {escape(file.name)}", total=size or None, amount="")
    state = {"checking": True, "read": 0, "lines": 0}

    def on_read(n: int) -> None:
        if state["checking"]:
            state["read"] += n
            bar.update(task, completed=state["read"], amount=f"{decimal(state['read'])} of {decimal(size)}")

    def checked(lines: int) -> None:
        state["checking"], state["lines"] = False, lines
        bar.update(task, description=f"importing {escape(file.name)}", total=lines or None, completed=0,
                   amount=f"0/{lines:,} lines")

    def progress(done: int) -> None:
        bar.update(task, completed=done, amount=f"{done:,}/{state['lines']:,} lines")

    def open_stream() -> IO[bytes]:
        return io.BufferedReader(_CountingReader(file, on_read), buffer_size=1 << 20)

    report = imports.import_file(db, actor, project, open_stream, kind, skip_invalid=skip_invalid,
                                 progress=progress, checked=checked)
    bar.update(task, total=report.lines or 1, completed=report.lines or 1,
               amount=f"{report.lines:,}/{report.lines:,} lines")
    return report


def export_items(
    project: Annotated[int, typer.Argument(metavar="PROJECT", help="The project's id.")],
    output: Annotated[str, typer.Option("-o", "--output", help="The file to write, or - for standard output.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="manifest: Ground Truth's output manifest; jsonl: "
                                              "every annotation; csv: one row per item; coco (JSON), yolo, voc (zips): "
                                              "boxes, polygons or keypoints as the project's task type has them "
                                              "(docs/formats.md).")] = ExportFormat.MANIFEST,
    scheme: Annotated[TagScheme | None, typer.Option("--scheme", help="conll only: the tag scheme (default: "
                                                     "the one each item was imported in, else bio).")] = None,
    as_user: AsUser = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Export every item once with its labels; the file appears only when complete."""
    with fail_on_errors(), open_db(data_dir) as (_, db):
        actor = acting_as(db, as_user)
        if scheme is not None and fmt != ExportFormat.CONLL:
            raise fail("--scheme goes with --format conll")
        stream = exports.open_export(db, actor, project, f"conll/{scheme.value}" if scheme else fmt.value)
        if output == "-":
            for chunk in stream.chunks:
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            return
        total = items.progress(db, actor, project).total
        target = Path(output)
        partial = target.with_name(target.name + ".part")
        size = 0
        try:
            with _bar() as bar, partial.open("wb") as fh:
                task = bar.add_task(f"exporting to {escape(target.name)}", total=total or None, amount="")
                newlines = -1 if fmt == ExportFormat.CSV else 0  # the CSV header is a line, not an item
                for chunk in stream.chunks:
                    fh.write(chunk)
                    size += len(chunk)
                    newlines += chunk.count(b"\n")  # one line per item (a CSV cell may hold more: capped)
                    done = min(max(newlines, 0), total)
                    bar.update(task, completed=done, amount=f"{done:,}/{total:,} items, {decimal(size)}")
                bar.update(task, total=total or 1, completed=total or 1,
                           amount=f"{total:,}/{total:,} items, {decimal(size)}")
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    console.print(f"wrote {size:,} bytes ({total:,} items) to {escape(str(target))}")
