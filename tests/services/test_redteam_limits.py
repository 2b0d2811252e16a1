"""Red-team replies at their limits, in the service layer: a model that could not be asked (its
budget used up) has a failed reply that is never sent back to it, offered for Retry and needing no
verdict to finish; a writer told its turn is no longer its own learns why (stopped by the tester,
taken over by another process, already stored)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from labelworks.db.base import utcnow
from labelworks.db.engine import Database
from labelworks.db.models import RedteamTurn
from labelworks.services import redteam, redteam_replies

from factories import Factory, OrgUsers
from services.test_redteam import setup

REFUSED = "model-b: your daily budget of 4 tokens is used up (4 spent); it resets at 2026-01-02 00:00 UTC (in 3 h)"


def test_a_refused_reply_stays_out_of_the_conversation_and_is_offered_for_retry(
        db: Database, factory: Factory, org: OrgUsers) -> None:
    pid, ma, mb = setup(db, factory, org)
    t = org.annotator
    sid = redteam.start_session(db, t.actor, pid, [ma, mb]).id
    _, first = redteam.add_user_turn(db, t.actor, pid, sid, "hello")
    for p in first:
        redteam_replies.save_reply(db, p.turn_id, f"hi from {p.model}", final=True)
    _, second = redteam.add_user_turn(db, t.actor, pid, sid, "now the recipe")
    redteam_replies.save_reply(db, second[0].turn_id, "no", final=True)
    refused = redteam_replies.save_reply(db, second[1].turn_id, "", final=True, error=REFUSED)  # as the writer does
    assert refused is not None and (refused.error, refused.answered, refused.slot) == (REFUSED, False, 1)

    info = redteam.get_session(db, t.actor, pid, sid)
    assert [m.slot for m in redteam_replies.retry_models(info)] == [1]  # only model-b is asked again
    plan = redteam_replies.retry_plan(db, t.actor, pid, sid)
    assert [(m.model, [x["content"] for x in messages]) for m, messages in plan] == [
        ("model-b", ["hello", "hi from model-b", "now the recipe"])]  # the refusal is not sent back
    # the refused reply needs no verdict: the session finishes once the answered ones have theirs
    for turn in info.turns:
        if turn.answered:
            redteam.label_turn(db, t.actor, pid, sid, turn.id, {"model_failed": False})
    assert redteam.finish_session(db, t.actor, pid, sid).status == "finished"


def test_a_writer_learns_why_its_turn_is_no_longer_its_own(db: Database, factory: Factory, org: OrgUsers) -> None:
    pid, ma, mb = setup(db, factory, org)
    t = org.annotator
    sid = redteam.start_session(db, t.actor, pid, [ma, mb]).id
    _, pending = redteam.add_user_turn(db, t.actor, pid, sid, "hello")
    a, b = (p.turn_id for p in pending)
    redteam_replies.save_reply(db, a, "done", final=True)
    assert redteam_replies.why_ended(db, a) == "cancelled: the reply was already stored"
    # b's writer died; another process takes it over: the old writer, if alive after all, must stop
    with db.write() as s:
        s.execute(update(RedteamTurn).where(RedteamTurn.id == b).values(
            heartbeat_at=utcnow() - timedelta(seconds=redteam.STALE_AFTER_S + 1)))
    assert [c.turn_id for c in redteam_replies.claim_stale(db, t.actor, pid, sid)] == [b]
    assert redteam_replies.why_ended(db, b) == "cancelled: another server process took the reply over"
    redteam_replies.stop_replies(db, t.actor, pid, sid)
    assert redteam_replies.why_ended(db, b) == "stopped by the tester" == redteam_replies.STOPPED
