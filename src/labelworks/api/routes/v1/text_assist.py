"""Text assist extras: the project's embedding index (build it, similar items, near-duplicate
groups) and the quality of its model pre-labels against the final answers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from ....services import assist_quality, embeddings, jobs
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
    groups = embeddings.dedup_groups(db, actor, project_id, threshold)
    return {"threshold": threshold, "groups": groups}


@router.post("/projects/{project_id}/duplicates/mark")
def mark_duplicates(project_id: int, actor: CurrentActor, db: DbDep,
                    threshold: float = Body(0.95, embed=True, ge=0.5, le=1.0)) -> dict[str, Any]:
    """Marks every item of a group but the first with ``lw-duplicate-of`` (nothing is deleted)."""
    groups = embeddings.dedup_groups(db, actor, project_id, threshold)
    return {"threshold": threshold, "groups": len(groups),
            "marked": embeddings.mark_duplicates(db, actor, project_id, groups)}


@router.get("/projects/{project_id}/assist/quality")
def model_quality(project_id: int, actor: CurrentActor, db: DbDep) -> dict[str, Any]:
    return assist_quality.model_quality(db, actor, project_id)
