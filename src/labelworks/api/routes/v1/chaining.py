"""POST /projects/{id}/chain: a verification or adjustment project from a finished project's output."""

from __future__ import annotations

from fastapi import APIRouter

from ....services import chaining, jobs
from ...deps import CurrentActor, DbDep, QueueDep, SettingsDep
from ...schemas.v1.chaining import ChainCreate, ChainPublic
from .jobs import job_public
from .projects import project_public

router = APIRouter(tags=["projects"])


@router.post("/projects/{project_id}/chain", response_model=ChainPublic, status_code=201)
def chain(project_id: int, body: ChainCreate, actor: CurrentActor, db: DbDep, settings: SettingsDep,
          queue: QueueDep) -> ChainPublic:
    """Small sources are copied at once; a large one is imported by a job (``job`` in the answer)."""
    out = chaining.chain_project(db, actor, project_id, chaining.ChainRequest(**body.model_dump()),
                                 spool_dir=settings.data_dir / "chains")
    if out.job_id is not None:
        queue.enqueue(out.job_id)
    job = job_public(jobs.get_job(db, actor, out.job_id)) if out.job_id is not None else None
    return ChainPublic(project=project_public(out.project), items=out.items, created=out.created, job=job)
