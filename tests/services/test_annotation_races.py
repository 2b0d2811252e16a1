"""Races on one annotator's own work: retried submits, many tabs, concurrent edits."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from labelworks.core.errors import Conflict, LabelworksError
from labelworks.db.engine import Database
from labelworks.db.models import Annotation, Assignment, Item
from labelworks.services import annotations, assignments

from factories import Factory, OrgUsers


def _all_at_once(n: int, fn: Callable[[int], Any]) -> list[Any]:
    """Run fn(0..n-1) on n threads released together; returns results or the exceptions raised."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as exc:  # collected: the test decides which are expected
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


ROUNDS = 12  # a race lost once in a round is caught in one of these almost surely


def test_a_retried_submit_racing_itself_stores_one_row(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager)
    factory.items(org.manager, p.id, ROUNDS)
    for round_no in range(ROUNDS):
        lease = assignments.next_for(db, org.annotator.actor, p.id)
        assert lease is not None
        results = _all_at_once(8, lambda i: annotations.submit(db, org.annotator.actor, lease.assignment_id,
                                                               {"label": "cat"}, client_submission_id=f"uuid-{round_no}"))
        assert not [r for r in results if isinstance(r, Exception)], results
        assert len({info.id for info, _ in results}) == 1
        assert sum(created for _, created in results) == 1
    with db.read() as s:
        assert s.scalar(select(func.count(Annotation.id))) == ROUNDS
        assert set(s.scalars(select(Item.done))) == {1}


def test_different_submits_on_one_lease_one_wins(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager)
    factory.items(org.manager, p.id, 1)
    lease = assignments.next_for(db, org.annotator.actor, p.id)
    assert lease is not None
    results = _all_at_once(8, lambda i: annotations.submit(db, org.annotator.actor, lease.assignment_id,
                                                           {"label": "cat"}, client_submission_id=f"tab-{i}"))
    won = [r for r in results if not isinstance(r, Exception)]
    assert len(won) == 1, results
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception)), results
    with db.read() as s:
        assert s.scalar(select(func.count(Annotation.id))) == 1
        assert s.scalar(select(Item.done)) == 1


def test_many_tabs_of_one_annotator(db: Database, factory: Factory, org: OrgUsers, backend: str) -> None:
    """Tabs ask for work at the same moment: never one item twice, counters stay exact."""
    actor = org.annotator.actor
    for _ in range(ROUNDS if backend == "postgres" else 2):
        p = factory.project(org.manager, workers_per_item=2)
        ids = factory.items(org.manager, p.id, 10)

        def tab(i: int) -> int:
            submitted = 0
            for _ in range(100):
                lease = assignments.next_for(db, actor, p.id)
                if lease is None:
                    return submitted
                try:
                    annotations.submit(db, actor, lease.assignment_id, {"label": "cat"})
                    submitted += 1
                except Conflict:
                    pass  # another tab submitted this lease first
            raise AssertionError("a tab still got work after 100 loops")

        results = _all_at_once(10, tab)
        assert not [r for r in results if isinstance(r, Exception)], results
        with db.read() as s:
            per_item = Counter(s.scalars(select(Annotation.item_id).where(Annotation.project_id == p.id)))
            counts = s.execute(select(Item.taken, Item.done).where(Item.project_id == p.id)).all()
            active = s.scalar(select(func.count(Assignment.id)).where(
                Assignment.project_id == p.id, Assignment.status == "active"))
        assert per_item == Counter({i: 1 for i in ids}), "one annotator labeled an item twice"
        assert sum(results) == len(ids)
        assert set(counts) == {(1, 1)} and active == 0


def test_concurrent_edits_of_one_version_do_not_fork_the_history(db: Database, factory: Factory,
                                                                 org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"])
    factory.items(org.manager, p.id, 1)
    lease = assignments.next_for(db, org.annotator.actor, p.id)
    assert lease is not None
    first, _ = annotations.submit(db, org.annotator.actor, lease.assignment_id, {"label": "cat"})
    results = _all_at_once(6, lambda i: annotations.revise(db, org.annotator.actor, first.id, {"label": "dog"}))
    won = [r for r in results if not isinstance(r, Exception)]
    assert len(won) == 1, results
    assert all(isinstance(r, LabelworksError) for r in results if isinstance(r, Exception)), results
    with db.read() as s:
        versions = list(s.scalars(select(Annotation.version).order_by(Annotation.id)))
    assert versions == [1, 2]
