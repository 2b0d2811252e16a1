"""Free text: the medoid answer, and ROVER-style word voting for transcriptions and translations.

Value shape: ``{"text": "..."}``.

Agreed similarity (:func:`text_similarity`): words are compared after lowercasing and stripping
punctuation (``normalize_words``); similarity = 1 - (word-level Levenshtein distance) / (length
of the longer answer), i.e. 1 - a symmetric word error rate, in [0, 1]. Two empty answers are
identical (1.0).

* :func:`text_medoid` picks the answer with the largest quality-weighted similarity to the other
  answers (ties: the lexicographically first text). Confidence = that weighted mean similarity.
* :func:`rover` builds a word transition network: the medoid is the backbone and every other
  answer, most similar first, is aligned to the network by dynamic programming with soft costs
  (a word costs 1 minus its share of the slot's weight; skipping a slot costs 1 minus the slot's
  share of "no word"; a new slot costs 1); then each slot elects its heaviest word, "no word"
  included, ties going to the backbone's word. The output keeps each chosen word's most common
  spelling. Confidence = weighted mean similarity of the answers to the result.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..majority import Consolidated
from ._common import confidence, resolve_weights

__all__ = [
    "consolidate_text_medoid",
    "consolidate_text_rover",
    "normalize_words",
    "parse_text",
    "rover",
    "text_medoid",
    "text_similarity",
    "word_distance",
    "word_error_rate",
]

_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)


def parse_text(value: Mapping[str, Any], where: str = "value") -> str:
    if not isinstance(value, Mapping) or not isinstance(value.get("text"), str):
        raise ValueError(f"{where}.text: expected a string")
    text: str = value["text"]
    return text


def normalize_words(text: str) -> list[str]:
    """Lowercase, drop punctuation, split on whitespace (the form words are compared in)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _PUNCT.sub("", text).split()


def word_distance(a: Sequence[str], b: Sequence[str]) -> int:
    """Levenshtein distance between two word sequences (insert, delete, substitute: 1 each)."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def word_error_rate(hypothesis: str, reference: str) -> float:
    """Word-level Levenshtein distance over the reference's word count (normalised words)."""
    ref = normalize_words(reference)
    hyp = normalize_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return word_distance(hyp, ref) / len(ref)


def _similarity_words(a: Sequence[str], b: Sequence[str]) -> float:
    longest = max(len(a), len(b))
    return 1.0 if longest == 0 else 1.0 - word_distance(a, b) / longest


def text_similarity(a: Mapping[str, Any] | str, b: Mapping[str, Any] | str) -> float:
    """1 - word-level Levenshtein distance / longer length, on normalised words (see module doc)."""
    ta = a if isinstance(a, str) else parse_text(a, "a")
    tb = b if isinstance(b, str) else parse_text(b, "b")
    return _similarity_words(normalize_words(ta), normalize_words(tb))


def _similarity_matrix(words: Sequence[Sequence[str]]) -> np.ndarray[Any, np.dtype[np.float64]]:
    n = len(words)
    sim = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            sim[i, j] = sim[j, i] = _similarity_words(words[i], words[j])
    return sim


def text_medoid(texts: Sequence[str], weights: Sequence[float] | None = None) -> tuple[int, float]:
    """Index of the answer most similar to the others (weighted) and its mean similarity to them."""
    if not texts:
        raise ValueError("no answers to consolidate")
    w = np.ones(len(texts)) if weights is None else np.asarray(weights, dtype=np.float64)
    words = [normalize_words(t) for t in texts]
    sim = _similarity_matrix(words)
    return _medoid_from(sim, w, texts)


def _medoid_from(sim: np.ndarray[Any, np.dtype[np.float64]], w: np.ndarray[Any, np.dtype[np.float64]],
                 texts: Sequence[str]) -> tuple[int, float]:
    n = len(texts)
    if n == 1:
        return 0, 0.0
    others = np.ones((n, n)) - np.eye(n)
    denom = (others * w[None, :]).sum(axis=1)
    score = np.where(denom > 0, (sim * others * w[None, :]).sum(axis=1) / np.where(denom > 0, denom, 1.0), 0.0)
    # own weight counts too: a trusted worker's answer is preferred among equally central ones
    key = [(-round(float(score[i]), 9), -float(w[i]), texts[i]) for i in range(n)]
    best = min(range(n), key=lambda i: key[i])
    return best, float(score[best])


@dataclass
class _Slot:
    weights: dict[str, float] = field(default_factory=dict)  # normalised word -> weight ("" = no word)
    spellings: dict[str, dict[str, float]] = field(default_factory=dict)
    backbone: str = ""

    def add(self, key: str, surface: str, weight: float) -> None:
        self.weights[key] = self.weights.get(key, 0.0) + weight
        if key:
            forms = self.spellings.setdefault(key, {})
            forms[surface] = forms.get(surface, 0.0) + weight


def _tokens(text: str) -> list[tuple[str, str]]:
    """(normalised key, surface form) per whitespace token that keeps a word after normalising."""
    out = []
    for surface in unicodedata.normalize("NFKC", text).split():
        key = _PUNCT.sub("", surface.lower())
        if key:
            out.append((key, surface))
    return out


def _align(slots: list[_Slot], seen: float, tokens: Sequence[tuple[str, str]], weight: float) -> list[_Slot]:
    """Align one answer to the network (soft-cost DP) and add it; returns the new slot list."""
    m, n = len(slots), len(tokens)
    total = [max(seen, 1e-12)] * m
    # cost of putting token j into slot i, and of leaving slot i without a word
    skip = [1.0 - s.weights.get("", 0.0) / total[i] for i, s in enumerate(slots)]
    dp = np.zeros((m + 1, n + 1))
    back = np.zeros((m + 1, n + 1), dtype=np.int8)  # 0 diag, 1 skip slot, 2 new slot
    for i in range(1, m + 1):
        dp[i, 0] = dp[i - 1, 0] + skip[i - 1]
        back[i, 0] = 1
    for j in range(1, n + 1):
        dp[0, j] = dp[0, j - 1] + 1.0
        back[0, j] = 2
    for i in range(1, m + 1):
        slot_w = slots[i - 1].weights
        t = total[i - 1]
        sk = skip[i - 1]
        row, prev = dp[i], dp[i - 1]
        for j in range(1, n + 1):
            diag = prev[j - 1] + 1.0 - slot_w.get(tokens[j - 1][0], 0.0) / t
            up = prev[j] + sk
            left = row[j - 1] + 1.0
            if diag <= up and diag <= left:
                row[j], back[i, j] = diag, 0
            elif up <= left:
                row[j], back[i, j] = up, 1
            else:
                row[j], back[i, j] = left, 2
    out: list[_Slot] = []
    i, j = m, n
    while i > 0 or j > 0:
        move = back[i, j]
        if move == 0:
            slot = slots[i - 1]
            slot.add(*tokens[j - 1], weight)
            out.append(slot)
            i, j = i - 1, j - 1
        elif move == 1:
            slot = slots[i - 1]
            slot.add("", "", weight)
            out.append(slot)
            i -= 1
        else:
            slot = _Slot()
            slot.add("", "", seen)  # every earlier answer had no word here
            slot.add(*tokens[j - 1], weight)
            out.append(slot)
            j -= 1
    out.reverse()
    return out


def rover(texts: Sequence[str], weights: Sequence[float] | None = None) -> tuple[str, float]:
    """ROVER-style consensus of several texts (see the module doc) and its confidence."""
    if not texts:
        raise ValueError("no answers to consolidate")
    n = len(texts)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.sum() <= 0:
        w = np.ones(n)
    words = [normalize_words(t) for t in texts]
    sim = _similarity_matrix(words)
    base, _ = _medoid_from(sim, w, texts)
    if n == 1:
        return texts[0], 0.0
    slots: list[_Slot] = []
    for key, surface in _tokens(texts[base]):
        slot = _Slot(backbone=key)
        slot.add(key, surface, float(w[base]))
        slots.append(slot)
    seen = float(w[base])
    rest = sorted((i for i in range(n) if i != base), key=lambda i: (-round(float(sim[base, i]), 9), -w[i], texts[i]))
    for i in rest:
        if w[i] <= 0:
            continue
        slots = _align(slots, seen, _tokens(texts[i]), float(w[i]))
        seen += float(w[i])
    chosen: list[str] = []
    for slot in slots:
        best = min(slot.weights, key=lambda k: (-round(slot.weights[k], 9), k != slot.backbone, k))
        if best:
            forms = slot.spellings[best]
            chosen.append(min(forms, key=lambda f: (-round(forms[f], 9), f)))
    result = " ".join(chosen)
    out_words = normalize_words(result)
    agreement = float(np.average([_similarity_words(out_words, ws) for ws in words], weights=w))
    return result, agreement


def consolidate_text_medoid(
    answers: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    weights: Mapping[str, float] | None = None,
    method: str = "text-medoid",
) -> Consolidated:
    """The answer closest to the others; confidence = its weighted mean similarity to them."""
    if not answers:
        raise ValueError("no answers to consolidate")
    texts = [parse_text(v, f"answer of {w!r}") for w, v in answers]
    w = resolve_weights([w for w, _ in answers], weights)
    best, score = text_medoid(texts, w.tolist())
    return Consolidated(value={"text": texts[best]}, confidence=confidence(score, len(texts)),
                        votes=len(texts), method=method)


def consolidate_text_rover(
    answers: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    weights: Mapping[str, float] | None = None,
    method: str = "text-rover",
) -> Consolidated:
    """ROVER-style word vote; confidence = weighted mean similarity of the answers to the result."""
    if not answers:
        raise ValueError("no answers to consolidate")
    texts = [parse_text(v, f"answer of {w!r}") for w, v in answers]
    w = resolve_weights([w for w, _ in answers], weights)
    result, score = rover(texts, w.tolist())
    return Consolidated(value={"text": result}, confidence=confidence(score, len(texts)),
                        votes=len(texts), method=method)
