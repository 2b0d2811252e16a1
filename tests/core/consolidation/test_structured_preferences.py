"""Golden cases for text-ranking consolidation: per dimension Bradley-Terry with ties, the Likert
vote with strength, classes per response by vote, and the registered consolidator reading them."""

from __future__ import annotations

from typing import Any

from labelworks.core.consolidation.base import Answer
from labelworks.core.consolidation.structured import similarity
from labelworks.core.consolidation.structured.consolidators import RankingBradleyTerry
from labelworks.core.consolidation.structured.preferences import consolidate_preferences, likert_winner
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec

IDS = ["a", "b", "c"]


def _v(ranks: list[int], *, choice: int | None = None, classes: dict[str, list[str]] | None = None) -> dict[str, Any]:
    value: dict[str, Any] = {"responseIds": IDS, "ordinalRankingDimensions": [{"name": "overall", "responseRankings": ranks}]}
    if choice is not None:
        winner, strength = likert_winner(choice, 5)
        value["pairwiseChoice"] = {"left": "a", "right": "b", "choice": choice, "points": 5, "winner": winner,
                                   "strength": strength}
    if classes is not None:
        value["responseClassifications"] = [{"responseId": x, "labels": classes.get(x, [])} for x in IDS]
    return value


def test_likert_winner_and_strength() -> None:
    assert [likert_winner(c, 5) for c in range(1, 6)] == [("left", 2), ("left", 1), ("tie", 0), ("right", 1), ("right", 2)]
    assert [likert_winner(c, 4) for c in range(1, 5)] == [("left", 2), ("left", 1), ("right", 1), ("right", 2)]


def test_majority_order_wins_and_confidence_is_the_agreeing_share() -> None:
    got = consolidate_preferences([("w1", _v([1, 2, 3])), ("w2", _v([1, 2, 3])), ("w3", _v([2, 1, 3]))])
    (dim,) = got.value["ordinalRankingDimensions"]  # type: ignore[misc]
    assert dim["responseRankings"] == [1, 2, 3]
    # 9 judgements, 8 agree with a > b > c
    assert got.confidence_map["overall"] == round(8 / 9, 4) and got.votes == 3


def test_ties_stay_ties() -> None:
    got = consolidate_preferences([("w1", _v([1, 1, 3])), ("w2", _v([1, 1, 3]))])
    assert got.value["ordinalRankingDimensions"][0]["responseRankings"] == [1, 1, 3]  # type: ignore[index]
    assert got.confidence == 1.0


def test_one_worker_keeps_their_ranks() -> None:
    got = consolidate_preferences([("w1", _v([3, 1, 2]))])
    assert got.value["ordinalRankingDimensions"][0]["responseRankings"] == [3, 1, 2]  # type: ignore[index]


def test_likert_vote_with_strength() -> None:
    got = consolidate_preferences([("w1", _v([1, 2, 3], choice=1)), ("w2", _v([1, 2, 3], choice=2)),
                                   ("w3", _v([1, 2, 3], choice=1)), ("w4", _v([1, 2, 3], choice=5))])
    # left wins 3 of 4; strengths 2, 1, 2 average 1.67 -> 2 -> "A much better"
    assert got.value["pairwiseChoice"] == {"left": "a", "right": "b", "choice": 1, "points": 5, "winner": "left",
                                           "strength": 2}
    assert got.confidence_map["pairwiseChoice"] == 0.75


def test_classes_by_vote_per_response() -> None:
    got = consolidate_preferences([("w1", _v([1, 2, 3], classes={"a": ["helpful"], "c": ["harmful"]})),
                                   ("w2", _v([1, 2, 3], classes={"a": ["helpful", "honest"]})),
                                   ("w3", _v([1, 2, 3], classes={"a": ["helpful"], "c": ["harmful"]}))])
    assert got.value["responseClassifications"] == [{"responseId": "a", "labels": ["helpful"]},
                                                    {"responseId": "b", "labels": []},
                                                    {"responseId": "c", "labels": ["harmful"]}]
    assert got.confidence_map["a.honest"] == round(1 / 3, 4)


def test_answers_in_another_id_order_are_the_same_judgement() -> None:
    shuffled = {"responseIds": ["c", "a", "b"], "ordinalRankingDimensions": [{"name": "overall", "responseRankings": [3, 1, 2]}]}
    assert similarity("ranking", _v([1, 2, 3]), shuffled) == 1.0
    assert similarity("ranking", _v([1, 2, 3]), _v([3, 2, 1])) == 0.0


def test_registered_consolidator_reads_text_ranking_values() -> None:
    spec = ProjectSpec(parse_label_config(["overall"]))
    answers = [Answer(item="i1", worker=w, value=v) for w, v in
               (("w1", _v([1, 2, 3])), ("w2", _v([1, 3, 2])), ("w3", _v([1, 2, 3])))]
    fit = RankingBradleyTerry().fit(answers, spec, {"bootstrap": 20})
    value = fit.results["i1"].value
    assert value["ordinalRankingDimensions"][0]["responseRankings"] == [1, 2, 3]  # type: ignore[index]
    assert len(value["ordinalRankingDimensions"][0]["intervals"]) == 3  # type: ignore[index]
    assert fit.worker_quality["w2"] < fit.worker_quality["w1"] == 1.0


def test_pairwise_vote_reads_likert_strength_and_text_ranking_choices() -> None:
    from labelworks.core.consolidation.structured.ranking import consolidate_pairwise

    got = consolidate_pairwise([("w1", {"left": "a", "right": "b", "winner": "left", "strength": 2}),
                                ("w2", {"left": "b", "right": "a", "winner": "right", "strength": 1}),  # a again
                                ("w3", {"left": "a", "right": "b", "winner": "right", "strength": 2})])
    assert got.value == {"left": "a", "right": "b", "winner": "left", "strength": 2}  # (2 + 1) / 2 = 1.5: halves round up
    # text-ranking answers: their pairwiseChoice is the comparison
    answers = [(w, _v([1, 2, 3], choice=c)) for w, c in (("w1", 4), ("w2", 5), ("w3", 3))]
    got = consolidate_pairwise(answers)
    assert got.value == {"left": "a", "right": "b", "winner": "right", "strength": 2}
    assert got.confidence == round(2 / 3, 4)
    plain = consolidate_pairwise([("w1", {"left": "a", "right": "b", "winner": "tie"})])
    assert "strength" not in plain.value
