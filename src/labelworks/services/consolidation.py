"""Consolidation: the project's answer per item, stored with its algorithm and parameters.

Two paths keep the stored answers current:

* every submission re-answers its item inside the submitting transaction (:func:`refresh_item`):
  per-item algorithms (majority vote, boxes…) are exact there; worker-model algorithms
  (Dawid-Skene, GLAD, MACE…) run an E-step with the state of their last full fit;
* a full fit over the whole project (:func:`run_full`, a job) re-estimates the worker models;
  it is scheduled after submissions when the last fit is older than ``REFIT_AFTER_S`` and new
  answers arrived, when the project's method changes, or on demand.

Overrides, in order: a reviewer's adjustment (source ``review``) is the answer; a gold item's
known answer is the answer (method ``gold``); otherwise the algorithm decides.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

import orjson
from sqlalchemy import DateTime, Integer, String, Table, Text, delete, select, text
from sqlalchemy.orm import Session

from ..authz import authorize
from ..core.actor import Actor
from ..core.consolidation.base import Answer, Consolidator, Fit
from ..core.consolidation.majority import Consolidated
from ..core.enums import AnnotationSource, JobKind, JobStatus
from ..core.errors import ValidationFailed
from ..core.tasktypes.base import ProjectSpec, TaskType
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import Annotation, Consolidation, ConsolidationRun, Job, Project
from ..plugins.manager import get_registry
from .hotpath import ProjectRow, Sql, Stmt

if TYPE_CHECKING:
    from .submission_hooks import HookContext
from .projects import info_from_row, load_visible

__all__ = ["ConsolidatedRow", "MethodInfo", "refresh_item", "run_full", "consolidated_value",
           "consolidated_for_items", "schedule_refit", "refit_due", "set_method", "method_info",
           "methods_for", "latest_run", "item_ids_below", "start_run", "REFIT_AFTER_S"]

# methods a project may have stored under an older name: model-evaluation's own consolidate()
# became the registered evaluation-criteria
_RENAMED = {"evaluation-per-criterion": "evaluation-criteria"}
REFIT_AFTER_S = 60.0  # a worker-model refit runs at most this often while annotations arrive
_BATCH = 5000

_latest_answers = Stmt(
    "SELECT user_id, value, active_ms, source FROM annotations WHERE item_id = :iid ORDER BY id")
_project_method = text("SELECT consolidation_method, consolidation_params FROM projects WHERE id = :pid")
_last_run = text("SELECT id, method, params, state, created_at FROM consolidation_runs "
                 "WHERE project_id = :pid AND method = :m ORDER BY id DESC LIMIT 1").columns(
    id=Integer, method=String, params=Text, state=Text, created_at=DateTime)  # SQLite hands back text otherwise


@dataclass(frozen=True)
class ConsolidatedRow:
    item_id: int
    value: dict[str, Any]
    confidence: float
    confidence_map: dict[str, float]
    object_confidence: list[float]
    votes: int
    method: str
    updated_at: datetime


@dataclass(frozen=True)
class MethodInfo:
    name: str
    title: str
    params: dict[str, Any]
    is_default: bool
    worker_model: bool


def _is_worker_model(c: Consolidator) -> bool:
    """Algorithms whose update() uses a fitted state (and so need full refits)."""
    return bool(c.worker_model)


class _TaskTypeOwn(Consolidator):
    """A task type's own ``consolidate()``, used when no plugin registers its default method."""

    value_kinds = frozenset()

    def __init__(self, task_type: TaskType) -> None:
        self.task_type = task_type
        self.name = task_type.default_consolidator
        self.title = f"{task_type.title}: built-in"

    def fit(self, answers: Sequence[Answer], spec: ProjectSpec, params: Mapping[str, Any],
            gold: Mapping[str, Mapping[str, Any]] | None = None) -> Fit:
        by_item: dict[str, list[dict[str, Any]]] = {}
        for a in answers:
            by_item.setdefault(a.item, []).append(dict(a.value))
        results = {}
        for item, values in by_item.items():
            answer = self.task_type.consolidate(values, spec)
            if answer is not None:
                results[item] = answer
        return Fit(self.name, dict(params), results)


def _method(s: Session, project_id: int, task_type: TaskType,
            row: Any = None) -> tuple[Consolidator, dict[str, Any]]:
    """The project's consolidator and effective parameters (``row``: (method, params) if already read)."""
    if row is None:
        row = s.execute(_project_method, {"pid": project_id}).first()
    name = (row[0] if row else None) or task_type.default_consolidator
    c = _resolve(_RENAMED.get(name, name), task_type)
    return c, c.params(json.loads(row[1]) if row and row[1] else {})


def _resolve(name: str, task_type: TaskType) -> Consolidator:
    registry = get_registry()
    if name == task_type.default_consolidator and name not in registry.consolidators:
        return _TaskTypeOwn(task_type)
    return registry.consolidator(name)


@lru_cache(maxsize=64)
def _decoded_state(run_id: int, state: str) -> dict[str, Any]:
    """A fitted state is read on every submission: decode it once per run."""
    decoded: dict[str, Any] = json.loads(state)
    return decoded


def _gold_for(s: Session, project_id: int, item_ids: Iterable[int] | None) -> dict[int, dict[str, Any]]:
    """Known answers of gold items (kept by the quality service), for all items or just these."""
    from . import quality

    if item_ids is not None:
        ids = list(item_ids)
        if len(ids) == 1:  # the submit path: one prebuilt lookup
            value = quality.gold_value(s, ids[0])
            return {ids[0]: value} if value is not None else {}
        return quality.gold_answers(s, project_id, ids)
    return quality.gold_answers(s, project_id, None)


def _answers_of(rows: Iterable[Any], item: str) -> tuple[list[Answer], dict[str, Any] | None]:
    """Each worker's latest answer (rows in id order) and the latest reviewer adjustment, if any."""
    latest: dict[int, Answer] = {}
    review: dict[str, Any] | None = None
    for user_id, value, active_ms, source in rows:
        decoded = json.loads(value)
        if source == AnnotationSource.REVIEW:
            review = decoded
            continue
        latest[user_id] = Answer(item, str(user_id), decoded, active_ms / 1000 if active_ms is not None else None)
    return list(latest.values()), review


_upsert_sql = Stmt(
    "INSERT INTO consolidations (item_id, project_id, value, confidence, confidence_map, object_confidence, votes, "
    "method, run_id, updated_at) VALUES (:item_id, :project_id, :value, :confidence, :confidence_map, "
    ":object_confidence, :votes, :method, :run_id, :updated_at) ON CONFLICT (item_id) DO UPDATE SET "
    "project_id = excluded.project_id, value = excluded.value, confidence = excluded.confidence, "
    "confidence_map = excluded.confidence_map, object_confidence = excluded.object_confidence, "
    "votes = excluded.votes, method = excluded.method, run_id = excluded.run_id, updated_at = excluded.updated_at",
    ts_params=("updated_at",))


def _upsert(sql: Sql, project_id: int, item_id: int, answer: Consolidated, method: str,
            run_id: int | None, now: datetime) -> None:
    """One prebuilt statement on the submit path (SQLite and PostgreSQL both upsert this way)."""
    sql.rowcount(_upsert_sql, _row(project_id, item_id, answer, method, run_id, now))


def _fixed(value: dict[str, Any], votes: int, method: str) -> Consolidated:
    return Consolidated(value=value, confidence=1.0, votes=votes, method=method)


def refresh_item(s: Session, p: ProjectRow, item_id: int, ctx: HookContext | None = None) -> Consolidated | None:
    """Re-answer one item after a submission (inside the caller's transaction).

    ``ctx``: what the submit hooks read in one statement (method, gold, routing, review settings).
    """
    consolidator, params = _method(s, p.id, p.type, (ctx.method, ctx.method_params) if ctx else None)
    sql = Sql(s)  # the submit path's statements run on the driver's cursor on SQLite (see ``Sql``)
    answers, review = _answers_of(sql.rows(_latest_answers, {"iid": item_id}), str(item_id))
    if not answers and review is None:
        return None
    if ctx is not None:
        gold = {item_id: orjson.loads(ctx.gold)} if ctx.gold is not None else {}
    else:
        gold = _gold_for(s, p.id, [item_id])
    run_id: int | None = None
    answer: Consolidated | None
    if review is not None:
        answer, method = _fixed(review, len(answers), "review"), "review"
    elif item_id in gold:
        answer, method = _fixed(gold[item_id], len(answers), "gold"), "gold"
    else:
        method = consolidator.name
        gold_str = {str(k): v for k, v in gold.items()}
        if not _is_worker_model(consolidator):  # per item: update() is exact (and may have a fast path)
            results = consolidator.update(answers, p.spec, params, {}, gold_str)
        elif (last := s.execute(_last_run, {"pid": p.id, "m": consolidator.name}).first()) is not None:
            run_id = last[0]
            results = consolidator.update(answers, p.spec, params, _decoded_state(last[0], last[3]), gold_str)
        else:
            results = consolidator.fit(answers, p.spec, params, gold_str).results
        answer = results.get(str(item_id))
    if answer is None:
        return None
    _upsert(sql, p.id, item_id, answer, method, run_id, utcnow())
    _after_consolidated(s, p, item_id, answer, ctx)
    return answer


def _after_consolidated(s: Session, p: ProjectRow, item_id: int, answer: Consolidated,
                        ctx: HookContext | None) -> None:
    """Routing (more workers for doubtful items) and review sampling read the new confidence."""
    from . import reviews, routing

    if ctx is None:
        routing.on_consolidated(s, p.id, item_id, answer.confidence, answer.votes)
        reviews.on_item_labeled(s, p.id, item_id, answer.confidence)
        return
    routing.on_consolidated(s, p.id, item_id, answer.confidence, answer.votes, settings=ctx.routing)
    reviews.on_item_labeled(s, p.id, item_id, answer.confidence, mode=ctx.review)


# --- full fits -----------------------------------------------------------------------------------

_every_answer = text("SELECT item_id, user_id, value, active_ms, source FROM annotations "
                     "WHERE project_id = :pid ORDER BY id")


def _all_answers(s: Session, project_id: int) -> tuple[list[Answer], dict[int, dict[str, Any]], int]:
    """Every worker's latest answer per item (rows in id order: the last wins); reviewer adjustments apart.

    One streamed statement and orjson: at a million answers the JSON decoding is most of the read.
    """
    answers: dict[tuple[int, int], Answer] = {}
    reviews: dict[int, dict[str, Any]] = {}
    count = 0
    result = s.execute(_every_answer.execution_options(yield_per=_BATCH), {"pid": project_id})
    for item_id, user_id, value, active_ms, source in result:
        count += 1
        decoded = orjson.loads(value)
        if source == AnnotationSource.REVIEW:
            reviews[item_id] = decoded
        else:
            answers[(item_id, user_id)] = Answer(str(item_id), str(user_id), decoded,
                                                 active_ms / 1000 if active_ms is not None else None)
    return list(answers.values()), reviews, count


def run_full(db: Database, project_id: int) -> dict[str, Any]:
    """Fit the project's method on every answer and store every item's answer and the run."""
    with db.read() as s:
        project = s.get(Project, project_id)
        if project is None:
            return {"items": 0}
        p = info_from_row(project)
        consolidator, params = _method(s, project_id, p.type)
        answers, reviews, count = _all_answers(s, project_id)
        gold = _gold_for(s, project_id, None)
    started = time.perf_counter()
    fit = consolidator.fit(answers, p.spec, params, {str(k): v for k, v in gold.items()})
    seconds = time.perf_counter() - started
    votes: dict[str, int] = {}
    for a in answers:
        votes[a.item] = votes.get(a.item, 0) + 1
    now = utcnow()
    with db.write() as s:
        run = ConsolidationRun(project_id=project_id, method=consolidator.name, params=json.dumps(fit.params),
                               state=json.dumps(fit.state), worker_quality=json.dumps(fit.worker_quality),
                               iterations=fit.iterations, items=len(fit.results), answers=count,
                               seconds=round(seconds, 3), created_at=now)
        s.add(run)
        s.flush()
        s.execute(delete(Consolidation).where(Consolidation.project_id == project_id))
        rows = []
        for item, answer in fit.results.items():
            item_id = int(item)
            method = consolidator.name
            if item_id in reviews:
                answer, method = _fixed(reviews[item_id], votes.get(item, 0), "review"), "review"
            elif item_id in gold:
                answer, method = _fixed(gold[item_id], votes.get(item, 0), "gold"), "gold"
            rows.append(_row(project_id, item_id, answer, method, run.id, now))
        for item_id, value in reviews.items():
            if str(item_id) not in fit.results:
                rows.append(_row(project_id, item_id, _fixed(value, 0, "review"), "review", run.id, now))
        table = cast(Table, Consolidation.__table__)  # Core insert: the ORM's bulk path costs 4x more
        for i in range(0, len(rows), _BATCH):
            s.execute(table.insert(), rows[i:i + _BATCH])
        run_id = run.id
    return {"run_id": run_id, "method": consolidator.name, "items": len(fit.results), "answers": count,
            "iterations": fit.iterations, "seconds": round(seconds, 3)}


def _row(project_id: int, item_id: int, answer: Consolidated, method: str, run_id: int | None,
         now: datetime) -> dict[str, Any]:
    return {"item_id": item_id, "project_id": project_id, "value": _dumps(answer.value),
            "confidence": float(answer.confidence), "confidence_map": _dumps(answer.confidence_map),
            "object_confidence": _dumps(list(answer.object_confidence)), "votes": answer.votes,
            "method": method, "run_id": run_id, "updated_at": now}


def _dumps(value: Any) -> str:
    """json.dumps, as annotations are written: worker quality compares the two texts in SQL."""
    return json.dumps(value)


def _pending_refit(s: Session, project_id: int) -> bool:
    return s.scalar(select(Job.id).where(Job.project_id == project_id, Job.kind == JobKind.CONSOLIDATE,
                                         Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING])).limit(1)) is not None


def schedule_refit(s: Session, project_id: int, created_by: int | None) -> int | None:
    """Write a consolidation job row unless one is already waiting (the caller enqueues after commit)."""
    if _pending_refit(s, project_id):
        return None
    job = Job(org_id=s.scalar(select(Project.org_id).where(Project.id == project_id)), project_id=project_id,
              kind=JobKind.CONSOLIDATE, status=JobStatus.QUEUED, params="{}", created_by=created_by)
    s.add(job)
    s.flush()
    return job.id


_last_check: dict[int, float] = {}
_CHECK_EVERY_S = 5.0


def refit_due(db: Database, actor: Actor, project_id: int) -> int | None:
    """After a submission: a job id when a worker-model refit should run now, else None.

    Looked at no more than once per project every few seconds per process, so that the check
    costs the hot path nothing measurable.
    """
    now_mono = time.monotonic()
    if now_mono - _last_check.get(project_id, -_CHECK_EVERY_S) < _CHECK_EVERY_S:
        return None
    _last_check[project_id] = now_mono
    with db.read() as s:
        project = s.get(Project, project_id)
        if project is None:
            return None
        consolidator, _ = _method(s, project_id, info_from_row(project).type)
        if not _is_worker_model(consolidator):
            return None
        last = s.execute(_last_run, {"pid": project_id, "m": consolidator.name}).first()
        if last is not None and utcnow() - last[4] < timedelta(seconds=REFIT_AFTER_S):
            return None
        if _pending_refit(s, project_id):
            return None
    with db.write() as s:
        return schedule_refit(s, project_id, actor.user_id)


# --- reading -------------------------------------------------------------------------------------

def _decode(c: Consolidation) -> ConsolidatedRow:
    return ConsolidatedRow(c.item_id, json.loads(c.value), c.confidence, json.loads(c.confidence_map or "{}"),
                           json.loads(c.object_confidence or "[]"), c.votes, c.method, c.updated_at)


def consolidated_value(s: Session, item_id: int) -> dict[str, Any] | None:
    """The stored answer's canonical value (None before the item has one)."""
    c = s.get(Consolidation, item_id)
    return json.loads(c.value) if c is not None else None


def consolidated_for_items(s: Session, project_id: int, item_ids: Iterable[int]) -> dict[int, ConsolidatedRow]:
    ids = list(item_ids)
    if not ids:
        return {}
    rows = s.scalars(select(Consolidation).where(Consolidation.project_id == project_id,
                                                 Consolidation.item_id.in_(ids)))
    return {c.item_id: _decode(c) for c in rows}


def latest_run(db: Database, actor: Actor, project_id: int) -> dict[str, Any] | None:
    authorize(actor, "project.stats")
    with db.read() as s:
        load_visible(s, actor, project_id)
        run = s.scalar(select(ConsolidationRun).where(ConsolidationRun.project_id == project_id)
                       .order_by(ConsolidationRun.id.desc()).limit(1))
        if run is None:
            return None
        return {"id": run.id, "method": run.method, "params": json.loads(run.params),
                "worker_quality": json.loads(run.worker_quality), "iterations": run.iterations,
                "items": run.items, "answers": run.answers, "seconds": run.seconds,
                "created_at": run.created_at.isoformat()}


# --- the project's method ------------------------------------------------------------------------

def methods_for(task_type: TaskType, spec: ProjectSpec) -> list[Consolidator]:
    return get_registry().consolidators_for(task_type.value_kind(spec))


def method_info(db: Database, actor: Actor, project_id: int) -> tuple[MethodInfo, list[MethodInfo]]:
    """The project's method with its effective parameters, and every method it could use."""
    authorize(actor, "project.stats")
    with db.read() as s:
        p = info_from_row(load_visible(s, actor, project_id))
        current, params = _method(s, project_id, p.type)
    default = p.type.default_consolidator
    options = [MethodInfo(c.name, c.title, c.params(), c.name == default, _is_worker_model(c))
               for c in methods_for(p.type, p.spec)]
    chosen = MethodInfo(current.name, current.title, params, current.name == default, _is_worker_model(current))
    if chosen.name not in {o.name for o in options}:  # the task type's own consolidate(): always usable
        options.insert(0, chosen)
    return chosen, options


def set_method(db: Database, actor: Actor, project_id: int, name: str,
               params: Mapping[str, Any] | None = None) -> int:
    """Change the algorithm (and its parameters); returns the job id of the full run it starts."""
    authorize(actor, "project.update")
    with db.write() as s:
        project = load_visible(s, actor, project_id)
        info = info_from_row(project)
        consolidator = _resolve(name, info.type)
        kind = info.type.value_kind(info.spec)
        if kind not in consolidator.value_kinds and not isinstance(consolidator, _TaskTypeOwn):
            usable = ", ".join(c.name for c in methods_for(info.type, info.spec))
            raise ValidationFailed(f"{name!r} does not read {kind!r} answers; usable: {usable}",
                                   field="consolidation_method")
        try:
            effective = consolidator.params(params)
        except KeyError as exc:
            raise ValidationFailed(str(exc.args[0]), field="params") from None
        project.consolidation_method = name
        project.consolidation_params = json.dumps({k: v for k, v in effective.items()
                                                   if k in (params or {})})
    return start_run(db, actor, project_id)  # a job already waiting reads the new method when it runs


def start_run(db: Database, actor: Actor, project_id: int) -> int:
    """A manager asks for a full fit now; returns the job id (an already waiting one is reused)."""
    authorize(actor, "project.update")
    with db.write() as s:
        load_visible(s, actor, project_id)
        job_id = schedule_refit(s, project_id, actor.user_id)
        if job_id is None:
            job_id = int(s.scalar(select(Job.id).where(Job.project_id == project_id, Job.kind == JobKind.CONSOLIDATE,
                                                       Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
                                  .order_by(Job.id.desc()).limit(1)) or 0)
        return job_id


def item_ids_below(s: Session, project_id: int, threshold: float, limit: int = 1000) -> list[int]:
    return list(s.scalars(select(Consolidation.item_id).where(Consolidation.project_id == project_id,
                                                              Consolidation.confidence < threshold)
                          .order_by(Consolidation.confidence, Consolidation.item_id).limit(limit)))

