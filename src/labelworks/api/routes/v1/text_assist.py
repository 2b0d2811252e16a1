"""Text assist extras: the project's embedding index (build it, similar items, near-duplicate
groups) and the quality of its model pre-labels against the final answers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from ....core.errors import Conflict
from ....services import assist_quality, dedup_jobs, embeddings, jobs
from ...deps import CurrentActor, DbDep, QueueDep
from .jobs import job_public

router = APIRouter(tags=["assist"])


@router.post("/projects/{project_id}/embeddings", status_code=202)
def start_embedding(project_id: int, actor: CurrentActor, db: DbDep, queue: QueueDep) -> JSONResponse:
    """An ``embed`` job: vectors for every item whose text is new or changed (poll /api/v1/jobs/{id})."""
    job_id = embeddings.create_embed_job(db, actor, project_id)
    queue.enqueue(job_id)
    return JSONResponse(job_public(jobs.get_job(db, actor, job_id)).model_dump(mode="json"), status_code=202)


@router.get("/projects/{project_id}/embeddings")
def embedding_status(project_id: int, actor: CurrentActor, db: DbDep) -> dict[str, Any]:
    return embeddings.index_status(db, actor, project_id)


@router.get("/projects/{project_id}/items/{item_id}/similar")
def similar(project_id: int, item_id: int, actor: CurrentActor, db: DbDep,
            k: int = Query(10, ge=1, le=100)) -> dict[str, Any]:
    """The k items whose text is closest to this one's (cosine similarity of the embeddings)."""
    return {"item_id": item_id, "similar": embeddings.similar_items(db, actor, project_id, item_id, k)}


@router.get("/projects/{project_id}/duplicates")
def duplicates(project_id: int, actor: CurrentActor, db: DbDep,
               threshold: float = Query(0.95, ge=0.5, le=1.0)) -> dict[str, Any]:
    """The groups, answered inside the request up to 5,000 indexed items; past that a 409 says to
    start a ``dedup`` job (POST .../duplicates/jobs)."""
    embeddings.index_status(db, actor, project_id)  # authorizes and loads the project first
    _require_inline(db, project_id)
    groups = embeddings.dedup_groups(db, actor, project_id, threshold)
    return {"threshold": threshold, "groups": groups}


@router.post("/projects/{project_id}/duplicates/jobs", status_code=202)
def start_dedup(project_id: int, actor: CurrentActor, db: DbDep, queue: QueueDep,
                threshold: float = Body(0.95, embed=True, ge=0.5, le=1.0),
                mark: bool = Body(False, embed=True)) -> JSONResponse:
    """A ``dedup`` job (poll /api/v1/jobs/{id}): progress per tile, the first groups in its result,
    every group as JSON lines at its download_url; ``mark`` as POST .../duplicates/mark."""
    return _started(db, actor, queue, dedup_jobs.create_dedup_job(db, actor, project_id, threshold, mark=mark))


@router.post("/projects/{project_id}/duplicates/mark", response_model=None)
def mark_duplicates(project_id: int, actor: CurrentActor, db: DbDep, queue: QueueDep,
                    threshold: float = Body(0.95, embed=True, ge=0.5, le=1.0)) -> dict[str, Any] | JSONResponse:
    """Marks every item of a group but the first with ``lw-duplicate-of`` (nothing is deleted).
    Past 5,000 indexed items it starts a ``dedup`` job with ``mark`` and answers 202 with it."""
    if not dedup_jobs.answers_inline(db, project_id):
        return _started(db, actor, queue, dedup_jobs.create_dedup_job(db, actor, project_id, threshold, mark=True))
    groups = embeddings.dedup_groups(db, actor, project_id, threshold)
    return {"threshold": threshold, "groups": len(groups),
            "marked": embeddings.mark_duplicates(db, actor, project_id, groups)}


def _require_inline(db: Any, project_id: int) -> None:
    count = dedup_jobs.indexed_count(db, project_id)
    if count > dedup_jobs.INLINE_LIMIT:
        raise Conflict(f"{count:,} indexed items are too many to compare inside a request (at most "
                       f"{dedup_jobs.INLINE_LIMIT:,}): start a dedup job with POST "
                       f"/api/v1/projects/{project_id}/duplicates/jobs")


def _started(db: Any, actor: Any, queue: Any, job_id: int) -> JSONResponse:
    queue.enqueue(job_id)
    return JSONResponse(job_public(jobs.get_job(db, actor, job_id)).model_dump(mode="json"), status_code=202)


@router.get("/projects/{project_id}/assist/quality")
def model_quality(project_id: int, actor: CurrentActor, db: DbDep) -> dict[str, Any]:
    return assist_quality.model_quality(db, actor, project_id)
