"""Projects: create, change, read, and who may see them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from ..authz import allowed, authorize
from ..core.actor import Actor
from ..core.errors import NotFound, ValidationFailed
from ..core.labels import LabelConfig, parse_label_config
from ..core.tasktypes.base import ProjectSpec, TaskType
from ..db.engine import Database
from ..db.models import Annotation, Project, ProjectTeam, Team, TeamMember
from ..plugins.manager import get_registry

__all__ = ["ProjectInput", "ProjectInfo", "create_project", "update_project", "get_project",
           "list_projects", "load_visible", "info_from_row", "EXAMPLE_KINDS"]

EXAMPLE_KINDS = ("good", "bad")
MAX_TIME_LIMIT_S = 8 * 3600
MAX_LIFETIME_S = 365 * 86400


@dataclass(frozen=True)
class ProjectInput:
    name: str
    task_type: str
    labels: Any
    multi_label: bool = False
    workers_per_item: int = 1
    task_time_limit_s: int = 300
    task_lifetime_s: int | None = None
    short_instructions: str = ""
    full_instructions: str = ""
    examples: list[dict[str, str]] = field(default_factory=list)
    template: str | None = None
    label_attribute: str | None = None
    team_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class ProjectInfo:
    id: int
    org_id: int
    name: str
    task_type: str
    labels: LabelConfig
    multi_label: bool
    label_attribute: str
    workers_per_item: int
    task_time_limit_s: int
    task_lifetime_s: int | None
    short_instructions: str
    full_instructions: str
    examples: list[dict[str, str]]
    template: str | None
    team_ids: tuple[int, ...]

    @property
    def spec(self) -> ProjectSpec:
        return ProjectSpec(labels=self.labels, multi_label=self.multi_label, job_name=_slug(self.name),
                           label_attribute=self.label_attribute)

    @property
    def type(self) -> TaskType:
        return get_registry().task_type(self.task_type)

    @property
    def effective_template(self) -> str:
        return self.template or self.type.default_template(self.spec)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "project"


def _validated(data: ProjectInput) -> tuple[ProjectInput, LabelConfig]:
    name = data.name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed("a project needs a name of 1 to 200 characters", field="name")
    task_type = get_registry().task_type(data.task_type)
    labels = parse_label_config(data.labels)
    if data.multi_label and not task_type.supports_multi_label:
        raise ValidationFailed(f"{task_type.name} has no multi-label mode", field="multi_label")
    # a task type reads its own keys of the label file (text-ranking's dimensions, Likert scale…)
    # while building its template: a bad key is refused now, naming its field, not at the first task
    task_type.default_template(ProjectSpec(labels=labels, multi_label=data.multi_label))
    if not 1 <= data.workers_per_item <= 9:
        raise ValidationFailed("workers per item must be between 1 and 9", field="workers_per_item")
    if not 10 <= data.task_time_limit_s <= MAX_TIME_LIMIT_S:
        raise ValidationFailed(f"the task time limit must be between 10 s and {MAX_TIME_LIMIT_S} s",
                               field="task_time_limit_s")
    if data.task_lifetime_s is not None and not 60 <= data.task_lifetime_s <= MAX_LIFETIME_S:
        raise ValidationFailed("the task lifetime must be between 60 s and one year", field="task_lifetime_s")
    for i, ex in enumerate(data.examples):
        if not isinstance(ex, dict) or ex.get("kind") not in EXAMPLE_KINDS:
            raise ValidationFailed("an example's kind is 'good' or 'bad'", field=f"examples[{i}].kind")
        if not str(ex.get("text", "")).strip():
            raise ValidationFailed("an example needs text", field=f"examples[{i}].text")
    attribute = (data.label_attribute or _slug(name)).strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,119}", attribute) or attribute.endswith("-metadata"):
        raise ValidationFailed("the label attribute name uses letters, digits, - and _ (not ending in -metadata)",
                               field="label_attribute")
    if data.template is not None:
        from .templates import check_template

        check_template(data.template)
    return replace(data, name=name, label_attribute=attribute), labels


def info_from_row(p: Project, team_ids: tuple[int, ...] = ()) -> ProjectInfo:
    document = json.loads(p.label_config)
    return ProjectInfo(
        id=p.id, org_id=p.org_id, name=p.name, task_type=p.task_type,
        labels=parse_label_config(document), multi_label=p.multi_label, label_attribute=p.label_attribute,
        workers_per_item=p.workers_per_item, task_time_limit_s=p.task_time_limit_s,
        task_lifetime_s=p.task_lifetime_s, short_instructions=p.short_instructions,
        full_instructions=p.full_instructions, examples=json.loads(p.examples or "[]"),
        template=p.template, team_ids=team_ids,
    )


def _team_ids(s: Session, project_id: int) -> tuple[int, ...]:
    return tuple(s.scalars(select(ProjectTeam.team_id).where(ProjectTeam.project_id == project_id)
                           .order_by(ProjectTeam.team_id)))


def _set_teams(s: Session, actor: Actor, project_id: int, team_ids: list[int]) -> None:
    valid = set(s.scalars(select(Team.id).where(Team.org_id == actor.org_id, Team.id.in_(team_ids))))
    for tid in team_ids:
        if tid not in valid:
            raise ValidationFailed(f"no team {tid} in this organisation", field="team_ids")
    s.query(ProjectTeam).filter(ProjectTeam.project_id == project_id).delete()
    for tid in sorted(valid):
        s.add(ProjectTeam(project_id=project_id, team_id=tid))


def create_project(db: Database, actor: Actor, data: ProjectInput) -> ProjectInfo:
    authorize(actor, "project.create")
    data, labels = _validated(data)
    with db.write() as s:
        p = Project(
            org_id=actor.org_id, name=data.name, task_type=data.task_type,
            label_config=json.dumps(labels.document), multi_label=data.multi_label,
            label_attribute=data.label_attribute, template=data.template,
            short_instructions=data.short_instructions, full_instructions=data.full_instructions,
            examples=json.dumps(data.examples), workers_per_item=data.workers_per_item,
            task_time_limit_s=data.task_time_limit_s, task_lifetime_s=data.task_lifetime_s,
            created_by=actor.user_id,
        )
        s.add(p)
        s.flush()
        _set_teams(s, actor, p.id, data.team_ids)
        return info_from_row(p, tuple(sorted(data.team_ids)))


_UPDATABLE = {"name", "labels", "multi_label", "workers_per_item", "task_time_limit_s", "task_lifetime_s",
              "short_instructions", "full_instructions", "examples", "template", "label_attribute", "team_ids"}


def update_project(db: Database, actor: Actor, project_id: int, changes: dict[str, Any]) -> ProjectInfo:
    authorize(actor, "project.update")
    unknown = set(changes) - _UPDATABLE
    if unknown:
        raise ValidationFailed(f"{sorted(unknown)[0]} cannot be changed", field=sorted(unknown)[0])
    with db.write() as s:
        p = load_visible(s, actor, project_id)
        current = info_from_row(p, _team_ids(s, p.id))
        merged = ProjectInput(
            name=changes.get("name", current.name), task_type=current.task_type,
            labels=changes.get("labels", current.labels.document), multi_label=changes.get("multi_label", current.multi_label),
            workers_per_item=changes.get("workers_per_item", current.workers_per_item),
            task_time_limit_s=changes.get("task_time_limit_s", current.task_time_limit_s),
            task_lifetime_s=changes.get("task_lifetime_s", current.task_lifetime_s),
            short_instructions=changes.get("short_instructions", current.short_instructions),
            full_instructions=changes.get("full_instructions", current.full_instructions),
            examples=changes.get("examples", current.examples), template=changes.get("template", current.template),
            label_attribute=changes.get("label_attribute", current.label_attribute),
            team_ids=changes.get("team_ids", list(current.team_ids)),
        )
        merged, labels = _validated(merged)
        removed = set(current.labels.labels) - set(labels.labels)
        for label in sorted(removed):
            used = _annotations_with_label(s, p.id, label)
            if used:
                raise ValidationFailed(f"label {label!r} is used by {used} annotations and cannot be removed",
                                       field="labels")
        if merged.multi_label != current.multi_label and s.scalar(
                select(func.count(Annotation.id)).where(Annotation.project_id == p.id)):
            raise ValidationFailed("multi-label cannot be switched once the project has annotations",
                                   field="multi_label")
        p.name, p.label_config, p.multi_label = merged.name, json.dumps(labels.document), merged.multi_label
        p.short_instructions, p.full_instructions = merged.short_instructions, merged.full_instructions
        p.examples, p.template = json.dumps(merged.examples), merged.template
        p.label_attribute = merged.label_attribute or p.label_attribute
        p.task_time_limit_s, p.task_lifetime_s = merged.task_time_limit_s, merged.task_lifetime_s
        if merged.workers_per_item != p.workers_per_item:
            p.workers_per_item = merged.workers_per_item
            from .assignments import reopen_items

            reopen_items(s, p.id, merged.workers_per_item)
        if "team_ids" in changes:
            _set_teams(s, actor, p.id, merged.team_ids)
        s.flush()
        return info_from_row(p, _team_ids(s, p.id))


def _like_literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _annotations_with_label(s: Session, project_id: int, label: str) -> int:
    """Annotations whose canonical value holds this label: ``{"label": X}``, in ``"labels"``, or as
    any object's ``"label": X`` (boxes, shapes, entities — values are stored by ``json.dumps``)."""
    quoted = json.dumps(label)
    single = json.dumps({"label": label})
    in_list = '{"labels": [%' + _like_literal(quoted) + "%"
    in_object = '%"label": ' + _like_literal(quoted) + "%"
    return int(s.scalar(select(func.count(Annotation.id)).where(
        Annotation.project_id == project_id,
        (Annotation.value == single) | Annotation.value.like(in_list, escape="\\")
        | Annotation.value.like(in_object, escape="\\"))) or 0)


def _annotator_may_see(s: Session, actor: Actor, project_id: int) -> bool:
    """A project with teams is for their members only; a project with none, for every annotator."""
    has_teams = s.scalar(select(exists().where(ProjectTeam.project_id == project_id)))
    if not has_teams:
        return True
    return bool(s.scalar(select(exists().where(
        ProjectTeam.project_id == project_id, ProjectTeam.team_id == TeamMember.team_id,
        TeamMember.user_id == actor.user_id))))


def load_visible(s: Session, actor: Actor, project_id: int) -> Project:
    """The project row if the actor may see it; NotFound otherwise (no existence leak)."""
    p = s.get(Project, project_id)
    if p is None or p.org_id != actor.org_id:
        raise NotFound(f"no project {project_id}")
    if not allowed(actor, "project.view_all") and not _annotator_may_see(s, actor, project_id):
        raise NotFound(f"no project {project_id}")
    return p


def get_project(db: Database, actor: Actor, project_id: int) -> ProjectInfo:
    authorize(actor, "project.view")
    with db.read() as s:
        p = load_visible(s, actor, project_id)
        return info_from_row(p, _team_ids(s, p.id))


def list_projects(db: Database, actor: Actor) -> list[ProjectInfo]:
    authorize(actor, "project.view")
    with db.read() as s:
        rows = s.scalars(select(Project).where(Project.org_id == actor.org_id).order_by(Project.id.desc())).all()
        teams: dict[int, list[int]] = {}
        for pid, tid in s.execute(select(ProjectTeam.project_id, ProjectTeam.team_id)
                                  .join(Project, Project.id == ProjectTeam.project_id)
                                  .where(Project.org_id == actor.org_id)):
            teams.setdefault(pid, []).append(tid)
        if not allowed(actor, "project.view_all"):
            mine = set(s.scalars(select(TeamMember.team_id).where(TeamMember.user_id == actor.user_id)))
            rows = [p for p in rows if p.id not in teams or mine & set(teams[p.id])]
        return [info_from_row(p, tuple(sorted(teams.get(p.id, [])))) for p in rows]


def require_project_count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count(Project.id))) or 0)


