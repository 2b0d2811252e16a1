"""Integer coding of (task, worker, label) answers, shared by every truth-inference algorithm.

The algorithms read compact integer arrays: ``tasks`` in ``[0, n_tasks)``, ``workers`` in
``[0, n_workers)`` and ``labels`` in ``[0, n_classes)``, plus two precomputed flat indexes
(``task * K + label`` and ``worker * K + label``) that let ``np.bincount`` do every per-task and
per-worker sum without a Python loop over answers. int32 keeps 3M answers at ~12 MB per array.

Classes are ordered by the project's label order first, then the remaining values
lexicographically: ``argmax`` picks the lowest index among equals, so this order *is* the
reproducible tie-break every method shares.

Duplicate (task, worker) answers: ``duplicates="last"`` keeps a worker's last answer for a task
(what the platform does with revisions), ``"first"`` keeps the first (the rule the shared
datasets' reference runs used), ``"all"`` keeps every row.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

__all__ = ["Encoded", "encode", "encode_binary_columns", "encode_gold", "factorize", "Duplicates", "flat_index"]

Duplicates = Literal["last", "first", "all"]
IntArray = npt.NDArray[np.int32]
AnyArray = npt.NDArray[Any]


@dataclass(frozen=True)
class Encoded:
    """Answers as integer codes; ``*_names[code]`` gives the original value back."""

    tasks: IntArray
    workers: IntArray
    labels: IntArray
    task_names: AnyArray
    worker_names: AnyArray
    class_names: tuple[str, ...]

    @property
    def n_tasks(self) -> int:
        return int(self.task_names.size)

    @property
    def n_workers(self) -> int:
        return int(self.worker_names.size)

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def n_answers(self) -> int:
        return int(self.tasks.size)

    # flat bincount indexes, built on first use (majority vote needs one, Dawid-Skene the other:
    # 12 MB each at 3M answers); cached_property writes __dict__, which a frozen dataclass allows
    @cached_property
    def label_task(self) -> npt.NDArray[np.integer[Any]]:
        """label * n_tasks + task: class-major, so per-class sums reshape to (K, T) without a copy."""
        return flat_index(self.labels, self.n_tasks, self.tasks, self.n_classes)

    @cached_property
    def worker_label(self) -> npt.NDArray[np.integer[Any]]:
        """worker * n_classes + label."""
        return flat_index(self.workers, self.n_classes, self.labels, self.n_workers)

    def answers_per_task(self) -> npt.NDArray[np.int64]:
        return np.bincount(self.tasks, minlength=self.n_tasks)


def factorize(values: Any) -> tuple[IntArray, AnyArray]:
    """Codes and the sorted distinct values; non-negative integers take an O(n) path (no sort)."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iu" and arr.size and int(arr.min()) >= 0 and int(arr.max()) < 4 * arr.size + 1024:
        present = np.zeros(int(arr.max()) + 1, dtype=bool)
        present[arr] = True
        code_of = (np.cumsum(present, dtype=np.int64) - 1).astype(np.int32)
        return code_of[arr], np.flatnonzero(present)
    if arr.dtype.kind not in "iuU":
        arr = arr.astype(str)
    uniq, inv = np.unique(arr, return_inverse=True)
    return inv.astype(np.int32).ravel(), uniq


def _class_order(distinct: Sequence[str], order: Sequence[str]) -> tuple[str, ...]:
    head = list(dict.fromkeys(order))
    tail = sorted(set(distinct) - set(head))
    return (*head, *tail)


def _dedup(tasks: IntArray, workers: IntArray, n_workers: int, rule: Duplicates) -> npt.NDArray[np.int64] | None:
    """Positions to keep, or None when every row is kept."""
    if rule == "all":
        return None
    key = tasks.astype(np.int64) * n_workers + workers
    if rule == "first":
        _, first = np.unique(key, return_index=True)
        if first.size == key.size:
            return None
        return np.sort(first)
    _, last_rev = np.unique(key[::-1], return_index=True)
    if last_rev.size == key.size:
        return None
    return np.sort(key.size - 1 - last_rev)


def encode(
    tasks: Any,
    workers: Any,
    labels: Any,
    *,
    class_order: Sequence[str] = (),
    duplicates: Duplicates = "last",
    extra_classes: Sequence[str] = (),
) -> Encoded:
    """Code three parallel columns. ``class_order`` (the project's labels) fixes the class order
    and adds classes nobody chose; ``extra_classes`` adds more (gold labels nobody chose)."""
    if not (len(tasks) == len(workers) == len(labels)):
        raise ValueError(f"tasks, workers and labels differ in length ({len(tasks)}, {len(workers)}, {len(labels)})")
    t_codes, t_names = factorize(tasks)
    w_codes, w_names = factorize(workers)
    # labels keep their own dtype while coding (no string copy of a million-row column); only
    # the few distinct values become strings, which is what class names and the order use
    l_codes, l_names = factorize(labels)
    names = [str(x) for x in l_names]
    if len(set(names)) != len(names):
        raise ValueError("two label values print the same (e.g. 1 and '1'): use one type")
    classes = _class_order([*names, *extra_classes], class_order)
    position = {c: i for i, c in enumerate(classes)}
    remap = np.asarray([position[c] for c in names], dtype=np.int32)
    y = remap[l_codes] if l_codes.size else l_codes
    keep = _dedup(t_codes, w_codes, int(w_names.size), duplicates)
    if keep is not None:
        t_codes, w_codes, y = t_codes[keep], w_codes[keep], y[keep]
    return Encoded(
        tasks=t_codes,
        workers=w_codes,
        labels=y.astype(np.int32, copy=False),
        task_names=t_names,
        worker_names=w_names,
        class_names=classes,
    )


def encode_binary_columns(
    tasks: Any,
    workers: Any,
    chosen: Sequence[Collection[str]],
    names: Sequence[str],
    *,
    classes: tuple[str, str],
    duplicates: Duplicates = "last",
) -> tuple[Encoded, dict[str, IntArray]]:
    """Multi-label answers coded once for all labels: a binary ``Encoded`` (``classes`` = (not
    chosen, chosen)) whose tasks and workers every label shares, and per label its 0/1 column.

    Coding each label with :func:`encode` would factorize the same task and worker ids once per
    label (50 labels: 50 sorts of the same columns). Pair a column with the shared codes as
    ``Encoded(enc.tasks, enc.workers, column, enc.task_names, enc.worker_names, enc.class_names)``.
    """
    if not (len(tasks) == len(workers) == len(chosen)):
        raise ValueError(f"tasks, workers and answers differ in length ({len(tasks)}, {len(workers)}, {len(chosen)})")
    t_codes, t_names = factorize(tasks)
    w_codes, w_names = factorize(workers)
    keep = _dedup(t_codes, w_codes, int(w_names.size), duplicates)
    rows: Sequence[int] = range(len(chosen)) if keep is None else keep.tolist()
    if keep is not None:
        t_codes, w_codes = t_codes[keep], w_codes[keep]
    hits: dict[str, list[int]] = {name: [] for name in names}
    for r, i in enumerate(rows):
        for label in chosen[i]:
            if label in hits:
                hits[label].append(r)
    columns: dict[str, IntArray] = {}
    for name in names:
        column = np.zeros(t_codes.size, dtype=np.int32)
        column[hits[name]] = 1
        columns[name] = column
    empty = np.zeros(t_codes.size, dtype=np.int32)
    return Encoded(t_codes, w_codes, empty, t_names, w_names, classes), columns


def flat_index(major: IntArray, size: int, minor: IntArray, k: int) -> npt.NDArray[np.integer[Any]]:
    """major * size + minor, in int32 when it fits (halves the memory of a million-row index)."""
    out: npt.NDArray[np.integer[Any]] = major.astype(np.int32 if k * size < 2**31 else np.int64)
    np.multiply(out, size, out=out)  # in place: one array, no temporaries
    np.add(out, minor, out=out)
    return out


def encode_gold(enc: Encoded, gold: Mapping[str, str] | None) -> npt.NDArray[np.int32]:
    """Per task code: the gold class, or -1. Gold for tasks without answers is ignored."""
    out = np.full(enc.n_tasks, -1, dtype=np.int32)
    if not gold:
        return out
    position = {c: i for i, c in enumerate(enc.class_names)}
    names = enc.task_names.astype(str)
    by_name = np.argsort(names)
    keys = np.asarray(list(gold), dtype=str)
    if not keys.size:
        return out
    at = np.searchsorted(names, keys, sorter=by_name)
    at = np.minimum(at, names.size - 1)
    found = names[by_name[at]] == keys
    for key, idx in zip(keys[found], by_name[at[found]], strict=True):
        label = gold[str(key)]
        if label not in position:
            raise ValueError(f"gold label {label!r} of item {str(key)!r} is not a class "
                             f"(encode with extra_classes to add it)")
        out[idx] = position[label]
    return out
