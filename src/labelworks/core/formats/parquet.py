"""Hugging Face ``datasets``-compatible Parquet for text projects, written in row groups as it streams.

named-entity-recognition, one row per item:

    id               string              the item's own ``id`` when it has one, else its Labelworks id
    text             string
    tokens           list<string>        the item's CoNLL tokens, else spaCy's (cut at entity edges)
    ner_tags         list<int64>         BIO tags as indices into the ``ClassLabel`` names that the
                                         schema's ``huggingface`` metadata lists (``O``, ``B-<label>``,
                                         ``I-<label>`` for each project label, in order), as
                                         ``datasets`` stores conll2003's; overlapping entities keep
                                         the longest in the tags
    entities         list<struct<start: int64, end: int64, label: string, id: string>>   every entity,
                                         code-point offsets into ``text`` (the exact record)
    relations        list<struct<label: string, from: string, to: string>>
    document_labels  list<string>

text-classification: ``id``, ``text`` and ``label`` (string), or ``labels`` (list<string>) for a
multi-label project; items without an answer have null.

Reading (named-entity-recognition) takes ``entities`` when the file has the column; otherwise
``tokens`` with ``ner_tags`` (strings, or integers named by the metadata's ClassLabel), the text
being the tokens joined by single spaces. Tokens that spell the text (joined by spaces, a newline
between sentences) are kept, so a CoNLL export gives them back. Other columns are kept as item fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import ValidationFailed
from .parquet_stream import stream_parquet
from .records import ExportItem
from .text_spans import FORMAT_META_KEY, canonical_value, extra_fields, item_row, item_text, item_value, non_overlapping

__all__ = ["write_ner_parquet", "write_classification_parquet", "read_ner_parquet", "ner_tag_names", "ROW_GROUP"]

ROW_GROUP = 1000
_NER_COLUMNS = ("id", "text", "tokens", "ner_tags", "entities", "relations", "document_labels")


def ner_tag_names(labels: Iterable[str]) -> list[str]:
    return ["O", *(f"{p}-{label}" for label in labels for p in ("B", "I"))]


def _features(tag_names: list[str]) -> dict[str, Any]:
    """The ``datasets`` Features of an NER file, as its ``huggingface`` schema metadata."""
    value = {"_type": "Value"}
    return {"info": {"features": {
        "id": {**value, "dtype": "string"},
        "text": {**value, "dtype": "string"},
        "tokens": {"_type": "Sequence", "feature": {**value, "dtype": "string"}},
        "ner_tags": {"_type": "Sequence", "feature": {"_type": "ClassLabel", "names": tag_names}},
        "entities": [{"start": {**value, "dtype": "int64"}, "end": {**value, "dtype": "int64"},
                      "label": {**value, "dtype": "string"}, "id": {**value, "dtype": "string"}}],
        "relations": [{"label": {**value, "dtype": "string"}, "from": {**value, "dtype": "string"},
                       "to": {**value, "dtype": "string"}}],
        "document_labels": {"_type": "Sequence", "feature": {**value, "dtype": "string"}},
    }}}


def _ner_schema(tag_names: list[str]) -> Any:
    import pyarrow as pa

    entity = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("label", pa.string()), ("id", pa.string())])
    relation = pa.struct([("label", pa.string()), ("from", pa.string()), ("to", pa.string())])
    return pa.schema([("id", pa.string()), ("text", pa.string()), ("tokens", pa.list_(pa.string())),
                      ("ner_tags", pa.list_(pa.int64())), ("entities", pa.list_(entity)),
                      ("relations", pa.list_(relation)), ("document_labels", pa.list_(pa.string()))],
                     metadata={"huggingface": json.dumps(_features(tag_names))})


def _item_id(item: ExportItem, data: dict[str, Any]) -> str:
    own = data.get("id")
    return str(own) if isinstance(own, (str, int)) and not isinstance(own, bool) else str(item.id)


def _ner_row(item: ExportItem, index: dict[str, int]) -> dict[str, Any]:
    from .conll import _own_tokens, _spacy_tokens, tags_for_tokens

    data = item.data
    text, value = item_text(data), item_value(item, data)
    entities = [e for e in value.get("entities", []) if isinstance(e, dict)]
    tagged = non_overlapping(entities)
    meta = (data.get(FORMAT_META_KEY) or {}).get("conll")
    sentences = _own_tokens(text, meta)
    if sentences is None or any(not _on_tokens(e, sentences) for e in tagged):
        sentences = _spacy_tokens(text, {o for e in tagged for o in (e["startOffset"], e["endOffset"])})
    tokens = [span for s in sentences for span in s]
    # tags over the whole item as one sequence, so an entity may cross a line
    names = tags_for_tokens(tokens, text, [e for e in tagged if _on_tokens(e, [tokens])], "bio")
    unknown = sorted({n for n in names if n not in index})
    if unknown:
        raise ValidationFailed(f"item {item.id} (key {item.key}): tag {unknown[0]} names no label of the "
                               "project", field="format")
    return {"id": _item_id(item, data), "text": text, "tokens": [text[a:b] for a, b in tokens],
            "ner_tags": [index[n] for n in names],
            "entities": [{"start": e["startOffset"], "end": e["endOffset"], "label": e["label"], "id": e.get("id")}
                         for e in entities],
            "relations": value.get("relations", []), "document_labels": value.get("documentLabels", [])}


def _on_tokens(entity: dict[str, Any], sentences: list[list[tuple[int, int]]]) -> bool:
    starts = {a for s in sentences for a, _ in s}
    ends = {b for s in sentences for _, b in s}
    return entity["startOffset"] in starts and entity["endOffset"] in ends


def write_ner_parquet(items: Iterable[ExportItem], task_type: Any, spec: Any, created: str) -> Iterator[bytes]:
    names = ner_tag_names(spec.labels.labels)
    index = {n: i for i, n in enumerate(names)}
    return stream_parquet(_ner_schema(names), (_ner_row(item, index) for item in items), ROW_GROUP)


def write_classification_parquet(items: Iterable[ExportItem], task_type: Any, spec: Any,
                                 created: str) -> Iterator[bytes]:
    import pyarrow as pa

    multi = bool(spec.multi_label)
    column = ("labels", pa.list_(pa.string())) if multi else ("label", pa.string())
    names = list(spec.labels.labels)
    label_feature = ({"_type": "Sequence", "feature": {"_type": "Value", "dtype": "string"}} if multi
                     else {"_type": "Value", "dtype": "string"})
    features = {"info": {"features": {"id": {"_type": "Value", "dtype": "string"},
                                      "text": {"_type": "Value", "dtype": "string"}, column[0]: label_feature},
                         "description": f"labels: {', '.join(names)}"}}
    schema = pa.schema([("id", pa.string()), ("text", pa.string()), column],
                       metadata={"huggingface": json.dumps(features)})

    def rows() -> Iterator[dict[str, Any]]:
        for item in items:
            data = item.data
            answer = item.answer.value if item.answer is not None else None
            label: Any = None
            if isinstance(answer, dict):
                label = answer.get(column[0])
            yield {"id": _item_id(item, data), "text": item_text(data), column[0]: label}

    return stream_parquet(schema, rows(), ROW_GROUP)


# ----------------------------------------------------------------------------------------- reading


def _tag_names(schema: Any) -> list[str] | None:
    raw = (schema.metadata or {}).get(b"huggingface")
    if not raw:
        return None
    try:
        feature = json.loads(raw)["info"]["features"]["ner_tags"]["feature"]
        names = feature["names"]
    except (KeyError, TypeError, ValueError):
        return None
    return [str(n) for n in names] if isinstance(names, list) else None


def _from_tags(tokens: list[str], tags: list[Any], names: list[str] | None, row_no: int) -> tuple[str, list[Any]]:
    from .conll import spans_from_tags

    if len(tokens) != len(tags):
        raise ValidationFailed(f"row {row_no}: {len(tokens)} tokens but {len(tags)} ner_tags", field="ner_tags")
    strings = []
    for t in tags:
        if isinstance(t, int) and not isinstance(t, bool):
            if names is None or not 0 <= t < len(names):
                raise ValidationFailed(f"row {row_no}: ner_tags value {t} has no name (the schema's huggingface "
                                       "metadata lists the ClassLabel names)", field="ner_tags")
            t = names[t]
        strings.append(str(t))
    starts, offset = [], 0
    for tok in tokens:
        starts.append(offset)
        offset += len(tok) + 1
    entities = [{"label": label, "startOffset": starts[a], "endOffset": starts[b - 1] + len(tokens[b - 1])}
                for a, b, label in spans_from_tags(strings)]
    return " ".join(tokens), entities


def read_ner_parquet(data: bytes) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """``(row number, item row)`` per row (numbered from 1), or ``(row, why it is bad)``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(pa.BufferReader(data))
    except (pa.ArrowInvalid, OSError) as exc:
        yield 1, f"not a Parquet file ({exc})"
        return
    names = _tag_names(pf.schema_arrow)
    columns = pf.schema_arrow.names
    if "entities" not in columns and not {"tokens", "ner_tags"} <= set(columns):
        yield 1, "a Parquet file needs an 'entities' column, or 'tokens' and 'ner_tags'"
        return
    row_no = 0
    for batch in pf.iter_batches(batch_size=ROW_GROUP):
        for row in batch.to_pylist():
            row_no += 1
            try:
                yield row_no, _parquet_row(row, names, row_no)
            except ValidationFailed as exc:
                yield row_no, exc.message


def _parquet_row(row: dict[str, Any], names: list[str] | None, row_no: int) -> dict[str, Any]:
    if row.get("entities") is not None:
        text = row.get("text")
        if not isinstance(text, str) or not text:
            raise ValidationFailed(f"row {row_no}: text: expected a non-empty string", field="text")
        entities = []
        for e in row["entities"]:
            ent = {"label": e.get("label"), "startOffset": e.get("start"), "endOffset": e.get("end")}
            if e.get("id"):
                ent["id"] = e["id"]
            entities.append(ent)
    else:
        tokens = row.get("tokens") or []
        text, entities = _from_tags([str(t) for t in tokens], list(row.get("ner_tags") or []), names, row_no)
        if not text:
            raise ValidationFailed(f"row {row_no}: no tokens", field="tokens")
    relations = [r for r in row.get("relations") or []] or None
    value = canonical_value(text, entities, relations, row.get("document_labels") or None,
                            where=f"row {row_no}")
    from .conll import meta_for_tokens

    kept = {k: v for k, v in row.items() if k not in _NER_COLUMNS and v is not None}
    if row.get("id") is not None:
        kept["id"] = row["id"]
    tokens = row.get("tokens")  # kept when they spell the text: a CoNLL export gives them back
    meta = meta_for_tokens(text, [str(t) for t in tokens]) if isinstance(tokens, list) else None
    return item_row(text, value, extra_fields(kept), meta)
