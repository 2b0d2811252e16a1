"""``labelworks aggregate``: truth inference and Bradley-Terry on a file, without a server.

Reads CSV (or TSV, or JSON lines) with ids as strings, runs the same algorithms the platform uses
(``core.consolidation.truth`` and ``core.consolidation.pairwise``) and writes the answer per item.
Worker accuracies and a summary go to standard error; the results to ``-o`` (or standard output).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import numpy as np
import typer

from ..core.consolidation.pairwise import bradley_terry
from ..core.consolidation.truth.common import TruthResult
from ..core.consolidation.truth.consolidators import CATEGORICAL, TruthConsolidator
from ..core.consolidation.truth.encode import Duplicates, Encoded, encode, encode_gold
from .context import err, escape, fail

__all__ = ["aggregate"]

WORKERS_SHOWN = 10  # lowest and highest; --workers-out has them all


class Method(StrEnum):
    MV = "mv"
    DS = "ds"
    ODS = "ods"
    GLAD = "glad"
    MACE = "mace"
    WAWA = "wawa"
    ZBS = "zbs"
    BT = "bt"


class DuplicateRule(StrEnum):
    LAST = "last"
    FIRST = "first"
    ALL = "all"


METHOD_NAMES = {"mv": "majority-vote", "ds": "dawid-skene", "ods": "one-coin-dawid-skene", "glad": "glad",
                "mace": "mace", "wawa": "wawa", "zbs": "zero-based-skill"}


class InputError(Exception):
    """A problem with the input file, already phrased for the user (file, line, column)."""


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) from CSV, TSV (by extension) or JSON lines (.jsonl/.ndjson); values as str."""
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path.name} line {number}: not JSON ({exc.msg})") from None
                if not isinstance(record, dict):
                    raise InputError(f"{path.name} line {number}: not a JSON object")
                yield number, {k: "" if v is None else str(v) for k, v in record.items()}
        return
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=delimiter)
        if not reader.fieldnames:
            raise InputError(f"{path.name}: empty file (expected a header line)")
        for row in reader:
            yield reader.line_num, {k: (v or "") for k, v in row.items() if k is not None}


def _pick(path: Path, row: dict[str, str], wanted: tuple[str, ...], what: str) -> str:
    for name in wanted:
        if name in row:
            return name
    listed = ", ".join(sorted(row)) or "none"
    options = " or ".join(repr(w) for w in wanted)
    raise InputError(f"{path.name}: no {what} column {options} (columns: {listed})")


def _read_columns(path: Path, columns: dict[str, tuple[str, ...]]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Every row's value of each wanted column; an empty value is an error naming line and column."""
    out: dict[str, list[str]] = {key: [] for key in columns}
    chosen: dict[str, str] = {}
    for number, row in _rows(path):
        if not chosen:
            chosen = {key: _pick(path, row, names, key) for key, names in columns.items()}
        for key, column in chosen.items():
            value = row.get(column, "").strip()
            if not value:
                raise InputError(f"{path.name} line {number}: empty {column!r}")
            out[key].append(value)
    if not chosen:
        raise InputError(f"{path.name}: no rows")
    return out, chosen


def _parse_params(items: list[str]) -> dict[str, Any]:
    """``key=value`` pairs; values read as JSON (numbers, true/false) or else kept as text."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--param {item!r}: expected KEY=VALUE")
        try:
            out[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            out[key.strip()] = raw
    return out


def _consolidator(method: Method) -> TruthConsolidator:
    by_name = {c.name: c for c in CATEGORICAL if isinstance(c, TruthConsolidator)}
    return by_name[METHOD_NAMES[method.value]]


@contextmanager
def _open_out(output: Path | None) -> Iterator[IO[str]]:
    """The output file, or standard output (left open) when none or ``-`` is given."""
    if output is None or str(output) == "-":
        yield sys.stdout
        return
    with output.open("w", encoding="utf-8", newline="") as fh:
        yield fh


def _categorical(labels_file: Path, method: Method, gold_file: Path | None, output: Path | None,
                 workers_out: Path | None, duplicates: Duplicates, seed: int, param: list[str]) -> None:
    consolidator = _consolidator(method)
    overrides = _parse_params(param)
    if "seed" in consolidator.defaults:
        overrides.setdefault("seed", seed)
    try:
        params = consolidator.params(overrides)
    except KeyError as exc:
        raise InputError(f"--param: {exc.args[0]}") from None
    data, chosen = _read_columns(labels_file, {"item": ("item", "task"), "worker": ("worker",),
                                               "label": ("label",)})
    gold_labels: dict[str, str] = {}
    if gold_file is not None:
        gdata, _ = _read_columns(gold_file, {"item": ("item", "task"), "label": ("label", "truth", "gold")})
        gold_labels = dict(zip(gdata["item"], gdata["label"], strict=True))
    enc = encode(np.asarray(data["item"]), np.asarray(data["worker"]), np.asarray(data["label"]),
                 duplicates=duplicates, extra_classes=sorted(set(gold_labels.values())))
    dropped = len(data["item"]) - enc.n_answers
    result = consolidator.run(enc, encode_gold(enc, gold_labels) if gold_labels else None, params)
    votes = enc.answers_per_task()
    best = result.labels
    confidence = np.where(votes > 1, np.round(result.confidence, 4), 0.0)
    with _open_out(output) as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["item", "label", "confidence"])
        classes = enc.class_names
        writer.writerows((str(t), classes[int(k)], f"{c:.4f}")
                         for t, k, c in zip(enc.task_names, best, confidence, strict=True))
    answered = np.bincount(enc.workers, minlength=enc.n_workers)
    if workers_out is not None:
        with workers_out.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["worker", "answers", "accuracy"])
            writer.writerows((str(w), int(n), f"{a:.4f}")
                             for w, n, a in zip(enc.worker_names, answered, result.worker_accuracy, strict=True))
    _summary(labels_file, method, enc, result, dropped, duplicates, len(gold_labels), answered, params)


def _summary(labels_file: Path, method: Method, enc: Encoded, result: TruthResult, dropped: int,
             duplicates: Duplicates, n_gold: int, answered: np.ndarray[Any, Any], params: dict[str, Any]) -> None:
    iterations = f", {result.iterations} iterations" if result.iterations else ""
    settings = " (" + ", ".join(f"{k}={v}" for k, v in params.items()) + ")" if params else ""
    err.print(f"{escape(labels_file.name)}: {enc.n_answers} answers, {enc.n_tasks} items, {enc.n_workers} workers, "
              f"{enc.n_classes} classes; {METHOD_NAMES[method.value]}{escape(settings)}{iterations}")
    if dropped:
        err.print(f"{dropped} repeated (item, worker) answers dropped (kept the {duplicates} of each)")
    if n_gold:
        err.print(f"{n_gold} gold labels read (anchored: their items keep the gold label)")
    order = np.argsort(result.worker_accuracy, kind="stable")
    shown = order if order.size <= 2 * WORKERS_SHOWN else np.concatenate(
        [order[:WORKERS_SHOWN], order[-WORKERS_SHOWN:]])
    err.print("estimated worker accuracy" + ("" if order.size <= 2 * WORKERS_SHOWN else
              f" (the {WORKERS_SHOWN} lowest and highest of {order.size}; --workers-out lists all)") + ":")
    for w in shown:
        err.print(f"  {escape(str(enc.worker_names[w]))}  {result.worker_accuracy[w]:.4f}  ({int(answered[w])} answers)")


def _pairwise(pairs_file: Path, output: Path | None, left: str, right: str, winner: str,
              winner_values: str, bootstrap: int, seed: int) -> None:
    data, _ = _read_columns(pairs_file, {"left": (left,), "right": (right,), "winner": (winner,)})
    names = [v.strip() for v in winner_values.split(",")]
    if len(names) != 3 or len(set(names)) != 3:
        raise InputError(f"--winner-values needs three different values (left,right,tie), got {winner_values!r}")
    meaning = dict(zip(names, ("left", "right", "tie"), strict=True))
    outcomes: list[str] = []
    keep: list[int] = []
    skipped = 0
    for pos, (a, b, w) in enumerate(zip(data["left"], data["right"], data["winner"], strict=True)):
        if w not in meaning:
            raise InputError(f"{pairs_file.name}: comparison {pos + 1} ({winner!r} column): {w!r} is not one of "
                             f"{', '.join(names)}")
        if a == b:
            skipped += 1  # an item against itself says nothing about its strength
            continue
        keep.append(pos)
        outcomes.append(meaning[w])
    if not keep:
        raise InputError(f"{pairs_file.name}: no comparison between two different items")
    result = bradley_terry([data["left"][i] for i in keep], [data["right"][i] for i in keep], outcomes,
                           bootstrap=bootstrap, seed=seed)
    with _open_out(output) as fh:
        writer = csv.writer(fh, lineterminator="\n")
        header = ["item", "score", "rank"] + (["ci_low", "ci_high"] if bootstrap else [])
        writer.writerow(header)
        for k, item in enumerate(result.items):
            row = [item, f"{result.scores[k]:.10g}", str(result.ranks[k])]
            if bootstrap:
                row += [f"{result.ci_low[k]:.10g}", f"{result.ci_high[k]:.10g}"]
            writer.writerow(row)
    err.print(f"{escape(pairs_file.name)}: {len(keep)} comparisons, {len(result.items)} items; Bradley-Terry, "
              f"{result.iterations} iterations" + (" (regularised: no finite maximum-likelihood solution)"
                                                   if result.regularized else ""))
    if skipped:
        err.print(f"{skipped} comparisons of an item with itself skipped")


def aggregate(
    labels_file: Annotated[Path, typer.Argument(
        metavar="FILE", exists=True, dir_okay=False, readable=True,
        help="Answers: CSV with columns item (or task), worker, label; or pairs (--method bt): left, right, "
             "winner. .tsv is read as tab-separated, .jsonl as JSON lines. Other columns are ignored.")],
    method: Annotated[Method, typer.Option(
        "--method", "-m", help="mv majority vote, ds Dawid-Skene, ods one-coin Dawid-Skene, glad, mace, wawa, "
                               "zbs zero-based skill; bt Bradley-Terry for pairwise files.")] = Method.DS,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", dir_okay=False,
        help="Where to write item,label,confidence (bt: item,score,rank); default standard output.")] = None,
    gold: Annotated[Path | None, typer.Option(
        "--gold", exists=True, dir_okay=False,
        help="Known answers: CSV with item (or task) and label (or truth); those items keep their gold label "
             "and teach the model about the workers.")] = None,
    workers_out: Annotated[Path | None, typer.Option(
        "--workers-out", dir_okay=False, help="Also write worker,answers,accuracy for every worker.")] = None,
    duplicates: Annotated[DuplicateRule, typer.Option(
        "--duplicates", help="When a worker answered one item more than once: keep the last answer (the "
                             "platform's rule for revisions), the first, or all.")] = DuplicateRule.LAST,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (mace restarts, bt bootstrap).")] = 0,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", metavar="KEY=VALUE",
        help="A method parameter, repeatable: ds/ods max_iter, tol, smoothing; glad max_iter, tol; mace "
             "max_iter, tol, restarts, seed; zbs n_iter (docs/aggregation.md).")] = None,
    bootstrap: Annotated[int, typer.Option(
        "--bootstrap", min=0, help="bt: resample the comparisons this many times and add a 95% interval "
                                   "(ci_low, ci_high).")] = 0,
    left: Annotated[str, typer.Option("--left", help="bt: the column of the first item.")] = "left",
    right: Annotated[str, typer.Option("--right", help="bt: the column of the second item.")] = "right",
    winner: Annotated[str, typer.Option("--winner", help="bt: the column saying who won.")] = "winner",
    winner_values: Annotated[str, typer.Option(
        "--winner-values", help="bt: the winner column's values for left, right and tie, comma-separated "
                                "(e.g. -1,1,0).")] = "left,right,tie",
) -> None:
    """Consolidate crowd answers (or rank items from pairwise preferences) from a file.

    A worker's repeated answers to one item count once: the last one by default (--duplicates).
    Confidence is the largest posterior (the vote share for mv), 0.0000 for an item with one answer.
    """
    try:
        if method == Method.BT:
            _pairwise(labels_file, output, left, right, winner, winner_values, bootstrap, seed)
        else:
            _categorical(labels_file, method, gold, output, workers_out, duplicates.value, seed,
                         param or [])
    except InputError as exc:
        raise fail(str(exc)) from None
    except (ValueError, UnicodeDecodeError, csv.Error) as exc:
        raise fail(f"{labels_file.name}: {exc}") from None
    except OSError as exc:
        raise fail(str(exc)) from None
