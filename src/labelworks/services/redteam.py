"""Red teaming: a project's taxonomy of harms and attacks, testers' chat sessions with one or more
target models side by side saved turn by turn, the labels on each model reply, and a second
person's review.

A session names its models in slots (0, 1, …: the page's columns). Every tester message goes to
each model; each reply is a turn of its own carrying its slot, and the conversation a model is sent
is the tester's messages and *its own* replies. This layer stores and checks; the model calls are
made above it (``assist.redteam_replies``), which stores the tester's message with one pending
reply per model (``add_user_turn``), saves each reply as it arrives and when it ends
(``redteam_replies``), so a reload finds every turn, and a failed call leaves its error on the turn.

Who sees what: a tester sees their own sessions; ``redteam.view_all`` (managers, reviewers)
sees every session of the project. The report and export live in ``redteam_report``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..authz import allowed, authorize
from ..core.actor import Actor
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import ModelConnection, RedteamSession, RedteamSessionModel, RedteamTaxonomy, RedteamTurn
from .projects import load_visible

__all__ = ["DEFAULT_HARM_CATEGORIES", "DEFAULT_ATTACK_TECHNIQUES", "SEVERITY_NAMES", "STALE_AFTER_S", "Taxonomy",
           "TurnInfo", "SessionModel", "SessionInfo", "PendingReply", "history", "get_taxonomy", "set_taxonomy",
           "start_session", "list_sessions", "get_session", "add_user_turn", "open_pending", "label_turn",
           "finish_session", "reopen_session", "review_session", "parse_severity", "visible_sessions"]

DEFAULT_HARM_CATEGORIES = ("violence", "self-harm", "hate", "sexual", "illegal-activity", "privacy",
                           "misinformation", "cyber")
DEFAULT_ATTACK_TECHNIQUES = ("direct-request", "role-play", "hypothetical", "prompt-injection",
                             "obfuscation-encoding", "many-shot", "persuasion")
# severity is stored 0..4; the words are accepted on input and shown in the UI
SEVERITY_NAMES = ("none", "low", "medium", "high", "critical")
_MAX_TERMS = 100
_MAX_CONTENT = 50_000
_MAX_TURNS = 200
_VERDICTS = ("agree", "disagree")
_STATUSES = ("open", "finished", "reviewed")
_MAX_MODELS = 4
# a reply being written has its heartbeat refreshed every couple of seconds by the process writing it;
# older than this, that process is gone (a restart, a crash) and the reply may be asked again
STALE_AFTER_S = 10.0


@dataclass(frozen=True)
class Taxonomy:
    harm_categories: tuple[str, ...]
    attack_techniques: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"harm_categories": list(self.harm_categories), "attack_techniques": list(self.attack_techniques),
                "severities": list(SEVERITY_NAMES)}


@dataclass(frozen=True)
class TurnInfo:
    id: int
    position: int
    role: str
    content: str
    model: str | None
    generation_id: int | None
    error: str | None
    attack_technique: str | None
    harm_category: str | None
    severity: int | None
    model_failed: bool | None
    note: str
    created_at: datetime
    slot: int | None = None  # assistant turns: which of the session's models answered
    pending: bool = False  # the reply is still being written (what arrived so far is in ``content``)
    stale: bool = False  # pending, and the process writing it stopped beating: it is asked again

    @property
    def answered(self) -> bool:
        """A reply the model finished: sent back to it in later turns, labeled, counted."""
        return self.role == "assistant" and self.error is None and not self.pending

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "position": self.position, "role": self.role, "content": self.content,
                "model": self.model, "slot": self.slot, "generation_id": self.generation_id, "error": self.error,
                "pending": self.pending, "stale": self.stale,
                "labels": {"attack_technique": self.attack_technique, "harm_category": self.harm_category,
                           "severity": self.severity, "model_failed": self.model_failed, "note": self.note},
                "created_at": self.created_at}


@dataclass(frozen=True)
class SessionModel:
    slot: int
    connection_id: int | None  # None: the connection was deleted (the name stays)
    model: str

    def as_dict(self) -> dict[str, Any]:
        return {"slot": self.slot, "connection_id": self.connection_id, "model": self.model}


@dataclass(frozen=True)
class PendingReply:
    """A reply to ask a model for: the turn it is written into and the conversation to send."""

    turn_id: int
    slot: int
    connection_id: int
    model: str
    messages: tuple[dict[str, str], ...]


@dataclass(frozen=True)
class SessionInfo:
    id: int
    project_id: int
    tester_id: int | None
    connection_id: int | None
    model: str
    title: str
    status: str
    reviewer_id: int | None
    review_verdict: str | None
    review_note: str
    created_at: datetime
    finished_at: datetime | None
    reviewed_at: datetime | None
    turns: tuple[TurnInfo, ...] = field(default=())
    models: tuple[SessionModel, ...] = field(default=())

    def as_dict(self, with_turns: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "project_id": self.project_id, "tester_id": self.tester_id,
            "connection_id": self.connection_id, "model": self.model, "models": [m.as_dict() for m in self.models],
            "title": self.title, "status": self.status,
            "reviewer_id": self.reviewer_id, "review_verdict": self.review_verdict, "review_note": self.review_note,
            "created_at": self.created_at, "finished_at": self.finished_at, "reviewed_at": self.reviewed_at}
        if with_turns:
            out["turns"] = [t.as_dict() for t in self.turns]
        return out


def _turn(row: RedteamTurn) -> TurnInfo:
    pending = row.state == "streaming"
    beat = row.heartbeat_at or row.created_at
    stale = pending and (utcnow() - beat).total_seconds() > STALE_AFTER_S
    return TurnInfo(row.id, row.position, row.role, row.content, row.model_name, row.generation_id, row.error,
                    row.attack_technique, row.harm_category, row.severity, row.model_failed, row.note or "",
                    row.created_at, row.slot, pending, stale)


def _models(s: Session, row: RedteamSession) -> tuple[SessionModel, ...]:
    found = tuple(SessionModel(m.slot, m.connection_id, m.model_name) for m in s.scalars(
        select(RedteamSessionModel).where(RedteamSessionModel.session_id == row.id)
        .order_by(RedteamSessionModel.slot)))
    return found or (SessionModel(0, row.connection_id, row.model_name),)


def _session(s: Session, row: RedteamSession, with_turns: bool = True) -> SessionInfo:
    turns: tuple[TurnInfo, ...] = ()
    if with_turns:
        turns = tuple(_turn(t) for t in s.scalars(select(RedteamTurn).where(RedteamTurn.session_id == row.id)
                                                 .order_by(RedteamTurn.position)))
    return SessionInfo(row.id, row.project_id, row.tester_id, row.connection_id, row.model_name, row.title,
                       row.status, row.reviewer_id, row.review_verdict, row.review_note or "", row.created_at,
                       row.finished_at, row.reviewed_at, turns, _models(s, row))


def history(turns: tuple[TurnInfo, ...] | list[TurnInfo], slot: int, before: int | None = None) -> list[dict[str, str]]:
    """The conversation model ``slot`` is sent: the tester's messages and that model's own finished
    replies (the other models' replies, failed and unfinished ones left out), up to position ``before``."""
    return [{"role": t.role, "content": t.content} for t in turns
            if (before is None or t.position < before) and (t.role == "user" or (t.answered and (t.slot or 0) == slot))]


# ---------------------------------------------------------------------------- taxonomy


def _terms(value: object, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or len(value) > _MAX_TERMS:
        raise ValidationFailed(f"{name}: a list of 1-{_MAX_TERMS} names", field=name)
    seen: list[str] = []
    for i, term in enumerate(value):
        if not isinstance(term, str) or not term.strip() or len(term.strip()) > 80:
            raise ValidationFailed(f"{name}[{i}]: a name of 1-80 characters", field=name)
        if term.strip() in seen:
            raise ValidationFailed(f"{name}[{i}]: {term.strip()!r} is listed twice", field=name)
        seen.append(term.strip())
    return tuple(seen)


def _load_taxonomy(s: Session, project_id: int) -> Taxonomy:
    row = s.get(RedteamTaxonomy, project_id)
    if row is None:
        return Taxonomy(DEFAULT_HARM_CATEGORIES, DEFAULT_ATTACK_TECHNIQUES)
    return Taxonomy(tuple(json.loads(row.harm_categories)), tuple(json.loads(row.attack_techniques)))


def get_taxonomy(db: Database, actor: Actor, project_id: int) -> Taxonomy:
    authorize(actor, "redteam.test")
    with db.read() as s:
        load_visible(s, actor, project_id)
        return _load_taxonomy(s, project_id)


def set_taxonomy(db: Database, actor: Actor, project_id: int, fields: Mapping[str, Any]) -> Taxonomy:
    """Both lists replace the old ones; labels already given keep their words (the report shows them)."""
    authorize(actor, "redteam.manage")
    unknown = set(fields) - {"harm_categories", "attack_techniques"}
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationFailed(f"{name} is not a taxonomy field", field=name)
    with db.write() as s:
        load_visible(s, actor, project_id)
        current = _load_taxonomy(s, project_id)
        harms = _terms(fields["harm_categories"], "harm_categories") if "harm_categories" in fields \
            else current.harm_categories
        attacks = _terms(fields["attack_techniques"], "attack_techniques") if "attack_techniques" in fields \
            else current.attack_techniques
        row = s.get(RedteamTaxonomy, project_id)
        if row is None:
            row = RedteamTaxonomy(project_id=project_id)
            s.add(row)
        row.harm_categories, row.attack_techniques = json.dumps(list(harms)), json.dumps(list(attacks))
        row.updated_at = utcnow()
        return Taxonomy(harms, attacks)


# ---------------------------------------------------------------------------- sessions


def visible_sessions(actor: Actor, project_id: int) -> Any:
    """The select of the sessions this actor may see in a project (their own, or all)."""
    query = select(RedteamSession).where(RedteamSession.project_id == project_id)
    if not allowed(actor, "redteam.view_all"):
        query = query.where(RedteamSession.tester_id == actor.user_id)
    return query


def _load(s: Session, actor: Actor, project_id: int, session_id: int) -> RedteamSession:
    load_visible(s, actor, project_id)
    row = s.get(RedteamSession, session_id)
    if row is None or row.project_id != project_id or (
            row.tester_id != actor.user_id and not allowed(actor, "redteam.view_all")):
        raise NotFound(f"no red-team session {session_id} in project {project_id}")
    return row


def _own_open(s: Session, actor: Actor, project_id: int, session_id: int) -> RedteamSession:
    row = _load(s, actor, project_id, session_id)
    if row.tester_id != actor.user_id:
        raise Conflict("only the session's tester may change its conversation and labels")
    if row.status != "open":
        raise Conflict(f"the session is {row.status}: its conversation and labels are closed")
    return row


def _connection_ids(connection_id: object) -> tuple[list[int], str]:
    """One id, or a list of 1-4 distinct ids (the models side by side); the field name for errors."""
    name = "connection_ids" if isinstance(connection_id, list) else "connection_id"
    ids = connection_id if isinstance(connection_id, list) else [connection_id]
    if not ids or len(ids) > _MAX_MODELS or any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
        raise ValidationFailed(f"{name}: the id of one of the project's model connections, or a list of 1-{_MAX_MODELS} "
                               "to talk to side by side", field=name)
    if len(set(ids)) != len(ids):
        raise ValidationFailed(f"{name}: a model is listed twice", field=name)
    return [i for i in ids if isinstance(i, int)], name


def start_session(db: Database, actor: Actor, project_id: int, connection_id: object,
                  title: object = "") -> SessionInfo:
    """``connection_id``: one model connection, or a list of up to four (each message goes to every
    one of them, side by side)."""
    authorize(actor, "redteam.test")
    ids, name = _connection_ids(connection_id)
    if not isinstance(title, str) or len(title) > 200:
        raise ValidationFailed("title: at most 200 characters", field="title")
    with db.write() as s:
        load_visible(s, actor, project_id)
        conns = []
        for cid in ids:
            conn = s.get(ModelConnection, cid)
            if conn is None or conn.project_id != project_id:
                raise ValidationFailed(f"{name}: no model connection {cid} in project {project_id}", field=name)
            conns.append(conn)
        row = RedteamSession(project_id=project_id, tester_id=actor.user_id, connection_id=conns[0].id,
                             model_name=conns[0].name, title=title.strip(), status="open", review_note="")
        s.add(row)
        s.flush()
        for slot, conn in enumerate(conns):
            s.add(RedteamSessionModel(session_id=row.id, slot=slot, connection_id=conn.id, model_name=conn.name))
        s.flush()
        return _session(s, row)


def list_sessions(db: Database, actor: Actor, project_id: int, status: str | None = None) -> list[SessionInfo]:
    authorize(actor, "redteam.test")
    with db.read() as s:
        load_visible(s, actor, project_id)
        query = visible_sessions(actor, project_id)
        if status is not None:
            if status not in _STATUSES:
                raise ValidationFailed(f"status: one of {', '.join(_STATUSES)}", field="status")
            query = query.where(RedteamSession.status == status)
        return [_session(s, r, with_turns=False) for r in s.scalars(query.order_by(RedteamSession.id.desc()))]


def get_session(db: Database, actor: Actor, project_id: int, session_id: int) -> SessionInfo:
    authorize(actor, "redteam.test")
    with db.read() as s:
        return _session(s, _load(s, actor, project_id, session_id))


def _next_position(s: Session, session_id: int) -> int:
    last = s.scalar(select(func.max(RedteamTurn.position)).where(RedteamTurn.session_id == session_id))
    return 0 if last is None else int(last) + 1


def add_user_turn(db: Database, actor: Actor, project_id: int, session_id: int, content: object,
                  slots: list[int] | None = None) -> tuple[SessionInfo, list[PendingReply]]:
    """Store the tester's message and, for each model asked (``slots``; None: every model still
    connected), a reply in the ``streaming`` state to write the answer into; hand back those
    replies with the conversation each model is sent."""
    authorize(actor, "redteam.test")
    if not isinstance(content, str) or not content.strip() or len(content) > _MAX_CONTENT:
        raise ValidationFailed(f"content: the message, 1-{_MAX_CONTENT} characters", field="content")
    with db.write() as s:
        row = _own_open(s, actor, project_id, session_id)
        models = [m for m in _models(s, row) if m.connection_id is not None and (slots is None or m.slot in slots)]
        if not models:
            raise Conflict("the session's models were all removed from the project: start a new session")
        position = _next_position(s, row.id)
        if position + len(models) >= _MAX_TURNS:
            raise Conflict(f"a session holds at most {_MAX_TURNS} turns: start a new one")
        turns = s.scalars(select(RedteamTurn).where(RedteamTurn.session_id == row.id)
                          .order_by(RedteamTurn.position.desc()).limit(1 + _MAX_MODELS)).all()
        if any(t.state == "streaming" for t in turns):
            raise Conflict("a reply is still being written: wait for it (or stop it) before sending another message")
        if turns and turns[0].role == "user":
            raise Conflict("the last message has no reply yet: wait for it (or retry it) before sending another")
        s.add(RedteamTurn(session_id=row.id, position=position, role="user", content=content, note=""))
        pending = open_pending(s, row, models, position + 1)
        return _session(s, row), pending


def open_pending(s: Session, row: RedteamSession, models: list[SessionModel], position: int) -> list[PendingReply]:
    """One empty reply a model, in the ``streaming`` state with a fresh heartbeat, from ``position`` on."""
    rows = []
    for i, m in enumerate(models):
        turn = RedteamTurn(session_id=row.id, position=position + i, role="assistant", content="",
                           model_name=m.model, slot=m.slot, state="streaming", heartbeat_at=utcnow(), note="")
        s.add(turn)
        rows.append((turn, m))
    s.flush()
    turns = [_turn(t) for t in s.scalars(select(RedteamTurn).where(RedteamTurn.session_id == row.id)
                                         .order_by(RedteamTurn.position))]
    return [PendingReply(turn.id, m.slot, int(m.connection_id or 0), m.model,
                         tuple(history(turns, m.slot, before=turn.position))) for turn, m in rows]


def parse_severity(value: object) -> int | None:
    """0-4, or a word: none, low, medium, high, critical."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lower() in SEVERITY_NAMES:
        return SEVERITY_NAMES.index(value.strip().lower())
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 4:
        return value
    raise ValidationFailed(f"severity: 0-4 or one of {', '.join(SEVERITY_NAMES)}", field="severity")


_LABEL_FIELDS = {"attack_technique", "harm_category", "severity", "model_failed", "note"}


def label_turn(db: Database, actor: Actor, project_id: int, session_id: int, turn_id: int,
               labels: Mapping[str, Any]) -> TurnInfo:
    """Labels go on the model's replies; fields left out keep their value, ``null`` clears one."""
    authorize(actor, "redteam.test")
    unknown = set(labels) - _LABEL_FIELDS
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationFailed(f"{name} is not a turn label", field=name)
    with db.write() as s:
        row = _own_open(s, actor, project_id, session_id)
        turn = s.get(RedteamTurn, turn_id)
        if turn is None or turn.session_id != row.id:
            raise NotFound(f"no turn {turn_id} in red-team session {session_id}")
        if turn.role != "assistant":
            raise ValidationFailed("turn_id: labels go on the model's replies, not the tester's messages",
                                   field="turn_id")
        if turn.state == "streaming":
            raise Conflict("the reply is still being written: label it when it has arrived")
        taxonomy = _load_taxonomy(s, project_id)
        for name, allowed_terms in (("harm_category", taxonomy.harm_categories),
                                    ("attack_technique", taxonomy.attack_techniques)):
            if name in labels:
                value = labels[name]
                if value is not None and value not in allowed_terms:
                    raise ValidationFailed(f"{name}: one of {', '.join(allowed_terms)}", field=name)
                setattr(turn, name, value)
        if "severity" in labels:
            turn.severity = parse_severity(labels["severity"])
        if "model_failed" in labels:
            if labels["model_failed"] is not None and not isinstance(labels["model_failed"], bool):
                raise ValidationFailed("model_failed: true, false or null", field="model_failed")
            turn.model_failed = labels["model_failed"]
        if "note" in labels:
            if not isinstance(labels["note"], str) or len(labels["note"]) > 5000:
                raise ValidationFailed("note: text of at most 5000 characters", field="note")
            turn.note = labels["note"]
        turn.labeled_at = utcnow()
        s.flush()
        return _turn(turn)


def finish_session(db: Database, actor: Actor, project_id: int, session_id: int) -> SessionInfo:
    """Closes the conversation; every reply must say whether the model failed (the report counts it)."""
    authorize(actor, "redteam.test")
    with db.write() as s:
        row = _own_open(s, actor, project_id, session_id)
        info = _session(s, row)
        if any(t.pending for t in info.turns):
            raise Conflict("a reply is still being written: wait for it (or stop it) before finishing")
        unlabeled = [t.position for t in info.turns if t.answered and t.model_failed is None]
        if unlabeled:
            raise ValidationFailed(f"model_failed: reply {unlabeled[0]} has no verdict yet (set model_failed on "
                                   f"every reply before finishing)", field="model_failed")
        row.status, row.finished_at = "finished", utcnow()
        s.flush()
        return _session(s, row)


def reopen_session(db: Database, actor: Actor, project_id: int, session_id: int) -> SessionInfo:
    """The tester takes a finished session back to fix its labels (after a disagreeing review, say):
    it is open again, its review cleared, and out of the report until finished again."""
    authorize(actor, "redteam.test")
    with db.write() as s:
        row = _load(s, actor, project_id, session_id)
        if row.tester_id != actor.user_id:
            raise Conflict("only the session's tester may reopen it")
        if row.status == "open":
            raise Conflict("the session is already open")
        row.status, row.finished_at = "open", None
        row.reviewer_id, row.review_verdict, row.reviewed_at = None, None, None
        s.flush()
        return _session(s, row)


def review_session(db: Database, actor: Actor, project_id: int, session_id: int, verdict: object,
                   note: object = "") -> SessionInfo:
    """A second person agrees or disagrees with the tester's labels (not the tester themselves)."""
    authorize(actor, "redteam.review")
    if verdict not in _VERDICTS:
        raise ValidationFailed("verdict: agree or disagree", field="verdict")
    if not isinstance(note, str) or len(note) > 5000:
        raise ValidationFailed("note: text of at most 5000 characters", field="note")
    if verdict == "disagree" and not note.strip():
        raise ValidationFailed("note: say what you disagree with", field="note")
    with db.write() as s:
        row = _load(s, actor, project_id, session_id)
        if row.tester_id == actor.user_id:
            raise Conflict("a session is reviewed by someone other than its tester")
        if row.status == "open":
            raise Conflict("the session is still open: its tester finishes it first")
        row.status, row.reviewer_id, row.review_verdict = "reviewed", actor.user_id, verdict
        row.review_note, row.reviewed_at = note, utcnow()
        s.flush()
        return _session(s, row)
