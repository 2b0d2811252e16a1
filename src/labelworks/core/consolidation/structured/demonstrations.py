"""How alike two demonstrations are (quality pages, gold checks, worker agreement): the value kinds of
the demonstration task types compared by their written text, 1 - word error rate as ``text``.

* ``caption``: the captions;
* ``video-captions``: the captions in time order (by start), read together;
* ``chat``: the assistant turns, read together (the item's user turns are the same for everyone);
* ``qa-pairs``: the questions and answers, read together in order. Different workers are expected
  to ask different questions, so this measures overlap of content, not correctness.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .text import text_similarity

__all__ = ["caption_similarity", "video_captions_similarity", "chat_similarity", "qa_pairs_similarity"]


def _list(value: Mapping[str, Any], key: str, where: str) -> list[Any]:
    items = value.get(key) if isinstance(value, Mapping) else None
    if not isinstance(items, list):
        raise ValueError(f"{where}.{key}: expected a list")
    return items


def _text(item: Any, key: str, where: str) -> str:
    if not isinstance(item, Mapping) or not isinstance(item.get(key), str):
        raise ValueError(f"{where}.{key}: expected a string")
    text: str = item[key]
    return text


def caption_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    return text_similarity(_text(a, "caption", "a"), _text(b, "caption", "b"))


def video_captions_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    def read(v: Mapping[str, Any], where: str) -> str:
        caps = _list(v, "captions", where)
        texts = [(float(c.get("start", 0)), _text(c, "text", f"{where}.captions[{i}]")) for i, c in enumerate(caps)]
        return "\n".join(t for _, t in sorted(texts, key=lambda x: x[0]))

    return text_similarity(read(a, "a"), read(b, "b"))


def chat_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    def read(v: Mapping[str, Any], where: str) -> str:
        turns = _list(v, "messages", where)
        return "\n".join(_text(m, "content", f"{where}.messages[{i}]") for i, m in enumerate(turns)
                         if isinstance(m, Mapping) and m.get("role") == "assistant")

    return text_similarity(read(a, "a"), read(b, "b"))


def qa_pairs_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    def read(v: Mapping[str, Any], where: str) -> str:
        pairs = _list(v, "questionAnswerPairs", where)
        return "\n".join(f"{_text(p, 'question', f'{where}.questionAnswerPairs[{i}]')} "
                         f"{_text(p, 'answer', f'{where}.questionAnswerPairs[{i}]')}" for i, p in enumerate(pairs))

    return text_similarity(read(a, "a"), read(b, "b"))
