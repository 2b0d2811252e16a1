"""Length and style guidance of the demonstration task types (question–answer generation, chat
demonstrations, image and video captioning), and the checks the server runs on what a worker wrote.

The guidance lives in the project's label-category file under ``guidance`` (a Labelworks
extension; Ground Truth ignores keys it does not know)::

    {"labels": [{"label": "factual"}, {"label": "reasoning"}],
     "guidance": {"instructions": "One sentence, present tense, no opinions.",
                  "minWords": 5, "maxWords": 40,
                  "forbiddenPhrases": ["this image shows", "as an AI"],
                  "minQuestions": 1, "maxQuestions": 5,
                  "questionMinWords": 3, "questionMaxWords": 30,
                  "answerMinWords": 1, "answerMaxWords": 80,
                  "requireReferences": true, "requireTags": false,
                  "allowNewTurns": false, "prompt": "Describe this image.",
                  "systemPrompt": "Answer the question from the passage."}}

Words are counted as runs of non-space characters (``str.split()``): a guide for languages
written with spaces; scripts without spaces count a phrase as one word. Forbidden phrases match
case-insensitively (Unicode case folding, NFKC, runs of spaces as one) anywhere in the text.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..consolidation.majority import Consolidated
from ..consolidation.structured._common import confidence
from ..consolidation.structured.text import text_medoid
from ..errors import ValidationFailed
from .base import ProjectSpec

__all__ = ["Guidance", "guidance_of", "check_text", "word_count", "attribute_json", "medoid_answer",
           "MAX_TEXT_CHARS"]

# A reply or caption longer than this is a paste accident, not a demonstration.
MAX_TEXT_CHARS = 100_000
MAX_PHRASES = 500
_SPACES = re.compile(r"\s+")

_INT_KEYS = ("minWords", "maxWords", "minQuestions", "maxQuestions", "questionMinWords", "questionMaxWords",
             "answerMinWords", "answerMaxWords", "maxCaptions", "minCaptions")
_BOOL_KEYS = ("requireReferences", "requireTags", "allowNewTurns")
_TEXT_KEYS = ("instructions", "prompt", "systemPrompt")


@dataclass(frozen=True)
class Guidance:
    """The checks one project applies (None: no bound)."""

    instructions: str = ""
    min_words: int | None = None
    max_words: int | None = None
    forbidden: tuple[str, ...] = ()
    min_questions: int = 1
    max_questions: int | None = None
    question_min_words: int | None = None
    question_max_words: int | None = None
    answer_min_words: int | None = None
    answer_max_words: int | None = None
    require_references: bool = True
    require_tags: bool = False
    allow_new_turns: bool = False
    min_captions: int = 1
    max_captions: int | None = None
    prompt: str = ""
    system_prompt: str = ""

    def as_attribute(self) -> dict[str, Any]:
        """The shape the elements read from their ``guidance`` attribute (camelCase, bounds set only)."""
        out: dict[str, Any] = {}
        pairs = {"instructions": self.instructions, "minWords": self.min_words, "maxWords": self.max_words,
                 "forbiddenPhrases": list(self.forbidden), "minQuestions": self.min_questions,
                 "maxQuestions": self.max_questions, "questionMinWords": self.question_min_words,
                 "questionMaxWords": self.question_max_words, "answerMinWords": self.answer_min_words,
                 "answerMaxWords": self.answer_max_words, "requireReferences": self.require_references,
                 "requireTags": self.require_tags, "allowNewTurns": self.allow_new_turns,
                 "minCaptions": self.min_captions, "maxCaptions": self.max_captions}
        for key, value in pairs.items():
            if value is not None and value != "" and value != []:
                out[key] = value
        return out


def _fold(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def guidance_of(spec: ProjectSpec) -> Guidance:
    """The project's guidance, checked (a bad key names ``labels.guidance.<key>``)."""
    raw = spec.labels.document.get("guidance")
    if raw is None:
        return Guidance()
    if not isinstance(raw, Mapping):
        raise ValidationFailed("guidance must be an object", field="labels.guidance")
    ints: dict[str, int | None] = {}
    for key in _INT_KEYS:
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ValidationFailed(f"{key} must be a whole number >= 0", field=f"labels.guidance.{key}")
        ints[key] = value
    for low, high in (("minWords", "maxWords"), ("minQuestions", "maxQuestions"),
                      ("questionMinWords", "questionMaxWords"), ("answerMinWords", "answerMaxWords"),
                      ("minCaptions", "maxCaptions")):
        lo, hi = ints[low], ints[high]
        if lo is not None and hi is not None and lo > hi:
            raise ValidationFailed(f"{low} ({lo}) is above {high} ({hi})", field=f"labels.guidance.{low}")
    for key in _BOOL_KEYS:
        if key in raw and not isinstance(raw[key], bool):
            raise ValidationFailed(f"{key} must be true or false", field=f"labels.guidance.{key}")
    for key in _TEXT_KEYS:
        if key in raw and not isinstance(raw[key], str):
            raise ValidationFailed(f"{key} must be text", field=f"labels.guidance.{key}")
    phrases = raw.get("forbiddenPhrases", [])
    if not isinstance(phrases, list) or len(phrases) > MAX_PHRASES:
        raise ValidationFailed(f"forbiddenPhrases must be a list of at most {MAX_PHRASES} phrases",
                               field="labels.guidance.forbiddenPhrases")
    for i, phrase in enumerate(phrases):
        if not isinstance(phrase, str) or not _fold(phrase):
            raise ValidationFailed("a forbidden phrase is non-empty text",
                                   field=f"labels.guidance.forbiddenPhrases[{i}]")
    min_questions = ints["minQuestions"]
    min_captions = ints["minCaptions"]
    return Guidance(
        instructions=str(raw.get("instructions", "")), min_words=ints["minWords"], max_words=ints["maxWords"],
        forbidden=tuple(str(p) for p in phrases),
        min_questions=1 if min_questions is None else min_questions, max_questions=ints["maxQuestions"],
        question_min_words=ints["questionMinWords"], question_max_words=ints["questionMaxWords"],
        answer_min_words=ints["answerMinWords"], answer_max_words=ints["answerMaxWords"],
        require_references=bool(raw.get("requireReferences", True)), require_tags=bool(raw.get("requireTags", False)),
        allow_new_turns=bool(raw.get("allowNewTurns", False)),
        min_captions=1 if min_captions is None else min_captions, max_captions=ints["maxCaptions"],
        prompt=str(raw.get("prompt", "")), system_prompt=str(raw.get("systemPrompt", "")),
    )


def word_count(text: str) -> int:
    return len(text.split())


def check_text(value: Any, where: str, *, min_words: int | None, max_words: int | None,
               forbidden: tuple[str, ...] = (), what: str = "text") -> str:
    """``value`` as the stripped text, or ValidationFailed naming ``where`` (empty, too short, too
    long, a forbidden phrase)."""
    if not isinstance(value, str):
        raise ValidationFailed(f"{what} must be text", field=where)
    text = value.strip()
    if not text:
        raise ValidationFailed(f"the {what} is empty", field=where)
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationFailed(f"the {what} is longer than {MAX_TEXT_CHARS} characters", field=where)
    words = word_count(text)
    if min_words is not None and words < min_words:
        raise ValidationFailed(f"the {what} has {words} words; write at least {min_words}", field=where)
    if max_words is not None and words > max_words:
        raise ValidationFailed(f"the {what} has {words} words; write at most {max_words}", field=where)
    folded = _fold(text)
    for phrase in forbidden:
        if _fold(phrase) in folded:
            raise ValidationFailed(f"the {what} uses the forbidden phrase {phrase!r}", field=where)
    return text


def attribute_json(value: Any) -> str:
    """JSON for an HTML attribute of a default template: escaped, braces as character references so
    that no text of the guidance can be Liquid."""
    text = html.escape(json.dumps(value, ensure_ascii=False), quote=True)
    return text.replace("{", "&#123;").replace("}", "&#125;")


def medoid_answer(values: Sequence[dict[str, Any]], text_of: Callable[[dict[str, Any]], str],
                  method: str) -> Consolidated | None:
    """The worker's whole answer whose text (``text_of``) is closest to the others' (1 - word error
    rate, ``text-medoid``); confidence its mean similarity (0.0 for a single worker)."""
    if not values:
        return None
    best, score = text_medoid([text_of(v) for v in values])
    return Consolidated(value=dict(values[best]), confidence=confidence(score, len(values)), votes=len(values),
                        method=method)
