"""Entity-level precision, recall and F1 of proposed spans against gold spans (pure functions).

The measure CoNLL and WNUT report: a proposed entity counts as correct only when its offsets match
a gold entity exactly; **typed** also needs the same label, **untyped** compares offsets only.
Used by the model-quality service (a model's pre-labels against the project's final answers) and
by ``bench/ner_prelabel_quality.py`` (spaCy against WNUT-17's gold).

:func:`relation_overlap` compares two annotators' relations for agreement: their entities are
paired by the rule the entity agreement (``span_similarity``) uses, and a relation agrees when
both ends are paired and the label is the same.

A span is ``(start, end, label)``; every function takes one list of spans per document, so an
entity is matched only inside its own document. Duplicates inside one document count once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from .consolidation.structured.spans import jaccard_matrix, parse_spans

__all__ = ["Span", "PRF", "SpanScores", "score_spans", "bio_spans", "entity_pairs", "relation_overlap"]

Span = tuple[int, int, str]


@dataclass(frozen=True)
class PRF:
    true_positives: int
    proposed: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.proposed if self.proposed else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "true_positives": self.true_positives, "proposed": self.proposed, "gold": self.gold}


@dataclass(frozen=True)
class SpanScores:
    typed: PRF
    untyped: PRF
    per_label: dict[str, PRF] = field(default_factory=dict)
    documents: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "typed": self.typed.as_dict(), "untyped": self.untyped.as_dict(),
                "per_label": {k: v.as_dict() for k, v in sorted(self.per_label.items())}}


def score_spans(proposed: Iterable[Sequence[Span]], gold: Iterable[Sequence[Span]]) -> SpanScores:
    """Micro-averaged entity-level scores over paired documents (``proposed[i]`` against ``gold[i]``)."""
    tp = n_prop = n_gold = 0
    utp = u_prop = u_gold = 0
    label_tp: Counter[str] = Counter()
    label_prop: Counter[str] = Counter()
    label_gold: Counter[str] = Counter()
    documents = 0
    for p_doc, g_doc in zip(proposed, gold, strict=True):
        documents += 1
        p, g = set(p_doc), set(g_doc)
        hits = p & g
        tp, n_prop, n_gold = tp + len(hits), n_prop + len(p), n_gold + len(g)
        up, ug = {(s, e) for s, e, _ in p}, {(s, e) for s, e, _ in g}
        utp, u_prop, u_gold = utp + len(up & ug), u_prop + len(up), u_gold + len(ug)
        label_tp.update(lab for _, _, lab in hits)
        label_prop.update(lab for _, _, lab in p)
        label_gold.update(lab for _, _, lab in g)
    per_label = {lab: PRF(label_tp[lab], label_prop[lab], label_gold[lab])
                 for lab in set(label_prop) | set(label_gold)}
    return SpanScores(PRF(tp, n_prop, n_gold), PRF(utp, u_prop, u_gold), per_label, documents)


def bio_spans(tokens: Sequence[str], tags: Sequence[str]) -> tuple[str, list[Span]]:
    """A CoNLL sentence as text (tokens joined with single spaces) and its entities in code-point
    offsets. An ``I-`` tag that does not continue an entity of its type starts one (the usual
    lenient reading of BIO)."""
    text_parts: list[str] = []
    spans: list[Span] = []
    pos = 0
    current: list[Any] | None = None  # [start, end, label]
    for token, tag in zip(tokens, tags, strict=True):
        if text_parts:
            pos += 1
        start, end = pos, pos + len(token)
        text_parts.append(token)
        pos = end
        kind, _, label = tag.partition("-")
        if kind == "I" and current is not None and current[2] == label:
            current[1] = end
            continue
        if current is not None:
            spans.append((current[0], current[1], current[2]))
            current = None
        if kind in ("B", "I") and label:
            current = [start, end, label]
    if current is not None:
        spans.append((current[0], current[1], current[2]))
    return " ".join(text_parts), spans


def entity_pairs(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[int, int]:
    """Which entity of ``b`` each entity of ``a`` stands for ({index in a: index in b}): the rule of
    the entity agreement (``span_similarity``): only spans of the same label pair, the Hungarian
    algorithm maximises their summed Jaccard overlap, and a pair must overlap at all."""
    sa, sb = parse_spans(a, "a"), parse_spans(b, "b")
    if not sa or not sb:
        return {}
    same_label = np.array([[x[0] == y[0] for y in sb] for x in sa])
    jac = np.where(same_label, jaccard_matrix(sa, sb), 0.0)
    rows, cols = linear_sum_assignment(jac, maximize=True)
    return {int(r): int(c) for r, c in zip(rows.tolist(), cols.tolist(), strict=True) if jac[r, c] > 0}


def _relations(value: Mapping[str, Any]) -> set[tuple[int, int, str]]:
    """(head entity index, tail entity index, label) of each relation whose ends resolve by id."""
    index = {str(e.get("id")): i for i, e in enumerate(value.get("entities") or [])
             if isinstance(e, Mapping) and e.get("id") is not None}
    out: set[tuple[int, int, str]] = set()
    for rel in value.get("relations") or []:
        if not isinstance(rel, Mapping) or not isinstance(rel.get("label"), str):
            continue
        head, tail = index.get(str(rel.get("from"))), index.get(str(rel.get("to")))
        if head is not None and tail is not None:
            out.add((head, tail, rel["label"]))
    return out


def relation_overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[int, int, int]:
    """(relations both drew, relations in ``a``, relations in ``b``) for two answers of one
    document: a relation of ``a`` is also in ``b`` when ``b`` has a relation with the same label
    from the entity paired with its head to the entity paired with its tail (direction counts).
    Pairwise F1 = 2 x both / (in a + in b)."""
    ra, rb = _relations(a), _relations(b)
    if not ra or not rb:
        return 0, len(ra), len(rb)
    paired = entity_pairs(a, b)
    both = {(paired[h], paired[t], lab) for h, t, lab in ra if h in paired and t in paired} & rb
    return len(both), len(ra), len(rb)
