#!/usr/bin/env python3
"""Annotate every item of a project by direct SQL on the SQLite file (for export / list benchmarks).

For each item: one submitted assignment and one annotation per worker (workers_per_item of them,
annotators bench-sql-N@bench.local, created here if missing), a label spread over the
project's labels by item id (annotator k shifted by k), then
items.done = taken = workers_per_item, is_open = 0, last_annotated_at set. The rows are what the
service layer writes on submit (same columns, same canonical value), only in bulk.
Run it with the server stopped.

    python bench/annotate_sql.py /tmp/lwbench/big-data/labelworks.db PROJECT_ID
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import time
from datetime import datetime, timedelta, timezone

FMT = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's SQLite DateTime format


def annotators(con: sqlite3.Connection, org_id: int, n: int, now: str) -> list[int]:
    ids = []
    for k in range(n):
        email = f"bench-sql-{k}@bench.local"
        row = con.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()
        if row is None:
            cols = {r[1] for r in con.execute("PRAGMA table_info(users)")}
            values = {"org_id": org_id, "email": email, "name": "", "password_hash": "!", "role": "annotator",
                      "is_active": 1, "created_at": now}
            values = {c: v for c, v in values.items() if c in cols}
            con.execute(f"INSERT INTO users ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                        list(values.values()))
            row = con.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()
        ids.append(row[0])
    return ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("db")
    ap.add_argument("project_id", type=int)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    t0 = time.perf_counter()
    con = sqlite3.connect(a.db, timeout=60, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    pid = a.project_id
    org_id, wpi, label_config = con.execute(
        "SELECT org_id, workers_per_item, label_config FROM projects WHERE id = ?", (pid,)).fetchone()
    config = json.loads(label_config)
    labels = [c["label"] if isinstance(c, dict) else c for c in (config.get("labels") if isinstance(config, dict) else config)]
    now_dt = datetime.now(timezone.utc).replace(tzinfo=None)
    now = now_dt.strftime(FMT)
    con.execute("BEGIN IMMEDIATE")
    users = annotators(con, org_id, wpi, now)
    rng = random.Random(a.seed)
    # random labels through a small lookup table: SQLite picks one per row by id
    con.execute("CREATE TEMP TABLE bench_labels (k INTEGER PRIMARY KEY, value TEXT, raw TEXT)")
    con.executemany("INSERT INTO bench_labels VALUES (?, ?, ?)",
                    [(k, json.dumps({"label": lab}), json.dumps({"label": lab})) for k, lab in enumerate(labels)])
    leased = (now_dt - timedelta(seconds=5)).strftime(FMT)
    for n, uid in enumerate(users):
        con.execute(
            "INSERT INTO assignments (project_id, item_id, user_id, status, leased_at, expires_at, finished_at) "
            "SELECT project_id, id, ?, 'submitted', ?, ?, ? FROM items WHERE project_id = ? ORDER BY id",
            (uid, leased, now, now, pid))
        con.execute(
            "INSERT INTO annotations (project_id, item_id, user_id, assignment_id, value, raw, version, "
            "client_submission_id, active_ms, source, leased_at, created_at) "
            "SELECT a.project_id, a.item_id, a.user_id, a.id, l.value, l.raw, 1, NULL, "
            "1000 + abs(random() % 9000), 'human', a.leased_at, ? "
            "FROM assignments a JOIN bench_labels l ON l.k = abs((a.item_id * 7919 + ?) % ?) "
            "WHERE a.project_id = ? AND a.user_id = ? ORDER BY a.item_id",
            (now, rng.randrange(1000) + n, len(labels), pid, uid))
    con.execute("UPDATE items SET done = ?, taken = ?, is_open = 0, last_annotated_at = ? WHERE project_id = ?",
                (wpi, wpi, now, pid))
    con.execute("COMMIT")
    con.execute("PRAGMA analysis_limit=1000")
    con.execute("ANALYZE")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    items = con.execute("SELECT count(*) FROM items WHERE project_id = ?", (pid,)).fetchone()[0]
    print(json.dumps({"project_id": pid, "items": items, "annotations_added": items * wpi, "annotators": users,
                      "seconds": round(time.perf_counter() - t0, 1)}))


if __name__ == "__main__":
    main()
