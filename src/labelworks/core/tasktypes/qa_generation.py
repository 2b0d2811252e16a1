"""Question–answer pairs written about a passage: the ``question-answer-generation`` task type
(Ground Truth's ``crowd-question-answer-generation``), demonstrations for supervised fine-tuning.

``<lw-question-answer-generation name="qa">`` posts under its name
(docs/task-types/question-answer-generation.md)::

    {"qa": {"questionAnswerPairs": [
        {"question": "Who founded the firm?", "answer": "Ada Lovelace.", "tags": ["factual"],
         "references": [{"startOffset": 0, "endOffset": 12}]}]}}

The canonical value is the inner object. ``references`` are the passages of the item's text
(``source``) that support the answer, in Unicode code points (Python ``str`` indices, endOffset
exclusive, on grapheme-cluster boundaries: the contract of named-entity-recognition), sorted and
without duplicates. ``tags`` are the project's labels, in the project's order. The bounds (number
of pairs, words per question and answer, forbidden phrases, whether references and tags are
required) come from the label-category file's ``guidance`` (``demonstration_guidance``). An item's
``lw-pre-annotations`` (the same shape: drafted pairs) is the element's ``initial-value``.

Consolidation keeps every worker's pairs (``qa-keep-all``): several workers writing questions
about one passage give more training data, not competing answers. Pairs equal after case folding
and collapsing spaces (question and answer) are kept once; confidence is 1.0, since there is no
agreement to measure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..consolidation.majority import Consolidated
from ..errors import ValidationFailed
from .base import ProjectSpec, TaskType
from .demonstration_guidance import Guidance, attribute_json, check_text, guidance_of
from .image_objects import unwrap_answer
from .ner import cluster_boundaries

__all__ = ["QuestionAnswerTaskType", "QUESTION_ANSWER_GENERATION", "MAX_PAIRS", "MAX_REFERENCES", "fold_pair"]

# far above a worker's questions about one passage; bounds one submission
MAX_PAIRS = 200
MAX_REFERENCES = 50

_TEMPLATE = """<lw-form>
  <lw-question-answer-generation name="qa" header="{{ header }}" tags="{{ labels | to_json }}"
    text="{{ task.input.source | default: task.input.text }}" GUIDANCE
    {%- if task.input.lw-pre-annotations %} initial-value="{{ task.input.lw-pre-annotations | to_json }}"{% endif %}>
  </lw-question-answer-generation>
</lw-form>
"""


def fold_pair(pair: Mapping[str, Any]) -> tuple[str, str]:
    """The form two pairs are compared in when workers' pairs are merged."""
    return (" ".join(str(pair["question"]).casefold().split()), " ".join(str(pair["answer"]).casefold().split()))


class QuestionAnswerTaskType(TaskType):
    name = "question-answer-generation"
    title = "Question–answer pairs from a passage (SFT demonstrations)"
    media = "text"
    digit_keys = None  # free text: the digits are typed, not keys
    default_consolidator = "qa-keep-all"
    reads_item_data = True  # references are checked against the item's text

    def value_kind(self, spec: ProjectSpec) -> str:
        return "qa-pairs"

    def default_template(self, spec: ProjectSpec) -> str:
        guidance = guidance_of(spec)
        return _TEMPLATE.replace("GUIDANCE", f'guidance="{attribute_json(guidance.as_attribute())}"')

    def normalize(self, value: Any, spec: ProjectSpec) -> dict[str, Any]:
        return _normalize(value, spec, None)

    def normalize_with_item(self, value: Any, spec: ProjectSpec, data: Mapping[str, Any]) -> dict[str, Any]:
        text = data.get("source") if isinstance(data.get("source"), str) else data.get("text")
        if not isinstance(text, str):
            raise ValidationFailed("the item has no passage ('source') to write questions about",
                                   field="value.questionAnswerPairs")
        return _normalize(value, spec, text)

    def consolidate(self, values: Sequence[dict[str, Any]], spec: ProjectSpec) -> Consolidated | None:
        if not values:
            return None
        pairs: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        for value in values:
            for pair in value.get("questionAnswerPairs", []):
                key = fold_pair(pair)
                if key not in seen:
                    seen.add(key)
                    pairs.append(dict(pair))
        return Consolidated(value={"questionAnswerPairs": pairs}, confidence=1.0, votes=len(values),
                            method=self.default_consolidator, object_confidence=tuple(1.0 for _ in pairs))

    def output_fields(self, answer: Consolidated, spec: ProjectSpec, created: str) -> dict[str, Any]:
        attr = spec.label_attribute
        value: Any = answer.value if isinstance(answer.value, dict) else {}
        return {attr: {"questionAnswerPairs": [dict(p) for p in value.get("questionAnswerPairs", [])]},
                f"{attr}-metadata": {"type": "labelworks/question-answer-generation", "human-annotated": "yes",
                                     "creation-date": created, "job-name": f"labeling-job/{spec.job_name}"}}


def _normalize(value: Any, spec: ProjectSpec, text: str | None) -> dict[str, Any]:
    guidance = guidance_of(spec)
    answer, where = unwrap_answer(value, ("questionAnswerPairs",), "questionAnswerPairs (a list of pairs)")
    raw = answer.get("questionAnswerPairs")
    field = f"{where}.questionAnswerPairs"
    if not isinstance(raw, list):
        raise ValidationFailed("questionAnswerPairs must be a list", field=field)
    if len(raw) > MAX_PAIRS:
        raise ValidationFailed(f"at most {MAX_PAIRS} pairs in one answer", field=field)
    if len(raw) < guidance.min_questions:
        raise ValidationFailed(f"write at least {guidance.min_questions} question(s); there are {len(raw)}",
                               field=field)
    if guidance.max_questions is not None and len(raw) > guidance.max_questions:
        raise ValidationFailed(f"write at most {guidance.max_questions} question(s); there are {len(raw)}",
                               field=field)
    boundaries = cluster_boundaries(text) if text is not None else None
    pairs = [_pair(p, spec, guidance, text, boundaries, f"{field}[{i}]") for i, p in enumerate(raw)]
    seen: dict[tuple[str, str], int] = {}
    for i, pair in enumerate(pairs):
        key = fold_pair(pair)
        if key in seen:
            raise ValidationFailed(f"the same question and answer as pair {seen[key]}", field=f"{field}[{i}]")
        seen[key] = i
    return {"questionAnswerPairs": pairs}


def _pair(raw: Any, spec: ProjectSpec, guidance: Guidance, text: str | None, boundaries: frozenset[int] | None,
          where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValidationFailed("a pair is an object with question and answer", field=where)
    question = check_text(raw.get("question"), f"{where}.question", what="question", forbidden=guidance.forbidden,
                          min_words=guidance.question_min_words, max_words=guidance.question_max_words)
    answer = check_text(raw.get("answer"), f"{where}.answer", what="answer", forbidden=guidance.forbidden,
                        min_words=guidance.answer_min_words, max_words=guidance.answer_max_words)
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValidationFailed("tags must be a list of tag names", field=f"{where}.tags")
    for i, tag in enumerate(tags):
        if tag not in spec.labels.labels:
            raise ValidationFailed(f"unknown tag {tag!r}; the project's tags are {', '.join(spec.labels.labels)}",
                                   field=f"{where}.tags[{i}]")
    if guidance.require_tags and not tags:
        raise ValidationFailed("choose at least one tag for the question", field=f"{where}.tags")
    references = _references(raw.get("references", []), text, boundaries, f"{where}.references")
    if guidance.require_references and not references:
        raise ValidationFailed("highlight the passage that supports the answer", field=f"{where}.references")
    return {"question": question, "answer": answer,
            "tags": [t for t in spec.labels.labels if t in set(tags)], "references": references}


def _references(raw: Any, text: str | None, boundaries: frozenset[int] | None, where: str) -> list[dict[str, int]]:
    if not isinstance(raw, list):
        raise ValidationFailed("references must be a list of {startOffset, endOffset}", field=where)
    if len(raw) > MAX_REFERENCES:
        raise ValidationFailed(f"at most {MAX_REFERENCES} references per answer", field=where)
    out: set[tuple[int, int]] = set()
    for i, ref in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(ref, dict):
            raise ValidationFailed("a reference is {startOffset, endOffset}", field=at)
        start, end = ref.get("startOffset"), ref.get("endOffset")
        for key, offset in (("startOffset", start), ("endOffset", end)):
            if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
                raise ValidationFailed(f"{key} must be a whole number >= 0", field=f"{at}.{key}")
        assert isinstance(start, int) and isinstance(end, int)
        if end <= start:
            raise ValidationFailed("endOffset must be after startOffset", field=f"{at}.endOffset")
        if text is not None:
            if end > len(text):
                raise ValidationFailed(f"endOffset {end} is past the passage's end ({len(text)} code points)",
                                       field=f"{at}.endOffset")
            assert boundaries is not None
            for key, offset in (("startOffset", start), ("endOffset", end)):
                if offset not in boundaries:
                    raise ValidationFailed(f"{key} {offset} splits a character (grapheme cluster)",
                                           field=f"{at}.{key}")
            if not text[start:end].strip():
                raise ValidationFailed("the reference holds only spaces", field=at)
        if (start, end) in out:
            raise ValidationFailed("the same reference twice", field=at)
        out.add((start, end))
    return [{"startOffset": s, "endOffset": e} for s, e in sorted(out)]


QUESTION_ANSWER_GENERATION = QuestionAnswerTaskType()
