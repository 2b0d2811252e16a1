"""Many reviewers at once, on SQLite and PostgreSQL: no item leased to two reviewers, each decided once."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from labelworks.db.engine import Database
from labelworks.db.models import ItemStage, ReviewTask
from labelworks.services import assignments, reviews
from labelworks.services.annotations import submit

from factories import Factory, OrgUsers

REVIEWERS = 8
ITEMS = 40


def test_reviewers_racing_for_the_queue_never_share_an_item(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"])
    ids = factory.items(org.manager, p.id, ITEMS)
    while (lease := assignments.next_for(db, org.annotator.actor, p.id)) is not None:
        submit(db, org.annotator.actor, lease.assignment_id, {"label": "cat"})
    reviews.update_settings(db, org.manager.actor, p.id, "all")
    people = [factory.user("reviewer", org_id=org.org_id) for _ in range(REVIEWERS)]
    barrier = threading.Barrier(REVIEWERS)
    seen: list[tuple[int, int]] = []  # (item, reviewer) as each thread was given it
    errors: list[str] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        actor = people[i].actor
        try:
            barrier.wait()
            for _ in range(ITEMS * 2):
                task = reviews.next_review(db, actor, p.id)
                if task is None:
                    return
                with lock:
                    seen.append((task.item_id, actor.user_id))
                reviews.approve(db, actor, task.id)
            errors.append(f"reviewer {i} still had work after {ITEMS * 2} loops")
        except Exception as exc:  # reported: the test fails on any
            errors.append(f"reviewer {i}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(REVIEWERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    per_item = Counter(item for item, _ in seen)
    assert per_item == Counter({i: 1 for i in ids}), "an item was leased to two reviewers"
    assert len({who for _, who in seen}) > 1, "the reviewers did not actually run at the same time"
    with db.read() as s:
        statuses = Counter(s.scalars(select(ReviewTask.status).where(ReviewTask.project_id == p.id)))
        leased_events = s.scalar(select(func.count()).where(ItemStage.stage == "in_review"))
    assert statuses == Counter({"approved": ITEMS})
    assert leased_events == ITEMS
