"""CoNLL-2003 style token-per-line files for named-entity-recognition projects.

Reading: a line is ``token [columns…] tag``, split on tabs when the line has one, else on single
spaces (so a token may hold a no-break space); a blank line ends a sentence; ``-DOCSTART-`` starts
a document. With ``-DOCSTART-`` lines each document is an item, without them each sentence is
(WNUT-17, most tweet sets). The item's text is its tokens joined by single spaces, sentences joined
by ``\\n``; offsets are computed on that text. Tags may be BIO (IOB2), IOB1, BILOU or BIOES; an
``I-`` that follows ``O`` or another type starts an entity (so IOB1 reads as it means). The
item keeps its tokens, any middle columns (POS, chunk), the scheme and separator under
``lw-format-meta.conll``, so an export gives the same tokens back.

Writing: an item read from CoNLL is written with its own tokens; any other is tokenised with
spaCy's blank English tokenizer (one sentence per line of text), tokens being split further where
an entity begins or ends inside one. Tags come from spaCy's ``offsets_to_biluo_tags`` (and
``biluo_to_iob``) in the scheme asked for, else the one the item was read in, else BIO. What one
tag per token cannot carry is refused, naming the item and the span: overlapping entities, an
entity that does not begin and end on the item's own CoNLL tokens, or one that crosses a sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..errors import ValidationFailed
from .records import ExportItem
from .text_spans import FORMAT_META_KEY, canonical_value, chunked, item_row, item_text, item_value

__all__ = ["SCHEMES", "conll_rows", "write_conll", "spans_from_tags", "tags_for_tokens", "meta_for_tokens"]

SCHEMES = ("bio", "iob1", "bilou", "bioes")
DOCSTART = "-DOCSTART- -X- -X- O"
_PREFIXES = {"B", "I", "L", "U", "E", "S"}


@dataclass
class _Token:
    text: str
    columns: list[str]
    tag: str
    line: int


@dataclass
class _Group:
    """The lines of one item: a document (``-DOCSTART-``) or a sentence."""

    first_line: int
    docstart: str | None = None
    sentences: list[list[_Token]] = field(default_factory=list)
    problem: tuple[int, str] | None = None  # the first bad line: the whole item is refused


def _split(line: str) -> list[str]:
    return line.split("\t") if "\t" in line else [p for p in line.split(" ") if p]


def _tag_problem(tag: str) -> str | None:
    if tag == "O":
        return None
    prefix, dash, label = tag.partition("-")
    if prefix not in _PREFIXES or not dash or not label:
        return f"tag {tag!r} is not O or B-, I-, L-, U-, E-, S- and a label"
    return None


def spans_from_tags(tags: list[str]) -> list[tuple[int, int, str]]:
    """``(first token, last token + 1, label)`` for every entity, whatever the scheme."""
    spans: list[tuple[int, int, str]] = []
    open_at: int | None = None
    open_label = ""

    def close(end: int) -> None:
        nonlocal open_at
        if open_at is not None:
            spans.append((open_at, end, open_label))
        open_at = None

    for i, tag in enumerate(tags):
        if tag == "O":
            close(i)
            continue
        prefix, _, label = tag.partition("-")
        continuing = open_at is not None and open_label == label
        if prefix in ("I", "L", "E") and continuing:
            if prefix != "I":
                close(i + 1)
            continue
        close(i)
        open_at, open_label = i, label
        if prefix in ("U", "S", "L", "E"):
            close(i + 1)
    close(len(tags))
    return spans


def _scheme_of(tags: Iterable[str]) -> str:
    prefixes = {t[0] for t in tags if t != "O"}
    if prefixes & {"E", "S"}:
        return "bioes"
    if prefixes & {"L", "U"}:
        return "bilou"
    return "bio"


def _groups(text: str) -> Iterator[_Group]:
    lines = text.split("\n")
    by_document = any(line.startswith("-DOCSTART-") for line in lines)
    group: _Group | None = None
    sentence: list[_Token] = []

    def end_sentence() -> None:
        nonlocal sentence
        if sentence:
            assert group is not None
            group.sentences.append(sentence)
            sentence = []

    for n, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r")
        if line.startswith("-DOCSTART-"):
            end_sentence()
            if group is not None and (group.sentences or group.problem):
                yield group
            group = _Group(n, docstart=line)
            continue
        if not line.strip(" \t"):
            end_sentence()
            if not by_document and group is not None and (group.sentences or group.problem):
                yield group
                group = None
            continue
        parts = _split(line)
        if group is None:
            group = _Group(n)
        problem = ("expected a token and its tag, separated by a tab or spaces" if len(parts) < 2 or not parts[0]
                   else _tag_problem(parts[-1]))
        if problem:
            group.problem = group.problem or (n, problem)
            continue
        sentence.append(_Token(parts[0], parts[1:-1], parts[-1], n))
    end_sentence()
    if group is not None and (group.sentences or group.problem):
        yield group


def _row(group: _Group, scheme: str, separator: str) -> dict[str, Any]:
    tokens = [[t.text for t in s] for s in group.sentences]
    text = "\n".join(" ".join(s) for s in tokens)
    entities: list[dict[str, Any]] = []
    offset = 0
    for sentence in group.sentences:
        starts = []
        for t in sentence:
            starts.append(offset)
            offset += len(t.text) + 1  # the space, or the newline after the last token
        for first, stop, label in spans_from_tags([t.tag for t in sentence]):
            end = starts[stop - 1] + len(sentence[stop - 1].text)
            entities.append({"label": label, "startOffset": starts[first], "endOffset": end})
    meta: dict[str, Any] = {"line": group.first_line, "tokens": tokens, "scheme": scheme, "separator": separator}
    if any(t.columns for s in group.sentences for t in s):
        meta["columns"] = [[t.columns for t in s] for s in group.sentences]
    if group.docstart is not None:
        meta["docstart"] = group.docstart
    return item_row(text, canonical_value(text, entities, where="entities"), meta={"conll": meta})


def conll_rows(data: bytes) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """``(first line, item row)`` per document or sentence, or ``(line, why it is bad)``."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        yield 1, f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        return
    tags = [p[-1] for line in text.split("\n") if (p := _split(line.rstrip("\r"))) and len(p) >= 2
            and not line.startswith("-DOCSTART-")]
    scheme = _scheme_of(tags)
    opens = [t[0] for i, t in enumerate(tags) if t[:2] in ("B-", "I-") and (i == 0 or tags[i - 1][2:] != t[2:])]
    if scheme == "bio" and "I" in opens and "B" not in opens:
        scheme = "iob1"  # entities open with I- (B- only between two of a type): write them back that way
    first = next((line for line in text.split("\n") if line.strip() and not line.startswith("-DOCSTART-")), "")
    separator = "\t" if "\t" in first else " "
    for group in _groups(text):
        if group.problem:
            yield group.problem
            continue
        try:
            yield group.first_line, _row(group, scheme, separator)
        except ValidationFailed as exc:
            yield group.first_line, exc.message


def meta_for_tokens(text: str, tokens: list[str]) -> dict[str, Any] | None:
    """CoNLL's ``lw-format-meta`` for tokens that spell ``text`` joined by single spaces, with a
    newline between sentences (a Parquet row's tokens), so a CoNLL export gives them back."""
    sentences: list[list[str]] = [[]]
    at = 0
    for tok in tokens:
        if at:
            if text[at:at + 1] == "\n":
                sentences.append([])
            elif text[at:at + 1] != " ":
                return None
            at += 1
        if not tok or text[at:at + len(tok)] != tok:
            return None
        sentences[-1].append(tok)
        at += len(tok)
    if at != len(text) or not tokens:
        return None
    return {"conll": {"tokens": sentences, "scheme": "bio", "separator": " "}}


# ---------------------------------------------------------------------------------------- writing


@lru_cache(maxsize=1)
def _nlp() -> Any:
    import spacy

    return spacy.blank("en")


def _own_tokens(text: str, meta: Any) -> list[list[tuple[int, int]]] | None:
    """Character spans of the item's CoNLL tokens per sentence, when they still spell its text."""
    if not isinstance(meta, dict) or not isinstance(meta.get("tokens"), list):
        return None
    sentences = meta["tokens"]
    if "\n".join(" ".join(s) for s in sentences) != text:
        return None
    out, offset = [], 0
    for s in sentences:
        spans = []
        for tok in s:
            spans.append((offset, offset + len(tok)))
            offset += len(tok) + 1
        out.append(spans)
    return out


def _spacy_tokens(text: str, cuts: set[int]) -> list[list[tuple[int, int]]]:
    """spaCy's tokens per line of text (whitespace dropped), split again at every offset in ``cuts``."""
    out, base = [], 0
    for line in text.split("\n"):
        spans = []
        for tok in _nlp().make_doc(line):
            if tok.is_space:
                continue
            start = base + tok.idx
            end = start + len(tok.text)
            inner = sorted(c for c in cuts if start < c < end)
            for a, b in zip([start, *inner], [*inner, end], strict=True):
                spans.append((a, b))
        if spans:
            out.append(spans)
        base += len(line) + 1
    return out


def _where(item: ExportItem) -> str:
    return f"item {item.id} (key {item.key})"


def _check_overlap(item: ExportItem, text: str, entities: list[dict[str, Any]]) -> None:
    ordered = sorted(entities, key=lambda e: (e["startOffset"], e["endOffset"]))
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b["startOffset"] < a["endOffset"]:
            raise ValidationFailed(
                f"{_where(item)}: entities {a['label']!r} at {a['startOffset']}..{a['endOffset']} and "
                f"{b['label']!r} at {b['startOffset']}..{b['endOffset']} overlap; CoNLL gives one tag per token "
                "(export jsonl-spans, spacy-jsonl or docbin to keep both)", field="format")


def tags_for_tokens(sentence: list[tuple[int, int]], text: str, entities: list[dict[str, Any]],
                    scheme: str) -> list[str]:
    """The tags of one sentence's tokens (character spans into ``text``) in ``scheme``; every entity
    given must begin and end on these tokens."""
    from spacy.tokens import Doc
    from spacy.training import biluo_to_iob, offsets_to_biluo_tags

    words = [text[a:b] for a, b in sentence]
    doc = Doc(_nlp().vocab, words=words, spaces=[True] * len(words))
    start_of = {a: doc[i].idx for i, (a, _) in enumerate(sentence)}
    end_of = {b: doc[i].idx + len(doc[i].text) for i, (_, b) in enumerate(sentence)}
    offsets = [(start_of[e["startOffset"]], end_of[e["endOffset"]], e["label"]) for e in entities]
    tags: list[str] = offsets_to_biluo_tags(doc, offsets)
    if scheme == "bilou":
        return tags
    if scheme == "bioes":
        return [{"L": "E", "U": "S"}.get(t[0], t[0]) + t[1:] if t != "O" else t for t in tags]
    bio: list[str] = biluo_to_iob(tags)
    if scheme == "bio":
        return bio
    # IOB1: B- only where an entity directly follows one of the same type
    return [("B" if t.startswith("B-") and i and bio[i - 1][2:] == t[2:] else "I") + t[1:] if t != "O" else t
            for i, t in enumerate(bio)]


def _sentence_entities(item: ExportItem, text: str, sentences: list[list[tuple[int, int]]],
                       entities: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    per: list[list[dict[str, Any]]] = [[] for _ in sentences]
    starts = {a: k for k, s in enumerate(sentences) for a, _ in s}
    ends = {b: k for k, s in enumerate(sentences) for _, b in s}
    for e in entities:
        s, t = starts.get(e["startOffset"]), ends.get(e["endOffset"])
        span = f"{e['label']!r} at {e['startOffset']}..{e['endOffset']} ({text[e['startOffset']:e['endOffset']]!r})"
        if s is None or t is None:
            raise ValidationFailed(f"{_where(item)}: entity {span} does not begin and end on the item's tokens; "
                                   "CoNLL cannot carry it (export jsonl-spans to keep it)", field="format")
        if s != t:
            raise ValidationFailed(f"{_where(item)}: entity {span} crosses a sentence boundary", field="format")
        per[s].append(e)
    return per


def _item_lines(item: ExportItem, scheme: str | None) -> Iterator[str]:
    data = item.data
    text, value = item_text(data), item_value(item, data)
    entities = [e for e in value.get("entities", []) if isinstance(e, dict)]
    _check_overlap(item, text, entities)
    meta = (data.get(FORMAT_META_KEY) or {}).get("conll")
    sentences = _own_tokens(text, meta)
    if sentences is None:
        meta = None
        sentences = _spacy_tokens(text, {o for e in entities for o in (e["startOffset"], e["endOffset"])})
    assert isinstance(meta, dict) or meta is None
    sep = meta.get("separator", " ") if meta else " "
    scheme = scheme or (meta.get("scheme") if meta else None) or "bio"
    columns = meta.get("columns") if meta else None
    docstart = meta.get("docstart") if meta else DOCSTART
    if docstart:
        yield docstart
    for k, (sentence, ents) in enumerate(zip(sentences, _sentence_entities(item, text, sentences, entities),
                                             strict=True)):
        if docstart or k:
            yield ""  # a blank line between sentences, and after -DOCSTART-
        tags = tags_for_tokens(sentence, text, ents, scheme)
        for j, ((a, b), tag) in enumerate(zip(sentence, tags, strict=True)):
            middle = columns[k][j] if columns else []
            yield sep.join([text[a:b], *middle, tag])


def write_conll(scheme: str | None = None) -> Any:
    """A writer (``writers.Writer``) in ``scheme``, or each item's own (BIO when it has none)."""
    if scheme is not None and scheme not in SCHEMES:
        raise ValidationFailed(f"unknown tag scheme {scheme!r}; known: {', '.join(SCHEMES)}", field="scheme")

    def write(items: Iterable[ExportItem], task_type: Any, spec: Any, created: str) -> Iterator[bytes]:
        def blocks() -> Iterator[bytes]:
            between = ""
            for item in items:
                lines = list(_item_lines(item, scheme))
                if lines:  # a blank line between items, none after the last (as CoNLL files end)
                    yield (between + "\n".join(lines) + "\n").encode()
                    between = "\n"

        return chunked(blocks())

    return write
