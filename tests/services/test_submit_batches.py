"""Submit as the server runs it on SQLite: units in one group-commit batch (``Database.write_batch``),
each with a bare savepoint (``write_plain``) and its statements on the driver's cursor
(``hotpath.Sql``). On PostgreSQL the same calls take the ORM's path; both must leave the same rows."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from labelworks.core.enums import AssignmentStatus
from labelworks.core.errors import NotFound, ValidationFailed
from labelworks.db.base import utcnow
from labelworks.db.engine import Database
from labelworks.db.models import Annotation, Assignment, Consolidation, Item, QualityNotification
from labelworks.services import annotations, assignments

from factories import Factory, OrgUsers

_STORED_TS = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}"  # the ORM's own SQLite format


def test_a_failing_submit_in_a_batch_rolls_back_alone(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["a", "b"], workers_per_item=1)
    factory.items(org.manager, p.id, 2)
    a, b = factory.annotators(2, org.org_id)
    first, second = (assignments.next_for(db, w.actor, p.id) for w in (a, b))
    assert first is not None and second is not None
    with db.write_batch():
        stored, created = annotations.submit(db, a.actor, first.assignment_id, {"label": "a"}, active_ms=1200)
        with pytest.raises(ValidationFailed) as bad:
            annotations.submit(db, b.actor, second.assignment_id, {"label": "nope"})
        with pytest.raises(NotFound):  # not the caller's lease
            annotations.submit(db, b.actor, first.assignment_id, {"label": "b"})
    assert created and bad.value.field == "value.label"
    with db.read() as s:
        rows = s.scalars(select(Annotation).where(Annotation.project_id == p.id)).all()
        leases = {x.id: (x.status, x.finished_at is not None) for x in s.scalars(select(Assignment))}
        items = {i.id: (i.taken, i.done) for i in s.scalars(select(Item).where(Item.project_id == p.id))}
        answer = s.get_one(Consolidation, first.item_id)
    assert [(r.id, r.user_id, r.item_id, r.value, r.version, r.active_ms) for r in rows] == [
        (stored.id, a.id, first.item_id, '{"label": "a"}', 1, 1200)]
    assert leases == {first.assignment_id: (AssignmentStatus.SUBMITTED, True),
                      second.assignment_id: (AssignmentStatus.ACTIVE, False)}
    assert items == {first.item_id: (1, 1), second.item_id: (1, 0)}
    assert (answer.value, answer.votes) == ('{"label": "a"}', 1)


def test_a_retry_in_a_batch_answers_with_the_first_annotation(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["a", "b"], workers_per_item=2)
    factory.items(org.manager, p.id, 1)
    lease = assignments.next_for(db, org.annotator.actor, p.id)
    assert lease is not None
    with db.write_batch():
        first, created = annotations.submit(db, org.annotator.actor, lease.assignment_id, {"label": "b"},
                                            client_submission_id="c-1")
        again, created_again = annotations.submit(db, org.annotator.actor, lease.assignment_id, {"label": "a"},
                                                  client_submission_id="c-1")
        # the retry names a lease that does not exist: still answered with its annotation
        stray, created_stray = annotations.submit(db, org.annotator.actor, 10**9, {"label": "a"},
                                                  client_submission_id="c-1")
    assert created and not created_again and not created_stray
    assert again.id == stray.id == first.id and again.value == {"label": "b"}
    assert (again.created_at, again.client_submission_id) == (first.created_at, "c-1")
    with db.read() as s:
        assert s.scalar(select(Item.done).where(Item.id == lease.item_id)) == 1
        assert len(s.scalars(select(Annotation)).all()) == 1


def test_rows_written_by_plain_sql_read_back_as_the_orm_writes_them(db: Database, factory: Factory,
                                                                    org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["a", "b"], workers_per_item=1)
    factory.items(org.manager, p.id, 1)
    lease = assignments.next_for(db, org.annotator.actor, p.id)
    assert lease is not None
    before = utcnow()
    with db.write_batch():
        info, _ = annotations.submit(db, org.annotator.actor, lease.assignment_id, {"label": "a"})
    with db.read() as s:
        row = s.get_one(Annotation, info.id)
        finished = s.get_one(Assignment, lease.assignment_id)
        item = s.get_one(Item, lease.item_id)
        answer = s.get_one(Consolidation, lease.item_id)
        assert row.created_at == info.created_at == finished.finished_at == item.last_annotated_at >= before
        assert row.leased_at == finished.leased_at and answer.updated_at >= row.created_at
        assert (row.raw, row.source, row.assignment_id) == ('{"label": "a"}', "human", lease.assignment_id)
        if db.is_sqlite:  # stored in the ORM's own format, so comparisons in SQL order them correctly
            stored = s.execute(text(
                "SELECT a.created_at, a.leased_at, s.finished_at, i.last_annotated_at, c.updated_at "
                "FROM annotations a JOIN assignments s ON s.id = a.assignment_id JOIN items i ON i.id = a.item_id "
                "JOIN consolidations c ON c.item_id = a.item_id WHERE a.id = :id"), {"id": info.id}).one()
            assert all(re.fullmatch(_STORED_TS, v) for v in stored)


def test_an_orm_object_of_a_failed_plain_unit_leaves_the_batch(db: Database, factory: Factory,
                                                               org: OrgUsers) -> None:
    """A submit may (rarely) add an ORM row (a worker paused by qualification): if its unit then
    fails, the row must neither be committed with the batch nor clash with the next unit's row."""
    p = factory.project(org.manager, workers_per_item=1)

    def notify(message: str, *, flush: bool, fail: bool) -> None:
        with db.write_plain() as s:
            s.add(QualityNotification(project_id=p.id, worker_id=None, kind="paused", message=message))
            if flush:
                s.flush()
            if fail:
                raise RuntimeError("this unit fails")

    with db.write_batch():
        with pytest.raises(RuntimeError):
            notify("flushed, rolled back", flush=True, fail=True)
        notify("kept", flush=True, fail=False)  # its id may be the one the failed unit's row had
        with pytest.raises(RuntimeError):
            notify("never flushed", flush=False, fail=True)  # must not be flushed at the batch's commit
    with db.read() as s:
        messages = s.scalars(select(QualityNotification.message).where(QualityNotification.project_id == p.id)).all()
    assert messages == ["kept"]
