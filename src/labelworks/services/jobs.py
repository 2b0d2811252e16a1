"""Job records: the outbox written with the data, claimed by the job function, with progress."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..authz import authorize
from ..core.actor import Actor
from ..core.enums import JobKind, JobStatus
from ..core.errors import NotFound
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import Job
from .projects import load_visible

__all__ = ["JobInfo", "add_job", "claim", "report_progress", "finish", "fail", "get_job", "list_jobs",
           "queued_job_ids", "job_params", "create_import_job", "create_export_job"]


@dataclass(frozen=True)
class JobInfo:
    id: int
    project_id: int | None
    kind: str
    status: str
    progress_done: int
    progress_total: int | None
    result: dict[str, Any] | None
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    params: dict[str, Any]


def _info(j: Job) -> JobInfo:
    return JobInfo(j.id, j.project_id, j.kind, j.status, j.progress_done, j.progress_total,
                   json.loads(j.result) if j.result else None, j.error, j.created_at, j.finished_at,
                   json.loads(j.params or "{}"))


def add_job(s: Session, actor: Actor, project_id: int | None, kind: JobKind, params: dict[str, Any],
            total: int | None = None) -> int:
    """Write the job row inside the caller's transaction (the outbox); relay it after commit."""
    job = Job(org_id=actor.org_id, project_id=project_id, kind=kind, status=JobStatus.QUEUED,
              params=json.dumps(params), progress_total=total, created_by=actor.user_id)
    s.add(job)
    s.flush()
    return job.id


def claim(db: Database, job_id: int) -> JobInfo | None:
    """Mark a queued job running; None if another worker has it or it is finished (idempotent)."""
    with db.write() as s:
        result: Any = s.execute(update(Job).where(Job.id == job_id, Job.status == JobStatus.QUEUED)
                                .values(status=JobStatus.RUNNING, started_at=utcnow()))
        won = result.rowcount
        if not won:
            return None
        job = s.get(Job, job_id)
        assert job is not None
        return _info(job)


def job_params(db: Database, job_id: int) -> tuple[int, int | None, dict[str, Any]]:
    with db.read() as s:
        job = s.get(Job, job_id)
        if job is None:
            raise NotFound(f"no job {job_id}")
        return job.created_by or 0, job.project_id, json.loads(job.params)


def report_progress(db: Database, job_id: int, done: int, total: int | None = None) -> None:
    with db.write() as s:
        values: dict[str, Any] = {"progress_done": done}
        if total is not None:
            values["progress_total"] = total
        s.execute(update(Job).where(Job.id == job_id).values(**values))


def finish(db: Database, job_id: int, result: dict[str, Any]) -> None:
    with db.write() as s:
        s.execute(update(Job).where(Job.id == job_id).values(status=JobStatus.DONE, result=json.dumps(result),
                                                             finished_at=utcnow()))


def fail(db: Database, job_id: int, error: str, result: dict[str, Any] | None = None) -> None:
    with db.write() as s:
        s.execute(update(Job).where(Job.id == job_id).values(
            status=JobStatus.FAILED, error=error[:4000], finished_at=utcnow(),
            result=json.dumps(result) if result is not None else None))


def get_job(db: Database, actor: Actor, job_id: int) -> JobInfo:
    authorize(actor, "job.view")
    with db.read() as s:
        job = s.get(Job, job_id)
        if job is None or job.org_id != actor.org_id:
            raise NotFound(f"no job {job_id}")
        if job.project_id is not None:
            load_visible(s, actor, job.project_id)
        return _info(job)


def list_jobs(db: Database, actor: Actor, project_id: int, limit: int = 20) -> list[JobInfo]:
    authorize(actor, "job.view")
    with db.read() as s:
        load_visible(s, actor, project_id)
        return [_info(j) for j in s.scalars(select(Job).where(Job.project_id == project_id)
                                            .order_by(Job.id.desc()).limit(limit))]


def queued_job_ids(db: Database) -> list[int]:
    """Jobs written but not yet running (after a crash, or enqueued before the worker started)."""
    with db.read() as s:
        return list(s.scalars(select(Job.id).where(Job.status == JobStatus.QUEUED).order_by(Job.id)))


def create_import_job(db: Database, actor: Actor, project_id: int, path: str, fmt: str, *,
                      skip_invalid: bool = False, delete_after: bool = False) -> int:
    """Write an import job row (the caller enqueues it after this returns)."""
    authorize(actor, "item.import")
    with db.write() as s:
        load_visible(s, actor, project_id)
        return add_job(s, actor, project_id, JobKind.IMPORT,
                       {"path": path, "format": fmt, "skip_invalid": skip_invalid, "delete_after": delete_after})


def create_export_job(db: Database, actor: Actor, project_id: int, fmt: str) -> int:
    authorize(actor, "export.run")
    from ..core.formats.writers import writer_for

    from ..core.formats.task_formats import resolve_export
    from .projects import info_from_row

    writer_for(fmt)  # an unknown format fails now, not in the worker
    with db.write() as s:
        info = info_from_row(load_visible(s, actor, project_id))
        resolve_export(fmt, info.type.name, info.type.value_kind(info.spec))  # and one the project cannot take
        return add_job(s, actor, project_id, JobKind.EXPORT, {"format": fmt})
