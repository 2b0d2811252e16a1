"""Gold mixing and adaptive routing under concurrent annotators, on SQLite and PostgreSQL.

16 threads loop next-task → submit (with some releases) on a project with gold items at a 30 %
rate and routing from K=2 up to N=4. Afterwards, in the database: no item answered twice by
one worker, no normal item above its own target nor the target above N, every gold item
answered at most once per worker and never counted toward the normal pool, no lease left.
"""

from __future__ import annotations

import random
import threading
from collections import Counter

from sqlalchemy import func, select

from labelworks.core.enums import AssignmentStatus
from labelworks.db.engine import Database
from labelworks.db.models import Annotation, Assignment, Item
from labelworks.services import annotations, assignments, quality

from factories import Factory, OrgUsers, UserHandle

WORKERS, ITEMS, GOLD, K, N = 16, 30, 4, 2, 4


def _work(db: Database, pid: int, user: UserHandle, seed: int, start: threading.Barrier, errors: list[str]) -> None:
    rnd = random.Random(seed)
    try:
        start.wait()
        for _ in range(300):
            lease = assignments.next_for(db, user.actor, pid)
            if lease is None:
                return
            if rnd.random() < 0.1:
                assignments.release(db, user.actor, lease.assignment_id)
                continue
            annotations.submit(db, user.actor, lease.assignment_id, {"label": rnd.choice(["a", "b"])})
        raise AssertionError("still getting work after 300 loops")
    except BaseException as exc:  # reported: the test fails on any
        errors.append(f"{user.email}: {type(exc).__name__}: {exc}")
        start.abort()


def test_gold_and_routing_keep_the_invariants(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["a", "b"], workers_per_item=1)
    rows = [{"source": f"gold {i}", "gold": "a"} for i in range(GOLD)] + [{"source": f"n {i}"} for i in range(ITEMS)]
    ids = factory.items(org.manager, p.id, rows=rows)
    gold_ids, normal_ids = set(ids[:GOLD]), ids[GOLD:]
    quality.update_settings(db, org.manager.actor, p.id, {"gold_rate": 0.3, "routing": True, "initial_workers": K,
                                                          "max_workers": N, "confidence_threshold": 0.9})
    users = factory.annotators(WORKERS, org.org_id)
    # rounds: a worker who heard "nothing left" before a release or a routing re-opened an item is done
    for round_no in range(6):
        errors: list[str] = []
        start = threading.Barrier(WORKERS)
        threads = [threading.Thread(target=_work, args=(db, p.id, u, round_no * 100 + i, start, errors))
                   for i, u in enumerate(users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
            assert not t.is_alive(), "a worker thread hung"
        assert errors == []
        with db.read() as s:
            if not s.scalar(select(func.count(Item.id)).where(Item.project_id == p.id, Item.is_open == 1)):
                break
    with db.read() as s:
        answers = s.execute(select(Annotation.item_id, Annotation.user_id).where(Annotation.project_id == p.id)).all()
        items = {i.id: i for i in s.scalars(select(Item).where(Item.project_id == p.id))}
        active = s.scalar(select(func.count(Assignment.id)).where(Assignment.project_id == p.id,
                                                                  Assignment.status == AssignmentStatus.ACTIVE))
    assert [pair for pair, n in Counter(answers).items() if n > 1] == [], "a worker answered an item twice"
    per_item = Counter(item for item, _ in answers)
    for item_id in normal_ids:
        item = items[item_id]
        target = item.wanted if item.wanted is not None else K
        assert K <= target <= N, (item_id, target)
        assert per_item[item_id] <= target, f"item {item_id}: {per_item[item_id]} answers for a target of {target}"
        assert item.taken == item.done == per_item[item_id] and item.is_open == 0
    assert any(items[i].wanted for i in normal_ids), "no item was routed: the variant tested nothing"
    for item_id in gold_ids:
        assert items[item_id].is_open == 0 and items[item_id].taken == per_item[item_id] <= WORKERS
    assert sum(per_item[i] for i in gold_ids) > 0, "no gold was served"
    assert active == 0
