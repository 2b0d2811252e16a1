"""Worker quality per project: gold accuracy, agreement with the consensus, speed, flags, pause state.

Two ways to the same figures (``tests/services/test_quality.py`` checks they agree):

* categorical task types (``label``, ``labels``) aggregate in the database: a handful of GROUP BY
  queries over the workers' latest answers, comparing canonical JSON text (the annotation, the gold
  answer and the stored consolidation are all written by ``json.dumps`` of a normalized value), so
  a project of a million items never streams its answers through Python;
* other kinds read the answers and compare them with ``core.quality`` (the structured similarity).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..authz import authorize
from ..core.actor import Actor
from ..core.enums import AnnotationSource
from ..core.quality.gold import CATEGORICAL_KINDS
from ..core.quality.settings import QualitySettings
from ..core.quality.workers import WorkerAnswer, WorkerStats, worker_stats
from ..db.engine import Database
from ..db.models import Annotation, User, WorkerPause
from .projects import ProjectInfo, info_from_row, load_visible
from .quality import gold_answers, load_settings, structured_similarity

__all__ = ["WorkerQuality", "worker_quality"]

_IN_CHUNK = 500

class _Sql:
    """The statements, in two variants: with the "latest version" filter, and without it for projects
    that have no revised answer (most): the filter is an index probe per answer, ~40 % of the time."""

    def __init__(self, latest: bool) -> None:
        newest = (" AND NOT EXISTS (SELECT 1 FROM annotations b WHERE b.item_id = a.item_id "
                  "AND b.user_id = a.user_id AND b.version > a.version)") if latest else ""
        answers = "a.project_id = :pid AND a.source = 'human'" + newest
        # one pass gives the answer count, timing and the most frequent answer per worker
        self.values = text(
            "SELECT a.user_id, a.value, COUNT(*), COUNT(a.active_ms), SUM(CASE WHEN a.active_ms < :floor THEN 1 "
            f"ELSE 0 END) FROM annotations a WHERE {answers} GROUP BY a.user_id, a.value")
        # from the few gold items to their answers (CROSS JOIN keeps that order on SQLite)
        self.gold = text(
            "SELECT a.user_id, COUNT(*), SUM(CASE WHEN a.value = g.value THEN 1 ELSE 0 END) FROM gold_items g "
            f"CROSS JOIN annotations a WHERE g.project_id = :pid AND a.item_id = g.item_id AND {answers} "
            "GROUP BY a.user_id")
        self.agreement = text(
            "SELECT a.user_id, COUNT(*), SUM(CASE WHEN a.value = c.value THEN 1 ELSE 0 END) FROM annotations a "
            f"JOIN consolidations c ON c.item_id = a.item_id WHERE {answers} AND c.votes >= 2 "
            "AND NOT EXISTS (SELECT 1 FROM gold_items g WHERE g.item_id = a.item_id) GROUP BY a.user_id")
        self.median = text(
            f"SELECT a.active_ms FROM annotations a WHERE {answers} AND a.user_id = :uid AND a.active_ms IS NOT NULL "
            "ORDER BY a.active_ms LIMIT :n OFFSET :skip")


_SQL = {True: _Sql(latest=True), False: _Sql(latest=False)}
_revised = text("SELECT 1 FROM annotations WHERE project_id = :pid AND version > 1 LIMIT 1")


@dataclass(frozen=True)
class WorkerQuality:
    user_id: int
    email: str
    stats: WorkerStats
    paused: bool
    pause_reason: str | None
    flags: tuple[str, ...] = field(default_factory=tuple)


def _readable(value_json: str) -> str:
    value = json.loads(value_json)
    if isinstance(value, dict) and isinstance(value.get("label"), str):
        return str(value["label"])
    if isinstance(value, dict) and isinstance(value.get("labels"), list):
        return "+".join(str(x) for x in value["labels"]) or "(none)"
    return value_json


def _median_ms(s: Session, q: _Sql, project_id: int, user_id: int, timed: int) -> float | None:
    if not timed:
        return None
    middle = [float(v) for v in s.execute(q.median, {"pid": project_id, "uid": user_id, "n": 2 - timed % 2,
                                                     "skip": (timed - 1) // 2}).scalars()]
    return sum(middle) / len(middle)


def _stats_in_sql(s: Session, project_id: int, settings: QualitySettings) -> dict[int, WorkerStats]:
    q = _SQL[s.execute(_revised, {"pid": project_id}).first() is not None]
    pid = {"pid": project_id}
    floor = settings.min_seconds * 1000.0
    counts: dict[int, list[int]] = {}  # user -> [answers, timed, too fast]
    top: dict[int, tuple[int, str]] = {}  # user -> (-count, value): the most frequent answer, ties by value
    for u, value, n, timed, fast in s.execute(q.values, {**pid, "floor": floor}):
        c = counts.setdefault(u, [0, 0, 0])
        c[0], c[1], c[2] = c[0] + int(n), c[1] + int(timed), c[2] + int(fast or 0)
        if u not in top or (-int(n), value) < top[u]:
            top[u] = (-int(n), value)
    gold = {u: (int(n), int(ok or 0)) for u, n, ok in s.execute(q.gold, pid)}
    agreement = {u: (int(n), int(ok or 0)) for u, n, ok in s.execute(q.agreement, pid)}
    out: dict[int, WorkerStats] = {}
    for user_id, (n, timed, fast) in counts.items():
        fast = fast if floor > 0 else 0
        g_n, g_ok = gold.get(user_id, (0, 0))
        a_n, a_ok = agreement.get(user_id, (0, 0))
        minus_n, top_value = top[user_id]
        share = -minus_n / n if n else 0.0
        readable = _readable(top_value)
        flags: list[str] = []
        if fast:
            flags.append(f"{fast} answers faster than {settings.min_seconds:g} s")
        if n >= settings.one_label_min_answers and share >= settings.one_label_share:
            flags.append(f"one label for everything: {readable} in {share:.0%} of {n} answers")
        out[user_id] = WorkerStats(
            user_id=user_id, answers=n, gold_answered=g_n, gold_correct=g_ok,
            gold_accuracy=g_ok / g_n if g_n else None, agreement=a_ok / a_n if a_n else None,
            agreement_items=a_n, median_active_ms=_median_ms(s, q, project_id, user_id, timed), too_fast=fast,
            too_fast_share=fast / timed if timed else 0.0, top_value=readable, top_share=share, flags=tuple(flags))
    return out


def _consensus(s: Session, p: ProjectInfo, by_item: Mapping[int, list[dict[str, Any]]]) -> dict[int, dict[str, Any]]:
    """The consolidated answer of each item two or more workers answered."""
    from . import consolidation

    ids = [iid for iid, values in by_item.items() if len(values) >= 2]
    bulk = getattr(consolidation, "consolidated_for_items", None)
    out: dict[int, dict[str, Any]] = {}
    if bulk is not None:
        for i in range(0, len(ids), _IN_CHUNK):
            for iid, row in bulk(s, p.id, ids[i:i + _IN_CHUNK]).items():
                out[iid] = dict(row.value)
    task_type, spec = p.type, p.spec  # properties that parse the label config on every read
    for iid in ids:  # items the consolidation service has not answered (yet): the task type's own rule
        if iid not in out:
            answer = task_type.consolidate(by_item[iid], spec)
            if answer is not None:
                out[iid] = dict(answer.value)
    return out


def _stats_in_python(s: Session, p: ProjectInfo, settings: QualitySettings) -> dict[int, WorkerStats]:
    latest: dict[tuple[int, int], tuple[dict[str, Any], int | None]] = {}
    query = (select(Annotation.item_id, Annotation.user_id, Annotation.value, Annotation.active_ms)
             .where(Annotation.project_id == p.id, Annotation.source == AnnotationSource.HUMAN.value)
             .order_by(Annotation.id))
    for item_id, user_id, raw, ms in s.execute(query):
        latest[(item_id, user_id)] = (orjson.loads(raw), ms)
    gold = gold_answers(s, p.id)
    by_item: dict[int, list[dict[str, Any]]] = {}
    by_worker: dict[int, list[WorkerAnswer]] = {}
    for (item_id, user_id), (value, active_ms) in latest.items():
        by_worker.setdefault(user_id, []).append(WorkerAnswer(item_id, value, active_ms))
        if item_id not in gold:
            by_item.setdefault(item_id, []).append(value)
    consensus = _consensus(s, p, by_item)
    kind, sim = p.type.value_kind(p.spec), structured_similarity()
    return {u: worker_stats(u, answers, kind=kind, settings=settings, gold=gold, consensus=consensus, similarity=sim)
            for u, answers in by_worker.items()}


def worker_quality(db: Database, actor: Actor, project_id: int, *, in_sql: bool | None = None) -> list[WorkerQuality]:
    """Every worker who answered in the project (or was paused from it), by e-mail.

    ``in_sql`` forces one path (tests compare them); by default categorical kinds aggregate in SQL.
    """
    authorize(actor, "quality.view")
    with db.read() as s:
        p = info_from_row(load_visible(s, actor, project_id))
        settings = load_settings(s, project_id)
        if in_sql is None:
            in_sql = p.type.value_kind(p.spec) in CATEGORICAL_KINDS
        stats = _stats_in_sql(s, project_id, settings) if in_sql else _stats_in_python(s, p, settings)
        pauses = {w.user_id: w for w in s.scalars(select(WorkerPause).where(WorkerPause.project_id == project_id))}
        users = set(stats) | set(pauses)
        emails = {uid: email for uid, email in s.execute(select(User.id, User.email).where(User.id.in_(users)))}
    empty = WorkerStats(0, 0, 0, 0, None, None, 0, None, 0, 0.0, None, 0.0)
    out = []
    for user_id in sorted(users, key=lambda u: (emails.get(u, ""), u)):
        st = stats.get(user_id) or WorkerStats(**{**empty.__dict__, "user_id": user_id})
        pause = pauses.get(user_id)
        paused = pause is not None and pause.paused
        out.append(WorkerQuality(user_id, emails.get(user_id, f"user {user_id}"), st, paused,
                                 pause.reason if pause is not None and paused else None, st.flags))
    return out
