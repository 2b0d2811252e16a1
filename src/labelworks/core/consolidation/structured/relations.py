"""Named entities with relations and document labels (the ``named-entity-recognition`` value).

Value shape (docs/task-types/named-entity-recognition.md)::

    {"entities": [{"label": "person", "startOffset": 0, "endOffset": 8, "id": "e1"}, ...],
     "relations": [{"label": "works_for", "from": "e1", "to": "e2"}],
     "documentLabels": ["sports"]}

Algorithm (:func:`consolidate_ner`):

* **entities** — :func:`~.spans.consolidate_spans` (Jaccard clusters, quorum, boundaries by mode
  then median, label vote), one confidence per entity; the kept entities get ids ``e1``… in order.
* **relations** — each worker's entities are matched to the consolidated entities by the
  Hungarian algorithm on Jaccard overlap (at least the span threshold; like labels preferred),
  so a worker's relation ``from``/``to`` ids become consolidated entities. A relation (label,
  from, to) is kept when the workers who drew it meet the quorum (default: more than half of the
  weight); a relation whose ends were not kept or collapse onto one entity is dropped. Its
  confidence = support x the label's share of the weight of all relations drawn on that ordered
  pair.
* **document labels** — multi-label: each label kept with more than half of the weight (or the
  quorum); single: the heaviest label, kept likewise. Confidence = its share of the weight.

The item's confidence is the mean of the parts present (entities; relations and document labels
when any worker gave one), each part being the mean over its candidates of the kept ones' score
and the dropped ones' 1 - support; one answer gives 0.0. ``confidence_map`` holds
``relations[i]`` and ``documentLabels.<label>`` for the kept ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from ...labels import LabelConfig
from ..majority import Consolidated
from ._common import FloatArray, confidence, quorum_met, resolve_weights
from .spans import Span, consolidate_spans, jaccard_matrix

__all__ = ["consolidate_ner", "match_to_consensus"]


def match_to_consensus(spans: Sequence[Span], consensus: Sequence[Span], threshold: float) -> dict[int, int]:
    """Which consensus span each of ``spans`` (one worker's) stands for: {index: consensus index}.

    Hungarian on Jaccard overlap (pairs below ``threshold`` do not count), a tiny bonus for the
    same label so that equally good matches pair like with like; each consensus span takes at
    most one of the worker's spans.
    """
    if not spans or not consensus:
        return {}
    base = jaccard_matrix(spans, consensus)
    bonus = np.array([[1e-6 if s[0] == c[0] else 0.0 for c in consensus] for s in spans])
    rows, cols = linear_sum_assignment(base + bonus, maximize=True)
    return {int(r): int(c) for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
            if base[r, c] >= threshold - 1e-12 and base[r, c] > 0}


def _worker_relations(value: Mapping[str, Any], consensus: Sequence[Span],
                      threshold: float) -> set[tuple[int, int, str]]:
    """One worker's relations as (consensus from, consensus to, label); unmatched ends are dropped."""
    entities = [e for e in value.get("entities", []) if isinstance(e, Mapping)]
    spans: list[Span] = [(str(e["label"]), int(e["startOffset"]), int(e["endOffset"])) for e in entities]
    # the worker's spans in a fixed order, so the matching does not depend on how they were listed
    order = sorted(range(len(spans)), key=lambda i: (spans[i][1], spans[i][2], spans[i][0]))
    matched = match_to_consensus([spans[i] for i in order], consensus, threshold)
    by_id: dict[str, int] = {}
    for rank, i in enumerate(order):
        ent_id = entities[i].get("id")
        if ent_id is not None and rank in matched:
            by_id[str(ent_id)] = matched[rank]
    out: set[tuple[int, int, str]] = set()
    for rel in value.get("relations", []) or []:
        if not isinstance(rel, Mapping) or not isinstance(rel.get("label"), str):
            continue
        a, b = by_id.get(str(rel.get("from"))), by_id.get(str(rel.get("to")))
        if a is not None and b is not None and a != b:
            out.add((a, b, rel["label"]))
    return out


def _part_score(kept: Sequence[float], dropped: Sequence[float]) -> float:
    scores = [*kept, *(1.0 - s for s in dropped)]
    return float(np.mean(scores)) if scores else 1.0


def consolidate_ner(
    answers: Sequence[tuple[str, Mapping[str, Any]]],
    labels: LabelConfig,
    *,
    weights: Mapping[str, float] | None = None,
    jaccard_threshold: float = 0.5,
    quorum: float | int | None = None,
    method: str = "span-jaccard-consensus",
) -> Consolidated:
    """One document's consensus entities, relations and document labels (see the module doc)."""
    spans_answer = consolidate_spans(answers, label_order=labels.labels, weights=weights,
                                     jaccard_threshold=jaccard_threshold, quorum=quorum, method=method)
    raw_entities: Any = spans_answer.value["entities"]
    # two clusters can settle on the same span and label: keep it once, with the better confidence
    best: dict[Span, float] = {}
    for ent, conf in zip(raw_entities, spans_answer.object_confidence, strict=True):
        key: Span = (ent["label"], ent["startOffset"], ent["endOffset"])
        best[key] = max(conf, best.get(key, 0.0))
    consensus = sorted(best, key=lambda s: (s[1], s[2], s[0]))
    entities = [{"label": s[0], "startOffset": s[1], "endOffset": s[2], "id": f"e{i + 1}"}
                for i, s in enumerate(consensus)]
    value: dict[str, Any] = {"entities": entities}
    n = len(answers)
    w = resolve_weights([worker for worker, _ in answers], weights)
    total = float(w.sum())
    parts = [_item_score(spans_answer, n)]
    conf_map: dict[str, float] = {}

    if any(a.get("relations") for _, a in answers):
        relations, rel_conf, part = _relations(answers, consensus, w, total, jaccard_threshold, quorum)
        if relations:
            value["relations"] = relations
        conf_map.update({f"relations[{i}]": confidence(c, n) for i, c in enumerate(rel_conf)})
        parts.append(part)

    if any(a.get("documentLabels") for _, a in answers):
        chosen, doc_conf, part = _document_labels(answers, labels, w, total, quorum)
        if chosen:
            value["documentLabels"] = chosen
        conf_map.update({f"documentLabels.{lab}": confidence(c, n) for lab, c in zip(chosen, doc_conf, strict=True)})
        parts.append(part)

    return Consolidated(
        value=value,
        confidence=confidence(float(np.mean(parts)), n),
        confidence_map=conf_map,
        votes=n,
        method=method,
        object_confidence=tuple(best[s] for s in consensus),  # already through confidence()
    )


def _item_score(answer: Consolidated, n: int) -> float:
    # the span consensus already rounded its item score; with one worker it is 0.0 either way
    return answer.confidence if n > 1 else 0.0


def _relations(answers: Sequence[tuple[str, Mapping[str, Any]]], consensus: Sequence[Span], w: FloatArray,
               total: float, threshold: float,
               quorum: float | int | None) -> tuple[list[dict[str, str]], list[float], float]:
    support: dict[tuple[int, int, str], float] = {}
    count: dict[tuple[int, int, str], int] = {}
    for p, (_, value) in enumerate(answers):
        for rel in _worker_relations(value, consensus, threshold):
            support[rel] = support.get(rel, 0.0) + float(w[p])
            count[rel] = count.get(rel, 0) + 1
    pair_weight: dict[tuple[int, int], float] = {}
    for (a, b, _), s in support.items():
        pair_weight[(a, b)] = pair_weight.get((a, b), 0.0) + s
    kept: list[tuple[tuple[int, int, str], float]] = []
    dropped: list[float] = []
    for rel in sorted(support):
        share = support[rel] / total
        if quorum_met(share, count[rel], quorum):
            kept.append((rel, share * support[rel] / pair_weight[rel[:2]]))
        else:
            dropped.append(share)
    relations = [{"label": lab, "from": f"e{a + 1}", "to": f"e{b + 1}"} for (a, b, lab), _ in kept]
    return relations, [c for _, c in kept], _part_score([c for _, c in kept], dropped)


def _document_labels(answers: Sequence[tuple[str, Mapping[str, Any]]], labels: LabelConfig, w: FloatArray,
                     total: float, quorum: float | int | None) -> tuple[list[str], list[float], float]:
    support: dict[str, float] = {}
    count: dict[str, int] = {}
    for p, (_, value) in enumerate(answers):
        for lab in set(value.get("documentLabels", []) or []):
            support[lab] = support.get(lab, 0.0) + float(w[p])
            count[lab] = count.get(lab, 0) + 1
    rank = {lab: i for i, lab in enumerate(labels.document_labels)}
    candidates = sorted(support, key=lambda lab: (rank.get(lab, len(rank)), lab))
    if not labels.multi_document_labels:
        # one label per document: only the heaviest may be kept (ties: the project's order)
        top = min(candidates, key=lambda lab: (-round(support[lab], 9), rank.get(lab, len(rank)), lab))
        candidates = [top] + [lab for lab in candidates if lab != top]
    chosen: list[str] = []
    conf: list[float] = []
    dropped: list[float] = []
    for i, lab in enumerate(candidates):
        share = support[lab] / total
        if (labels.multi_document_labels or i == 0) and quorum_met(share, count[lab], quorum):
            chosen.append(lab)
            conf.append(share)
        else:
            dropped.append(share)
    order = sorted(range(len(chosen)), key=lambda i: (rank.get(chosen[i], len(rank)), chosen[i]))
    chosen, conf = [chosen[i] for i in order], [conf[i] for i in order]
    return chosen, conf, _part_score(conf, dropped)
