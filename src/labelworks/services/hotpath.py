"""Prebuilt statements for the labeling hot path (next task, submit), shared by both services.

The ORM builds and compiles an expression on every call; at hundreds of submissions a second
that dominated the server's CPU. These statements are built once and run as they are on SQLite
and PostgreSQL. Next-task's and submit's own statements (``N``, ``S``) go one step further on
SQLite: ``Sql`` runs them on the driver's cursor, inside the session's transaction (see ``Sql``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import DateTime, bindparam, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from ..authz import allowed
from ..core.actor import Actor
from ..core.errors import NotFound
from ..core.labels import parse_label_config
from ..core.tasktypes.base import ProjectSpec, TaskType
from ..plugins.manager import get_registry

__all__ = ["ProjectRow", "visible_project", "project_from_row", "T", "N", "S", "HOOK_COLUMNS", "Stmt", "Sql",
           "labels_of"]

_TS = DateTime()
# SQLAlchemy's own conversions for SQLite datetimes, so raw statements store and read exactly
# what the ORM does ("YYYY-MM-DD HH:MM:SS.ffffff", naive UTC)
_SQLITE = sqlite.dialect()
_ts_to_db: Callable[[Any], Any] = _TS.dialect_impl(_SQLITE).bind_processor(_SQLITE)  # type: ignore[assignment]
_ts_from_db: Callable[[Any], Any] = _TS.dialect_impl(_SQLITE).result_processor(_SQLITE, None)  # type: ignore[assignment]


class T:
    """The statements (names say what they do)."""

    expired = text(
        "SELECT id, item_id FROM assignments WHERE project_id = :pid AND status = 'active' AND expires_at < :now"
    ).bindparams(bindparam("now", type_=_TS))
    # rows are never deleted: a stale tab's lease id must never come to mean another item
    end_lease = text("UPDATE assignments SET status = :status, finished_at = :now, draft = NULL WHERE id = :aid"
                     ).bindparams(bindparam("now", type_=_TS))
    # a gold item never joins the normal pool: it stays closed and is served by ``gold_candidates``
    give_back = text("UPDATE items SET taken = taken - 1, is_open = CASE WHEN EXISTS "
                     "(SELECT 1 FROM gold_items g WHERE g.item_id = items.id) THEN 0 ELSE 1 END WHERE id = :item_id")


class Stmt:
    """One prebuilt statement in two forms: SQLAlchemy's ``clause`` and the plain ``sql`` for SQLite.

    ``ts_params`` are the parameters that carry datetimes, ``ts_columns`` the result columns that
    do (by position): the two places where SQLite needs a conversion the driver does not make.
    """

    __slots__ = ("sql", "clause", "ts_params", "ts_columns")

    def __init__(self, sql: str, *, ts_params: tuple[str, ...] = (), ts_columns: tuple[int, ...] = ()) -> None:
        self.sql, self.ts_params, self.ts_columns = sql, ts_params, ts_columns
        self.clause: TextClause = text(sql).bindparams(*(bindparam(name, type_=_TS) for name in ts_params))


class Sql:
    """Runs ``Stmt``s inside a session's current transaction (or savepoint).

    On SQLite straight on the driver's cursor: for these one-row statements SQLAlchemy's execution
    path (events, parameter and result processing, result metadata) cost several times what SQLite
    itself took, and next-task runs on the server's one writer thread, where every microsecond
    queues the other annotators. The same connection, so the same transaction: a savepoint rolled
    back by the caller undoes these statements too. On PostgreSQL, through the session as before.
    """

    __slots__ = ("_s", "_cur")

    def __init__(self, s: Session) -> None:
        self._s = s
        conn = s.connection()
        driver: Any = conn.connection.driver_connection  # sqlite3.Connection on SQLite
        self._cur: Any = driver.cursor() if conn.dialect.name == "sqlite" else None

    @property
    def is_sqlite(self) -> bool:
        return self._cur is not None

    def _raw(self, st: Stmt, params: Mapping[str, Any]) -> Any:
        if st.ts_params:
            params = {**params, **{name: _ts_to_db(params[name]) for name in st.ts_params}}
        try:
            return self._cur.execute(st.sql, params)
        except sqlite3.IntegrityError as exc:  # as SQLAlchemy raises it, so callers catch one kind
            raise IntegrityError(st.sql, params, exc) from exc

    def rows(self, st: Stmt, params: Mapping[str, Any]) -> list[Sequence[Any]]:
        if self._cur is None:
            return list(self._s.execute(st.clause, params))  # Rows: tuples by position
        rows: list[Sequence[Any]] = self._raw(st, params).fetchall()
        if st.ts_columns and rows:
            rows = [tuple(_ts_from_db(v) if i in st.ts_columns else v for i, v in enumerate(r)) for r in rows]
        return rows

    def first(self, st: Stmt, params: Mapping[str, Any]) -> Sequence[Any] | None:
        rows = self.rows(st, params)  # fetched to the end: an unfinished statement would block COMMIT
        return rows[0] if rows else None

    def rowcount(self, st: Stmt, params: Mapping[str, Any]) -> int:
        if self._cur is None:
            return int(self._s.execute(st.clause, params).rowcount)  # type: ignore[attr-defined]
        return int(self._raw(st, params).rowcount)


# raise ``taken``, closing the item when it reaches its target ``{k}``
_TAKE = "taken = taken + 1, is_open = CASE WHEN taken + 1 < {k} THEN 1 ELSE 0 END"
_ROUTED_K = "COALESCE(wanted, :n)"


def _take_first(routed: bool, since: bool) -> Stmt:
    k = _ROUTED_K if routed else ":n"
    pick = ("SELECT c.id FROM items c WHERE c.project_id = :pid AND c.is_open = 1 AND NOT EXISTS (SELECT 1 "
            "FROM assignments a WHERE a.item_id = c.id AND a.user_id = :uid AND a.status IN "
            "('active', 'submitted', 'skipped')) " + ("AND c.created_at >= :since " if since else "") +
            "ORDER BY c.priority DESC, c.id LIMIT 1")
    return Stmt(f"UPDATE items SET {_TAKE.format(k=k)} WHERE id = ({pick}) AND taken < {k} RETURNING id, data",
                ts_params=("since",) if since else ())


# a project's row, then whether it has teams and whether the caller is in one of them
_PROJECT_COLUMNS = (
    "p.org_id, p.name, p.task_type, p.label_config, p.multi_label, p.label_attribute, p.workers_per_item, "
    "p.task_time_limit_s, p.task_lifetime_s, EXISTS (SELECT 1 FROM project_teams t WHERE t.project_id = p.id), "
    "EXISTS (SELECT 1 FROM project_teams pt JOIN team_members tm ON tm.team_id = pt.team_id "
    "WHERE pt.project_id = p.id AND tm.user_id = :uid)")
_PROJECT = Stmt(f"SELECT {_PROJECT_COLUMNS} FROM projects p WHERE p.id = :pid")


class N:
    """Next-task's statements (run through ``Sql``)."""

    # the project, whether the caller may see it, its quality settings (gold rate, routing, the
    # worker's pause), and two cheap gates: any expired lease in the project, any active lease of this
    # worker; one statement where there were four, and the gated queries are skipped when false
    context = Stmt(
        f"SELECT {_PROJECT_COLUMNS}, q.project_id IS NOT NULL, q.gold_rate, q.routing, q.initial_workers, "
        "(SELECT w.reason FROM worker_pauses w WHERE w.project_id = p.id AND w.user_id = :uid AND w.paused), "
        "EXISTS (SELECT 1 FROM assignments e WHERE e.project_id = p.id AND e.status = 'active' "
        "AND e.expires_at < :now), "
        "EXISTS (SELECT 1 FROM assignments h WHERE h.project_id = p.id AND h.user_id = :uid AND h.status = 'active') "
        "FROM projects p LEFT JOIN project_quality q ON q.project_id = p.id WHERE p.id = :pid",
        ts_params=("now",))
    held = Stmt(
        "SELECT a.id, a.item_id, a.expires_at, a.draft, i.data FROM assignments a JOIN items i ON i.id = a.item_id "
        "WHERE a.project_id = :pid AND a.user_id = :uid AND a.status = 'active' AND a.expires_at >= :now "
        "ORDER BY a.id", ts_params=("now",), ts_columns=(2,))
    _open = ("SELECT id, data FROM items WHERE project_id = :pid AND is_open = 1 "
             "AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.item_id = items.id AND a.user_id = :uid "
             "AND a.status IN ('active', 'submitted', 'skipped')) ")
    _since = "AND created_at >= :since "
    _order = "ORDER BY priority DESC, id LIMIT :k"
    # PostgreSQL: racing annotators take different rows instead of queueing on the first one
    candidates_pg = Stmt(_open + _order + " FOR UPDATE OF items SKIP LOCKED")
    candidates_since_pg = Stmt(_open + _since + _order + " FOR UPDATE OF items SKIP LOCKED", ts_params=("since",))
    any_open = Stmt(_open.replace("SELECT id, data", "SELECT 1") + "LIMIT 1")
    any_open_since = Stmt(_open.replace("SELECT id, data", "SELECT 1") + _since + "LIMIT 1", ts_params=("since",))
    take = Stmt("UPDATE items SET " + _TAKE.format(k=":n") + " WHERE id = :item_id AND taken < :n")
    # adaptive routing: an item's own target (raised while its answer stays unsure), else the project's K
    take_routed = Stmt("UPDATE items SET " + _TAKE.format(k=_ROUTED_K) + f" WHERE id = :item_id AND taken < {_ROUTED_K}")
    # SQLite (BEGIN IMMEDIATE: one writer at a time): pick the first open item and take it in one
    # statement, with the candidate order and the conditional raise of ``taken`` above; keyed by
    # (routed, with a task lifetime)
    take_first = {(routed, since): _take_first(routed, since) for routed in (False, True) for since in (False, True)}
    # gold items are answered by every worker: no limit, only "not yet by this one"; the order is a
    # per-worker shuffle so that workers do not meet the gold items in one shared sequence
    gold_candidates = Stmt(
        "SELECT g.item_id, i.data FROM gold_items g JOIN items i ON i.id = g.item_id WHERE g.project_id = :pid "
        "AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.item_id = g.item_id AND a.user_id = :uid "
        "AND a.status IN ('active', 'submitted', 'skipped')) "
        "ORDER BY (g.item_id * 2654435761 + :uid * 40503) % 1000003, g.item_id LIMIT 1")
    take_gold = Stmt("UPDATE items SET taken = taken + 1 WHERE id = :item_id")
    # an item whose earlier lease by this annotator expired or was released is leased again on that row
    insert_lease = Stmt(
        "INSERT INTO assignments (project_id, item_id, user_id, status, leased_at, expires_at) "
        "VALUES (:pid, :item_id, :uid, 'active', :now, :expires) "
        "ON CONFLICT (item_id, user_id) DO UPDATE SET status = 'active', leased_at = excluded.leased_at, "
        "expires_at = excluded.expires_at, finished_at = NULL, draft = NULL "
        "WHERE assignments.status IN ('expired', 'released') RETURNING id", ts_params=("now", "expires"))


# what the submit hooks read on every submission (see ``submission_hooks.HookContext``): the
# project's consolidation method, quality and review settings, and the item's gold answer, if any
HOOK_COLUMNS = (
    "p.consolidation_method, p.consolidation_params, q.rules, q.routing, q.initial_workers, q.max_workers, "
    "q.confidence_threshold, r.mode, r.percent, r.threshold, (SELECT g.value FROM gold_items g WHERE g.item_id = :iid)")
_HOOK_JOINS = ("LEFT JOIN project_quality q ON q.project_id = p.id "
               "LEFT JOIN project_reviews r ON r.project_id = p.id")


class S:
    """Submit's statements (run through ``Sql``)."""

    # the lease (0-5), the project and the caller's access to it (6-16, as ``_PROJECT_COLUMNS``), the
    # hooks' settings (17-27, ``HOOK_COLUMNS``) and the caller's earlier annotation with this client
    # submission id (28): one statement where there were four; no row when there is no such lease
    context = Stmt(
        "SELECT a.project_id, a.item_id, a.user_id, a.status, a.leased_at, a.expires_at, "
        f"{_PROJECT_COLUMNS}, {HOOK_COLUMNS.replace(':iid', 'a.item_id')}, "
        "(SELECT n.id FROM annotations n WHERE n.user_id = :uid AND n.client_submission_id = :cid) "
        f"FROM assignments a LEFT JOIN projects p ON p.id = a.project_id {_HOOK_JOINS} WHERE a.id = :aid",
        ts_columns=(4, 5))
    PROJECT, HOOKS, PRIOR = slice(6, 17), slice(17, 28), 28
    by_submission = Stmt("SELECT id FROM annotations WHERE user_id = :uid AND client_submission_id = :cid")
    insert_annotation = Stmt(
        "INSERT INTO annotations (project_id, item_id, user_id, assignment_id, value, raw, version, "
        "client_submission_id, active_ms, source, leased_at, created_at) VALUES (:pid, :item_id, :uid, :aid, "
        ":value, :raw, 1, :cid, :active_ms, 'human', :leased_at, :now) RETURNING id", ts_params=("now", "leased_at"))
    finish_lease = Stmt("UPDATE assignments SET status = 'submitted', finished_at = :now, draft = NULL "
                        "WHERE id = :aid AND status = 'active'", ts_params=("now",))
    count_done = Stmt("UPDATE items SET done = done + 1, last_annotated_at = :now WHERE id = :item_id",
                      ts_params=("now",))
    hooks = Stmt(f"SELECT {HOOK_COLUMNS} FROM projects p {_HOOK_JOINS} WHERE p.id = :pid")


@lru_cache(maxsize=256)
def labels_of(label_config: str) -> tuple[str, ...]:
    """The label names of a stored label config (parsed once per distinct config, not per task)."""
    return _spec(label_config, False, "").labels.labels


@lru_cache(maxsize=256)
def _spec(label_config: str, multi_label: bool, label_attribute: str) -> ProjectSpec:
    # keyed by the stored values themselves, so an edited project gets a new entry, never a stale one
    return ProjectSpec(labels=parse_label_config(json.loads(label_config)), multi_label=multi_label,
                       label_attribute=label_attribute)


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
        return _spec(self.label_config, bool(self.multi_label), self.label_attribute)


def project_from_row(row: Sequence[Any] | None, actor: Actor, project_id: int) -> ProjectRow:
    """The project from the first 11 columns of ``_PROJECT_COLUMNS``, if the caller may see it.

    The same rule as ``projects.load_visible``: the caller's organisation, and for a project given to
    teams, a member of one of them unless the caller's role sees every project.
    """
    if row is None or row[0] != actor.org_id:
        raise NotFound(f"no project {project_id}")
    has_teams, member = row[9], row[10]
    if has_teams and not member and not allowed(actor, "project.view_all"):
        raise NotFound(f"no project {project_id}")
    return ProjectRow(project_id, *row[1:9])


def visible_project(s: Session, actor: Actor, project_id: int) -> ProjectRow:
    """The project if the caller may see it (one prebuilt query), else ``NotFound``."""
    return project_from_row(Sql(s).first(_PROJECT, {"pid": project_id, "uid": actor.user_id}), actor, project_id)
