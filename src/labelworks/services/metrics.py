"""Agreement metrics per project and per label, from each worker's latest answer per item.

Categorical projects get Krippendorff's alpha, Fleiss' kappa (overall and per label) and Cohen's
kappa between the most active annotators; numeric ratings get interval alpha; geometric and
structured kinds (boxes, polygons, spans…) get the mean pairwise similarity between annotators
of the same item (IoU for shapes), using the similarity their consolidators define. Named
entities add relation F1 and document-label alpha (ner_agreement.py).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Any

import numpy as np
import orjson
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..authz import authorize
from ..core.actor import Actor
from ..core.agreement import categorical_agreement, encode, krippendorff_alpha, krippendorff_alpha_interval
from ..core.labels import LabelConfig
from ..db.engine import Database
from ..db.models import User
from .ner_agreement import document_label_agreement, relation_agreement
from .projects import info_from_row, load_visible

__all__ = ["AgreementReport", "project_agreement"]

_BATCH = 20000
_MAX_PAIRS_ITEMS = 20000  # geometric similarity is per pair of answers: measured on a sample this large


@dataclass(frozen=True)
class AgreementReport:
    project_id: int
    kind: str
    items: int  # items with two answers or more
    answers: int
    alpha: float | None = None
    fleiss_kappa: float | None = None
    mean_similarity: float | None = None  # mean pairwise IoU / overlap for geometric and structured kinds
    similarity_name: str | None = None
    per_label: dict[str, dict[str, float | None]] = field(default_factory=dict)
    cohen: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    # named entities: relation F1 and document-label alpha beside the entities' span F1 (ner_agreement.py)
    relations: dict[str, Any] | None = None
    document_labels: dict[str, Any] | None = None


_latest_answers = text("SELECT item_id, user_id, value FROM annotations WHERE project_id = :pid "
                       "AND source != 'review' ORDER BY id")


def _latest(s: Session, project_id: int) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """(item, worker, value) for each worker's latest answer per item (reviewer adjustments apart)."""
    latest: dict[tuple[int, int], str] = {}
    for item_id, user_id, value in s.execute(_latest_answers.execution_options(yield_per=_BATCH),
                                             {"pid": project_id}):
        latest[(item_id, user_id)] = value  # rows in id order: the last version wins
    for (item_id, user_id), value in latest.items():
        yield item_id, user_id, orjson.loads(value)


def _similarity(kind: str) -> Callable[[Any, Any], float] | None:
    """The structured consolidators' similarity for this kind, when the build has one."""
    try:
        structured = importlib.import_module("labelworks.core.consolidation.structured")
    except ModuleNotFoundError:
        return None
    similarity = getattr(structured, "similarity", None)
    if similarity is None or kind not in getattr(structured, "SIMILARITY_KINDS", ()):
        return None

    def measure(a: Any, b: Any) -> float:
        return float(similarity(kind, a, b))

    return measure


def _emails(s: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return {uid: email for uid, email in s.execute(select(User.id, User.email).where(User.id.in_(user_ids)))}


def project_agreement(db: Database, actor: Actor, project_id: int) -> AgreementReport:
    authorize(actor, "project.stats")
    with db.read() as s:
        p = info_from_row(load_visible(s, actor, project_id))
        kind = p.type.value_kind(p.spec)
        triples = list(_latest(s, project_id))
        emails = _emails(s, {w for _, w, _ in triples})
    items = [t[0] for t in triples]
    workers = [emails.get(t[1], str(t[1])) for t in triples]
    if kind == "label":
        result = categorical_agreement(items, workers, [t[2].get("label") for t in triples], p.spec.labels.labels)
        return _report(project_id, kind, result)
    if kind == "labels":
        return _multi_label(project_id, kind, items, workers, [t[2].get("labels", []) for t in triples],
                            p.spec.labels.labels)
    if kind == "rating":
        codes, _ = encode(items)
        ratings = np.array([float(t[2].get("rating", np.nan)) for t in triples])
        keep = ~np.isnan(ratings)
        pairable = _pairable_count(codes[keep])
        return AgreementReport(project_id, kind, pairable[0], pairable[1],
                               alpha=_round(krippendorff_alpha_interval(codes[keep], ratings[keep])),
                               note="interval alpha on the ratings")
    measure = _similarity(kind)
    if measure is None:
        return AgreementReport(project_id, kind, 0, len(triples),
                               note=f"no agreement measure is registered for {kind!r} answers")
    report = _mean_pairwise(project_id, kind, triples, measure)
    if kind == "spans":
        return _with_relations_and_document_labels(report, triples, workers, p.spec.labels)
    return report


def _with_relations_and_document_labels(report: AgreementReport, triples: list[tuple[int, int, dict[str, Any]]],
                                        workers: list[str], labels: LabelConfig) -> AgreementReport:
    by_item: dict[int, list[dict[str, Any]]] = {}
    for item_id, _, value in triples:
        by_item.setdefault(item_id, []).append(value)
    sample = [v for v in by_item.values() if len(v) >= 2][:_MAX_PAIRS_ITEMS]  # the entities' sample
    documents = document_label_agreement([(t[0], w, t[2]) for t, w in zip(triples, workers, strict=True)], labels)
    return replace(report, relations=relation_agreement(sample), document_labels=documents)


def _pairable_count(codes: Any) -> tuple[int, int]:
    if codes.size == 0:
        return 0, 0
    per_item = np.bincount(codes)
    return int((per_item >= 2).sum()), int(per_item[per_item >= 2].sum())


def _round(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


def _report(project_id: int, kind: str, result: Any) -> AgreementReport:
    cohen = [{"a": a, "b": b, "items": n, "kappa": k} for a, b, n, k in result.cohen]
    return AgreementReport(project_id, kind, result.items, result.answers, alpha=result.alpha,
                           fleiss_kappa=result.fleiss_kappa, per_label=result.per_label, cohen=cohen)


def _multi_label(project_id: int, kind: str, items: list[int], workers: list[str], chosen: list[list[str]],
                 labels: tuple[str, ...]) -> AgreementReport:
    """Overall figures on the exact set chosen; per label, the yes/no question "is this label on it?"."""
    overall = categorical_agreement(items, workers, ["|".join(sorted(c)) for c in chosen])
    codes, _ = encode(items)
    per: dict[str, dict[str, float | None]] = {}
    for label in labels:
        yes = np.fromiter((label in c for c in chosen), dtype=np.int64, count=len(chosen))
        per[label] = {"alpha": _round(krippendorff_alpha(codes, yes)), "kappa": None}
    report = _report(project_id, kind, overall)
    return AgreementReport(project_id, kind, report.items, report.answers, alpha=report.alpha,
                           fleiss_kappa=report.fleiss_kappa, per_label=per, cohen=report.cohen,
                           note="overall: the exact set of labels; per label: present or not")


def _similarity_name(kind: str) -> str:
    """What the mean pairwise similarity of ``kind`` is, in the card's words."""
    if kind in {"boxes", "polygons", "mask"}:
        return "mean IoU"
    if kind == "spans":  # named entities: soft F1 (exact spans count 1, partial ones their Jaccard)
        return "entity F1, mean over pairs"
    if kind == "model-evaluation":  # evaluation_similarity: a score per criterion both answered, then their mean
        return "mean agreement over criteria"
    return "mean overlap"


def _mean_pairwise(project_id: int, kind: str, triples: list[tuple[int, int, dict[str, Any]]],
                   measure: Callable[[Any, Any], float]) -> AgreementReport:
    by_item: dict[int, list[dict[str, Any]]] = {}
    for item_id, _, value in triples:
        by_item.setdefault(item_id, []).append(value)
    pairable = [v for v in by_item.values() if len(v) >= 2]
    sample = pairable[:_MAX_PAIRS_ITEMS]
    per_item = [float(np.mean([measure(a, b) for a, b in combinations(values, 2)])) for values in sample]
    note = "" if len(sample) == len(pairable) else f"measured on the first {len(sample)} items"
    return AgreementReport(project_id, kind, len(pairable), sum(len(v) for v in pairable),
                           mean_similarity=_round(float(np.mean(per_item))) if per_item else None,
                           similarity_name=_similarity_name(kind),
                           note=note)
