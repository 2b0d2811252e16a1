#!/usr/bin/env python3
"""After an annotator run: did any item get more annotations than asked, or two from one annotator?

Reads the SQLite file read-only (safe while the server runs).

    python bench/check_invariants.py labelworks /tmp/lwbench/X-data/labelworks.db PROJECT_ID
    python bench/check_invariants.py label-studio /tmp/lwbench/Y-data/label_studio.sqlite3 PROJECT_ID
"""

from __future__ import annotations

import argparse
import json
import sqlite3

# Each query returns one number; a correct run has 0 in every "violations" row.
LABELWORKS = {
    "asked_per_item": "SELECT workers_per_item FROM projects WHERE id = :pid",
    "items": "SELECT count(*) FROM items WHERE project_id = :pid",
    "annotations": "SELECT count(*) FROM annotations WHERE project_id = :pid",
    "items_annotated": "SELECT count(DISTINCT item_id) FROM annotations WHERE project_id = :pid",
    "items_at_quota": "SELECT count(*) FROM (SELECT item_id FROM annotations WHERE project_id = :pid "
                      "AND supersedes_id IS NULL GROUP BY item_id HAVING count(*) = "
                      "(SELECT workers_per_item FROM projects WHERE id = :pid))",
    # first versions only: a revision (supersedes_id set) is the same annotator's answer, re-stated
    "violations_items_over_quota": "SELECT count(*) FROM (SELECT item_id FROM annotations WHERE project_id = :pid "
                                   "AND supersedes_id IS NULL GROUP BY item_id HAVING count(*) > "
                                   "(SELECT workers_per_item FROM projects WHERE id = :pid))",
    "violations_same_annotator_twice": "SELECT count(*) FROM (SELECT item_id, user_id FROM annotations "
                                       "WHERE project_id = :pid AND supersedes_id IS NULL "
                                       "GROUP BY item_id, user_id HAVING count(*) > 1)",
    "violations_done_counter_off": "SELECT count(*) FROM items i WHERE i.project_id = :pid AND i.done <> "
                                   "(SELECT count(*) FROM annotations a WHERE a.item_id = i.id "
                                   "AND a.supersedes_id IS NULL)",
    "max_annotations_on_one_item": "SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM annotations "
                                   "WHERE project_id = :pid AND supersedes_id IS NULL GROUP BY item_id)",
}

LABEL_STUDIO = {
    "asked_per_item": "SELECT maximum_annotations FROM project WHERE id = :pid",
    "items": "SELECT count(*) FROM task WHERE project_id = :pid",
    "annotations": "SELECT count(*) FROM task_completion WHERE project_id = :pid AND was_cancelled = 0",
    "items_annotated": "SELECT count(DISTINCT task_id) FROM task_completion WHERE project_id = :pid "
                       "AND was_cancelled = 0",
    "items_at_quota": "SELECT count(*) FROM (SELECT task_id FROM task_completion WHERE project_id = :pid "
                      "AND was_cancelled = 0 GROUP BY task_id HAVING count(*) = "
                      "(SELECT maximum_annotations FROM project WHERE id = :pid))",
    "violations_items_over_quota": "SELECT count(*) FROM (SELECT task_id FROM task_completion WHERE project_id = :pid "
                                   "AND was_cancelled = 0 GROUP BY task_id HAVING count(*) > "
                                   "(SELECT maximum_annotations FROM project WHERE id = :pid))",
    "violations_same_annotator_twice": "SELECT count(*) FROM (SELECT task_id, completed_by_id FROM task_completion "
                                       "WHERE project_id = :pid AND was_cancelled = 0 "
                                       "GROUP BY task_id, completed_by_id HAVING count(*) > 1)",
    "max_annotations_on_one_item": "SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM task_completion "
                                   "WHERE project_id = :pid AND was_cancelled = 0 GROUP BY task_id)",
}


def check(platform: str, db: str, project_id: int) -> dict[str, int]:
    queries = LABELWORKS if platform == "labelworks" else LABEL_STUDIO
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=60)
    try:
        return {name: con.execute(sql, {"pid": project_id}).fetchone()[0] for name, sql in queries.items()}
    finally:
        con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("platform", choices=["labelworks", "label-studio"])
    ap.add_argument("db")
    ap.add_argument("project_id", type=int)
    a = ap.parse_args()
    res = check(a.platform, a.db, a.project_id)
    res["ok"] = all(v == 0 for k, v in res.items() if k.startswith("violations"))
    print(json.dumps({"platform": a.platform, "project_id": a.project_id, **res}))


if __name__ == "__main__":
    main()
