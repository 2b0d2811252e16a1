"""Prebuilt statements for the labeling hot path (next task, submit), shared by both services.

The ORM builds and compiles an expression on every call; at hundreds of submissions a second
that dominated the server's CPU. These statements are built once and run as they are on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import DateTime, Integer, bindparam, text
from sqlalchemy.orm import Session

from ..authz import allowed
from ..core.actor import Actor
from ..core.errors import NotFound
from ..core.labels import parse_label_config
from ..core.tasktypes.base import ProjectSpec, TaskType
from ..plugins.manager import get_registry

__all__ = ["ProjectRow", "visible_project", "T"]

_TS = DateTime()


class T:
    """The statements (names say what they do)."""

    project = text(
        "SELECT org_id, name, task_type, label_config, multi_label, label_attribute, workers_per_item, "
        "task_time_limit_s, task_lifetime_s FROM projects WHERE id = :pid")
    team_access = text(
        "SELECT EXISTS (SELECT 1 FROM project_teams WHERE project_id = :pid), "
        "EXISTS (SELECT 1 FROM project_teams pt JOIN team_members tm ON tm.team_id = pt.team_id "
        "WHERE pt.project_id = :pid AND tm.user_id = :uid)")
    expired = text(
        "SELECT id, item_id FROM assignments WHERE project_id = :pid AND status = 'active' AND expires_at < :now"
    ).bindparams(bindparam("now", type_=_TS))
    # rows are never deleted: a stale tab's lease id must never come to mean another item
    end_lease = text("UPDATE assignments SET status = :status, finished_at = :now, draft = NULL WHERE id = :aid"
                     ).bindparams(bindparam("now", type_=_TS))
    # a gold item never joins the normal pool: it stays closed and is served by ``gold_candidates``
    give_back = text("UPDATE items SET taken = taken - 1, is_open = CASE WHEN EXISTS "
                     "(SELECT 1 FROM gold_items g WHERE g.item_id = items.id) THEN 0 ELSE 1 END WHERE id = :item_id")
    held = text(
        "SELECT a.id, a.item_id, a.expires_at, a.draft, i.data FROM assignments a JOIN items i ON i.id = a.item_id "
        "WHERE a.project_id = :pid AND a.user_id = :uid AND a.status = 'active' AND a.expires_at >= :now "
        "ORDER BY a.id"
    ).bindparams(bindparam("now", type_=_TS)).columns(id=Integer, item_id=Integer, expires_at=_TS)
    _open = ("SELECT id, data FROM items WHERE project_id = :pid AND is_open = 1 "
             "AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.item_id = items.id AND a.user_id = :uid "
             "AND a.status IN ('active', 'submitted', 'skipped')) ")
    _order = "ORDER BY priority DESC, id LIMIT :k"
    candidates = text(_open + _order)
    candidates_since = text(_open + "AND created_at >= :since " + _order).bindparams(bindparam("since", type_=_TS))
    candidates_pg = text(_open + _order + " FOR UPDATE OF items SKIP LOCKED")
    candidates_since_pg = text(_open + "AND created_at >= :since " + _order + " FOR UPDATE OF items SKIP LOCKED"
                               ).bindparams(bindparam("since", type_=_TS))
    any_open = text(_open.replace("SELECT id, data", "SELECT 1") + "LIMIT 1")
    any_open_since = text(_open.replace("SELECT id, data", "SELECT 1") + "AND created_at >= :since LIMIT 1"
                          ).bindparams(bindparam("since", type_=_TS))
    take = text("UPDATE items SET taken = taken + 1, is_open = CASE WHEN taken + 1 < :n THEN 1 ELSE 0 END "
                "WHERE id = :item_id AND taken < :n")
    # adaptive routing: an item's own target (raised while its answer stays unsure), else the project's K
    take_routed = text("UPDATE items SET taken = taken + 1, is_open = CASE WHEN taken + 1 < COALESCE(wanted, :n) "
                       "THEN 1 ELSE 0 END WHERE id = :item_id AND taken < COALESCE(wanted, :n)")
    # the project's quality settings that steer next-task, and whether this worker is paused from it
    quality = text(
        "SELECT q.gold_rate, q.routing, q.initial_workers, (SELECT w.reason FROM worker_pauses w "
        "WHERE w.project_id = q.project_id AND w.user_id = :uid AND w.paused) "
        "FROM project_quality q WHERE q.project_id = :pid")
    # gold items are answered by every worker: no limit, only "not yet by this one"; the order is a
    # per-worker shuffle so that workers do not meet the gold items in one shared sequence
    gold_candidates = text(
        "SELECT g.item_id, i.data FROM gold_items g JOIN items i ON i.id = g.item_id WHERE g.project_id = :pid "
        "AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.item_id = g.item_id AND a.user_id = :uid "
        "AND a.status IN ('active', 'submitted', 'skipped')) "
        "ORDER BY (g.item_id * 2654435761 + :uid * 40503) % 1000003, g.item_id LIMIT 1")
    take_gold = text("UPDATE items SET taken = taken + 1 WHERE id = :item_id")
    # an item whose earlier lease by this annotator expired or was released is leased again on that row
    insert_lease = text(
        "INSERT INTO assignments (project_id, item_id, user_id, status, leased_at, expires_at) "
        "VALUES (:pid, :item_id, :uid, 'active', :now, :expires) "
        "ON CONFLICT (item_id, user_id) DO UPDATE SET status = 'active', leased_at = excluded.leased_at, "
        "expires_at = excluded.expires_at, finished_at = NULL, draft = NULL "
        "WHERE assignments.status IN ('expired', 'released') RETURNING id"
    ).bindparams(bindparam("now", type_=_TS), bindparam("expires", type_=_TS))
    lease = text(
        "SELECT project_id, item_id, user_id, status, leased_at, expires_at FROM assignments WHERE id = :aid"
    ).columns(leased_at=_TS, expires_at=_TS)
    by_submission = text("SELECT id FROM annotations WHERE user_id = :uid AND client_submission_id = :cid")
    insert_annotation = text(
        "INSERT INTO annotations (project_id, item_id, user_id, assignment_id, value, raw, version, "
        "client_submission_id, active_ms, source, leased_at, created_at) VALUES (:pid, :item_id, :uid, :aid, "
        ":value, :raw, 1, :cid, :active_ms, 'human', :leased_at, :now) RETURNING id"
    ).bindparams(bindparam("now", type_=_TS), bindparam("leased_at", type_=_TS))
    finish_lease = text(
        "UPDATE assignments SET status = 'submitted', finished_at = :now, draft = NULL "
        "WHERE id = :aid AND status = 'active'").bindparams(bindparam("now", type_=_TS))
    count_done = text("UPDATE items SET done = done + 1, last_annotated_at = :now WHERE id = :item_id"
                      ).bindparams(bindparam("now", type_=_TS))


@dataclass(frozen=True)
class ProjectRow:
    id: int
    name: str
    task_type: str
    label_config: str
    multi_label: bool
    label_attribute: str
    workers_per_item: int
    task_time_limit_s: int
    task_lifetime_s: int | None

    @property
    def type(self) -> TaskType:
        return get_registry().task_type(self.task_type)

    @property
    def spec(self) -> ProjectSpec:
        return ProjectSpec(labels=parse_label_config(json.loads(self.label_config)), multi_label=self.multi_label,
                           label_attribute=self.label_attribute)


def visible_project(s: Session, actor: Actor, project_id: int) -> ProjectRow:
    """The same rule as ``projects.load_visible``, in two prebuilt queries."""
    row = s.execute(T.project, {"pid": project_id}).first()
    if row is None or row[0] != actor.org_id:
        raise NotFound(f"no project {project_id}")
    if not allowed(actor, "project.view_all"):
        has_teams, member = s.execute(T.team_access, {"pid": project_id, "uid": actor.user_id}).one()
        if has_teams and not member:
            raise NotFound(f"no project {project_id}")
    return ProjectRow(project_id, *row[1:])
