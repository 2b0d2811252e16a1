"""The label-verification task type: verdict and comment, majority vote, Ground Truth's verification output."""

from __future__ import annotations

from typing import Any

import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.verification import LABEL_VERIFICATION, MAX_COMMENT

SPEC = ProjectSpec(labels=parse_label_config(["Correct", "Incorrect"]), job_name="verify-boxes",
                   label_attribute="verify")


def test_identity() -> None:
    assert LABEL_VERIFICATION.name == "label-verification" and LABEL_VERIFICATION.media == "image"
    # value kind "label": every categorical consolidator (majority vote, Dawid-Skene…) applies
    assert LABEL_VERIFICATION.value_kind(SPEC) == "label" and LABEL_VERIFICATION.default_consolidator == "majority-vote"


@pytest.mark.parametrize(("value", "expected"), [
    ({"verdict": {"label": "Incorrect"}, "comment": "  too wide  "}, {"label": "Incorrect", "comment": "too wide"}),
    ({"verdict": {"label": "Correct"}, "comment": ""}, {"label": "Correct"}),  # the empty textarea
    ({"verdict": {"label": "Correct"}}, {"label": "Correct"}),
    ({"label": "Incorrect", "comment": "misses the tail"}, {"label": "Incorrect", "comment": "misses the tail"}),
    ({"any-name": {"label": "Correct", "comment": "fine"}}, {"label": "Correct", "comment": "fine"}),
])
def test_normalize_accepts_the_form_and_bare_answers(value: Any, expected: dict[str, Any]) -> None:
    assert LABEL_VERIFICATION.normalize(value, SPEC) == expected


@pytest.mark.parametrize(("value", "field", "words"), [
    ({"verdict": {"label": "Maybe"}}, "value.verdict.label", "not one of"),
    ({"verdict": {"label": ""}}, "value.verdict.label", "choose a verdict"),
    ({"comment": "no verdict"}, "value.label", "verdict"),
    ({"a": {"label": "Correct"}, "b": {"label": "Incorrect"}}, "value", "one verdict"),
    ({"label": "Correct", "comment": 3}, "value.comment", "text"),
    ({"v": {"label": "Correct", "comment": ["x"]}}, "value.v.comment", "text"),
    ({"label": "Correct", "comment": "x" * (MAX_COMMENT + 1)}, "value.comment", "at most"),
    ("Correct", "value", "object"),
])
def test_bad_answers_name_their_field(value: Any, field: str, words: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        LABEL_VERIFICATION.normalize(value, SPEC)
    assert info.value.field == field and words in str(info.value)


def test_majority_verdict_and_verification_output() -> None:
    values = [{"label": "Incorrect", "comment": "too wide"}, {"label": "Correct"}, {"label": "Incorrect"}]
    result = LABEL_VERIFICATION.consolidate(values, SPEC)
    assert result is not None and result.value == {"label": "Incorrect"} and result.votes == 3
    assert result.confidence == pytest.approx(2 / 3, abs=0.01)
    out = LABEL_VERIFICATION.output_fields(result, SPEC, "2026-01-01T00:00:00")
    assert out == {"verify": 1, "verify-metadata": {
        "class-name": "Incorrect", "confidence": 0.67, "type": "groundtruth/label-verification",
        "human-annotated": "yes", "creation-date": "2026-01-01T00:00:00", "job-name": "labeling-job/verify-boxes"}}
    assert LABEL_VERIFICATION.consolidate([], SPEC) is None


def test_every_categorical_consolidator_reads_verdicts_with_comments() -> None:
    from labelworks.core.consolidation.base import Answer
    from labelworks.core.consolidation.truth.consolidators import CATEGORICAL

    # three items, four workers; worker w3 always disagrees and comments
    answers = [Answer(f"i{i}", f"w{w}", LABEL_VERIFICATION.normalize(
        {"verdict": {"label": "Correct" if (w < 3) == (i != 1) else "Incorrect"},
         "comment": "looks off" if w == 3 else ""}, SPEC))
        for i in range(3) for w in range(4)]
    kinds = [c for c in CATEGORICAL if LABEL_VERIFICATION.value_kind(SPEC) in c.value_kinds]
    assert {c.name for c in kinds} >= {"majority-vote", "dawid-skene"}
    for c in kinds:
        fit = c.fit(answers, SPEC, c.params({}))
        verdicts = {item: fit.results[item].value for item in ("i0", "i1", "i2")}
        assert verdicts == {"i0": {"label": "Correct"}, "i1": {"label": "Incorrect"}, "i2": {"label": "Correct"}}, c.name
