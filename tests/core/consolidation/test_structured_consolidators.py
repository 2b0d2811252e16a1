"""The structured algorithms through the Consolidator contract: fit, update, gold, worker quality."""

from __future__ import annotations

import pytest

from labelworks.core.consolidation.base import Answer
from labelworks.core.consolidation.structured.consolidators import (
    BoxConsensus,
    PairwiseVote,
    RatingRobustMean,
    TextRover,
    structured_consolidators,
)
from labelworks.core.labels import LabelConfig
from labelworks.core.tasktypes.base import ProjectSpec

SPEC = ProjectSpec(labels=LabelConfig(labels=("car", "dog")))


def box(label: str, left: float) -> dict[str, object]:
    return {"label": label, "left": left, "top": 0, "width": 10, "height": 10}


def test_names_are_unique_kebab_case_with_kinds() -> None:
    algos = structured_consolidators()
    names = [c.name for c in algos]
    assert len(set(names)) == len(names)
    assert all(n == n.lower() and " " not in n for n in names)
    assert {k for c in algos for k in c.value_kinds} == {
        "boxes", "polygons", "mask", "keypoints", "spans", "ranking", "pairwise", "rating", "text",
        "semantic-segmentation", "instance-segmentation"}


def test_box_fit_per_item_gold_and_worker_quality() -> None:
    answers = [
        Answer("i1", "a", {"boxes": [box("car", 0)]}), Answer("i1", "b", {"boxes": [box("car", 0)]}),
        Answer("i1", "c", {"boxes": [box("car", 40)]}),
        Answer("i2", "a", {"boxes": []}), Answer("i2", "b", {"boxes": []}),
        Answer("i3", "a", {"boxes": [box("dog", 0)]}),
    ]
    algo = BoxConsensus()
    fit = algo.fit(answers, SPEC, {"iou_threshold": 0.5}, gold={"i3": {"boxes": [box("car", 0)]}})
    assert fit.method == "box-iou-consensus" and fit.params["iou_threshold"] == 0.5
    assert fit.results["i1"].value == {"boxes": [box("car", 0.0)]}
    assert fit.results["i2"].confidence == 1.0
    assert fit.results["i3"].value == {"boxes": [box("car", 0)]} and fit.results["i3"].object_confidence == (1.0,)
    assert fit.worker_quality == {"a": pytest.approx(2 / 3, abs=1e-4), "b": 1.0, "c": 0.0}
    assert algo.update(answers[:3], SPEC, {}, fit.state)["i1"] == fit.results["i1"]
    with pytest.raises(KeyError, match="no parameter"):
        algo.params({"iou": 0.3})
    with pytest.raises(ValueError, match="item 'bad'"):
        algo.fit([Answer("bad", "a", {"boxes": "nope"})], SPEC, {})


def test_rating_state_carries_biases_to_update() -> None:
    answers = [Answer(f"i{i}", w, {"rating": base + off})
               for i, base in enumerate([10.0, 20.0, 30.0, 40.0])
               for w, off in (("hi", 4.0), ("lo", -4.0), ("zero", 0.0))]
    algo = RatingRobustMean()
    fit = algo.fit(answers, SPEC, {"shrinkage": 0.0, "scale_min": 0, "scale_max": 50})
    assert fit.state["biases"]["hi"] == pytest.approx(4.0, abs=1e-6)
    assert fit.results["i2"].value == {"rating": 30.0}
    # a new item rated only by the biased worker: the bias is taken off
    new = algo.update([Answer("i9", "hi", {"rating": 29.0}), Answer("i9", "lo", {"rating": 21.0})],
                      SPEC, {"shrinkage": 0.0, "scale_min": 0, "scale_max": 50}, fit.state)
    assert new["i9"].value == {"rating": 25.0} and new["i9"].confidence == 1.0


def test_text_rover_reweights_by_agreement() -> None:
    answers = [Answer(f"s{i}", w, {"text": t}) for i, sentence in enumerate(["a b c d", "e f g h", "i j k l"])
               for w, t in (("good1", sentence), ("good2", sentence), ("bad", "x y z"))]
    algo = TextRover()
    assert algo.fit(answers, SPEC, {}).params["reweight"] is False
    fit = algo.fit(answers, SPEC, {"reweight": True})
    assert fit.state["worker_weights"]["bad"] < fit.state["worker_weights"]["good1"]
    assert fit.results["s0"].value == {"text": "a b c d"}
    # with the learned weights, the good worker outvotes the bad one on a new item
    out = algo.update([Answer("n", "good1", {"text": "p q"}), Answer("n", "bad", {"text": "r s"})], SPEC,
                      {"reweight": True}, fit.state)
    assert out["n"].value == {"text": "p q"}


def test_pairwise_state_has_bradley_terry_scores() -> None:
    answers = [Answer("c1", "a", {"left": "m1", "right": "m2", "winner": "left"}),
               Answer("c1", "b", {"left": "m1", "right": "m2", "winner": "left"}),
               Answer("c2", "a", {"left": "m2", "right": "m1", "winner": "tie"})]
    fit = PairwiseVote().fit(answers, SPEC, {})
    assert fit.results["c1"].value["winner"] == "left"
    scores = fit.state["bradley_terry"]
    assert scores["m1"] > scores["m2"] and sum(scores.values()) == pytest.approx(1.0)


def test_public_surface_is_pinned() -> None:
    from labelworks.core.consolidation import structured

    assert structured.__all__ == ["SIMILARITY_KINDS", "similarity"]
    assert structured.SIMILARITY_KINDS == {
        "label", "labels", "boxes", "polygons", "mask", "keypoints", "spans", "ranking", "pairwise", "rating", "text",
        "polylines", "lines", "semantic-segmentation", "instance-segmentation",
        "caption", "video-captions", "chat", "qa-pairs",  # demonstrations
        "model-evaluation"}
    with pytest.raises(ValueError, match="no similarity for value kind 'video'"):
        structured.similarity("video", {}, {})
    assert structured.similarity("labels", {"labels": ["a", "b"]}, {"labels": ["b", "c"]}) == pytest.approx(1 / 3)
    assert structured.similarity("label", {"label": "a"}, {"label": "a"}) == 1.0


def test_gold_of_another_shape_is_named() -> None:
    from labelworks.core.consolidation.structured.consolidators import MaskPixelVote

    answers = [Answer("m", "a", {"mask": [[0, 1]]}), Answer("m", "b", {"mask": [[0, 1]]})]
    with pytest.raises(ValueError, match="item 'm', worker 'a': mask shapes differ"):
        MaskPixelVote().fit(answers, SPEC, {}, gold={"m": {"mask": [[0, 1, 1]]}})


def test_the_builtin_plugin_registers_them_for_their_kinds() -> None:
    from labelworks.plugins.manager import build_plugin_manager, registry_from

    registry = registry_from(build_plugin_manager(load_entry_points=False))
    for algo in structured_consolidators():
        assert registry.consolidator(algo.name).value_kinds == algo.value_kinds
    assert [c.name for c in registry.consolidators_for("text")] == ["text-medoid", "text-rover"]
    assert [c.name for c in registry.consolidators_for("boxes")] == ["box-iou-consensus"]
