#!/usr/bin/env python3
"""A project's full consolidation run and its agreement figures at scale, through the services.

Builds a fresh SQLite project of N items answered by 3 of W simulated workers each (answers
written in bulk with the same columns the submit path writes), then times what a manager's
"Apply and run" costs: ``consolidation.run_full`` (read every answer, fit, write every item's
answer) for majority vote and Dawid-Skene, and ``metrics.project_agreement``.

    .venv/bin/python bench/consolidation_full.py --items 100000
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
from labelworks.services import consolidation, metrics  # noqa: E402

LABELS = ["positive", "negative", "neutral", "mixed", "off-topic"]


def build(db: Database, n_items: int, n_workers: int, seed: int) -> tuple[int, object, np.ndarray]:
    f = Factory(db)
    org = f.org("Bench")
    manager = f.user(Role.MANAGER, org_id=org)
    p = f.project(manager, labels=LABELS, workers_per_item=3)
    rng = np.random.default_rng(seed)
    workers = [w.id for w in f.annotators(n_workers, org)]
    accuracy = rng.uniform(0.45, 0.95, n_workers)
    truth = rng.integers(0, len(LABELS), n_items)
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.executemany("INSERT INTO items (project_id, key, data, priority, taken, done, is_open, created_at) "
                        "VALUES (?, ?, ?, 0, 3, 3, 0, '2026-11-24 00:00:00.000000')",
                        [(p.id, f"k{i}", json.dumps({"source": f"text {i}"})) for i in range(n_items)])
        first = cur.execute("SELECT MIN(id) FROM items WHERE project_id = ?", (p.id,)).fetchone()[0]
        rows = []
        for i in range(n_items):
            for w in rng.choice(n_workers, 3, replace=False):
                right = rng.random() < accuracy[w]
                label = truth[i] if right else (truth[i] + rng.integers(1, len(LABELS))) % len(LABELS)
                rows.append((p.id, first + i, workers[w], json.dumps({"label": LABELS[label]}),
                             int(rng.integers(2000, 9000))))
        cur.executemany("INSERT INTO annotations (project_id, item_id, user_id, value, version, active_ms, source, "
                        "created_at) VALUES (?, ?, ?, ?, 1, ?, 'human', '2026-11-24 00:00:00.000000')", rows)
        raw.commit()
    finally:
        raw.close()
    return p.id, manager, truth


def accuracy_of(db: Database, project_id: int, truth: np.ndarray) -> float:
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT c.item_id, c.value, i.key FROM consolidations c JOIN items i "
                                    "ON i.id = c.item_id WHERE c.project_id = ?", (project_id,)).all()
    right = sum(json.loads(v)["label"] == LABELS[truth[int(k[1:])]] for _, v, k in rows)
    return right / len(rows)


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
        print(f"built {a.items} items x 3 answers in {time.perf_counter() - t:.1f} s")
        for method in ("majority-vote", "dawid-skene"):
            if method != "majority-vote":
                consolidation.set_method(db, manager.actor, pid, method)  # the job it writes is run below
            t = time.perf_counter()
            summary = consolidation.run_full(db, pid)
            seconds = time.perf_counter() - t
            print(f"run_full {method}: {seconds:.2f} s total (fit {summary['seconds']:.2f} s, "
                  f"{summary['iterations']} iterations), accuracy {accuracy_of(db, pid, truth):.4f}")
        t = time.perf_counter()
        report = metrics.project_agreement(db, manager.actor, pid)
        print(f"agreement: {time.perf_counter() - t:.2f} s (alpha {report.alpha}, Fleiss {report.fleiss_kappa}, "
              f"{len(report.cohen)} Cohen pairs)")
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
        db.dispose()


if __name__ == "__main__":
    main()
