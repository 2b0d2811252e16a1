"""Model-evaluation answers as Amazon Bedrock's human-evaluation output records (docs/formats.md,
"Bedrock human evaluation").

One JSON line per prompt that at least one rater answered, in the shape AWS documents for the
output of a model evaluation job that uses human workers (checked against AWS's pages, cited in
docs/formats.md; the field names below are theirs, none is ours):

* ``inputRecord``: the prompt record's ``prompt``, ``referenceResponse`` and ``category`` (those
  the item has), as Bedrock's human-evaluation example shows it;
* ``modelResponses``: ``[{"modelIdentifier", "response"}]`` in the item's order (its own
  ``modelResponses``, then replies the ``generate`` job stored);
* ``humanEvaluationResult``: a list holding one object per human loop (one loop per prompt here):
  ``humanLoopName`` (the item's key), ``inputContent.evaluationMetrics`` (``{metricName,
  description, ratingMethod}`` per criterion asked), ``modelResponseIdMap`` (``"0"``, ``"1"``… to
  the model identifiers) and ``humanAnswers``, one per rater with ``workerId``, ``workerMetadata``,
  ``acceptanceTime``, ``submissionTime``, ``timeSpentInSeconds`` and ``answerContent.
  evaluationResults`` keyed by method: ``thumbsUpDown`` / ``individualLikertScale`` ``[{metricName,
  modelResponseId, result}]`` (true for a thumb up; 1-5), ``comparisonLikertScale`` ``[{metricName,
  leftModelResponseId, rightModelResponseId, result}]``, ``comparisonChoice`` ``[{metricName,
  result: {modelResponseId}}]`` and ``comparisonRank`` ``[{metricName, result: [{modelResponseId,
  rank}]}]``.

Where AWS documents nothing we keep our own choices, each said where it is made below.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson

from ..errors import ValidationFailed
from ..tasktypes.evaluation import Criterion, asked, evaluation_criteria, item_model_responses
from .records import ExportAnnotation, ExportItem

__all__ = ["BEDROCK_EVALUATION_FORMATS", "BEDROCK_EVALUATION_MEDIA_TYPES", "RATING_METHOD", "RESULT_KEY",
           "RECORD_FIELDS", "HUMAN_LOOP_FIELDS", "HUMAN_ANSWER_FIELDS", "latest_answers", "bedrock_record",
           "bedrock_writer"]

BEDROCK_EVALUATION_FORMATS = ("bedrock-evaluation",)
BEDROCK_EVALUATION_MEDIA_TYPES = {"bedrock-evaluation": ("application/jsonl", "bedrock-evaluation_output.jsonl")}
# the ratingMethod values of Bedrock's HumanEvaluationCustomMetric (API reference)
RATING_METHOD = {"thumbs": "ThumbsUpDown", "likert": "IndividualLikertScale",
                 "comparison-likert": "ComparisonLikertScale", "choice": "ComparisonChoice", "rank": "ComparisonRank"}
# the first child key under answerContent.evaluationResults for each method (AWS's output pages)
RESULT_KEY = {"thumbs": "thumbsUpDown", "likert": "individualLikertScale",
              "comparison-likert": "comparisonLikertScale", "choice": "comparisonChoice", "rank": "comparisonRank"}
# every key a record, a human loop and a human answer may carry: the tests hold the output to these.
# Left out, as nothing here stands for them: the loop's flowDefinitionArn (the SageMaker flow
# definition Bedrock runs the loop under) and inputContent's additionalDataS3Uri and instructions.
RECORD_FIELDS = ("inputRecord", "modelResponses", "humanEvaluationResult")
INPUT_RECORD_FIELDS = ("prompt", "referenceResponse", "category")
HUMAN_LOOP_FIELDS = ("humanLoopName", "inputContent", "modelResponseIdMap", "humanAnswers")
HUMAN_ANSWER_FIELDS = ("workerId", "workerMetadata", "acceptanceTime", "submissionTime", "timeSpentInSeconds",
                       "answerContent")


def latest_answers(item: ExportItem) -> list[ExportAnnotation]:
    """Each rater's latest answer (review decisions are not ratings), in the order they first answered."""
    latest: dict[int, ExportAnnotation] = {}
    for a in item.annotations:  # oldest first: the last version wins
        if a.source != "review":
            latest[a.user_id] = a
    return list(latest.values())


def bedrock_record(key: str, data: dict[str, Any], answers: Sequence[ExportAnnotation],
                   criteria: Sequence[Criterion]) -> dict[str, Any]:
    """One prompt's output record from its item and its raters' latest canonical answers."""
    responses = item_model_responses(data)
    ids = {r.model: str(n) for n, r in enumerate(responses)}
    metrics = []
    for c in criteria:
        if asked(c, len(responses)):
            metric: dict[str, Any] = {"metricName": c.name, "ratingMethod": RATING_METHOD[c.method]}
            if c.description:  # AWS's description has a minimum length of 1: absent rather than empty
                metric["description"] = c.description
            metrics.append(metric)
    loop = {
        # AWS: "a system generated hex string"; the item key is ours (a hex digest for imported
        # lines), so a record maps back to its item
        "humanLoopName": key,
        "inputContent": {"evaluationMetrics": metrics},
        "modelResponseIdMap": {n: model for model, n in ids.items()},
        "humanAnswers": [_human_answer(a, ids) for a in answers],
    }
    return {"inputRecord": {k: data[k] for k in INPUT_RECORD_FIELDS if k in data},
            "modelResponses": [{"modelIdentifier": r.model, "response": r.text} for r in responses],
            # Bedrock's example wraps the loop in a list (SageMaker's shows the bare object)
            "humanEvaluationResult": [loop]}


def _human_answer(a: ExportAnnotation, ids: dict[str, str]) -> dict[str, Any]:
    results: dict[str, list[dict[str, Any]]] = {}
    shown = a.value.get("displayOrder") or list(ids)
    for name, ans in a.value.get("criteria", {}).items():
        method = ans["method"]
        out = results.setdefault(RESULT_KEY[method], [])
        if method in ("thumbs", "likert"):
            out += [{"metricName": name, "modelResponseId": ids[m],
                     "result": v == "up" if method == "thumbs" else v} for m, v in ans["ratings"].items()]
        elif method == "rank":
            out.append({"metricName": name, "result": [{"modelResponseId": ids[m], "rank": r}
                                                       for m, r in ans["ranks"].items()]})
        elif method == "choice":
            out.append({"metricName": name, "result": {"modelResponseId": ids[ans["chosen"]]}})
        else:
            # AWS: left is the response shown on the left. Our canonical answer is in the item's
            # order with the scale mirrored when the rater saw the pair swapped: undo that. AWS does
            # not say which end of the 1-5 result favours which side; ours: 1 = left much better.
            left, right, choice = ans["left"], ans["right"], int(ans["choice"])
            if shown.index(left) > shown.index(right):
                left, right, choice = right, left, 6 - choice
            out.append({"metricName": name, "leftModelResponseId": ids[left], "rightModelResponseId": ids[right],
                        "result": choice})
    seconds = round(a.active_ms / 1000, 3) if a.active_ms is not None else None
    return {
        # the same worker id the Ground Truth manifest export writes; AWS's identityData names the
        # worker's identity provider and subject, here Labelworks and the account's email
        "workerId": f"private.labelworks.{a.user_id}",
        "workerMetadata": {"identityData": {"identityProviderType": "Labelworks", "sub": a.worker}},
        "acceptanceTime": _aws_time(a.accepted_at),
        "submissionTime": _aws_time(a.created_at),
        "timeSpentInSeconds": seconds,
        "answerContent": {"evaluationResults": results},
    }


def _aws_time(value: str | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, as AWS writes it (stored times are UTC, some without an offset)."""
    if value is None:
        return None
    if value.endswith("+00:00"):
        return value[:-6] + "Z"
    return value if value.endswith("Z") or "+" in value[10:] else value + "Z"


def bedrock_lines(items: Iterable[ExportItem], criteria: Sequence[Criterion]) -> Iterator[dict[str, Any]]:
    """The records of the answered items, one item at a time."""
    for item in items:
        answers = latest_answers(item)
        if answers:  # nobody rated it: an evaluation record would have nothing to say
            yield bedrock_record(item.key, item.data, answers, criteria)


def bedrock_writer(fmt: str) -> Any:
    """The ``writers.Writer`` for ``bedrock-evaluation``: JSON lines, streamed in ~64 KiB chunks."""

    def write(items: Iterable[ExportItem], task_type: Any, spec: Any, created: str) -> Iterator[bytes]:
        # checked before the first chunk, so a wrong project writes no file at all
        if task_type.name != "model-evaluation":
            raise ValidationFailed(f"{fmt} export needs a model-evaluation project, not {task_type.name}",
                                   field="format")
        return _chunks(bedrock_lines(items, evaluation_criteria(spec)))

    return write


def _chunks(records: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    buf = bytearray()
    for record in records:
        buf += orjson.dumps(record) + b"\n"
        if len(buf) >= 64 * 1024:
            yield bytes(buf)
            buf.clear()
    if buf:
        yield bytes(buf)
