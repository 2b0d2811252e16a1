"""Consolidation of structured answers: boxes, polygons, masks, keypoints, spans, rankings,
pairwise preferences, ratings and free text (docs/consolidation-structured.md).

Each algorithm is a pure function over one item's ``(worker, value)`` answers (``consolidate_*``)
wrapped as a :class:`~labelworks.core.consolidation.base.Consolidator` in ``consolidators``.
:func:`similarity` scores one answer against another (or against a gold answer) in [0, 1] for any
value kind: gold scoring and agreement metrics use it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .boxes import box_similarity
from .demonstrations import caption_similarity, chat_similarity, qa_pairs_similarity, video_captions_similarity
from .evaluation_similarity import evaluation_similarity
from .keypoints import keypoint_similarity
from .lines import lines_similarity, polylines_similarity
from .masks import mask_similarity, polygon_similarity
from .ranking import pairwise_similarity, ranking_similarity
from .ratings import rating_similarity
from .segmentation import instance_similarity, semantic_similarity
from .spans import span_similarity
from .text import text_similarity

__all__ = ["SIMILARITY_KINDS", "similarity"]


def _label_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    for where, v in (("a", a), ("b", b)):
        if not isinstance(v, Mapping) or not isinstance(v.get("label"), str):
            raise ValueError(f"{where}.label: expected a string")
    return 1.0 if a["label"] == b["label"] else 0.0


def _labels_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    sets = []
    for where, v in (("a", a), ("b", b)):
        labels = v.get("labels") if isinstance(v, Mapping) else None
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise ValueError(f"{where}.labels: expected a list of strings")
        sets.append(set(labels))
    union = sets[0] | sets[1]
    return 1.0 if not union else len(sets[0] & sets[1]) / len(union)


_SIMILARITY: dict[str, Callable[..., float]] = {
    "label": _label_similarity,
    "labels": _labels_similarity,
    "boxes": box_similarity,
    "polygons": polygon_similarity,
    "mask": mask_similarity,
    "semantic-segmentation": semantic_similarity,
    "instance-segmentation": instance_similarity,
    "keypoints": keypoint_similarity,
    "polylines": polylines_similarity,
    "lines": lines_similarity,
    "spans": span_similarity,
    "ranking": ranking_similarity,
    "pairwise": pairwise_similarity,
    "rating": rating_similarity,
    "text": text_similarity,
    # demonstrations (core/tasktypes/qa_generation.py, chat_demonstration.py, captioning.py)
    "caption": caption_similarity,
    "video-captions": video_captions_similarity,
    "chat": chat_similarity,
    "qa-pairs": qa_pairs_similarity,
    # model evaluations (core/tasktypes/evaluation.py): the mean over criteria (evaluation_similarity.py)
    "model-evaluation": evaluation_similarity,
}

SIMILARITY_KINDS = frozenset(_SIMILARITY)


def similarity(kind: str, a: Mapping[str, Any], b: Mapping[str, Any], **params: Any) -> float:
    """How alike two answers of one value kind are, in [0, 1] (1 = the same answer).

    ``label``: equal or not; ``labels``: Jaccard of the sets; ``boxes``/``polygons``: soft F1 of
    IoU over label-matched pairs (Hungarian); ``mask``: mean IoU of the classes other than 0;
    ``semantic-segmentation``: the same on PNG label maps, by label; ``instance-segmentation``: soft
    F1 of mask IoU over label-matched instances;
    ``keypoints``: soft F1 of OKS-like scores (``radius_px``, default 20); ``spans``: soft F1 of
    Jaccard overlap (exact entity F1 on exact spans); ``ranking``: share of commonly ranked pairs
    in the same order, (Kendall's tau + 1) / 2; ``pairwise``: 1 same winner, 0.5 one tie, 0
    opposite; ``rating``: 1 - |a - b| / scale (``scale_min``, ``scale_max``), else 1 / (1 + |a - b|);
    ``text``: 1 - word-level edit distance / longer length; ``polylines``/``lines``:
    exp(-mean vertex distance / 2 % of the image diagonal); ``caption``, ``video-captions``, ``chat``,
    ``qa-pairs``: ``text`` on what the worker wrote (``demonstrations.py``); ``model-evaluation``: the
    mean over the criteria both answered (``evaluation_similarity.py``). Symmetric in ``a`` and ``b``.
    Raises ValueError for an unknown kind or a malformed value (naming the field).
    """
    try:
        fn = _SIMILARITY[kind]
    except KeyError:
        known = ", ".join(sorted(_SIMILARITY))
        raise ValueError(f"no similarity for value kind {kind!r} (known: {known})") from None
    return float(fn(a, b, **params))
