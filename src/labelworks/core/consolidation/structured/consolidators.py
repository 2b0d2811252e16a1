"""The structured algorithms as :class:`Consolidator` subclasses, registered by the builtin plugin.

Per-item algorithms (boxes, polygons, masks, keypoints, spans, rankings, pairwise, text medoid)
look at one item at a time: ``fit`` loops over items and ``update`` is the base class's refit.
Two learn about workers across items and keep it in ``state``:

* ``rating-robust-mean``: worker biases (``update`` applies them to new answers);
* ``text-rover``: worker agreement; with ``reweight``, vote weights of a second pass (and of
  ``update``).

Every consolidator accepts ``worker_weights`` (worker -> weight in [0, 1], default equal) among
its parameters, fixes gold items to their gold answer (confidence 1.0), and reports each worker's
quality as their mean :func:`~.similarity` to the consolidated answers of items that more than
one worker answered (or that are gold).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ...tasktypes.base import ProjectSpec
from ..base import Answer, Consolidator, Fit
from ..majority import Consolidated
from ..pairwise import bradley_terry
from . import similarity
from .attributes import carry_attributes
from .boxes import consolidate_boxes
from .keypoints import consolidate_keypoints
from .masks import consolidate_masks, consolidate_polygons
from .preferences import consolidate_preferences, is_preference_value
from .ranking import consolidate_pairwise, consolidate_ranking, parse_pairwise
from .ratings import fit_ratings, parse_rating, rating_results
from .segmentation import consolidate_instances, consolidate_semantic
from .relations import consolidate_ner
from .text import consolidate_text_medoid, consolidate_text_rover

__all__ = [
    "BoxConsensus",
    "InstanceMaskConsensus",
    "KeypointConsensus",
    "MaskPixelVote",
    "PairwiseVote",
    "PolygonPixelVote",
    "RankingBradleyTerry",
    "RatingRobustMean",
    "SegmentationPixelVote",
    "SpanJaccardConsensus",
    "TextMedoid",
    "TextRover",
    "structured_consolidators",
]

ItemAnswers = list[tuple[str, Mapping[str, Any]]]


def _by_item(answers: Sequence[Answer]) -> dict[str, ItemAnswers]:
    """Answers grouped per item, items and workers sorted (a repeated worker keeps the last)."""
    grouped: dict[str, dict[str, Mapping[str, Any]]] = {}
    for a in answers:
        grouped.setdefault(a.item, {})[a.worker] = a.value
    return {item: sorted(grouped[item].items()) for item in sorted(grouped)}


def _weights(params: Mapping[str, Any]) -> Mapping[str, float] | None:
    weights = params.get("worker_weights")
    if weights is not None and not isinstance(weights, Mapping):
        raise ValueError("worker_weights: expected an object of worker -> weight in [0, 1]")
    return weights


def _worker_quality(kind: str, grouped: Mapping[str, ItemAnswers], results: Mapping[str, Consolidated],
                    gold: Mapping[str, Mapping[str, Any]] | None) -> dict[str, float]:
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for item, item_answers in grouped.items():
        if len(item_answers) < 2 and not (gold and item in gold):
            continue
        reference = results[item].value
        for worker, value in item_answers:
            try:
                score = similarity(kind, value, reference)
            except ValueError as exc:  # a gold answer of another shape (a mask of another size…)
                raise ValueError(f"item {item!r}, worker {worker!r}: {exc}") from None
            sums[worker] = sums.get(worker, 0.0) + score
            counts[worker] = counts.get(worker, 0) + 1
    return {w: round(sums[w] / counts[w], 4) for w in sorted(sums)}


def _gold_result(value: Mapping[str, Any], votes: int, method: str) -> Consolidated:
    # one 1.0 per object of the value's list (boxes, entities, ranked items…)
    objects = next((v for v in value.values() if isinstance(v, list)), [])
    return Consolidated(value=dict(value), confidence=1.0, votes=votes, method=method,
                        object_confidence=tuple(1.0 for _ in objects))


class _PerItem(Consolidator):
    """Runs a one-item function over every item; subclasses set ``kind`` and ``_one``."""

    kind: str

    def _one(self, answers: ItemAnswers, spec: ProjectSpec, params: Mapping[str, Any],
             weights: Mapping[str, float] | None) -> Consolidated:
        raise NotImplementedError

    def fit(
        self,
        answers: Sequence[Answer],
        spec: ProjectSpec,
        params: Mapping[str, Any],
        gold: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Fit:
        merged = self.params(params)
        weights = _weights(merged)
        grouped = _by_item(answers)
        results: dict[str, Consolidated] = {}
        for item, item_answers in grouped.items():
            if gold and item in gold:
                results[item] = _gold_result(gold[item], len(item_answers), self.name)
            else:
                try:
                    # the geometric algorithms build new objects: their attribute values are voted apart
                    results[item] = carry_attributes(self._one(item_answers, spec, merged, weights),
                                                     [v for _, v in item_answers])
                except ValueError as exc:
                    raise ValueError(f"item {item!r}: {exc}") from None
        return Fit(method=self.name, params=merged, results=results,
                   worker_quality=_worker_quality(self.kind, grouped, results, gold))


def _labels(spec: ProjectSpec) -> Sequence[str]:
    return spec.labels.labels


class BoxConsensus(_PerItem):
    name = "box-iou-consensus"
    title = "Bounding boxes: IoU matching (Hungarian), quorum, weighted mean box"
    value_kinds = frozenset({"boxes"})
    kind = "boxes"
    defaults = {"iou_threshold": 0.5, "quorum": None, "worker_weights": None}

    def _one(self, answers: ItemAnswers, spec: ProjectSpec, params: Mapping[str, Any],
             weights: Mapping[str, float] | None) -> Consolidated:
        return consolidate_boxes(answers, label_order=_labels(spec), weights=weights,
                                 iou_threshold=params["iou_threshold"], quorum=params["quorum"], method=self.name)


class PolygonPixelVote(_PerItem):
    name = "polygon-pixel-vote"
    title = "Polygons: IoU matching, pixel-wise weighted vote per instance"
    value_kinds = frozenset({"polygons"})
    kind = "polygons"
    defaults = {"iou_threshold": 0.5, "quorum": None, "worker_weights": None}

    def _one(self, answers: ItemAnswers, spec: ProjectSpec, params: Mapping[str, Any],
             weights: Mapping[str, float] | None) -> Consolidated:
        return consolidate_polygons(answers, label_order=_labels(spec), weights=weights,
                                    iou_threshold=params["iou_threshold"], quorum=params["quorum"],
                                    method=self.name)


class MaskPixelVote(_PerItem):
    name = "mask-pixel-vote"
    title = "Segmentation masks: pixel-wise weighted vote"
    value_kinds = frozenset({"mask"})
    kind = "mask"
    defaults = {"worker_weights": None}

    def _one(self, answers: ItemAnswers, spec: ProjectSpec, params: Mapping[str, Any],
             weights: Mapping[str, float] | None) -> Consolidated:
        return consolidate_masks(answers, weights=weights, method=self.name)


class SegmentationPixelVote(_PerItem):
    name = "segmentation-pixel-vote"
    title = "Semantic segmentation (PNG label maps): pixel-wise weighted vote"
    value_kinds = frozenset({"semantic-segmentation"})
    kind = "semantic-segmentation"
    defaults = {"worker_weights": None}

    def _one(self, answers: ItemAnswers, spec: ProjectSpec, params: Mapping[str, Any],
             weights: Mapping[str, float] | None) -> Consolidated:
        return consolidate_semantic(answers, label_order=_labels(spec), weights=weights, method=self.name)


class InstanceMaskConsensus(_PerItem):
    name = "instance-mask-consensus"
    title = "Instance segmentation: mask IoU matching (Hungarian), pixel vote per instance"
    value_kinds = frozenset({"instance-segmentation"})
    kind = "instance-segmentation"
    defaults = {"iou_threshold": 0.5, "quorum": None, "worker_weights": None}

    def _one(self, answers: ItemAnswers, spec: ProjectSpec, params: Mapping[str, Any],
             weights: Mapping[str, float] | None) -> Consolidated:
        return consolidate_instances(answers, label_order=_labels(spec), weights=weights,
                                     iou_threshold=params["iou_threshold"], quorum=params["quorum"],
                                     method=self.name)


class KeypointConsensus(_PerItem):
    name = "keypoint-consensus"
    title = "Keypoints: per-label clusters within a radius, weighted median"
    value_kinds = frozenset({"keypoints"})
    kind = "keypoints"
    defaults = {"radius": 0.05, "radius_px": None, "quorum": None, "worker_weights": None}

    def _one(self, answers: ItemAnswers, spec: ProjectSpec, params: Mapping[str, Any],
             weights: Mapping[str, float] | None) -> Consolidated:
        return consolidate_keypoints(answers, label_order=_labels(spec), weights=weights, radius=params["radius"],
                                     radius_px=params["radius_px"], quorum=params["quorum"], method=self.name)


class SpanJaccardConsensus(_PerItem):
    name = "span-jaccard-consensus"
    title = "Text spans: Jaccard clusters, boundaries by mode then median, label vote; relations, document labels"
    value_kinds = frozenset({"spans"})
    kind = "spans"
    defaults = {"jaccard_threshold": 0.5, "quorum": None, "worker_weights": None}

    def _one(self, answers: ItemAnswers, spec: ProjectSpec, params: Mapping[str, Any],
             weights: Mapping[str, float] | None) -> Consolidated:
        # named-entity answers: entities by span consensus, then their relations and document labels
        return consolidate_ner(answers, spec.labels, weights=weights, jaccard_threshold=params["jaccard_threshold"],
                               quorum=params["quorum"], method=self.name)


class RankingBradleyTerry(_PerItem):
    name = "ranking-bradley-terry"
    title = "Rankings: Bradley-Terry over the implied pairs, bootstrap intervals"
    value_kinds = frozenset({"ranking"})
    kind = "ranking"
    # off by default: every submit re-answers its item in the request, and each bootstrap resample is
    # one more Bradley-Terry fit per dimension (~2 ms); 50 resamples added ~0.1 s per dimension there.
    # A project that wants intervals sets it (then a full run is where it belongs).
    defaults = {"bootstrap": 0, "seed": 0, "worker_weights": None}

    def _one(self, answers: ItemAnswers, spec: ProjectSpec, params: Mapping[str, Any],
             weights: Mapping[str, float] | None) -> Consolidated:
        if any(is_preference_value(v) for _, v in answers):  # text-ranking: per dimension, Likert, classes
            return consolidate_preferences(answers, weights=weights, bootstrap=int(params["bootstrap"]),
                                           seed=int(params["seed"]), method=self.name)
        return consolidate_ranking(answers, weights=weights, bootstrap=int(params["bootstrap"]),
                                   seed=int(params["seed"]), method=self.name)


class PairwiseVote(_PerItem):
    """Per comparison a weighted vote; over the project, Bradley-Terry scores kept in ``state``."""

    name = "pairwise-vote"
    title = "Pairwise preferences: weighted vote per pair, Bradley-Terry scores over the project"
    value_kinds = frozenset({"pairwise"})
    kind = "pairwise"
    defaults = {"worker_weights": None}

    def _one(self, answers: ItemAnswers, spec: ProjectSpec, params: Mapping[str, Any],
             weights: Mapping[str, float] | None) -> Consolidated:
        return consolidate_pairwise(answers, weights=weights, method=self.name)

    def fit(
        self,
        answers: Sequence[Answer],
        spec: ProjectSpec,
        params: Mapping[str, Any],
        gold: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Fit:
        result = super().fit(answers, spec, params, gold)
        comparisons = sorted(parse_pairwise(a.value, f"item {a.item!r}") for a in answers)
        if comparisons:
            bt = bradley_terry([c[0] for c in comparisons], [c[1] for c in comparisons], [c[2] for c in comparisons])
            result.state = {"bradley_terry": bt.as_dict(), "ranks": dict(zip(bt.items, bt.ranks, strict=True))}
        return result


class TextMedoid(_PerItem):
    name = "text-medoid"
    title = "Free text: the answer closest to the others (1 - word error rate)"
    value_kinds = frozenset({"text"})
    kind = "text"
    defaults = {"worker_weights": None}

    def _one(self, answers: ItemAnswers, spec: ProjectSpec, params: Mapping[str, Any],
             weights: Mapping[str, float] | None) -> Consolidated:
        return consolidate_text_medoid(answers, weights=weights, method=self.name)


class TextRover(_PerItem):
    """ROVER word vote; with ``reweight`` a second pass weights workers by their agreement.

    The fit's ``state["worker_weights"]`` holds each worker's agreement with the first pass either
    way; ``update`` uses it as vote weights only when ``reweight`` is on.
    """

    name = "text-rover"
    title = "Free text: ROVER-style word alignment and vote (transcriptions, translations)"
    value_kinds = frozenset({"text"})
    kind = "text"
    # off by default: it helps CrowdSpeech and CrowdWSA T1/T2 but costs J1 1.7 WER points
    # (bench/RESULTS.md, "Issue 3: structured consensus")
    defaults = {"worker_weights": None, "reweight": False}
    worker_model = True  # with reweight, update() reuses the worker weights of the last full fit

    def _one(self, answers: ItemAnswers, spec: ProjectSpec, params: Mapping[str, Any],
             weights: Mapping[str, float] | None) -> Consolidated:
        return consolidate_text_rover(answers, weights=weights, method=self.name)

    def fit(
        self,
        answers: Sequence[Answer],
        spec: ProjectSpec,
        params: Mapping[str, Any],
        gold: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Fit:
        first = super().fit(answers, spec, params, gold)
        merged = self.params(params)
        if not merged["reweight"] or merged["worker_weights"] is not None or not first.worker_quality:
            first.state = {"worker_weights": first.worker_quality}
            return first
        second = super().fit(answers, spec, {**merged, "worker_weights": first.worker_quality}, gold)
        second.params = merged
        second.state = {"worker_weights": first.worker_quality}
        return second

    def update(
        self,
        answers: Sequence[Answer],
        spec: ProjectSpec,
        params: Mapping[str, Any],
        state: Mapping[str, Any],
        gold: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> dict[str, Consolidated]:
        merged = self.params(params)
        weights = merged["worker_weights"]
        if weights is None and merged["reweight"]:
            weights = state.get("worker_weights") or None
        return _PerItem.fit(self, answers, spec, {**merged, "worker_weights": weights}, gold).results


class RatingRobustMean(Consolidator):
    """Worker biases fitted across items (``state``), then a Huber mean per item."""

    name = "rating-robust-mean"
    title = "Numeric ratings: robust mean after removing each worker's bias"
    value_kinds = frozenset({"rating"})
    worker_model = True  # update() applies the worker biases of the last full fit
    defaults = {"scale_min": None, "scale_max": None, "shrinkage": 10.0, "huber_k": 3.0, "worker_weights": None}

    def _run(self, answers: Sequence[Answer], params: Mapping[str, Any],
             biases: Mapping[str, float] | None, scale: Sequence[float] | None) -> Any:
        latest = {(a.item, a.worker): a.value for a in answers}  # a repeated pair keeps its last answer
        keys = sorted(latest)
        ratings = [parse_rating(latest[k], f"item {k[0]!r}, worker {k[1]!r}") for k in keys]
        lo = params["scale_min"] if params["scale_min"] is not None else (scale[0] if scale else None)
        hi = params["scale_max"] if params["scale_max"] is not None else (scale[1] if scale else None)
        return fit_ratings([k[0] for k in keys], [k[1] for k in keys], ratings,
                           worker_weights=_weights(params), biases=biases, scale_min=lo, scale_max=hi,
                           shrinkage=float(params["shrinkage"]), huber_k=float(params["huber_k"]))

    def fit(
        self,
        answers: Sequence[Answer],
        spec: ProjectSpec,
        params: Mapping[str, Any],
        gold: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Fit:
        merged = self.params(params)
        fitted = self._run(answers, merged, None, None)
        results = rating_results(fitted, self.name)
        for item in list(results):
            if gold and item in gold:
                results[item] = _gold_result(gold[item], results[item].votes, self.name)
        return Fit(method=self.name, params=merged, results=results, worker_quality=fitted.quality,
                   state={"biases": fitted.biases, "scale": list(fitted.scale)}, iterations=fitted.iterations)

    def update(
        self,
        answers: Sequence[Answer],
        spec: ProjectSpec,
        params: Mapping[str, Any],
        state: Mapping[str, Any],
        gold: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> dict[str, Consolidated]:
        merged = self.params(params)
        fitted = self._run(answers, merged, dict(state.get("biases", {})), state.get("scale"))
        results = rating_results(fitted, self.name)
        for item in list(results):
            if gold and item in gold:
                results[item] = _gold_result(gold[item], results[item].votes, self.name)
        return results


_ALL: tuple[Callable[[], Consolidator], ...] = (
    BoxConsensus, PolygonPixelVote, MaskPixelVote, SegmentationPixelVote, InstanceMaskConsensus,
    KeypointConsensus, SpanJaccardConsensus,
    RankingBradleyTerry, PairwiseVote, RatingRobustMean, TextMedoid, TextRover,
)


def structured_consolidators() -> list[Consolidator]:
    """One instance of each structured algorithm (the builtin plugin registers them)."""
    return [make() for make in _ALL]
