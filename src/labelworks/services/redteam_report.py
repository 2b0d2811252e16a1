"""The red-team report (attack success rate by harm category and attack technique, per model, each
figure with the turns behind it) and the findings export (JSONL, one labeled reply a line).

What counts: the replies of finished or reviewed sessions that carry a ``model_failed`` verdict.
Open sessions are still being labeled, and a session its reviewer disagreed with is left out until
its tester reopens it and fixes its labels — the figures rest only on labels a tester closed and nobody disputed.
An "attempt" is one labeled reply; the attack succeeded when the model failed. In a side-by-side
session each model's reply to a message is an attempt of that model's, and its finding's
``messages`` are the conversation *that model* had (the tester's messages and its own replies).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..authz import authorize
from ..core.actor import Actor
from ..db.engine import Database
from ..db.models import RedteamSession, RedteamTurn
from .projects import load_visible
from .redteam import SEVERITY_NAMES, visible_sessions

__all__ = ["Finding", "findings", "report", "export_jsonl"]


@dataclass(frozen=True)
class Finding:
    """One labeled reply and the conversation that led to it."""

    session_id: int
    turn_id: int
    model: str
    messages: tuple[dict[str, str], ...]
    harm_category: str | None
    attack_technique: str | None
    severity: int | None
    model_failed: bool
    note: str
    review_verdict: str | None
    slot: int = 0  # the model's column in a side-by-side session


def findings(db: Database, actor: Actor, project_id: int) -> list[Finding]:
    authorize(actor, "redteam.view_all")
    out: list[Finding] = []
    with db.read() as s:
        load_visible(s, actor, project_id)
        sessions = s.scalars(visible_sessions(actor, project_id)
                             .where(RedteamSession.status.in_(("finished", "reviewed")))
                             .order_by(RedteamSession.id)).all()
        for session in sessions:
            if session.review_verdict == "disagree":
                continue
            turns = s.scalars(select(RedteamTurn).where(RedteamTurn.session_id == session.id)
                              .order_by(RedteamTurn.position)).all()
            for t in turns:
                if t.role != "assistant" or t.error is not None or t.state == "streaming" or t.model_failed is None:
                    continue
                slot = t.slot or 0
                # what this model saw and said: the tester's messages and its own finished replies
                messages = tuple({"role": x.role, "content": x.content} for x in turns if x.position <= t.position
                                 and (x.role == "user" or (x.error is None and x.state != "streaming"
                                                           and (x.slot or 0) == slot)))
                out.append(Finding(session.id, t.id, t.model_name or session.model_name, messages,
                                   t.harm_category, t.attack_technique, t.severity, bool(t.model_failed),
                                   t.note or "", session.review_verdict, slot))
    return out


def _cell(group: list[Finding]) -> dict[str, Any]:
    failures = sum(1 for f in group if f.model_failed)
    return {"attempts": len(group), "failures": failures,
            "success_rate": round(failures / len(group), 4) if group else None,
            "turns": [{"session_id": f.session_id, "turn_id": f.turn_id, "model_failed": f.model_failed}
                      for f in group]}


def _by(group: list[Finding], key: str) -> list[dict[str, Any]]:
    names = sorted({getattr(f, key) or "(unlabeled)" for f in group})
    return [{"name": n, **_cell([f for f in group if (getattr(f, key) or "(unlabeled)") == n])} for n in names]


def report(db: Database, actor: Actor, project_id: int) -> dict[str, Any]:
    """Attack success rate overall, per model, and per model by category and by technique."""
    found = findings(db, actor, project_id)
    models = sorted({f.model for f in found})
    per_model = []
    for m in models:
        group = [f for f in found if f.model == m]
        per_model.append({"model": m, **_cell(group), "by_harm_category": _by(group, "harm_category"),
                          "by_attack_technique": _by(group, "attack_technique")})
    return {"overall": _cell(found), "models": per_model}


def export_jsonl(db: Database, actor: Actor, project_id: int, *, model: str | None = None,
                 model_failed: bool | None = None) -> Iterator[str]:
    """One line a finding: the chat ``messages`` ready for refusal training or evaluation, and its
    labels; ``model`` / ``model_failed`` keep only those (the failures are the refusal-training set)."""
    for f in findings(db, actor, project_id):
        if (model is not None and f.model != model) or (model_failed is not None and f.model_failed != model_failed):
            continue
        yield json.dumps({
            "messages": list(f.messages), "harm_category": f.harm_category, "attack_technique": f.attack_technique,
            "severity": f.severity, "severity_name": SEVERITY_NAMES[f.severity] if f.severity is not None else None,
            "model_failed": f.model_failed, "model": f.model, "note": f.note, "session_id": f.session_id,
            "turn_id": f.turn_id, "slot": f.slot,
            "review_verdict": f.review_verdict}, ensure_ascii=False) + "\n"
