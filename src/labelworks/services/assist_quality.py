"""How good are a project's model pre-labels? Precision, recall and F1 of the model's proposals
(the ``source: "model"`` entities in the items' ``lw-pre-annotations``) against the project's
final answers (the consolidated labels), entity-level, typed and untyped, per label.

Compared items: those with a final answer whose pre-annotations hold an ``entities`` list (a
pre-labeling run writes the list even when the model found nothing, so "the model saw it and
proposed nothing" counts its misses). Items never pre-labeled are left out, not counted as misses.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy import select

from ..authz import authorize
from ..core.actor import Actor
from ..core.span_metrics import Span, score_spans
from ..db.engine import Database
from ..db.models import Consolidation, Item
from .projects import load_visible

__all__ = ["model_quality", "SUPPORTED_TASK_TYPES"]

PRE_ANNOTATIONS_KEY = "lw-pre-annotations"
SUPPORTED_TASK_TYPES = ("named-entity-recognition",)
_CHUNK = 1000


def _spans(entities: Any, model_only: bool, models: Counter[str] | None = None) -> list[Span]:
    out: list[Span] = []
    if not isinstance(entities, list):
        return out
    for e in entities:
        if not isinstance(e, dict):
            continue
        if model_only:
            if e.get("source") != "model":
                continue
            if models is not None:
                models[str(e.get("model", "?"))] += 1
        start, end, label = e.get("startOffset"), e.get("endOffset"), e.get("label")
        if isinstance(start, int) and isinstance(end, int) and isinstance(label, str):
            out.append((start, end, label))
    return out


def model_quality(db: Database, actor: Actor, project_id: int) -> dict[str, Any]:
    """``{task_type, supported, answered, compared, models: {name: proposals}, documents, typed,
    untyped, per_label}`` (each score ``{precision, recall, f1, true_positives, proposed, gold}``)."""
    authorize(actor, "quality.view")
    with db.read() as s:
        p = load_visible(s, actor, project_id)
        task_type = p.task_type
        answers = dict(s.execute(select(Consolidation.item_id, Consolidation.value)
                                 .where(Consolidation.project_id == project_id)).all())
    base: dict[str, Any] = {"task_type": task_type, "supported": task_type in SUPPORTED_TASK_TYPES,
                            "answered": len(answers), "compared": 0, "models": {}}
    if task_type not in SUPPORTED_TASK_TYPES:
        return base
    proposed: list[list[Span]] = []
    gold: list[list[Span]] = []
    models: Counter[str] = Counter()
    ids = sorted(answers)
    for start in range(0, len(ids), _CHUNK):
        with db.read() as s:
            rows = s.execute(select(Item.id, Item.data).where(Item.id.in_(ids[start:start + _CHUNK]))).all()
        for item_id, raw in rows:
            pre = json.loads(raw).get(PRE_ANNOTATIONS_KEY)
            if not isinstance(pre, dict) or not isinstance(pre.get("entities"), list):
                continue
            proposed.append(_spans(pre["entities"], model_only=True, models=models))
            gold.append(_spans(json.loads(answers[item_id]).get("entities"), model_only=False))
    scores = score_spans(proposed, gold)
    return {**base, "compared": len(proposed), "models": dict(models), **scores.as_dict()}
