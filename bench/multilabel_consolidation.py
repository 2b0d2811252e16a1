#!/usr/bin/env python3
"""Multi-label text classification at scale: consolidation and the Ground Truth export, through the services.

Builds a fresh SQLite ``text-classification --multi-label`` project with 50 labels (49 topics and
the exclusion category "None of the above", declared with ``exclusionCategory``) and N items, each
answered by 3 of W simulated workers (answers written in bulk with the columns the submit path
writes, every one valid: the exclusion alone, or topics without it). Then times what a manager's
"Apply and run" costs, ``consolidation.run_full`` (read every answer, fit, write every item's
answer), for majority vote and Dawid-Skene (one binary problem per label), and the Ground Truth
output manifest of every item (``open_export(..., "manifest")``, class-map / confidence-map).

Simulated truth: 10 % of items have no topic (the exclusion is right), the others 1 to 4 topics
drawn with Zipf-like popularity. A worker finds each true topic with probability r ~ U(0.6, 0.98)
and adds each other topic with probability f ~ U(0, 0.004) (about 0.1 false topic per answer on
average); a worker who ends with no topic answers the exclusion. Scores against truth: exact set
match and micro-averaged F1 over the 50 labels (the exclusion counted as a label).

    .venv/bin/python bench/multilabel_consolidation.py --items 100000
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from factories import Factory  # noqa: E402

from labelworks.core.enums import Role  # noqa: E402
from labelworks.db.engine import Database  # noqa: E402
from labelworks.db.migrate import upgrade  # noqa: E402
from labelworks.services import consolidation, exports  # noqa: E402

NONE = "None of the above"
TOPICS = [f"topic-{i:02d}" for i in range(1, 50)]
LABELS = [*TOPICS, NONE]


def simulate(n_items: int, n_workers: int, seed: int) -> tuple[list[frozenset[str]], list[list[tuple[int, frozenset[str]]]]]:
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, len(TOPICS) + 1)
    popularity /= popularity.sum()
    recall = rng.uniform(0.6, 0.98, n_workers)
    false_rate = rng.uniform(0.0, 0.004, n_workers)
    truth: list[frozenset[str]] = []
    answers: list[list[tuple[int, frozenset[str]]]] = []
    for _ in range(n_items):
        if rng.random() < 0.1:
            true = frozenset([NONE])
        else:
            k = int(rng.integers(1, 5))
            true = frozenset(TOPICS[j] for j in rng.choice(len(TOPICS), k, replace=False, p=popularity))
        truth.append(true)
        item_answers = []
        for w in rng.choice(n_workers, 3, replace=False):
            found = {t for t in true if t != NONE and rng.random() < recall[w]}
            extra = rng.random(len(TOPICS)) < false_rate[w]
            found |= {TOPICS[j] for j in np.flatnonzero(extra)}
            item_answers.append((int(w), frozenset(found) if found else frozenset([NONE])))
        answers.append(item_answers)
    return truth, answers


def build(db: Database, n_items: int, n_workers: int, seed: int) -> tuple[int, object, list[frozenset[str]]]:
    f = Factory(db)
    org = f.org("Bench")
    manager = f.user(Role.MANAGER, org_id=org)
    p = f.project(manager, labels={"labels": [{"label": t} for t in TOPICS], "exclusionCategory": {"text": NONE}},
                  multi_label=True, workers_per_item=3)
    assert tuple(p.labels.labels) == tuple(LABELS) and p.labels.exclusion == NONE
    workers = [w.id for w in f.annotators(n_workers, org)]
    truth, answers = simulate(n_items, n_workers, seed)
    order = {name: i for i, name in enumerate(LABELS)}
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.executemany("INSERT INTO items (project_id, key, data, priority, taken, done, is_open, created_at) "
                        "VALUES (?, ?, ?, 0, 3, 3, 0, '2026-11-24 00:00:00.000000')",
                        [(p.id, f"k{i}", json.dumps({"source": f"text {i}"})) for i in range(n_items)])
        first = cur.execute("SELECT MIN(id) FROM items WHERE project_id = ?", (p.id,)).fetchone()[0]
        rows = [(p.id, first + i, workers[w], json.dumps({"labels": sorted(chosen, key=order.__getitem__)}), 5000)
                for i, item_answers in enumerate(answers) for w, chosen in item_answers]
        cur.executemany("INSERT INTO annotations (project_id, item_id, user_id, value, version, active_ms, source, "
                        "created_at) VALUES (?, ?, ?, ?, 1, ?, 'human', '2026-11-24 00:00:00.000000')", rows)
        raw.commit()
    finally:
        raw.close()
    return p.id, manager, truth


def scores(db: Database, project_id: int, truth: list[frozenset[str]]) -> tuple[float, float, int]:
    """Exact set match, micro F1 and the number of answers that mix the exclusion with a topic."""
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT c.value, i.key FROM consolidations c JOIN items i "
                                    "ON i.id = c.item_id WHERE c.project_id = ?", (project_id,)).all()
    exact = tp = fp = fn = mixed = 0
    for value, key in rows:
        got = frozenset(json.loads(value)["labels"])
        want = truth[int(key[1:])]
        exact += got == want
        tp += len(got & want)
        fp += len(got - want)
        fn += len(want - got)
        mixed += NONE in got and len(got) > 1
    return exact / len(rows), 2 * tp / (2 * tp + fp + fn), mixed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        upgrade(db)
        t = time.perf_counter()
        pid, manager, truth = build(db, a.items, a.workers, a.seed)
        print(f"built {a.items} items x 3 answers x {len(LABELS)} labels in {time.perf_counter() - t:.1f} s")
        for method in ("majority-vote", "dawid-skene"):
            if method != "majority-vote":
                consolidation.set_method(db, manager.actor, pid, method)
            t = time.perf_counter()
            summary = consolidation.run_full(db, pid)
            seconds = time.perf_counter() - t
            exact, f1, mixed = scores(db, pid, truth)
            print(f"run_full {method}: {seconds:.2f} s total (fit {summary['seconds']:.2f} s, "
                  f"{summary['iterations']} iterations), exact set {exact:.4f}, micro F1 {f1:.4f}, "
                  f"exclusion mixed with a topic in {mixed} answers")
            t = time.perf_counter()
            stream = exports.open_export(db, manager.actor, pid, "manifest")
            size = lines = 0
            for chunk in stream.chunks:
                data = chunk if isinstance(chunk, bytes) else chunk.encode()
                size += len(data)
                lines += data.count(b"\n")
            print(f"  manifest export: {lines} lines, {size / 1e6:.1f} MB in {time.perf_counter() - t:.2f} s")
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
        db.dispose()


if __name__ == "__main__":
    main()
