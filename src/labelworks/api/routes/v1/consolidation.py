"""The project's consolidation method, its runs, and agreement between annotators."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from ....services import consolidation, metrics
from ...deps import CurrentActor, DbDep, QueueDep
from ...schemas.v1.consolidation import (AgreementPublic, ConsolidationPublic, ConsolidationUpdate, JobStarted,
                                         MethodPublic, RunPublic)

router = APIRouter(tags=["quality"])


def _method(m: consolidation.MethodInfo) -> MethodPublic:
    return MethodPublic(**m.__dict__)


@router.get("/projects/{project_id}/consolidation", response_model=ConsolidationPublic)
def get_consolidation(project_id: int, actor: CurrentActor, db: DbDep) -> ConsolidationPublic:
    current, options = consolidation.method_info(db, actor, project_id)
    run = consolidation.latest_run(db, actor, project_id)
    return ConsolidationPublic(method=_method(current), available=[_method(o) for o in options],
                               last_run=RunPublic(**run) if run else None)


@router.put("/projects/{project_id}/consolidation", response_model=JobStarted, status_code=202)
def set_consolidation(project_id: int, body: ConsolidationUpdate, actor: CurrentActor, db: DbDep,
                      queue: QueueDep) -> JobStarted:
    """Change the algorithm; every item is answered again by a job (its id is returned)."""
    job_id = consolidation.set_method(db, actor, project_id, body.method, body.params)
    queue.enqueue(job_id)
    return JobStarted(job_id=job_id)


@router.post("/projects/{project_id}/consolidation/run", response_model=JobStarted, status_code=202)
def run_consolidation(project_id: int, actor: CurrentActor, db: DbDep, queue: QueueDep) -> JobStarted:
    """Fit the project's method on every answer now (a job)."""
    job_id = consolidation.start_run(db, actor, project_id)
    queue.enqueue(job_id)
    return JobStarted(job_id=job_id)


@router.get("/projects/{project_id}/agreement", response_model=AgreementPublic)
async def agreement(project_id: int, actor: CurrentActor, db: DbDep) -> AgreementPublic:
    report = await run_in_threadpool(metrics.project_agreement, db, actor, project_id)
    return AgreementPublic(**report.__dict__)
