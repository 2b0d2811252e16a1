"""Quality: gold items, worker quality, qualification, flags and machine validation rules.

* Settings: one ``project_quality`` row per project (none: every default), read and changed
  through :func:`get_settings` / :func:`update_settings`.
* Gold items: an item with a known answer (``gold_items``), marked at import (the project's
  ``gold_key`` is moved out of the item's data, so a worker never receives it), by hand, or by
  promoting the item's consolidated answer. :func:`gold_answers` feeds the consolidation
  service. The next-task query mixes gold in (``assignments.next_for``); nothing an annotator
  sees tells a gold item apart.
* Submissions: :func:`check_submission` refuses one that breaks a validation rule before it is
  stored; :func:`record_submission` scores gold answers and pauses a worker whose gold accuracy
  falls below the project's minimum (leases released, managers told).
* Worker quality: :func:`worker_quality` — gold accuracy, agreement with the consensus, speed,
  flags for too-fast answers and one label for everything.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Boolean, DateTime, bindparam, delete, select, text
from sqlalchemy.orm import Session

from ..authz import authorize
from ..core.actor import Actor
from ..core.enums import AnnotationSource, AssignmentStatus
from ..core.errors import Conflict, LabelworksError, NotFound, ValidationFailed
from ..core.formats.records import BadLine, ParsedLine, item_key, source_of
from ..core.quality.gold import Similarity, coerce_gold, same_answer
from ..core.quality.rules import Rule, check_rules, parse_rules
from ..core.quality.settings import QualitySettings, apply_changes
from ..core.quality.workers import qualification_failure
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import (Annotation, GoldItem, Item, Project, ProjectQuality, QualityNotification, User,
                         WorkerPause)
from .hotpath import T, ProjectRow, visible_project
from .projects import ProjectInfo, info_from_row, load_visible

__all__ = ["check_submission", "record_submission", "gold_answers", "gold_value", "get_settings", "update_settings",
           "load_settings", "routed_items", "GoldInfo", "list_gold", "mark_gold", "promote_gold", "unmark_gold",
           "structured_similarity", "Notification", "notifications", "resume_worker", "pause_reason",
           "ImportedGold", "check_imported_gold", "QualitySettings"]

_IN_CHUNK = 500  # ids per IN (...) list

_rules_of = text("SELECT rules FROM project_quality WHERE project_id = :pid")
_gold_of = text("SELECT value FROM gold_items WHERE item_id = :iid")
_qualification = text(
    "SELECT q.min_gold_answers, q.min_gold_accuracy, w.paused, w.resumed_at FROM project_quality q "
    "LEFT JOIN worker_pauses w ON w.project_id = q.project_id AND w.user_id = :uid WHERE q.project_id = :pid")
_gold_answers_of = text(
    "SELECT a.item_id, a.value, g.value, a.created_at FROM annotations a JOIN gold_items g ON g.item_id = a.item_id "
    "WHERE a.project_id = :pid AND a.user_id = :uid AND a.source = 'human' ORDER BY a.id")
_pause_upsert = text(
    "INSERT INTO worker_pauses (project_id, user_id, paused, reason, paused_at) VALUES (:pid, :uid, :yes, :reason, :now) "
    "ON CONFLICT (project_id, user_id) DO UPDATE SET paused = excluded.paused, reason = excluded.reason, "
    "paused_at = excluded.paused_at WHERE NOT worker_pauses.paused RETURNING user_id"
).bindparams(bindparam("now", type_=DateTime()), bindparam("yes", value=True, type_=Boolean()))
_active_leases = text("SELECT id, item_id FROM assignments WHERE project_id = :pid AND user_id = :uid "
                      "AND status = 'active'")


# --- settings ------------------------------------------------------------------------------------

def _settings_from(row: ProjectQuality | None) -> QualitySettings:
    if row is None:
        return QualitySettings()
    return QualitySettings(
        gold_rate=row.gold_rate, gold_key=row.gold_key, min_gold_answers=row.min_gold_answers,
        min_gold_accuracy=row.min_gold_accuracy, min_seconds=row.min_seconds,
        one_label_min_answers=row.one_label_min_answers, one_label_share=row.one_label_share,
        routing=bool(row.routing), initial_workers=row.initial_workers, max_workers=row.max_workers,
        confidence_threshold=row.confidence_threshold, rules=tuple(parse_rules(json.loads(row.rules or "[]"))))


def load_settings(s: Session, project_id: int) -> QualitySettings:
    """The project's settings (defaults when it never changed one); no access check."""
    return _settings_from(s.get(ProjectQuality, project_id))


def routed_items(db: Database, actor: Actor, project_id: int) -> dict[int, int]:
    """How many items adaptive routing sent to more workers, by their target now."""
    authorize(actor, "quality.view")
    from .routing import routed_counts

    with db.read() as s:
        load_visible(s, actor, project_id)
        return routed_counts(s, project_id)


def get_settings(db: Database, actor: Actor, project_id: int) -> QualitySettings:
    authorize(actor, "quality.view")
    with db.read() as s:
        load_visible(s, actor, project_id)
        return load_settings(s, project_id)


def update_settings(db: Database, actor: Actor, project_id: int, changes: Mapping[str, Any]) -> QualitySettings:
    """Apply a partial change; every value is checked (``ValidationFailed`` names the field)."""
    authorize(actor, "quality.manage")
    with db.write() as s:
        p = load_visible(s, actor, project_id)
        row = s.get(ProjectQuality, project_id)
        before = _settings_from(row)
        after = apply_changes(before, dict(changes))
        if row is None:
            row = ProjectQuality(project_id=project_id)
            s.add(row)
        row.gold_rate, row.gold_key = after.gold_rate, after.gold_key
        row.min_gold_answers, row.min_gold_accuracy = after.min_gold_answers, after.min_gold_accuracy
        row.min_seconds = after.min_seconds
        row.one_label_min_answers, row.one_label_share = after.one_label_min_answers, after.one_label_share
        row.routing, row.initial_workers, row.max_workers = after.routing, after.initial_workers, after.max_workers
        row.confidence_threshold = after.confidence_threshold
        row.rules = json.dumps(after.as_dict()["rules"])
        row.updated_by, row.updated_at = actor.user_id, utcnow()
        s.flush()
        if (before.routing, before.initial_workers) != (after.routing, after.initial_workers):
            from .routing import reopen

            reopen(s, project_id, p.workers_per_item)  # items take K (or workers per item) workers now
        return after


# --- the submit hooks ----------------------------------------------------------------------------

_parsed_rules: dict[str, tuple[Rule, ...]] = {}  # rules JSON -> parsed: a submit should not re-parse them


_UNREAD = object()


def _rules(s: Session, project_id: int, raw: Any = _UNREAD) -> tuple[Rule, ...]:
    if raw is _UNREAD:
        raw = s.execute(_rules_of, {"pid": project_id}).scalar()
    if not raw or raw == "[]":
        return ()
    rules = _parsed_rules.get(raw)
    if rules is None:
        if len(_parsed_rules) > 1000:
            _parsed_rules.clear()
        rules = _parsed_rules[raw] = tuple(parse_rules(json.loads(raw)))
    return rules


def check_submission(s: Session, p: ProjectRow, item_id: int, user_id: int, canonical: dict[str, Any],
                     active_ms: int | None, *, rules: Any = _UNREAD) -> None:
    """Refuse a submission that breaks one of the project's machine validation rules.

    ``rules``: the project's rules JSON when the caller has read it already (the submit hooks do).
    """
    rules = _rules(s, p.id, rules)
    if rules:
        check_rules(rules, canonical)


def record_submission(s: Session, p: ProjectRow, item_id: int, user_id: int, annotation_id: int,
                      canonical: dict[str, Any], active_ms: int | None, *, is_gold: bool | None = None) -> None:
    """Score a gold item's answer; pause the worker when their gold accuracy falls below the minimum.

    ``is_gold``: whether the item is gold, when the caller has read it already (the submit hooks do).
    """
    if is_gold is None:
        is_gold = s.execute(_gold_of, {"iid": item_id}).first() is not None
    if not is_gold:
        return  # most submissions
    row = s.execute(_qualification, {"pid": p.id, "uid": user_id}).first()
    if row is None:
        return
    min_answers, min_accuracy, paused, resumed_at = row
    settings = QualitySettings(min_gold_answers=int(min_answers), min_gold_accuracy=float(min_accuracy))
    if not settings.qualification_on or paused:
        return
    answered, correct = _gold_score(s, p, user_id, since=resumed_at)
    reason = qualification_failure(answered, correct, settings)
    if reason is not None:
        _pause(s, p.id, user_id, reason)


def _gold_score(s: Session, p: ProjectRow | ProjectInfo, user_id: int, since: datetime | None) -> tuple[int, int]:
    """(gold items answered, answered right) by the worker's latest answer, after ``since`` if given."""
    latest: dict[int, tuple[str, str, datetime]] = {}
    for item_id, value, gold, created_at in s.execute(_gold_answers_of, {"pid": p.id, "uid": user_id}):
        latest[item_id] = (value, gold, created_at)
    kind = p.type.value_kind(p.spec)
    similarity = structured_similarity()
    answered = correct = 0
    for value, gold, created_at in latest.values():
        if since is not None and created_at <= since:
            continue
        answered += 1
        correct += same_answer(kind, json.loads(value), json.loads(gold), similarity)
    return answered, correct


def _pause(s: Session, project_id: int, user_id: int, reason: str) -> None:
    now = utcnow()
    # an upsert that only pauses a worker not paused yet: two gold answers of one worker committed at
    # once (two tabs) pause them once, tell the managers once, and neither submission fails
    if s.execute(_pause_upsert, {"pid": project_id, "uid": user_id, "reason": reason, "now": now}).first() is None:
        return
    for aid, item_id in s.execute(_active_leases, {"pid": project_id, "uid": user_id}).all():
        s.execute(T.end_lease, {"aid": aid, "status": AssignmentStatus.RELEASED.value, "now": now})
        s.execute(T.give_back, {"item_id": item_id})
    email = s.execute(select(User.email).where(User.id == user_id)).scalar() or f"user {user_id}"
    s.add(QualityNotification(project_id=project_id, worker_id=user_id, kind="paused",
                              message=f"{email} was {reason}", created_at=now))
    s.flush()


def pause_reason(s: Session, project_id: int, user_id: int) -> str | None:
    row = s.get(WorkerPause, (project_id, user_id))
    return row.reason if row is not None and row.paused else None


def resume_worker(db: Database, actor: Actor, project_id: int, user_id: int) -> None:
    """A manager lets a paused worker back in; later gold answers start a fresh qualification window."""
    authorize(actor, "quality.manage")
    with db.write() as s:
        load_visible(s, actor, project_id)
        row = s.get(WorkerPause, (project_id, user_id))
        if row is None or not row.paused:
            raise Conflict(f"user {user_id} is not paused from this project", field="user_id")
        now = utcnow()
        row.paused, row.resumed_at, row.resumed_by = False, now, actor.user_id
        email = s.execute(select(User.email).where(User.id == user_id)).scalar() or f"user {user_id}"
        s.add(QualityNotification(project_id=project_id, worker_id=user_id, kind="resumed",
                                  message=f"{email} was resumed by {actor.email or actor.user_id}", created_at=now))


@dataclass(frozen=True)
class Notification:
    id: int
    worker_id: int | None
    kind: str
    message: str
    created_at: datetime


def notifications(db: Database, actor: Actor, project_id: int, limit: int = 100) -> list[Notification]:
    """What the project's managers were told, newest first."""
    authorize(actor, "quality.view")
    with db.read() as s:
        load_visible(s, actor, project_id)
        rows = s.scalars(select(QualityNotification).where(QualityNotification.project_id == project_id)
                         .order_by(QualityNotification.id.desc()).limit(limit))
        return [Notification(n.id, n.worker_id, n.kind, n.message, n.created_at) for n in rows]


# --- gold items ----------------------------------------------------------------------------------

_gold_value = text("SELECT value FROM gold_items WHERE item_id = :iid")


def gold_value(s: Session, item_id: int) -> dict[str, Any] | None:
    """One item's gold answer (None if it is not gold), in one prebuilt statement for the submit path."""
    value = s.execute(_gold_value, {"iid": item_id}).scalar()
    return json.loads(value) if value is not None else None


def gold_answers(s: Session, project_id: int, item_ids: Iterable[int] | None = None) -> dict[int, dict[str, Any]]:
    """Item id -> the canonical gold answer, for the project (or just ``item_ids``)."""
    query = select(GoldItem.item_id, GoldItem.value).where(GoldItem.project_id == project_id)
    if item_ids is None:
        return {iid: json.loads(v) for iid, v in s.execute(query)}
    out: dict[int, dict[str, Any]] = {}
    ids = list(item_ids)
    for i in range(0, len(ids), _IN_CHUNK):
        for iid, v in s.execute(query.where(GoldItem.item_id.in_(ids[i:i + _IN_CHUNK]))):
            out[iid] = json.loads(v)
    return out


def _normalized_gold(p: ProjectInfo | ProjectRow, raw: Any, field: str,
                     data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A gold answer through the task type, as any submission; errors name ``field``. ``data`` is
    the item's (a task type that checks against it, e.g. entity offsets against the text, needs it)."""
    if isinstance(raw, str) and raw.strip()[:1] in ("[", "{"):
        try:  # a CSV cell holding JSON
            raw = json.loads(raw)
        except ValueError:
            pass
    if isinstance(raw, str) and p.multi_label:
        raw = [part.strip() for part in raw.replace("|", ",").split(",") if part.strip()]
    value = coerce_gold(raw, field)
    try:
        if p.type.reads_item_data and data is not None:
            return p.type.normalize_with_item(value, p.spec, data)
        return p.type.normalize(value, p.spec)
    except ValidationFailed as exc:
        inner = (exc.field or "value").removeprefix("value")
        raise ValidationFailed(f"gold answer: {exc.message}", field=f"{field}{inner}") from None


@dataclass(frozen=True)
class GoldInfo:
    item_id: int
    key: str
    preview: str
    value: dict[str, Any]
    source: str
    created_at: datetime
    answered: int = 0
    correct: int = 0


def _store_gold(s: Session, project_id: int, item_id: int, value: dict[str, Any], source: str,
                user_id: int | None) -> None:
    row = s.get(GoldItem, item_id)
    if row is None:
        s.add(GoldItem(item_id=item_id, project_id=project_id, value=json.dumps(value), source=source,
                       created_by=user_id, created_at=utcnow()))
    else:
        row.value, row.source, row.created_by = json.dumps(value), source, user_id
    s.flush()
    # out of the normal pool: gold is served to every worker by the gold path instead
    s.execute(text("UPDATE items SET is_open = 0 WHERE id = :iid"), {"iid": item_id})


def _refresh_consolidation(s: Session, actor: Actor, project_id: int, item_id: int) -> None:
    """The item's stored answer follows its gold answer (method "gold") or goes back to the algorithm."""
    from . import consolidation

    refresh = getattr(consolidation, "refresh_item", None)
    if refresh is not None:
        refresh(s, visible_project(s, actor, project_id), item_id)


def _load_item(s: Session, project_id: int, item_id: int) -> Item:
    item = s.get(Item, item_id)
    if item is None or item.project_id != project_id:
        raise NotFound(f"no item {item_id} in project {project_id}")
    return item


def _gold_info(g: GoldItem, item: Item) -> GoldInfo:
    data = json.loads(item.data)
    preview = source_of(data) or json.dumps(data)
    return GoldInfo(g.item_id, item.key, preview[:200], json.loads(g.value), g.source, g.created_at)


def mark_gold(db: Database, actor: Actor, project_id: int, item_id: int, value: Any) -> GoldInfo:
    """Make an item gold with this answer (normalized by the task type; errors name ``value…``)."""
    authorize(actor, "quality.manage")
    with db.write() as s:
        row = load_visible(s, actor, project_id)
        p = info_from_row(row)
        item = _load_item(s, project_id, item_id)
        canonical = _normalized_gold(p, value, "value", json.loads(item.data))
        _store_gold(s, project_id, item_id, canonical, "manual", actor.user_id)
        _refresh_consolidation(s, actor, project_id, item_id)
        return _gold_info(s.get_one(GoldItem, item_id), item)


def _consensus_of(s: Session, p: ProjectInfo, item_id: int) -> dict[str, Any] | None:
    from . import consolidation

    reader = getattr(consolidation, "consolidated_value", None)
    if reader is not None:
        value: dict[str, Any] | None = reader(s, item_id)
        if value is not None:
            return value
    latest: dict[int, dict[str, Any]] = {}
    for user_id, value_json in s.execute(select(Annotation.user_id, Annotation.value).where(
            Annotation.item_id == item_id).order_by(Annotation.id)):
        latest[user_id] = json.loads(value_json)
    answer = p.type.consolidate(list(latest.values()), p.spec) if latest else None
    return dict(answer.value) if answer is not None else None


def promote_gold(db: Database, actor: Actor, project_id: int, item_id: int) -> GoldInfo:
    """Make an item gold with its consolidated answer."""
    authorize(actor, "quality.manage")
    with db.write() as s:
        row = load_visible(s, actor, project_id)
        p = info_from_row(row)
        item = _load_item(s, project_id, item_id)
        if s.get(GoldItem, item_id) is not None:
            raise Conflict(f"item {item_id} is already gold", field="item_id")
        answer = _consensus_of(s, p, item_id)
        if answer is None:
            raise Conflict(f"item {item_id} has no answer to promote yet", field="item_id")
        canonical = _normalized_gold(p, answer, "value", json.loads(item.data))
        _store_gold(s, project_id, item_id, canonical, "consolidated", actor.user_id)
        _refresh_consolidation(s, actor, project_id, item_id)
        return _gold_info(s.get_one(GoldItem, item_id), item)


def unmark_gold(db: Database, actor: Actor, project_id: int, item_id: int) -> None:
    """The item is an ordinary one again (it re-joins the pool if it still wants workers)."""
    authorize(actor, "quality.manage")
    with db.write() as s:
        row = load_visible(s, actor, project_id)
        _load_item(s, project_id, item_id)
        if s.execute(delete(GoldItem).where(GoldItem.item_id == item_id)).rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound(f"item {item_id} is not gold")
        settings = load_settings(s, project_id)
        s.execute(text("UPDATE items SET is_open = CASE WHEN taken < :n THEN 1 ELSE 0 END WHERE id = :iid"),
                  {"iid": item_id, "n": settings.initial_workers if settings.routing else row.workers_per_item})
        _refresh_consolidation(s, actor, project_id, item_id)


def list_gold(db: Database, actor: Actor, project_id: int, limit: int = 500) -> list[GoldInfo]:
    """The project's gold items with how many workers answered each and how many got it right."""
    authorize(actor, "quality.view")
    with db.read() as s:
        p = info_from_row(load_visible(s, actor, project_id))
        rows = s.execute(select(GoldItem, Item).join(Item, Item.id == GoldItem.item_id)
                         .where(GoldItem.project_id == project_id).order_by(GoldItem.item_id).limit(limit)).all()
        infos = {g.item_id: _gold_info(g, item) for g, item in rows}
        tallies: dict[int, list[int]] = {iid: [0, 0] for iid in infos}
        kind, similarity = p.type.value_kind(p.spec), structured_similarity()
        for (item_id, _user), value in _latest_answers(s, project_id, list(infos)).items():
            tallies[item_id][0] += 1
            tallies[item_id][1] += same_answer(kind, value, infos[item_id].value, similarity)
        return [GoldInfo(**{**g.__dict__, "answered": tallies[g.item_id][0], "correct": tallies[g.item_id][1]})
                for g in infos.values()]


# --- gold at import ------------------------------------------------------------------------------

class ImportedGold:
    """Moves the gold key out of imported lines and stores their answers once the items exist.

    ``take`` runs per line before insert (the item is stored without the answer, under the key
    of its data without it, so importing a gold file over existing items marks them gold);
    ``store`` runs inside each batch's transaction; answers the task type refuses are reported
    as bad lines by ``report_to`` (the item itself is imported, as an ordinary item).
    """

    def __init__(self, project: ProjectInfo, gold_key: str) -> None:
        self.project, self.key = project, gold_key
        self._pending: list[tuple[str, dict[str, Any], int]] = []  # (item key, canonical answer, line)
        self.bad: list[BadLine] = []
        self.marked = 0

    @classmethod
    def for_project(cls, db: Database, project_id: int) -> ImportedGold:
        with db.read() as s:
            p = s.get_one(Project, project_id)
            return cls(info_from_row(p), load_settings(s, project_id).gold_key)

    def take(self, line: ParsedLine) -> ParsedLine:
        if self.key not in line.data:
            return line
        data = dict(line.data)
        raw = data.pop(self.key)
        stripped = ParsedLine(line.line_no, data, item_key(data), orjson.dumps(data))
        if raw is None or raw == "" or raw == []:
            return stripped  # an empty gold cell of a CSV: an ordinary item
        try:
            self._pending.append((stripped.key, _normalized_gold(self.project, raw, self.key, data), line.line_no))
        except LabelworksError as exc:
            self.bad.append(BadLine(line.line_no, f"{exc.field}: {exc.message} (imported without a gold answer)"))
        return stripped

    def store(self, s: Session) -> None:
        if not self._pending:
            return
        keys = {key: (value, line) for key, value, line in self._pending}
        self._pending.clear()
        key_list = list(keys)
        for i in range(0, len(key_list), _IN_CHUNK):
            for item_id, key in s.execute(select(Item.id, Item.key).where(
                    Item.project_id == self.project.id, Item.key.in_(key_list[i:i + _IN_CHUNK]))):
                _store_gold(s, self.project.id, item_id, keys[key][0], "import", None)
                self.marked += 1

    def report_to(self, bad: list[BadLine], max_reported: int) -> int:
        """Append the refused gold answers to an import report's bad lines; returns how many."""
        bad.extend(self.bad[:max(0, max_reported - len(bad))])
        return len(self.bad)


def check_imported_gold(db: Database, project_id: int,
                        lines: Sequence[ParsedLine | BadLine]) -> list[ParsedLine | BadLine]:
    """For lines already in memory: a refused gold answer makes its line bad before anything is stored."""
    with db.read() as s:
        p = info_from_row(s.get_one(Project, project_id))
        key = load_settings(s, project_id).gold_key
    out: list[ParsedLine | BadLine] = []
    for line in lines:
        raw = line.data.get(key) if isinstance(line, ParsedLine) else None
        if isinstance(line, ParsedLine) and raw not in (None, "", []):
            try:
                _normalized_gold(p, raw, key, {k: v for k, v in line.data.items() if k != key})
            except LabelworksError as exc:
                out.append(BadLine(line.line_no, f"{exc.field}: {exc.message}"))
                continue
        out.append(line)
    return out


def structured_similarity() -> Similarity | None:
    """The structured kinds' similarity, when the structured consolidators provide one."""
    try:
        module = importlib.import_module("labelworks.core.consolidation.structured")
    except ImportError:
        return None
    fn = getattr(module, "similarity", None)
    return fn if callable(fn) else None


def _latest_answers(s: Session, project_id: int, item_ids: list[int]) -> dict[tuple[int, int], dict[str, Any]]:
    """(item, worker) -> the worker's latest human answer, for these items."""
    query = (select(Annotation.item_id, Annotation.user_id, Annotation.value)
             .where(Annotation.project_id == project_id, Annotation.source == AnnotationSource.HUMAN.value)
             .order_by(Annotation.id))
    out: dict[tuple[int, int], dict[str, Any]] = {}
    for i in range(0, len(item_ids), _IN_CHUNK):
        for item_id, user_id, value in s.execute(query.where(Annotation.item_id.in_(item_ids[i:i + _IN_CHUNK]))):
            out[(item_id, user_id)] = orjson.loads(value)
    return out
