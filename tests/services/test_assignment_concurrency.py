"""Many annotators at once, on SQLite and PostgreSQL: no item beyond N annotators, none twice to one.

32 threads, each its own annotator, loop ``next_for`` → ``submit`` until nothing is left. The
invariants are checked on the database afterwards, not only on what the threads saw.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from labelworks.core.enums import AssignmentStatus
from labelworks.db.engine import Database
from labelworks.db.models import Annotation, Assignment, Item
from labelworks.services import annotations, assignments

from factories import Factory, UserHandle

ANNOTATORS = 32
ITEMS = 90
N = 3
MAX_LOOPS = 400  # per annotator and round: far more than the work there is, so a livelock fails the test


@dataclass
class Outcome:
    submitted: list[tuple[int, int]] = field(default_factory=list)  # (item, annotator) as the threads saw it
    skipped: list[tuple[int, int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _annotator_loop(db: Database, pid: int, user: UserHandle, out: Outcome, start: threading.Barrier,
                    choose: Callable[[random.Random], str], seed: int) -> int:
    rnd = random.Random(seed)
    actor = user.actor
    start.wait()
    work = 0
    for _ in range(MAX_LOOPS):
        lease = assignments.next_for(db, actor, pid)
        if lease is None:
            return work
        work += 1
        action = choose(rnd)
        if action == "skip":
            assignments.skip(db, actor, lease.assignment_id)
            with out.lock:
                out.skipped.append((lease.item_id, user.id))
        elif action == "release":
            assignments.release(db, actor, lease.assignment_id)
        else:
            label = rnd.choice(lease.labels)
            info, created = annotations.submit(db, actor, lease.assignment_id, {"label": label},
                                               client_submission_id=f"{user.id}-{lease.assignment_id}")
            assert created
            with out.lock:
                out.submitted.append((lease.item_id, user.id))
    raise AssertionError(f"annotator {user.id} still got work after {MAX_LOOPS} loops")


def _round(db: Database, pid: int, users: list[UserHandle], out: Outcome,
           choose: Callable[[random.Random], str], seed: int) -> int:
    """All annotators at once until each hears "nothing left"; returns the leases taken."""
    start = threading.Barrier(len(users))
    done: list[int] = []

    def run(i: int, user: UserHandle) -> None:
        try:
            done.append(_annotator_loop(db, pid, user, out, start, choose, seed * 1000 + i))
        except BaseException as exc:  # reported, not swallowed: the test fails on any
            with out.lock:
                out.errors.append(f"{user.email}: {type(exc).__name__}: {exc}")
            start.abort()

    threads = [threading.Thread(target=run, args=(i, u), name=f"annotator-{i}") for i, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
        assert not t.is_alive(), "an annotator thread hung"
    return sum(done)


def _setup(factory: Factory, org_users: object, n_items: int = ITEMS) -> tuple[int, list[UserHandle], list[int]]:
    manager = org_users.manager  # type: ignore[attr-defined]
    p = factory.project(manager, labels=["a", "b", "c"], workers_per_item=N)
    ids = factory.items(manager, p.id, n_items)
    users = factory.annotators(ANNOTATORS, manager.org_id)
    return p.id, users, ids


def _check_database(db: Database, pid: int, ids: list[int], out: Outcome) -> None:
    with db.read() as s:
        rows = s.execute(select(Annotation.item_id, Annotation.user_id).where(Annotation.project_id == pid)).all()
        items = {i.id: (i.taken, i.done, i.is_open) for i in s.scalars(select(Item).where(Item.project_id == pid))}
        active = s.scalar(select(func.count(Assignment.id)).where(
            Assignment.project_id == pid, Assignment.status == AssignmentStatus.ACTIVE))
        statuses = s.execute(select(Assignment.item_id, Assignment.user_id, Assignment.status)
                             .where(Assignment.project_id == pid)).all()
    pairs = Counter((item, user) for item, user in rows)
    assert [pair for pair, n in pairs.items() if n > 1] == [], "an annotator labeled an item twice"
    per_item = Counter(item for item, _ in rows)
    assert {i: per_item[i] for i in ids if per_item[i] != N} == {}, "an item did not get exactly N annotations"
    assert all(len({u for i, u in rows if i == item}) == N for item in ids)
    assert {i: v for i, v in items.items() if v != (N, N, 0)} == {}, "items.taken / done / is_open disagree"
    assert active == 0
    assert sorted(pairs) == sorted(out.submitted)  # what the threads were told is what is stored
    skipped = {(i, u) for i, u, status in statuses if status == AssignmentStatus.SKIPPED}
    assert skipped == set(out.skipped)
    assert not skipped & set(pairs), "an item came back to an annotator who skipped it"


def test_32_annotators_label_every_item_exactly_n_times(db: Database, factory: Factory, org: object) -> None:
    pid, users, ids = _setup(factory, org)
    out = Outcome()
    started = time.monotonic()
    taken = _round(db, pid, users, out, lambda rnd: "submit", seed=1)
    assert out.errors == []
    assert taken == ITEMS * N == len(out.submitted)
    _check_database(db, pid, ids, out)
    assert time.monotonic() - started < 60


def test_with_random_skips_and_releases(db: Database, factory: Factory, org: object) -> None:
    pid, users, ids = _setup(factory, org)
    out = Outcome()

    def choose(rnd: random.Random) -> str:
        roll = rnd.random()
        return "skip" if roll < 0.15 else "release" if roll < 0.3 else "submit"

    # An annotator who heard "nothing left" before another released an item is done for that round:
    # rounds repeat until one hands out no work at all (every item then holds N annotations).
    for seed in range(1, 11):
        if _round(db, pid, users, out, choose, seed) == 0:
            break
        assert out.errors == []
    else:
        raise AssertionError("work was still handed out after 10 rounds")
    assert out.errors == []
    assert out.skipped, "the random choice never skipped: the variant tested nothing"
    _check_database(db, pid, ids, out)


def test_through_the_api_with_group_commit(client: object, db: Database, factory: Factory, org: object) -> None:
    """The same invariants through HTTP: on SQLite the server batches writes (one transaction, a savepoint
    per request); on PostgreSQL requests run in parallel on the thread pool."""
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    pid, users, ids = _setup(factory, org, n_items=40)
    users = users[:16]
    out = Outcome()
    start = threading.Barrier(len(users))

    def run(user: UserHandle) -> None:
        try:
            start.wait()
            for _ in range(MAX_LOOPS):
                r = client.post(f"/api/v1/projects/{pid}/next", json={}, headers=user.headers)
                if r.status_code == 204:
                    return
                assert r.status_code == 200, r.text
                task = r.json()
                body = {"value": {"label": "a"}, "client_submission_id": f"s-{task['assignment_id']}"}
                r = client.post(f"/api/v1/assignments/{task['assignment_id']}/submit", json=body, headers=user.headers)
                assert r.status_code == 201, r.text
                with out.lock:
                    out.submitted.append((task["item_id"], user.id))
            raise AssertionError("still getting work")
        except BaseException as exc:
            with out.lock:
                out.errors.append(f"{user.email}: {type(exc).__name__}: {exc}")
            start.abort()

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert out.errors == []
    assert len(out.submitted) == 40 * N
    _check_database(db, pid, ids, out)
