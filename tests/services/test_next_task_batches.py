"""Next-task as the server runs it on SQLite: several units in one group-commit batch
(``Database.write_batch``), next-task's own units with a bare savepoint (``write_plain``) and its
statements on the driver's cursor (``hotpath.Sql``). On PostgreSQL the same calls take the
ORM's path; both must leave the same rows."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text, update

from labelworks.core.enums import AssignmentStatus
from labelworks.core.errors import NotFound
from labelworks.db.engine import Database
from labelworks.db.models import Assignment, Item
from labelworks.services import assignments

from factories import Factory, OrgUsers


def test_a_failing_unit_in_a_batch_rolls_back_alone(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, workers_per_item=1)
    ids = factory.items(org.manager, p.id, 3)
    a, b = factory.annotators(2, org.org_id)
    outsider = factory.org_users("Elsewhere").annotator
    with db.write_batch():
        first = assignments.next_for(db, a.actor, p.id)
        with pytest.raises(RuntimeError), db.write_plain() as s:
            s.execute(update(Item).where(Item.id == ids[2]).values(priority=99))
            raise RuntimeError("this unit fails after writing")
        with pytest.raises(NotFound):
            assignments.next_for(db, outsider.actor, p.id)
        second = assignments.next_for(db, b.actor, p.id)
        with db.write() as s:  # an ORM unit in the same batch
            s.execute(update(Item).where(Item.id == ids[2]).values(priority=5))
    assert first is not None and second is not None
    assert (first.item_id, second.item_id) == (ids[0], ids[1])
    with db.read() as s:
        rows = s.execute(select(Item.id, Item.taken, Item.is_open, Item.priority).where(Item.project_id == p.id)
                         .order_by(Item.id)).all()
        leases = s.scalars(select(Assignment).order_by(Assignment.id)).all()
    assert [tuple(r) for r in rows] == [(ids[0], 1, 0, 0), (ids[1], 1, 0, 0), (ids[2], 0, 1, 5)]
    assert [(x.user_id, x.item_id, x.status) for x in leases] == [
        (a.id, ids[0], AssignmentStatus.ACTIVE), (b.id, ids[1], AssignmentStatus.ACTIVE)]


def test_a_lease_written_by_plain_sql_reads_back_as_the_orm_writes_it(db: Database, factory: Factory,
                                                                       org: OrgUsers) -> None:
    p = factory.project(org.manager, workers_per_item=1)
    factory.items(org.manager, p.id, 2)
    with db.write_batch():
        lease = assignments.next_for(db, org.annotator.actor, p.id)
    assert lease is not None
    with db.read() as s:
        row = s.get_one(Assignment, lease.assignment_id)
        assert (row.expires_at, row.status) == (lease.expires_at, AssignmentStatus.ACTIVE)
        assert (row.expires_at - row.leased_at).total_seconds() == p.task_time_limit_s
        if db.is_sqlite:  # stored in the ORM's own format, so comparisons in SQL order them correctly
            stored = s.execute(text("SELECT leased_at, expires_at FROM assignments WHERE id = :id"),
                               {"id": lease.assignment_id}).one()
            assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", v) for v in stored)
    # the held lease comes back (the datetime read back through the driver), then the next item after skip
    again = assignments.next_for(db, org.annotator.actor, p.id)
    assert again == lease
    other = assignments.next_for(db, org.annotator.actor, p.id, exclude=[lease.assignment_id])
    assert other is not None and other.item_id != lease.item_id
