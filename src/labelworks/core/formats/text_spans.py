"""Entity spans in text: the helpers every NER format shares, and ``jsonl-spans``, the lossless one.

The canonical value (docs/task-types/named-entity-recognition.md)::

    {"entities": [{"label": "person", "startOffset": 0, "endOffset": 8, "id": "e1"}, ...],
     "relations": [{"label": "works_for", "from": "e1", "to": "e2"}],   (omitted when empty)
     "documentLabels": ["sports"]}                                       (omitted when empty)

Offsets count Unicode code points (Python ``str`` indices), ``endOffset`` exclusive. An imported
file's labels become the item's ``lw-pre-annotations`` (the worker adjusts them); an export writes
each item's consolidated answer, or its pre-annotations while it has none.

``jsonl-spans``: one JSON object per line, ``{"text", "entities", "relations", "documentLabels"}``
plus any other keys of the item (kept as they were, ``lw-format-meta`` included), so a file imported
and exported again comes back unchanged, and an item read from CoNLL keeps its tokens through it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any

import orjson

from ..errors import ValidationFailed
from .records import BadLine, ExportItem, ParsedLine

__all__ = ["PRE_ANNOTATIONS_KEY", "FORMAT_META_KEY", "NER_TASK_TYPE", "canonical_value", "check_entities",
           "item_text", "item_value", "item_row", "extra_fields", "read_jsonl_spans", "write_jsonl_spans",
           "lines_reader", "chunked", "non_overlapping", "TEXT_READERS", "TEXT_WRITERS", "read_text", "text_writer"]

PRE_ANNOTATIONS_KEY = "lw-pre-annotations"
# what a format needs to write an item back as it read it (CoNLL's own tokens), under its format's name
FORMAT_META_KEY = "lw-format-meta"
NER_TASK_TYPE = "named-entity-recognition"
_VALUE_KEYS = ("entities", "relations", "documentLabels")
_CHUNK = 64 * 1024


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(f"{where}: expected an integer, got {value!r}", field=where)
    return value


def check_entities(text: str, entities: Any, where: str) -> list[dict[str, Any]]:
    """Entities of the contract's shape, checked against ``text`` (errors name the field)."""
    if not isinstance(entities, list):
        raise ValidationFailed(f"{where}: expected a list", field=where)
    out: list[dict[str, Any]] = []
    for i, ent in enumerate(entities):
        at = f"{where}[{i}]"
        if not isinstance(ent, dict):
            raise ValidationFailed(f"{at}: expected an object", field=at)
        label = ent.get("label")
        if not isinstance(label, str) or not label:
            raise ValidationFailed(f"{at}.label: expected a non-empty string", field=f"{at}.label")
        start, end = _int(ent.get("startOffset"), f"{at}.startOffset"), _int(ent.get("endOffset"), f"{at}.endOffset")
        if not 0 <= start < end <= len(text):
            raise ValidationFailed(f"{at}: offsets {start}..{end} are not a span of a text of {len(text)} "
                                   "characters (code points)", field=f"{at}.startOffset")
        out.append(dict(ent))
    return out


def canonical_value(text: str, entities: Iterable[dict[str, Any]], relations: Any = None,
                    document_labels: Any = None, where: str = "value") -> dict[str, Any]:
    """The contract's value: entities checked and sorted by (start, end, label), ids kept (missing
    ones become ``e1``, ``e2``… in that order, skipping ids already taken), relations checked."""
    def at(key: str) -> str:
        return f"{where}.{key}" if where else key

    ents = sorted(check_entities(text, list(entities), at("entities")),
                  key=lambda e: (e["startOffset"], e["endOffset"], e["label"]))
    seen: set[tuple[int, int, str]] = set()
    for e in ents:
        key = (e["startOffset"], e["endOffset"], e["label"])
        if key in seen:
            raise ValidationFailed(f"{at('entities')}: {e['label']!r} at {key[0]}..{key[1]} appears twice",
                                   field=at("entities"))
        seen.add(key)
    taken = {e["id"] for e in ents if isinstance(e.get("id"), str) and e["id"]}
    n = 0
    for e in ents:
        if not (isinstance(e.get("id"), str) and e["id"]):
            n += 1
            while f"e{n}" in taken:
                n += 1
            e["id"] = f"e{n}"
    # keys in the contract's order, anything else (source, model, score) after
    ents = [{"label": e["label"], "startOffset": e["startOffset"], "endOffset": e["endOffset"], "id": e["id"],
             **{k: v for k, v in e.items() if k not in ("label", "startOffset", "endOffset", "id")}} for e in ents]
    value: dict[str, Any] = {"entities": ents}
    if relations:
        if not isinstance(relations, list):
            raise ValidationFailed(f"{at('relations')}: expected a list", field=at("relations"))
        ids = {e["id"] for e in ents}
        for i, rel in enumerate(relations):
            rel_at = at(f"relations[{i}]")
            if not isinstance(rel, dict) or not isinstance(rel.get("label"), str):
                raise ValidationFailed(f"{rel_at}: expected an object with a label", field=rel_at)
            for end in ("from", "to"):
                if rel.get(end) not in ids:
                    raise ValidationFailed(f"{rel_at}.{end}: {rel.get(end)!r} names no entity",
                                           field=f"{rel_at}.{end}")
        value["relations"] = [dict(r) for r in relations]
    if document_labels:
        if not isinstance(document_labels, list) or not all(isinstance(x, str) for x in document_labels):
            raise ValidationFailed(f"{at('documentLabels')}: expected a list of strings",
                                   field=at("documentLabels"))
        value["documentLabels"] = list(document_labels)
    return value


def item_text(data: Mapping[str, Any]) -> str:
    text = data.get("source", data.get("text"))
    return text if isinstance(text, str) else ""


def item_value(item: ExportItem, data: Mapping[str, Any]) -> dict[str, Any]:
    """What an export writes for an item: its consolidated answer, else its pre-annotations, else
    no entities."""
    if item.answer is not None and isinstance(item.answer.value, dict):
        return item.answer.value
    pre = data.get(PRE_ANNOTATIONS_KEY)
    return pre if isinstance(pre, dict) else {"entities": []}


def extra_fields(data: Mapping[str, Any], *also: str) -> dict[str, Any]:
    """The item's own keys a format writes back beside its text and labels."""
    skip = {"source", "text", PRE_ANNOTATIONS_KEY, FORMAT_META_KEY, *also}
    return {k: v for k, v in data.items() if k not in skip}


def item_row(text: str, value: dict[str, Any] | None, extra: Mapping[str, Any] | None = None,
             meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """An item to import: the text as ``source``, the labels (when any) as pre-annotations."""
    row: dict[str, Any] = {"source": text, **(extra or {})}
    if value and any(value.get(k) for k in _VALUE_KEYS):
        row[PRE_ANNOTATIONS_KEY] = value
    if meta:
        row[FORMAT_META_KEY] = dict(meta)
    return row


def non_overlapping(entities: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The longest entities that do not overlap (spaCy's ``filter_spans`` rule), in text order."""
    chosen: list[dict[str, Any]] = []
    taken: set[int] = set()
    for e in sorted(entities, key=lambda e: (-(e["endOffset"] - e["startOffset"]), e["startOffset"])):
        span = range(e["startOffset"], e["endOffset"])
        if not taken.intersection(span):
            chosen.append(e)
            taken.update(span)
    return sorted(chosen, key=lambda e: e["startOffset"])


def lines_reader(data: bytes) -> Iterator[tuple[int, bytes]]:
    """``(line number, line)`` for the non-blank lines of a JSON-lines file. Split on ``\\n`` only:
    a text may hold U+2028 or a form feed, which ``str.splitlines`` would cut."""
    for n, raw in enumerate(data.split(b"\n"), start=1):
        line = raw.removeprefix(b"\xef\xbb\xbf") if n == 1 else raw
        if line.strip():
            yield n, line


def chunked(lines: Iterable[bytes]) -> Iterator[bytes]:
    buf: list[bytes] = []
    size = 0
    for line in lines:
        buf.append(line)
        size += len(line)
        if size >= _CHUNK:
            yield b"".join(buf)
            buf, size = [], 0
    if buf:
        yield b"".join(buf)


def _parse(line: bytes) -> dict[str, Any]:
    try:
        row = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise ValidationFailed(f"not valid JSON ({exc})", field="file") from None
    if not isinstance(row, dict):
        raise ValidationFailed("expected a JSON object", field="file")
    return row


def jsonl_spans_row(row: dict[str, Any]) -> dict[str, Any]:
    text = row.get("text", row.get("source"))  # Ground Truth's "source" is read too
    if not isinstance(text, str) or not text:
        raise ValidationFailed("text: expected a non-empty string", field="text")
    value = canonical_value(text, row.get("entities") or [], row.get("relations"), row.get("documentLabels"),
                            where="")
    meta = row.get(FORMAT_META_KEY)
    return item_row(text, value, extra_fields(row, *_VALUE_KEYS), meta if isinstance(meta, dict) else None)


def read_jsonl_spans(stream: IO[bytes]) -> Iterator[ParsedLine | BadLine]:
    """One item per line; a bad line names its field (``entities[2].endOffset``)."""
    from .readers import read_rows

    for n, line in lines_reader(stream.read()):
        try:
            row = jsonl_spans_row(_parse(line))
        except ValidationFailed as exc:
            yield BadLine(n, exc.message)
            continue
        yield next(read_rows([row], n))


def write_jsonl_spans(items: Iterable[ExportItem], task_type: Any, spec: Any, created: str) -> Iterator[bytes]:
    def lines() -> Iterator[bytes]:
        for item in items:
            data = item.data
            value = item_value(item, data)
            out: dict[str, Any] = {"text": item_text(data), "entities": value.get("entities", [])}
            if value.get("relations"):
                out["relations"] = value["relations"]
            if value.get("documentLabels"):
                out["documentLabels"] = value["documentLabels"]
            out.update(extra_fields(data, *_VALUE_KEYS))
            if FORMAT_META_KEY in data:  # CoNLL's own tokens, so that a later CoNLL export still has them
                out[FORMAT_META_KEY] = data[FORMAT_META_KEY]
            yield orjson.dumps(out) + b"\n"

    return chunked(lines())


# ------------------------------------------------------------ the text formats, by internal name
# (``task_formats`` resolves what the user typed: ``--format conll --scheme bilou`` is ``conll/bilou``)

TEXT_READERS = ("jsonl-spans", "spacy-jsonl", "docbin", "conll", "parquet", "gt-ner")
TEXT_WRITERS = ("jsonl-spans", "spacy-jsonl", "docbin", "conll", "conll/bio", "conll/iob1", "conll/bilou",
                "conll/bioes", "parquet", "parquet/classification")


def read_text(stream: IO[bytes], fmt: str) -> Iterator[ParsedLine | BadLine]:
    """A text dataset as items with pre-annotations; each bad line, sentence, row or document is
    reported with its number (a file that cannot be read at all is one bad line 1)."""
    from .readers import read_rows

    if fmt == "jsonl-spans":
        return read_jsonl_spans(stream)
    if fmt == "spacy-jsonl":
        from .spacy_formats import read_spacy_jsonl

        return read_spacy_jsonl(stream)
    data = stream.read()
    if fmt == "docbin":
        from .spacy_formats import read_docbin

        try:
            return read_rows(read_docbin(data))
        except ValidationFailed as exc:
            return iter([BadLine(1, exc.message)])
    if fmt == "conll":
        from .conll import conll_rows as rows
    elif fmt == "parquet":
        from .parquet import read_ner_parquet as rows
    else:
        from .gt_ner import gt_ner_rows as rows
    return (BadLine(n, row) if isinstance(row, str) else next(read_rows([row], n)) for n, row in rows(data))


def text_writer(fmt: str) -> Any:
    """The ``writers.Writer`` for one of ``TEXT_WRITERS``."""
    family, _, variant = fmt.partition("/")
    if family == "conll":
        from .conll import write_conll

        return write_conll(variant or None)
    if family == "parquet":
        from .parquet import write_classification_parquet, write_ner_parquet

        return write_classification_parquet if variant == "classification" else write_ner_parquet
    if family == "docbin":
        from .spacy_formats import write_docbin

        return write_docbin
    if family == "spacy-jsonl":
        from .spacy_formats import write_spacy_jsonl

        return write_spacy_jsonl
    return write_jsonl_spans
