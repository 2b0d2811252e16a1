#!/usr/bin/env python3
"""CPU cost of next-task in-process, as the server runs it: inside group-commit batches.

A fresh SQLite project (text classification, 3 labels, N workers per item), 32 annotators.
Each round: one batch (``Database.write_batch``) in which every annotator asks for a task, then one
batch in which every annotator submits it, as the server's writer thread does at C = 32. Prints
microseconds per next-task and per submit and the SQL statements each runs (counted with an engine
event); ``--profile next|submit`` prints the top of a cProfile run of the next-task or the submit batches.

    .venv/bin/python bench/next_task_path.py [--rounds 150] [--workers-per-item 3] [--profile next|submit]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from factories import Factory  # noqa: E402
from sqlalchemy import event  # noqa: E402

from labelworks.core.enums import Role  # noqa: E402
from labelworks.db.engine import Database  # noqa: E402
from labelworks.db.migrate import upgrade  # noqa: E402
from labelworks.services import annotations, assignments  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=150)
    ap.add_argument("--annotators", type=int, default=32)
    ap.add_argument("--workers-per-item", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=5, help="timed passes; the median is printed")
    ap.add_argument("--profile", choices=["next", "submit"])
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        upgrade(db)
        f = Factory(db)
        org = f.org("Bench")
        manager = f.user(Role.MANAGER, org_id=org)
        p = f.project(manager, labels=["a", "b", "c"], workers_per_item=a.workers_per_item)
        needed = a.annotators * a.rounds * (a.repeats + 2) // a.workers_per_item + 1000
        f.items(manager, p.id, rows=[{"source": f"text {i}"} for i in range(needed)])
        actors = [w.actor for w in f.annotators(a.annotators, org)]
        statements = [0]

        def count(_sql: str) -> None:
            statements[0] += 1

        # SQLite's own trace: it also sees statements run on the driver's cursor, past SQLAlchemy
        event.listen(db.engine, "connect", lambda conn, _rec: conn.set_trace_callback(count))
        db.engine.dispose()  # connections made so far reconnect with the trace

        def batch_next() -> list[int]:
            with db.write_batch():
                leases = [assignments.next_for(db, actor, p.id) for actor in actors]
            return [lease.assignment_id for lease in leases if lease is not None]

        def batch_submit(aids: list[int]) -> None:
            with db.write_batch():
                for actor, aid in zip(actors, aids, strict=True):
                    annotations.submit(db, actor, aid, {"label": "a"})

        def timed(n: int) -> tuple[float, float, float, float]:
            t_next = t_sub = 0.0
            s_next = s_sub = 0
            for _ in range(n):
                before, t = statements[0], time.perf_counter()
                aids = batch_next()
                t_next += time.perf_counter() - t
                s_next += statements[0] - before
                before, t = statements[0], time.perf_counter()
                batch_submit(aids)
                t_sub += time.perf_counter() - t
                s_sub += statements[0] - before
            calls = n * len(actors)
            return t_next / calls * 1e6, t_sub / calls * 1e6, s_next / calls, s_sub / calls

        timed(10)  # warm-up
        runs = [timed(a.rounds // a.repeats or 1) for _ in range(a.repeats)]
        nxt, sub = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
        print(f"next-task {nxt:.0f} µs ({runs[0][2]:.1f} statements incl. savepoints), "
              f"submit {sub:.0f} µs ({runs[0][3]:.1f} statements), per call, median of {a.repeats} passes; "
              f"next-task passes: {', '.join(f'{r[0]:.0f}' for r in runs)} µs")
        if a.profile:
            prof = cProfile.Profile()
            for _ in range(20):
                with prof if a.profile == "next" else nullcontext():
                    aids = batch_next()
                with prof if a.profile == "submit" else nullcontext():
                    batch_submit(aids)
            pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        db.dispose()


if __name__ == "__main__":
    main()
