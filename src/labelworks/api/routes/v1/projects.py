from __future__ import annotations

from fastapi import APIRouter

from ....plugins.manager import get_registry
from ....services import items, projects
from ...deps import CurrentActor, DbDep
from ...schemas.v1.projects import (AnnotatorPublic, ProgressPublic, ProjectCreate, ProjectPublic, ProjectUpdate,
                                    TaskTypePublic)

router = APIRouter(tags=["projects"])


def project_public(p: projects.ProjectInfo) -> ProjectPublic:
    return ProjectPublic(
        id=p.id, name=p.name, task_type=p.task_type, labels=list(p.labels.labels), label_config=p.labels.document,
        multi_label=p.multi_label, label_attribute=p.label_attribute, workers_per_item=p.workers_per_item,
        task_time_limit_s=p.task_time_limit_s, task_lifetime_s=p.task_lifetime_s,
        short_instructions=p.short_instructions, full_instructions=p.full_instructions, examples=p.examples,
        template=p.template, team_ids=list(p.team_ids))


@router.get("/task-types", response_model=list[TaskTypePublic])
def task_types(_: CurrentActor) -> list[TaskTypePublic]:
    return [TaskTypePublic(name=t.name, title=t.title, media=t.media, supports_multi_label=t.supports_multi_label)
            for t in get_registry().task_types.values()]


@router.get("/projects", response_model=list[ProjectPublic])
def list_projects(actor: CurrentActor, db: DbDep) -> list[ProjectPublic]:
    return [project_public(p) for p in projects.list_projects(db, actor)]


@router.post("/projects", response_model=ProjectPublic, status_code=201)
def create_project(body: ProjectCreate, actor: CurrentActor, db: DbDep) -> ProjectPublic:
    data = projects.ProjectInput(**{**body.model_dump(), "examples": [e.model_dump() for e in body.examples]})
    return project_public(projects.create_project(db, actor, data))


@router.get("/projects/{project_id}", response_model=ProjectPublic)
def get_project(project_id: int, actor: CurrentActor, db: DbDep) -> ProjectPublic:
    return project_public(projects.get_project(db, actor, project_id))


@router.patch("/projects/{project_id}", response_model=ProjectPublic)
def update_project(project_id: int, body: ProjectUpdate, actor: CurrentActor, db: DbDep) -> ProjectPublic:
    return project_public(projects.update_project(db, actor, project_id, body.model_dump(exclude_unset=True)))


@router.get("/projects/{project_id}/progress", response_model=ProgressPublic)
def progress(project_id: int, actor: CurrentActor, db: DbDep) -> ProgressPublic:
    p = items.progress(db, actor, project_id)
    return ProgressPublic(
        total=p.total, labeled=p.labeled, in_progress=p.in_progress, remaining=p.remaining,
        annotations=p.annotations, percent=p.percent,
        annotators=[AnnotatorPublic(user_id=a.user_id, email=a.email, submitted=a.submitted,
                                    active_leases=a.active_leases, skipped=a.skipped,
                                    median_active_ms=a.median_active_ms,
                                    last_submitted_at=a.last_submitted_at.isoformat() if a.last_submitted_at else None)
                    for a in p.annotators])
