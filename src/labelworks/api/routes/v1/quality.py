"""Quality: settings, gold items, worker quality and qualification (owner, admin, manager)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ....services import quality, worker_quality as workers
from ...deps import CurrentActor, DbDep
from ...schemas.v1.quality import (GoldBody, GoldPublic, NotificationPublic, QualitySettingsPublic,
                                   QualitySettingsUpdate, WorkerQualityPublic)

router = APIRouter(tags=["quality"])


def settings_public(q: quality.QualitySettings) -> QualitySettingsPublic:
    return QualitySettingsPublic(**q.as_dict())


def gold_public(g: quality.GoldInfo) -> GoldPublic:
    return GoldPublic(**g.__dict__)


@router.get("/projects/{project_id}/quality", response_model=QualitySettingsPublic)
def get_settings(project_id: int, actor: CurrentActor, db: DbDep) -> QualitySettingsPublic:
    return settings_public(quality.get_settings(db, actor, project_id))


@router.put("/projects/{project_id}/quality", response_model=QualitySettingsPublic)
def update_settings(project_id: int, body: QualitySettingsUpdate, actor: CurrentActor,
                    db: DbDep) -> QualitySettingsPublic:
    changes = body.model_dump(exclude_unset=True)
    if body.rules is not None:  # the rules' own keys (min, max, image) pass through to the checks
        changes["rules"] = [r.model_dump(exclude_unset=True) for r in body.rules]
    return settings_public(quality.update_settings(db, actor, project_id, changes))


@router.get("/projects/{project_id}/gold", response_model=list[GoldPublic])
def list_gold(project_id: int, actor: CurrentActor, db: DbDep) -> list[GoldPublic]:
    return [gold_public(g) for g in quality.list_gold(db, actor, project_id)]


@router.put("/projects/{project_id}/gold/{item_id}", response_model=GoldPublic)
def mark_gold(project_id: int, item_id: int, body: GoldBody, actor: CurrentActor, db: DbDep) -> GoldPublic:
    return gold_public(quality.mark_gold(db, actor, project_id, item_id, body.value))


@router.post("/projects/{project_id}/gold/{item_id}/promote", response_model=GoldPublic, status_code=201)
def promote_gold(project_id: int, item_id: int, actor: CurrentActor, db: DbDep) -> GoldPublic:
    return gold_public(quality.promote_gold(db, actor, project_id, item_id))


@router.delete("/projects/{project_id}/gold/{item_id}", status_code=204)
def unmark_gold(project_id: int, item_id: int, actor: CurrentActor, db: DbDep) -> Response:
    quality.unmark_gold(db, actor, project_id, item_id)
    return Response(status_code=204)


@router.get("/projects/{project_id}/workers/quality", response_model=list[WorkerQualityPublic])
def worker_quality(project_id: int, actor: CurrentActor, db: DbDep) -> list[WorkerQualityPublic]:
    return [WorkerQualityPublic(**{**w.stats.__dict__, "email": w.email, "flags": list(w.flags), "paused": w.paused,
                                   "pause_reason": w.pause_reason})
            for w in workers.worker_quality(db, actor, project_id)]


@router.post("/projects/{project_id}/workers/{user_id}/resume", status_code=204)
def resume_worker(project_id: int, user_id: int, actor: CurrentActor, db: DbDep) -> Response:
    quality.resume_worker(db, actor, project_id, user_id)
    return Response(status_code=204)


@router.get("/projects/{project_id}/quality/notifications", response_model=list[NotificationPublic])
def notifications(project_id: int, actor: CurrentActor, db: DbDep) -> list[NotificationPublic]:
    return [NotificationPublic(**n.__dict__) for n in quality.notifications(db, actor, project_id)]
