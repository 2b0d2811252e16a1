"""The ``dedup`` job through the in-process queue: progress, marking, the bounded inline result and
the JSON-lines file with every group; bad thresholds and roles refused before a row is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labelworks.core.enums import JobStatus
from labelworks.core.errors import PermissionDenied, ValidationFailed
from labelworks.db.engine import Database
from labelworks.db.models import Item, Job
from labelworks.jobs.queue import build_queue
from labelworks.services import dedup_jobs
from labelworks.services import jobs as job_records
from labelworks.settings import Settings

from dedup_vectors import pairs_and_singles, project_with_vectors
from factories import Factory, OrgUsers


def _run_queued(settings: Settings, db: Database) -> None:
    queue = build_queue(settings, db)
    assert queue.sweep() == 1
    message = queue.huey.dequeue()  # what the in-process consumer does with the message
    assert message is not None
    queue.huey.execute(message)


def test_dedup_job_marks_and_keeps_the_first_groups_inline(db: Database, settings: Settings, factory: Factory,
                                                           org: OrgUsers) -> None:
    pairs = dedup_jobs.GROUPS_INLINE + 10
    pid, ids = project_with_vectors(factory, db, org.manager, pairs_and_singles(pairs, 40))
    job_id = dedup_jobs.create_dedup_job(db, org.manager.actor, pid, 0.95, mark=True)
    _run_queued(settings, db)
    job = job_records.get_job(db, org.manager.actor, job_id)
    assert job.status == JobStatus.DONE, job.error
    assert job.kind == "dedup" and job.params == {"threshold": 0.95, "mark": True}
    assert (job.progress_done, job.progress_total) == (1, 1)  # 160 rows: one tile
    r = job.result
    assert r is not None
    assert (r["groups"], r["items"], r["marked"]) == (pairs, 2 * pairs, pairs)
    assert len(r["shown"]) == dedup_jobs.GROUPS_INLINE  # bounded: the rest only in the file
    first = r["shown"][0]
    assert [x["item_id"] for x in first["items"]] == ids[0:2] and first["items"][0]["text"] == "text number 0"
    assert 0.95 <= first["min_similarity"] <= 1.0
    lines = [json.loads(line) for line in Path(r["path"]).read_text(encoding="utf-8").splitlines()]
    assert [g["group"] for g in lines] == list(range(1, pairs + 1))
    assert [[x["item_id"] for x in g["items"]] for g in lines] == [ids[2 * k:2 * k + 2] for k in range(pairs)]
    assert r["bytes"] == Path(r["path"]).stat().st_size and r["filename"].endswith("near-duplicates.jsonl")
    with db.read() as s:
        marks = {i: json.loads(s.get(Item, i).data).get("lw-duplicate-of") for i in ids[:4] + ids[-2:]}  # type: ignore[union-attr]
    assert marks == {ids[0]: None, ids[1]: ids[0], ids[2]: None, ids[3]: ids[2], ids[-2]: None, ids[-1]: None}


def test_dedup_job_on_a_project_without_index_fails_with_the_reason(db: Database, settings: Settings,
                                                                    factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, "text-classification", labels=["a", "b"])
    factory.items(org.manager, p.id, n=3)
    job_id = dedup_jobs.create_dedup_job(db, org.manager.actor, p.id)
    _run_queued(settings, db)
    job = job_records.get_job(db, org.manager.actor, job_id)
    assert job.status == JobStatus.FAILED and job.error is not None and "no embedding index" in job.error


def test_bad_threshold_and_roles_write_no_job(db: Database, factory: Factory, org: OrgUsers) -> None:
    pid, _ = project_with_vectors(factory, db, org.manager, pairs_and_singles(1, 1))
    with pytest.raises(ValidationFailed) as bad:
        dedup_jobs.create_dedup_job(db, org.manager.actor, pid, 0.2)
    assert bad.value.field == "threshold"
    with pytest.raises(PermissionDenied):
        dedup_jobs.create_dedup_job(db, org.annotator.actor, pid)
    with db.read() as s:
        assert s.query(Job).filter(Job.project_id == pid).count() == 0
    assert dedup_jobs.indexed_count(db, pid) == 3 and dedup_jobs.answers_inline(db, pid)
