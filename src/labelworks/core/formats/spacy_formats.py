"""spaCy's formats for named-entity-recognition projects: DocBin (``.spacy``) and JSONL.

``docbin``: spaCy's binary training format (``spacy.tokens.DocBin``), read and written with a blank
English vocabulary. Entities that do not overlap are the Doc's ``doc.ents``; every entity is also in
the span group ``doc.spans["sc"]``, which alone can hold overlapping or nested ones (``doc.ents``
cannot). Reading takes ``doc.spans["sc"]`` when a Doc has it, else ``doc.ents``; ``doc.cats`` with a
score of 0.5 or more become document labels. A Doc needs entities on token boundaries: texts are
tokenised with spaCy's tokenizer and a token is split where an entity begins or ends inside it, so
every character span survives. Entity ids, relations, the item's other fields and its
``lw-format-meta`` (CoNLL tokens) ride in ``doc.user_data["labelworks"]``.

``spacy-jsonl``: one ``{"text", "tokens", "spans": [{"start", "end", "token_start", "token_end",
"label"}]}`` per line (Prodigy's and spaCy's character-span shape; on import only ``text`` and the
spans' ``start``/``end``/``label`` are needed, ``"ents"`` is read as well, and doccano's ``"label":
[[start, end, label]]``). Offsets count code points. The item's other keys are kept; relations are
not part of the shape (jsonl-spans keeps them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import IO, Any

import orjson

from ..errors import ValidationFailed
from .records import BadLine, ExportItem, ParsedLine
from .text_spans import (FORMAT_META_KEY, canonical_value, chunked, extra_fields, item_row, item_text, item_value,
                         lines_reader, non_overlapping)

__all__ = ["read_spacy_jsonl", "write_spacy_jsonl", "read_docbin", "write_docbin", "doc_for"]

_SPAN_KEYS = ("spans", "ents", "label", "entities", "tokens")  # tokens: derived, written afresh
_USER_KEY = "labelworks"


@lru_cache(maxsize=1)
def _nlp() -> Any:
    import spacy

    return spacy.blank("en")


# ------------------------------------------------------------------------------------ spacy-jsonl


def _spans(row: dict[str, Any]) -> list[dict[str, Any]]:
    if isinstance(row.get("label"), list) and "spans" not in row and "ents" not in row:  # doccano
        out = []
        for i, triple in enumerate(row["label"]):
            if not (isinstance(triple, list) and len(triple) == 3):
                raise ValidationFailed(f"label[{i}]: expected [start, end, label]", field=f"label[{i}]")
            out.append({"label": triple[2], "startOffset": triple[0], "endOffset": triple[1]})
        return out
    key = "spans" if "spans" in row else "ents"
    spans = row.get(key) or []
    if not isinstance(spans, list):
        raise ValidationFailed(f"{key}: expected a list", field=key)
    out = []
    for i, span in enumerate(spans):
        if not isinstance(span, dict):
            raise ValidationFailed(f"{key}[{i}]: expected an object", field=f"{key}[{i}]")
        ent = {"label": span.get("label"), "startOffset": span.get("start"), "endOffset": span.get("end")}
        if isinstance(span.get("id"), str):
            ent["id"] = span["id"]
        out.append(ent)
    return out


def read_spacy_jsonl(stream: IO[bytes]) -> Iterator[ParsedLine | BadLine]:
    from .readers import read_rows

    for n, line in lines_reader(stream.read()):
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield BadLine(n, f"not valid JSON ({exc})")
            continue
        try:
            if not isinstance(row, dict):
                raise ValidationFailed("expected a JSON object", field="file")
            text = row.get("text")
            if not isinstance(text, str) or not text:
                raise ValidationFailed("text: expected a non-empty string", field="text")
            # errors name the file's own keys (spans[2].end), not ours
            try:
                value = canonical_value(text, _spans(row), where="")
            except ValidationFailed as exc:
                key = "spans" if "spans" in row else "ents" if "ents" in row else "label"
                raise ValidationFailed(exc.message.replace("entities", key, 1).replace("startOffset", "start")
                                       .replace("endOffset", "end"), field=key) from None
            meta = row.get(FORMAT_META_KEY)
            yield next(read_rows([item_row(text, value, extra_fields(row, *_SPAN_KEYS),
                                           meta if isinstance(meta, dict) else None)], n))
        except ValidationFailed as exc:
            yield BadLine(n, exc.message)


def write_spacy_jsonl(items: Iterable[ExportItem], task_type: Any, spec: Any, created: str) -> Iterator[bytes]:
    """Prodigy's shape: ``tokens`` (spaCy's, cut at entity edges) and ``spans`` with their
    ``token_start`` / ``token_end`` (inclusive) beside the character offsets."""
    def lines() -> Iterator[bytes]:
        for item in items:
            data = item.data
            text, value = item_text(data), item_value(item, data)
            entities = [e for e in value.get("entities", []) if isinstance(e, dict)]
            doc = doc_for(text, entities)
            tokens = [{"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "id": t.i, "ws": bool(t.whitespace_)}
                      for t in doc]
            first = {t["start"]: t["id"] for t in tokens}
            last = {t["end"]: t["id"] for t in tokens}
            spans = [{"start": e["startOffset"], "end": e["endOffset"], "token_start": first[e["startOffset"]],
                      "token_end": last[e["endOffset"]], "label": e["label"]} for e in entities]
            out = {"text": text, "tokens": tokens, "spans": spans, **extra_fields(data, *_SPAN_KEYS)}
            if FORMAT_META_KEY in data:  # CoNLL's own tokens, for a later CoNLL export
                out[FORMAT_META_KEY] = data[FORMAT_META_KEY]
            yield orjson.dumps(out) + b"\n"

    return chunked(lines())


# ------------------------------------------------------------------------------------------ docbin


def doc_for(text: str, entities: list[dict[str, Any]]) -> Any:
    """A Doc of ``text`` whose tokens begin and end at every entity's offsets (spaCy's tokens, cut
    further where an entity begins or ends inside one), with the entities as ``spans["sc"]`` and, when
    they do not overlap, as ``ents``."""
    from spacy.tokens import Doc

    starts = {e["startOffset"] for e in entities}
    ends = {e["endOffset"] for e in entities}
    bounds = {0, len(text), *starts, *ends}
    for tok in _nlp().make_doc(text):
        bounds.update((tok.idx, tok.idx + len(tok.text)))
    words: list[str] = []
    spaces: list[bool] = []
    edges = sorted(bounds)
    for a, b in zip(edges, edges[1:], strict=False):
        piece = text[a:b]
        # a single space after a word is that word's trailing space, unless an entity needs it
        if piece == " " and words and not spaces[-1] and a not in starts and b not in ends:
            spaces[-1] = True
            continue
        words.append(piece)
        spaces.append(False)
    doc = Doc(_nlp().vocab, words=words, spaces=spaces)
    spans = []
    for e in entities:
        span = doc.char_span(e["startOffset"], e["endOffset"], label=e["label"], alignment_mode="strict")
        assert span is not None  # the tokens were cut at every entity edge
        spans.append(span)
    doc.spans["sc"] = spans
    if len(non_overlapping(entities)) == len(entities):
        doc.ents = spans
    return doc


def write_docbin(items: Iterable[ExportItem], task_type: Any, spec: Any, created: str) -> Iterator[bytes]:
    """One DocBin for the whole project (spaCy serialises it at once), user data stored."""
    from spacy.tokens import DocBin

    def build() -> Iterator[bytes]:
        bin_ = DocBin(store_user_data=True)
        for item in items:
            data = item.data
            value = item_value(item, data)
            entities = [e for e in value.get("entities", []) if isinstance(e, dict)]
            doc = doc_for(item_text(data), entities)
            doc.cats = {label: 1.0 for label in value.get("documentLabels", [])}
            doc.user_data[_USER_KEY] = orjson.dumps({
                "ids": [e.get("id") for e in entities], "relations": value.get("relations", []),
                "entities": [{k: v for k, v in e.items() if k not in ("label", "startOffset", "endOffset", "id")}
                             for e in entities],
                "data": extra_fields(data), "meta": data.get(FORMAT_META_KEY)}).decode()
            bin_.add(doc)
        yield bin_.to_bytes()

    return build()


def _doc_row(doc: Any, n: int) -> dict[str, Any]:
    group = doc.spans["sc"] if "sc" in doc.spans else doc.ents
    entities: list[dict[str, Any]] = [{"label": s.label_, "startOffset": s.start_char, "endOffset": s.end_char}
                                      for s in group]
    stored = doc.user_data.get(_USER_KEY)
    extra: dict[str, Any] = {}
    meta = None
    relations = None
    if isinstance(stored, str):
        saved = orjson.loads(stored)
        if len(saved.get("ids", [])) == len(entities):
            for ent, id_, more in zip(entities, saved["ids"], saved.get("entities", [{}] * len(entities)),
                                      strict=True):
                ent.update(more)
                if id_:
                    ent["id"] = id_
            relations = saved.get("relations") or None
        extra = saved.get("data") or {}
        meta = saved.get("meta") if isinstance(saved.get("meta"), dict) else None
    labels = [label for label, score in doc.cats.items() if score >= 0.5]
    value = canonical_value(doc.text, entities, relations, labels, where=f"doc {n}")
    return item_row(doc.text, value, extra, meta)


def read_docbin(data: bytes) -> list[dict[str, Any]]:
    from spacy.tokens import DocBin

    try:
        bin_ = DocBin().from_bytes(data)
    except Exception as exc:  # spaCy raises msgpack / zlib errors of many kinds on a bad file
        raise ValidationFailed(f"not a spaCy DocBin (.spacy) file ({type(exc).__name__}: {exc})",
                               field="file") from None
    return [_doc_row(doc, n) for n, doc in enumerate(bin_.get_docs(_nlp().vocab), start=1)]
