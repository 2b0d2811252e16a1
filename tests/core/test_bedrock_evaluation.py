"""Bedrock's human-evaluation output records (core/formats/bedrock_evaluation.py): every key is one
AWS documents (docs/formats.md cites the pages), each method's result in its documented shape, a
comparison Likert given for the pair as it was shown, unanswered items left out, and the writer
refusing a project of another type before writing anything."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.core.formats.bedrock_evaluation import (HUMAN_ANSWER_FIELDS, HUMAN_LOOP_FIELDS, RECORD_FIELDS,
                                                        bedrock_writer)
from labelworks.core.formats.records import ExportAnnotation, ExportItem
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.bounding_box import BOUNDING_BOX
from labelworks.core.tasktypes.evaluation import MODEL_EVALUATION

CRITERIA = ["accuracy", "toxicity", {"name": "preferred", "method": "choice"},
            {"name": "overall", "method": "rank"}, {"name": "head to head", "method": "comparison-likert"}]
SPEC = ProjectSpec(parse_label_config({"labels": [{"label": "evaluation"}], "criteria": CRITERIA}))
ITEM = {"prompt": "Hi", "referenceResponse": "Hello", "category": "chat", "id": "row-7",
        "modelResponses": [{"response": "Hello", "modelIdentifier": "a"}, {"response": "Yo", "modelIdentifier": "b"}]}
# every key a record may hold at each level: AWS's names (model-evaluation-report-s3, the SageMaker
# results page for the per-method entries); nothing of ours
EVALUATION_RESULT_FIELDS = {
    "thumbsUpDown": {"metricName", "modelResponseId", "result"},
    "individualLikertScale": {"metricName", "modelResponseId", "result"},
    "comparisonLikertScale": {"metricName", "leftModelResponseId", "rightModelResponseId", "result"},
    "comparisonChoice": {"metricName", "result"},
    "comparisonRank": {"metricName", "result"},
}


def _annotation(n: int, answer: dict[str, Any], active_ms: int | None = 4200) -> ExportAnnotation:
    value = MODEL_EVALUATION.normalize_with_item({"evaluation": answer}, SPEC, ITEM)
    return ExportAnnotation(n, f"rater{n}@example.org", value, 1, "human", active_ms, "2026-11-25T01:02:03.456",
                            "2026-11-25T01:01:00.000", None, n)


def _records(items: list[ExportItem]) -> list[dict[str, Any]]:
    return [orjson.loads(line) for chunk in bedrock_writer("bedrock-evaluation")(items, MODEL_EVALUATION, SPEC, "now")
            for line in chunk.splitlines()]


def test_records_carry_exactly_the_documented_fields() -> None:
    answers = [
        _annotation(1, {"criteria": {"accuracy": [5, 2], "toxicity": ["up", "down"], "preferred": 1,
                                     "overall": [1, 2], "head to head": 2}}),
        # saw b first: "head to head" 2 means b (left, as shown) somewhat better
        _annotation(2, {"displayOrder": ["b", "a"], "criteria": {"accuracy": [4, 3], "toxicity": ["up", "up"],
                                                                 "preferred": 1, "overall": [1, 2],
                                                                 "head to head": 2}}, active_ms=None),
    ]
    unanswered = ExportItem(2, "k2", orjson.dumps(ITEM))
    (record,) = _records([ExportItem(1, "k1", orjson.dumps(ITEM), answers), unanswered])
    assert tuple(record) == RECORD_FIELDS
    assert record["inputRecord"] == {"prompt": "Hi", "referenceResponse": "Hello", "category": "chat"}
    assert record["modelResponses"] == [{"modelIdentifier": "a", "response": "Hello"},
                                        {"modelIdentifier": "b", "response": "Yo"}]
    (loop,) = record["humanEvaluationResult"]
    assert tuple(loop) == HUMAN_LOOP_FIELDS and loop["humanLoopName"] == "k1"
    assert loop["modelResponseIdMap"] == {"0": "a", "1": "b"}
    metrics = loop["inputContent"]["evaluationMetrics"]
    assert set(loop["inputContent"]) == {"evaluationMetrics"}
    assert all(set(m) <= {"metricName", "description", "ratingMethod"} for m in metrics)
    assert [m["ratingMethod"] for m in metrics] == ["IndividualLikertScale", "ThumbsUpDown", "ComparisonChoice",
                                                    "ComparisonRank", "ComparisonLikertScale"]
    first, second = loop["humanAnswers"]
    for human in (first, second):
        assert tuple(human) == HUMAN_ANSWER_FIELDS
        assert set(human["answerContent"]) == {"evaluationResults"}
        assert set(human["workerMetadata"]["identityData"]) == {"identityProviderType", "sub"}
        for key, entries in human["answerContent"]["evaluationResults"].items():
            assert all(set(e) == EVALUATION_RESULT_FIELDS[key] for e in entries), key
    assert first["workerId"] == "private.labelworks.1" and first["timeSpentInSeconds"] == 4.2
    assert (first["acceptanceTime"], first["submissionTime"]) == ("2026-11-25T01:01:00.000Z",
                                                                  "2026-11-25T01:02:03.456Z")
    assert second["timeSpentInSeconds"] is None
    res1, res2 = (h["answerContent"]["evaluationResults"] for h in (first, second))
    assert res1["thumbsUpDown"] == [{"metricName": "toxicity", "modelResponseId": "0", "result": True},
                                    {"metricName": "toxicity", "modelResponseId": "1", "result": False}]
    assert res1["individualLikertScale"][1] == {"metricName": "accuracy", "modelResponseId": "1", "result": 2}
    assert res1["comparisonChoice"] == [{"metricName": "preferred", "result": {"modelResponseId": "0"}}]
    assert res2["comparisonChoice"] == [{"metricName": "preferred", "result": {"modelResponseId": "1"}}]
    assert res2["comparisonRank"] == [{"metricName": "overall", "result": [{"modelResponseId": "0", "rank": 2},
                                                                            {"modelResponseId": "1", "rank": 1}]}]
    assert res1["comparisonLikertScale"] == [{"metricName": "head to head", "leftModelResponseId": "0",
                                              "rightModelResponseId": "1", "result": 2}]
    # the pair as the second rater saw it, with the value they gave
    assert res2["comparisonLikertScale"] == [{"metricName": "head to head", "leftModelResponseId": "1",
                                              "rightModelResponseId": "0", "result": 2}]


def test_review_decisions_are_not_ratings_and_the_latest_answer_wins() -> None:
    old = _annotation(1, {"criteria": {"accuracy": [1, 1], "toxicity": ["down", "down"], "preferred": 2,
                                       "overall": [2, 1], "head to head": 5}})
    new = _annotation(1, {"criteria": {"accuracy": [5, 5], "toxicity": ["up", "up"], "preferred": 1,
                                       "overall": [1, 2], "head to head": 1}})
    review = ExportAnnotation(9, "boss@example.org", {"decision": "accept"}, 1, "review", None, "2026-11-25T02:00:00",
                              None, None, 9)
    (record,) = _records([ExportItem(1, "k1", orjson.dumps(ITEM), [old, new, review])])
    (human,) = record["humanEvaluationResult"][0]["humanAnswers"]
    assert human["answerContent"]["evaluationResults"]["individualLikertScale"][0]["result"] == 5


def test_the_writer_refuses_other_task_types_before_writing() -> None:
    with pytest.raises(ValidationFailed) as err:
        bedrock_writer("bedrock-evaluation")([], BOUNDING_BOX, SPEC, "now")
    assert err.value.field == "format" and "needs a model-evaluation project" in err.value.message


def test_replies_from_the_generate_job_are_model_responses() -> None:
    item = {"prompt": "Say hi", "lw-generations": {"big": {"text": "Hello!", "generation_id": 1},
                                                   "small": {"text": "hi", "generation_id": 2}}}
    value = MODEL_EVALUATION.normalize_with_item({"evaluation": {"criteria": {
        "accuracy": [3, 4], "toxicity": ["up", "up"], "preferred": 2, "overall": [2, 1], "head to head": 4}}},
        SPEC, item)
    answer = ExportAnnotation(1, "w@example.org", value, 1, "human", None, "2026-11-25T01:00:00+00:00", None, None, 1)
    (record,) = _records([ExportItem(1, "k", orjson.dumps(item), [answer])])
    assert record["inputRecord"] == {"prompt": "Say hi"}
    assert record["modelResponses"] == [{"modelIdentifier": "big", "response": "Hello!"},
                                        {"modelIdentifier": "small", "response": "hi"}]
    (human,) = record["humanEvaluationResult"][0]["humanAnswers"]
    assert human["submissionTime"] == "2026-11-25T01:00:00Z" and human["acceptanceTime"] is None
