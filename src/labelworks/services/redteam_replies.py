"""Red-team replies while they are written, and after the process writing them died.

A reply is stored before the model is asked (``redteam.add_user_turn`` opens it in the ``streaming``
state), saved as it arrives (``save_reply``), and its heartbeat refreshed every couple of seconds
(``beat``) by the process streaming it. When that process dies (a restart, a crash) the heartbeat
goes stale; the page then asks again (``claim_stale``), which takes the reply over — one claimant
wins, by comparing the heartbeat it read — and regenerates it *into the same turn*, so a recovered
reply is never a second turn. The tester can stop replies being written (``stop_replies``); a
writer that finds its turn no longer ``streaming`` stops.

``retry_plan``/``open_retry`` answer the last message again for the models whose reply to it
failed (the failed reply stays in the transcript, the new one after it).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..authz import authorize
from ..core.actor import Actor
from ..core.errors import Conflict
from ..db.base import utcnow
from ..db.engine import Database
from ..db.models import RedteamTurn
from .redteam import (PendingReply, SessionInfo, SessionModel, TurnInfo, _own_open, _session, _turn,
                      history, open_pending)

__all__ = ["retry_models", "retry_plan", "open_retry", "claim_stale", "save_reply", "why_ended", "beat", "stop_replies",
           "STOPPED"]

STOPPED = "stopped by the tester"


def _open_info(s: Session, actor: Actor, project_id: int, session_id: int) -> SessionInfo:
    return _session(s, _own_open(s, actor, project_id, session_id))


def retry_models(info: SessionInfo) -> list[SessionModel]:
    """The models whose reply to the last message failed or never came (still connected; none while
    a reply is being written)."""
    last_user = max((t.position for t in info.turns if t.role == "user"), default=None)
    if last_user is None:
        return []
    after = [t for t in info.turns if t.position > last_user]
    out = []
    for m in info.models:
        mine = [t for t in after if (t.slot or 0) == m.slot]
        if m.connection_id is not None and (not mine or mine[-1].error is not None):
            out.append(m)
    return out


def _retry_models(info: SessionInfo) -> list[SessionModel]:
    if any(t.pending for t in info.turns):
        raise Conflict("a reply is still being written: wait for it (or stop it) first")
    return retry_models(info)


def retry_plan(db: Database, actor: Actor, project_id: int,
               session_id: int) -> list[tuple[SessionModel, list[dict[str, str]]]]:
    """What a retry would ask, nothing stored yet (the caller checks each call can be made first):
    each model whose reply to the last message failed, with the conversation it is sent."""
    authorize(actor, "redteam.test")
    with db.read() as s:
        info = _open_info(s, actor, project_id, session_id)
    models = _retry_models(info)
    if not models:
        raise Conflict("the last message has its reply: send a new message instead")
    return [(m, history(info.turns, m.slot)) for m in models]


def open_retry(db: Database, actor: Actor, project_id: int, session_id: int, slots: list[int]) -> list[PendingReply]:
    """Open the new replies for the models ``retry_plan`` named (checked again: another tab may have)."""
    authorize(actor, "redteam.test")
    with db.write() as s:
        row = _own_open(s, actor, project_id, session_id)
        info = _session(s, row)
        models = [m for m in _retry_models(info) if m.slot in slots]
        if not models:
            raise Conflict("the last message has its reply: send a new message instead")
        return open_pending(s, row, models, max(t.position for t in info.turns) + 1)


def claim_stale(db: Database, actor: Actor, project_id: int, session_id: int) -> list[PendingReply]:
    """Take over the replies whose writer died (heartbeat older than ``STALE_AFTER_S``): their text is
    cleared and their heartbeat renewed, only where it is still the one read (so of two tabs asking
    at once, one gets each reply). Empty when no reply is stale."""
    authorize(actor, "redteam.test")
    claimed: list[PendingReply] = []
    with db.write() as s:
        row = _own_open(s, actor, project_id, session_id)
        info = _session(s, row)
        by_slot = {m.slot: m for m in info.models}
        for t in info.turns:
            if not t.stale:
                continue
            m = by_slot.get(t.slot or 0)
            current = s.get(RedteamTurn, t.id)
            assert current is not None
            if m is None or m.connection_id is None:
                current.state, current.error = None, "the model was removed from the project"
                continue
            done = s.execute(update(RedteamTurn).where(
                RedteamTurn.id == t.id, RedteamTurn.state == "streaming",
                RedteamTurn.heartbeat_at == current.heartbeat_at).values(content="", heartbeat_at=utcnow())
                .execution_options(synchronize_session=False))
            if getattr(done, "rowcount", 0) == 1:
                claimed.append(PendingReply(t.id, m.slot, m.connection_id, m.model,
                                            tuple(history(info.turns, m.slot, before=t.position))))
    return claimed


def save_reply(db: Database, turn_id: int, content: str, *, final: bool = False, generation_id: int | None = None,
               error: str | None = None) -> TurnInfo | None:
    """What arrived so far (or, ``final``, the whole reply and its error). None when the turn is no
    longer being written (the tester stopped it, or another process took it over): the writer stops.
    Called by the writer, which was authorized when it started."""
    with db.write() as s:
        values: dict[str, object] = {"content": content, "heartbeat_at": utcnow()}
        if final:
            values.update(state=None, generation_id=generation_id, error=error)
        done = s.execute(update(RedteamTurn).where(RedteamTurn.id == turn_id, RedteamTurn.state == "streaming")
                         .values(**values).execution_options(synchronize_session=False))
        if getattr(done, "rowcount", 0) != 1:
            return None
        row = s.get(RedteamTurn, turn_id)
        assert row is not None
        s.refresh(row)
        return _turn(row)


def why_ended(db: Database, turn_id: int) -> str:
    """Why a writer found its turn no longer its own: the turn's error (``stopped by the tester``),
    or, still being written, that another process took it over."""
    with db.read() as s:
        row = s.get(RedteamTurn, turn_id)
        if row is None:
            return "cancelled: the reply was deleted"
        if row.state == "streaming":
            return "cancelled: another server process took the reply over"
        return row.error or "cancelled: the reply was already stored"


def beat(db: Database, turn_ids: list[int]) -> None:
    """The writer is alive: renew the heartbeat of its replies still being written."""
    if not turn_ids:
        return
    with db.write() as s:
        s.execute(update(RedteamTurn).where(RedteamTurn.id.in_(turn_ids), RedteamTurn.state == "streaming")
                  .values(heartbeat_at=utcnow()).execution_options(synchronize_session=False))


def stop_replies(db: Database, actor: Actor, project_id: int, session_id: int) -> SessionInfo:
    """The tester stops the replies being written: what arrived is kept, marked stopped (a failed
    reply: left out of later turns, and ``retry`` can ask again)."""
    authorize(actor, "redteam.test")
    with db.write() as s:
        row = _own_open(s, actor, project_id, session_id)
        s.execute(update(RedteamTurn).where(RedteamTurn.session_id == row.id, RedteamTurn.state == "streaming")
                  .values(state=None, error=STOPPED).execution_options(synchronize_session=False))
        s.flush()
        s.expire_all()
        return _session(s, row)
