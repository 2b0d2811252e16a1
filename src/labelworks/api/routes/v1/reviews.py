"""Review stages: settings, the reviewer's queue and decisions, feedback to annotators, stage history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from ....services import review_feedback, reviews
from ...deps import CurrentActor, DbDep
from ...schemas.v1.reviews import (
    AdjustBody, AdjustedPublic, ApproveBody, ConsolidatedPublic, FeedbackPublic, RejectBody, ReviewAnswerPublic,
    ReviewNextBody, ReviewPublic, ReviewSettingsBody, ReviewSettingsPublic, ReviewSummaryPublic, ReviewTaskPublic,
    StagePublic,
)
from ...schemas.v1.work import SubmitBody
from .tasks import annotation_public

router = APIRouter(tags=["reviews"])


def _settings(s: reviews.ReviewSettings, queued: int | None = None) -> ReviewSettingsPublic:
    return ReviewSettingsPublic(mode=s.mode, percent=s.percent, threshold=s.threshold, time_limit_s=s.time_limit_s,
                                updated_at=s.updated_at, queued=queued)


def _task(t: reviews.ReviewTaskInfo) -> ReviewTaskPublic:
    return ReviewTaskPublic(**t.__dict__)


def review_public(v: reviews.ReviewView) -> ReviewPublic:
    consolidated = None
    if v.consolidated is not None and v.confidence is not None:
        consolidated = ConsolidatedPublic(value=v.consolidated, confidence=v.confidence, method=v.method or "")
    return ReviewPublic(task=_task(v.task), item_key=v.item_key, data=v.data,
                        answers=[ReviewAnswerPublic(**a.__dict__) for a in v.answers], consolidated=consolidated,
                        labels=list(v.labels), multi_label=v.multi_label, earlier=v.earlier)


@router.get("/projects/{project_id}/review-settings", response_model=ReviewSettingsPublic)
def get_settings(project_id: int, actor: CurrentActor, db: DbDep) -> ReviewSettingsPublic:
    return _settings(reviews.get_settings(db, actor, project_id))


@router.put("/projects/{project_id}/review-settings", response_model=ReviewSettingsPublic)
def put_settings(project_id: int, body: ReviewSettingsBody, actor: CurrentActor, db: DbDep) -> ReviewSettingsPublic:
    """Items labeled before the change are queued (or, no longer sampled, dropped) at once."""
    settings, queued = reviews.update_settings(db, actor, project_id, body.mode, percent=body.percent,
                                               threshold=body.threshold, time_limit_s=body.time_limit_s)
    return _settings(settings, queued)


@router.get("/projects/{project_id}/reviews/summary", response_model=ReviewSummaryPublic)
def summary(project_id: int, actor: CurrentActor, db: DbDep) -> ReviewSummaryPublic:
    return ReviewSummaryPublic(**reviews.queue_summary(db, actor, project_id))


@router.post("/projects/{project_id}/reviews/next", response_model=ReviewPublic,
             responses={204: {"description": "nothing to review"}})
def next_review(project_id: int, body: ReviewNextBody, actor: CurrentActor, db: DbDep) -> ReviewPublic | Response:
    """The item leased to you for review, with every annotator's answer and the consolidated one."""
    task = reviews.next_review(db, actor, project_id, body.exclude)
    if task is None:
        return Response(status_code=204)
    return review_public(reviews.get_review(db, actor, task.id))


@router.get("/reviews/{task_id}", response_model=ReviewPublic)
def get_review(task_id: int, actor: CurrentActor, db: DbDep) -> ReviewPublic:
    return review_public(reviews.get_review(db, actor, task_id))


@router.post("/reviews/{task_id}/approve", response_model=ReviewTaskPublic)
def approve(task_id: int, body: ApproveBody, actor: CurrentActor, db: DbDep) -> ReviewTaskPublic:
    return _task(reviews.approve(db, actor, task_id, body.note))


@router.post("/reviews/{task_id}/reject", response_model=ReviewTaskPublic)
def reject(task_id: int, body: RejectBody, actor: CurrentActor, db: DbDep) -> ReviewTaskPublic:
    """Feedback goes to the authors of the chosen annotations; their revisions start the next round."""
    return _task(reviews.reject(db, actor, task_id, body.feedback, body.annotation_ids))


@router.post("/reviews/{task_id}/adjust", response_model=AdjustedPublic)
def adjust(task_id: int, body: AdjustBody, actor: CurrentActor, db: DbDep) -> AdjustedPublic:
    """Your corrected answer, stored as an annotation with source ``review``: it becomes the item's answer."""
    task, annotation_id = reviews.adjust(db, actor, task_id, body.value, body.note)
    return AdjustedPublic(task=_task(task), annotation_id=annotation_id)


@router.post("/reviews/{task_id}/release", status_code=204)
def release(task_id: int, actor: CurrentActor, db: DbDep) -> Response:
    reviews.release(db, actor, task_id)
    return Response(status_code=204)


@router.get("/projects/{project_id}/feedback", response_model=list[FeedbackPublic])
def list_feedback(project_id: int, actor: CurrentActor, db: DbDep, open: bool = False,
                  annotator_id: int | None = None,
                  limit: Annotated[int, Query(ge=1, le=500)] = 200) -> list[FeedbackPublic]:
    """Reviewers' feedback, newest first; annotators get only feedback on their own annotations."""
    rows = review_feedback.list_feedback(db, actor, project_id, open_only=open, annotator_id=annotator_id, limit=limit)
    return [FeedbackPublic(**{k: v for k, v in f.__dict__.items() if k != "data"}) for f in rows]


@router.post("/feedback/{feedback_id}/rework", status_code=201)
def rework(feedback_id: int, body: SubmitBody, actor: CurrentActor, db: DbDep) -> JSONResponse:
    """Answer feedback with a revision of your annotation; the item goes back to review."""
    a = review_feedback.rework(db, actor, feedback_id, body.value, client_submission_id=body.client_submission_id,
                       active_ms=body.active_ms)
    return JSONResponse(annotation_public(a).model_dump(mode="json"), status_code=201)


@router.get("/projects/{project_id}/items/{item_id}/stages", response_model=list[StagePublic])
def item_stages(project_id: int, item_id: int, actor: CurrentActor, db: DbDep) -> list[StagePublic]:
    return [StagePublic(**st.__dict__) for st in review_feedback.item_stages(db, actor, project_id, item_id)]
