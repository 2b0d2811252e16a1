"""Assists on a leased task (the lease holder only: anyone else gets 404) and a project's assist
settings (managers)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from ....assist.registry import resolver, settings_check
from ....core.assist import info_of
from ....core.errors import ValidationFailed
from ....services import assist as assist_service
from ....services import jobs
from ...deps import CurrentActor, DbDep, QueueDep, SettingsDep
from ...schemas.v1.assist import (AssistInfoPublic, AssistResultPublic, AssistSettingsPublic, AssistSettingsUpdate,
                                  PrelabelBody)
from .jobs import job_public

router = APIRouter(tags=["assist"])


@router.get("/tasks/{assignment_id}/assists", response_model=list[AssistInfoPublic])
def available(assignment_id: int, actor: CurrentActor, db: DbDep, settings: SettingsDep) -> list[AssistInfoPublic]:
    found = assist_service.available_on_task(db, actor, assignment_id, resolver(settings.outbound_allow_private))
    return [AssistInfoPublic(**info_of(a)) for a in found]


# a plain def: the assist runs in the thread pool, not on the event loop
@router.post("/tasks/{assignment_id}/assist/{name}", response_model=AssistResultPublic)
def run(assignment_id: int, name: str, actor: CurrentActor, db: DbDep, settings: SettingsDep,
        params: dict[str, Any] | None = Body(default=None)) -> AssistResultPublic:
    if params is not None and not isinstance(params, dict):
        raise ValidationFailed("the body is the assist's parameters: a JSON object", field="params")
    result = assist_service.run_on_task(db, actor, assignment_id, name, params or {},
                                        resolver(settings.outbound_allow_private), settings.allowed_media_roots)
    return AssistResultPublic(**result.as_dict())


@router.get("/projects/{project_id}/assist-settings", response_model=AssistSettingsPublic)
def get_settings(project_id: int, actor: CurrentActor, db: DbDep) -> AssistSettingsPublic:
    return AssistSettingsPublic(**assist_service.get_settings(db, actor, project_id).as_dict())


@router.put("/projects/{project_id}/assist-settings", response_model=AssistSettingsPublic)
def update_settings(project_id: int, body: AssistSettingsUpdate, actor: CurrentActor, db: DbDep,
                    settings: SettingsDep) -> AssistSettingsPublic:
    changed = assist_service.update_settings(db, actor, project_id, body.model_dump(exclude_unset=True),
                                             settings_check(settings.outbound_allow_private))
    return AssistSettingsPublic(**changed.as_dict())


@router.post("/projects/{project_id}/prelabel", status_code=202)
def start_prelabel(project_id: int, body: PrelabelBody, actor: CurrentActor, db: DbDep, queue: QueueDep) -> JSONResponse:
    """A ``prelabel`` job: the assist over every unlabeled item, stored as pre-annotations."""
    job_id = assist_service.create_prelabel_job(db, actor, project_id, body.assist, body.params, body.label)
    queue.enqueue(job_id)
    return JSONResponse(job_public(jobs.get_job(db, actor, job_id)).model_dump(mode="json"), status_code=202)
