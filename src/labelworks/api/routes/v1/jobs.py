from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from ....core.errors import Conflict
from ....services import jobs
from ...deps import CurrentActor, DbDep, QueueDep
from ...schemas.v1.work import ExportJobCreate, JobPublic

router = APIRouter(tags=["jobs"])
_FILE_KINDS = ("export", "dedup")  # jobs whose result is a file (a dedup job's: every group, JSON lines)


def job_public(j: jobs.JobInfo) -> JobPublic:
    download = f"/api/v1/jobs/{j.id}/download" if j.kind in _FILE_KINDS and j.status == "done" else None
    return JobPublic(id=j.id, project_id=j.project_id, kind=j.kind, status=j.status, progress_done=j.progress_done,
                     progress_total=j.progress_total, result=_public_result(j.result), error=j.error,
                     created_at=j.created_at, finished_at=j.finished_at, download_url=download)


def _public_result(result: dict[str, object] | None) -> dict[str, object] | None:
    if result is None:
        return None
    return {k: v for k, v in result.items() if k != "path"}  # server paths stay on the server


@router.get("/jobs/{job_id}", response_model=JobPublic)
def get_job(job_id: int, actor: CurrentActor, db: DbDep) -> JobPublic:
    return job_public(jobs.get_job(db, actor, job_id))


@router.get("/projects/{project_id}/jobs", response_model=list[JobPublic])
def list_jobs(project_id: int, actor: CurrentActor, db: DbDep) -> list[JobPublic]:
    return [job_public(j) for j in jobs.list_jobs(db, actor, project_id)]


@router.post("/projects/{project_id}/exports", response_model=JobPublic, status_code=202)
def create_export(project_id: int, body: ExportJobCreate, actor: CurrentActor, db: DbDep, queue: QueueDep) -> JobPublic:
    job_id = jobs.create_export_job(db, actor, project_id, body.format)
    queue.enqueue(job_id)
    return job_public(jobs.get_job(db, actor, job_id))


@router.get("/jobs/{job_id}/download")
def download(job_id: int, actor: CurrentActor, db: DbDep) -> FileResponse:
    j = jobs.get_job(db, actor, job_id)
    if j.kind not in _FILE_KINDS or j.status != "done" or not j.result:
        raise Conflict(f"job {job_id} has no finished export to download")
    return FileResponse(Path(str(j.result["path"])), media_type=str(j.result["media_type"]),
                        filename=str(j.result["filename"]))
