"""Batch generation over many prompts: the job's peak Python memory (tracemalloc) walking 100,000
items in pages, against loading them all at once as the job used to; the same job generating for
real (the built-in ``echo`` model) over 1,000 and 4,000 items, to see the peak stay flat; and the
cost of the spending check before a call with 100,000 generations already counted today (added in
bulk), both budgets set, and the query plan SQLite uses for it.

    .venv/bin/python bench/generate_paging.py [items]      # default 100000; a temporary SQLite file
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, text

from labelworks.assist.batch_generate import run_generate
from labelworks.assist.chat import kind_check
from labelworks.core.enums import Role
from labelworks.db.engine import Database
from labelworks.db.migrate import upgrade
from labelworks.db.models import Generation, Item
from labelworks.services import accounts, imports, model_connections, projects
from labelworks.services.model_spending import _counted, _tokens

SECRET = "bench-secret-key-0123456789abcdef"


def peak(run: Callable[[], Any]) -> tuple[float, float]:
    """(peak MiB above the start, seconds)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    run()
    took = time.perf_counter() - started
    top = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (top - base) / 2**20, took


def project(db: Database, actor: accounts.Actor, name: str, n: int, answered: bool) -> int:
    pid = projects.create_project(db, actor, projects.ProjectInput(name=name, task_type="text-classification",
                                                                   labels=["a", "b"])).id
    prompt = "Summarise the following paragraph in one sentence, keeping the names it mentions: " * 3
    for start in range(0, n, 5000):
        rows = [{"prompt": f"{prompt} #{i}", "source": f"source text of item {i}",
                 **({"lw-generations": {"echo": {"text": "done", "generation_id": 0, "finish_reason": "stop"}}}
                    if answered else {})} for i in range(start, min(n, start + 5000))]
        imports.import_rows(db, actor, pid, rows)
    return pid


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(db)
        org = accounts.ensure_org(db, "Bench")
        user = accounts.create_user(db, "bench@example.org", None, Role.MANAGER, org_id=org)
        actor = accounts.actor_by_id(db, user.id)

        started = time.perf_counter()
        big = project(db, actor, "Answered", n, answered=True)
        print(f"imported {n:,} items in {time.perf_counter() - started:.0f} s")
        conn = model_connections.create_connection(db, actor, big, {"name": "echo", "kind": "python",
                                                                    "model": "echo"}, SECRET, kind_check(False))

        def load_all() -> None:  # what the job did before: every item in one list
            with db.read() as s:
                items = [(i.id, json.loads(i.data)) for i in
                         s.scalars(select(Item).where(Item.project_id == big).order_by(Item.id))]
            assert len(items) == n

        mib, took = peak(load_all)
        print(f"all {n:,} items loaded at once: peak {mib:.1f} MiB, {took:.1f} s")
        report: dict[str, Any] = {}
        mib, took = peak(lambda: report.update(run_generate(db, actor, big, {"connections": [conn.id]},
                                                            secret_key=SECRET, allow_private=False)))
        assert report["models"]["echo"]["skipped"] == n, report
        print(f"the job walking {n:,} answered items in pages of 200: peak {mib:.1f} MiB, {took:.1f} s")

        for size in (1000, 4000):
            pid = project(db, actor, f"Fresh {size}", size, answered=False)
            c = model_connections.create_connection(db, actor, pid, {
                "name": "echo", "kind": "python", "model": "echo", "user_daily_tokens": 10**9,
                "project_monthly_tokens": 10**10}, SECRET, kind_check(False))
            mib, took = peak(lambda: report.update(run_generate(db, actor, pid, {"connections": [c.id]},
                                                                secret_key=SECRET, allow_private=False)))
            assert report["models"]["echo"]["generated"] == size, report
            print(f"the job generating {size:,} replies (echo, budgets set): peak {mib:.1f} MiB, {took:.1f} s, "
                  f"{size / took:.0f} replies/s")

        now = datetime.now(UTC).replace(tzinfo=None)
        with db.write() as s:
            s.execute(insert(Generation), [
                {"project_id": pid, "connection_id": c.id, "model_name": "echo", "user_id": user.id if i % 10 else None,
                 "source": "batch", "messages": "[]", "params": "{}", "response_text": "x", "finish_reason": "stop",
                 "prompt_tokens": 40, "completion_tokens": 60, "tokens_counted": 0, "attempts": 1,
                 "created_at": now - timedelta(seconds=i % 3600)} for i in range(100_000)])
        started = time.perf_counter()
        for _ in range(50):
            model_connections.connection_for_call(db, actor, pid, c.id, SECRET)
        print(f"the spending check with {100_000 + size:,} generations today (both budgets): "
              f"{(time.perf_counter() - started) / 50 * 1000:.1f} ms a call")
        with db.read() as s:
            q = select(_tokens()).where(_counted(c.id, now - timedelta(days=1), now))
            sql = str(q.compile(db.engine, compile_kwargs={"literal_binds": True}))
            plan = s.execute(text("EXPLAIN QUERY PLAN " + sql)).all()
            print("plan (project):", "; ".join(str(r[-1]) for r in plan))
            plan = s.execute(text("EXPLAIN QUERY PLAN " + sql + f" AND generations.user_id = {user.id}")).all()
            print("plan (user):", "; ".join(str(r[-1]) for r in plan))
        db.dispose()


if __name__ == "__main__":
    main()
