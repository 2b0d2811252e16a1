"""Entity-level precision, recall and F1 of proposed spans against gold spans (pure functions).

The measure CoNLL and WNUT report: a proposed entity counts as correct only when its offsets match
a gold entity exactly; **typed** also needs the same label, **untyped** compares offsets only.
Used by the model-quality service (a model's pre-labels against the project's final answers) and
by ``bench/ner_prelabel_quality.py`` (spaCy against WNUT-17's gold).

A span is ``(start, end, label)``; every function takes one list of spans per document, so an
entity is matched only inside its own document. Duplicates inside one document count once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Span", "PRF", "SpanScores", "score_spans", "bio_spans"]

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
