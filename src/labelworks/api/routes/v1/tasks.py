from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from ....services import annotations, assignments, consolidation
from ...deps import CurrentActor, DbDep, QueueDep, WriterDep
from ...schemas.v1.work import AnnotationPublic, DraftBody, NextBody, SubmitBody, TaskPublic

router = APIRouter(tags=["labeling"])


def annotation_public(a: annotations.AnnotationInfo) -> AnnotationPublic:
    return AnnotationPublic(**a.__dict__)


@router.post("/projects/{project_id}/next", response_model=TaskPublic, responses={204: {"description": "nothing left"}})
async def next_task(project_id: int, body: NextBody, actor: CurrentActor, db: DbDep,
                    writer: WriterDep) -> TaskPublic | Response:
    lease = await writer.run(assignments.next_for, db, actor, project_id, body.exclude)
    if lease is None:
        return Response(status_code=204)
    task = TaskPublic(assignment_id=lease.assignment_id, item_id=lease.item_id, project_id=lease.project_id,
                      expires_at=lease.expires_at, frame_url=f"/label/frame/{lease.assignment_id}",
                      draft=lease.draft, data=lease.data, labels=list(lease.labels), multi_label=lease.multi_label)
    # dumped here: a returned model is validated a second time by FastAPI before it is dumped
    return Response(task.model_dump_json(), media_type="application/json")


@router.put("/assignments/{assignment_id}/draft", status_code=204)
def save_draft(assignment_id: int, body: DraftBody, actor: CurrentActor, db: DbDep) -> Response:
    assignments.save_draft(db, actor, assignment_id, body.value)
    return Response(status_code=204)


@router.post("/assignments/{assignment_id}/submit", response_model=AnnotationPublic, status_code=201)
async def submit(assignment_id: int, body: SubmitBody, actor: CurrentActor, db: DbDep, writer: WriterDep,
                 queue: QueueDep) -> JSONResponse:
    a, created = await writer.run(partial(annotations.submit, client_submission_id=body.client_submission_id,
                                          active_ms=body.active_ms), db, actor, assignment_id, body.value)
    if created:  # worker-model methods refit now and then as answers arrive (throttled per project)
        job_id = consolidation.refit_due(db, actor, a.project_id)
        if job_id is not None:
            queue.enqueue(job_id)
    return JSONResponse(annotation_public(a).model_dump(mode="json"), status_code=201 if created else 200)


@router.post("/assignments/{assignment_id}/skip", status_code=204)
def skip(assignment_id: int, actor: CurrentActor, db: DbDep) -> Response:
    assignments.skip(db, actor, assignment_id)
    return Response(status_code=204)


@router.post("/assignments/{assignment_id}/release", status_code=204)
def release(assignment_id: int, actor: CurrentActor, db: DbDep) -> Response:
    assignments.release(db, actor, assignment_id)
    return Response(status_code=204)


@router.post("/annotations/{annotation_id}/revisions", response_model=AnnotationPublic, status_code=201)
def revise(annotation_id: int, body: SubmitBody, actor: CurrentActor, db: DbDep) -> JSONResponse:
    a, created = annotations.revise(db, actor, annotation_id, body.value,
                                    client_submission_id=body.client_submission_id, active_ms=body.active_ms)
    return JSONResponse(annotation_public(a).model_dump(mode="json"), status_code=201 if created else 200)


@router.get("/projects/{project_id}/items/{item_id}/annotations", response_model=list[AnnotationPublic])
def item_annotations(project_id: int, item_id: int, actor: CurrentActor, db: DbDep) -> list[AnnotationPublic]:
    return [annotation_public(a) for a in annotations.annotations_for_item(db, actor, project_id, item_id)]
