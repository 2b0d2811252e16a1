"""Agreement on the two parts of a named-entity answer beyond its entities: relations and
document labels (the entities' own figure is the mean pairwise soft span F1, services/metrics.py).

* **relations** — for every item and every pair of its annotators, :func:`relation_overlap`
  counts the relations both drew (entities paired by the entity agreement's rule, same label,
  same direction); the project's figure is the micro-averaged pairwise F1,
  2 x Σ both / Σ (in a + in b). Pairs where neither drew a relation add nothing; with no relation
  anywhere the figure is undefined (``None``).
* **document labels** — nominal Krippendorff's alpha and Fleiss' kappa on the set of document
  labels each annotator chose (none chosen counts as an answer), and per label the yes/no
  question, as multi-label classification is measured. Only for projects that declare
  document labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

from ..core.agreement import set_agreement
from ..core.labels import LabelConfig
from ..core.span_metrics import relation_overlap

__all__ = ["relation_agreement", "document_label_agreement"]


def relation_agreement(answers_by_item: Sequence[Sequence[Mapping[str, Any]]]) -> dict[str, Any]:
    """Micro-averaged pairwise relation F1 over items answered two times or more."""
    both = drawn = pairs = 0
    for answers in answers_by_item:
        for a, b in combinations(answers, 2):
            hits, in_a, in_b = relation_overlap(a, b)
            both, drawn = both + hits, drawn + in_a + in_b
            pairs += 1 if in_a + in_b else 0
    return {"f1": round(2 * both / drawn, 4) if drawn else None, "agreed": both, "drawn": drawn,
            "pairs": pairs}


def document_label_agreement(triples: Sequence[tuple[int, str, Mapping[str, Any]]],
                             labels: LabelConfig) -> dict[str, Any] | None:
    """Alpha / kappa on the document labels of (item, worker, answer) triples; ``None`` when the
    project declares no document labels."""
    if not labels.document_labels:
        return None
    chosen = [[x for x in (v.get("documentLabels") or []) if isinstance(x, str)] for _, _, v in triples]
    result = set_agreement([t[0] for t in triples], [t[1] for t in triples], chosen, labels.document_labels)
    return {"alpha": result.alpha, "fleiss_kappa": result.fleiss_kappa, "items": result.items,
            "answers": result.answers, "per_label": result.per_label}
