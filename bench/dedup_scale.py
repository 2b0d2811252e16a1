"""Near-duplicate detection over the embedding index at 10k / 100k items: before and after.

Input: n random unit vectors (384 dims, float16 as stored in item_embeddings) with planted
duplicates: 1 % exact copies (the same text) and 2 % near copies (cosine ≈ 0.97, some chained).
Random vectors are the worst case for the product (nothing to prune); real e5 vectors cost the
same multiply-adds.

* before: the issue-5 code, copied verbatim below (``load_index``'s float32 copy of the whole
  matrix, 512-row blocks against the rest, a Python list of every pair, union-find in Python);
* after: ``labelworks.core.near_duplicates.near_duplicate_groups`` (what ``dedup_groups`` calls).

Both are timed on the same float16 matrix in one process; their groups must be the same (the
weakest similarity may differ in the 4th decimal: float32 sums in another order).
Peak memory is tracemalloc's peak over the call (numpy reports its buffers to it).

Run:  .venv/bin/python bench/dedup_scale.py --sizes 10000 100000 [--blas-threads 1]
      [--json bench/results/dedup_scale.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from labelworks.core.near_duplicates import near_duplicate_groups  # noqa: E402

Groups = list[tuple[tuple[int, ...], float]]


def planted(n: int, dim: int = 384, seed: int = 6) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, dim)).astype(np.float32)
    n_near, n_copy = n // 50, n // 100
    src = rng.choice(n, n_near + n_copy, replace=False)
    dst = rng.choice(np.setdiff1d(np.arange(n), src), n_near + n_copy, replace=False)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    noise = rng.standard_normal((n_near, dim)).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    v[dst[:n_near]] = v[src[:n_near]] + 0.25 * noise  # cosine ≈ 1 / sqrt(1 + 0.0625) ≈ 0.97
    v[dst[n_near:]] = v[src[n_near:]]
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v.astype("<f2")


# --- before: services/embeddings.py at 968ba7c (issue 5), minus the database -----------------------
_BLOCK = 512


def _pairs_above(vectors: np.ndarray, threshold: float) -> Iterable[tuple[int, int, float]]:
    n = vectors.shape[0]
    for start in range(0, n, _BLOCK):
        block = vectors[start:start + _BLOCK] @ vectors[start:].T
        rows, cols = np.nonzero(block >= threshold)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            if c > r:
                yield start + r, start + c, float(block[r, c])


def before(half: np.ndarray, threshold: float) -> Groups:
    vectors = half.astype(np.float32)  # load_index's copy
    parent = list(range(vectors.shape[0]))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    weakest: dict[int, float] = {}
    edges = list(_pairs_above(vectors, threshold))
    for i, j, _ in edges:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    members: dict[int, list[int]] = defaultdict(list)
    for i, j, sim in edges:
        root = find(i)
        weakest[root] = min(weakest.get(root, 1.0), sim)
    for i in {x for e in edges for x in e[:2]}:
        members[find(i)].append(i)
    ordered = sorted(members.items(), key=lambda kv: (-len(kv[1]), min(kv[1])))
    return [(tuple(sorted(g)), round(min(1.0, weakest[root]), 4)) for root, g in ordered]


# --- after ----------------------------------------------------------------------------------------
def after(half: np.ndarray, threshold: float) -> Groups:
    return [(g.members, round(min(1.0, g.min_similarity), 4)) for g in near_duplicate_groups(half, threshold)]


def measure(fn: Callable[[np.ndarray, float], Groups], half: np.ndarray,
            threshold: float) -> tuple[Groups, dict[str, Any]]:
    tracemalloc.start()
    cpu, started = time.process_time(), time.perf_counter()
    groups = fn(half, threshold)
    seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return groups, {"seconds": round(seconds, 2), "cpu_seconds": round(cpu_s, 2), "peak_mb": round(peak / 2**20, 1),
                    "groups": len(groups), "grouped_items": sum(len(g) for g, _ in groups)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--threshold", type=float, default=0.95 - 1e-3)  # what dedup_groups compares at 0.95
    ap.add_argument("--skip-before-above", type=int, default=10**9, help="time the old code only up to this n")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "dedup_scale.json")
    ap.add_argument("--blas-threads", type=int, default=None,
                    help="hold BLAS to this many threads (1: steadier figures on a loaded machine)")
    args = ap.parse_args()
    if args.blas_threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.blas_threads)
    out: dict[str, Any] = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                       "numpy": np.__version__, "load_before": os.getloadavg(),
                                       "blas_threads": args.blas_threads}}
    for n in args.sizes:
        half = planted(n)
        row: dict[str, Any] = {"matrix_mb": round(half.nbytes / 2**20, 1)}
        new_groups, row["after"] = measure(after, half, args.threshold)
        if n <= args.skip_before_above:
            old_groups, row["before"] = measure(before, half, args.threshold)
            row["same_groups"] = [g for g, _ in old_groups] == [g for g, _ in new_groups]
            # min_similarity is a float32 dot product rounded to 4 places: the two sum in another order
            row["max_min_similarity_diff"] = max((abs(a - b) for (_, a), (_, b) in zip(old_groups, new_groups)),
                                                 default=0.0) if row["same_groups"] else None
            if not row["same_groups"]:
                only_old = set(old_groups) - set(new_groups)
                only_new = set(new_groups) - set(old_groups)
                row["differences"] = {"before_only": sorted(only_old)[:5], "after_only": sorted(only_new)[:5]}
        out[f"n_{n}"] = row
        print(n, json.dumps(row), flush=True)
    out["machine"]["load_after"] = os.getloadavg()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
