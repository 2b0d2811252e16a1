#!/usr/bin/env python3
"""CPU cost of one next-task + submit round in-process, with and without the quality hooks.

One annotator on a fresh SQLite project (3,000 text items, 3 labels, majority vote), 50 warm-up
rounds, then 500 timed rounds. ``--no-hooks`` replaces ``submission_hooks`` with no-ops to show
what the quality engine adds; ``--profile`` prints the top of a cProfile run.

    .venv/bin/python bench/submit_path.py [--no-hooks] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from factories import Factory  # noqa: E402

from labelworks.core.enums import Role  # noqa: E402
from labelworks.db.engine import Database  # noqa: E402
from labelworks.db.migrate import upgrade  # noqa: E402
from labelworks.services import annotations, assignments, submission_hooks  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-hooks", action="store_true")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--rounds", type=int, default=500)
    a = ap.parse_args()
    if a.no_hooks:
        submission_hooks.before_store = lambda *args, **kw: None  # type: ignore[assignment]
        submission_hooks.after_store = lambda *args, **kw: None  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        upgrade(db)
        f = Factory(db)
        org = f.org("Bench")
        manager = f.user(Role.MANAGER, org_id=org)
        p = f.project(manager, labels=["a", "b", "c"], workers_per_item=1)
        f.items(manager, p.id, rows=[{"source": f"text {i}"} for i in range(a.rounds * 2 + 100)])
        (worker,) = f.annotators(1, org)

        def rounds(n: int) -> None:
            for _ in range(n):
                lease = assignments.next_for(db, worker.actor, p.id)
                assert lease is not None
                annotations.submit(db, worker.actor, lease.assignment_id, {"label": "a"})

        rounds(50)
        started = time.perf_counter()
        rounds(a.rounds)
        print(f"{(time.perf_counter() - started) / a.rounds * 1000:.2f} ms per next-task + submit"
              f"{' (no quality hooks)' if a.no_hooks else ''}")
        if a.profile:
            prof = cProfile.Profile()
            prof.enable()
            rounds(a.rounds)
            prof.disable()
            st = pstats.Stats(prof); st.sort_stats("cumulative").print_stats(30); st.print_callees("refresh_item|before_store|next_for")
        db.dispose()


if __name__ == "__main__":
    main()
