"""Ground Truth named-entity-recognition output manifests (``groundtruth/text-span``).

A line of a Ground Truth NER job's output manifest::

    {"source": "Bob was born in Minneapolis.",
     "ner": {"annotations": {"entities": [{"startOffset": 0, "endOffset": 3, "label": "Person"}],
                             "labels": [{"label": "Person"}, {"label": "Location"}]}},
     "ner-metadata": {"entities": [{"confidence": 0.92}], "type": "groundtruth/text-span",
                      "job-name": "labeling-job/ner", "human-annotated": "yes", "creation-date": "…"}}

``--format gt-ner`` imports each line as an item that keeps every key of the line and gains
``lw-pre-annotations`` with the entities (chaining: the worker adjusts them). The attribute is found
by its metadata's ``type``; a line of a chained job holds several, and the last one on the line
(the newest job's) is taken; a line with none is imported as it is.

Offsets: Ground Truth's worker element runs in the browser, where a string is UTF-16, so its
``startOffset`` / ``endOffset`` count UTF-16 code units; Labelworks counts code points. The two
differ only after a character outside the Basic Multilingual Plane (most emoji, some CJK): each
counts 2 in UTF-16 and 1 here. This reader converts; ``entities_to_gt`` converts back for the
manifest export, so a manifest written here reads the same in Ground Truth's tools and back here.
An offset that falls inside a surrogate pair is refused, naming the field.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from ..errors import ValidationFailed
from ..text_offsets import code_points_to_utf16, offset_converter, utf16_to_code_points
from .text_spans import PRE_ANNOTATIONS_KEY, canonical_value, lines_reader

__all__ = ["GT_TEXT_SPAN_TYPE", "gt_ner_rows", "utf16_to_code_points", "code_points_to_utf16", "entities_to_gt",
           "entities_from_gt"]

GT_TEXT_SPAN_TYPE = "groundtruth/text-span"


def entities_to_gt(text: str, value: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Ground Truth's ``{"annotations": {"entities", "labels"}}`` body (UTF-16 offsets) and the
    metadata's per-entity confidences for a canonical value."""
    conv = offset_converter(text, to_utf16=True)
    entities = value.get("entities", [])
    out = [{"label": e["label"], "startOffset": conv(e["startOffset"]), "endOffset": conv(e["endOffset"])}
           for e in entities]
    labels = [{"label": label} for label in dict.fromkeys(e["label"] for e in entities)]
    confidences = [{"confidence": e.get("confidence", e.get("score", 1))} for e in entities]
    return {"annotations": {"entities": out, "labels": labels}}, confidences


def entities_from_gt(text: str, body: Any, at: str) -> list[dict[str, Any]]:
    """The entities of a Ground Truth annotation body, offsets converted to code points."""
    annotations = body.get("annotations") if isinstance(body, dict) else None
    entities = annotations.get("entities") if isinstance(annotations, dict) else None
    if not isinstance(entities, list):
        raise ValidationFailed(f"{at}.annotations.entities: expected a list", field=f"{at}.annotations.entities")
    conv = offset_converter(text, to_utf16=False)
    out = []
    for i, ent in enumerate(entities):
        where = f"{at}.annotations.entities[{i}]"
        if not isinstance(ent, dict):
            raise ValidationFailed(f"{where}: expected an object", field=where)
        converted = dict(ent)
        for key in ("startOffset", "endOffset"):
            raw = ent.get(key)
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise ValidationFailed(f"{where}.{key}: expected an integer, got {raw!r}", field=f"{where}.{key}")
            point = conv(raw)
            if point is None:
                raise ValidationFailed(f"{where}.{key}: {raw} is not a character boundary of the text (UTF-16 "
                                       "offsets, as Ground Truth counts them)", field=f"{where}.{key}")
            converted[key] = point
        out.append(converted)
    return out


def _pre_annotations(row: dict[str, Any], attr: str) -> dict[str, Any]:
    text = row.get("source")
    if not isinstance(text, str) or not text:
        raise ValidationFailed("source: a named-entity line needs its text in 'source'", field="source")
    body = row.get(attr)
    entities = entities_from_gt(text, body, attr)
    # our own manifest export may carry relations and document labels beside Ground Truth's keys
    annotations: dict[str, Any] = body["annotations"]  # type: ignore[index]  # checked by entities_from_gt
    labels = annotations.get("documentLabels")
    if isinstance(labels, list):  # written as [{"label": …}], as Ground Truth lists labels
        labels = [x.get("label") if isinstance(x, dict) else x for x in labels]
    return canonical_value(text, entities, annotations.get("relations"), labels, where=f"{attr}.annotations")


def gt_ner_rows(data: bytes) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """``(line number, item row)`` per line, or ``(line number, why it is bad)`` naming the field
    (``ner.annotations.entities[2].endOffset``); blank lines are skipped but counted."""
    for n, line in lines_reader(data):
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield n, f"not valid JSON ({exc})"
            continue
        if not isinstance(row, dict):
            yield n, "expected a JSON object"
            continue
        attrs = [k[: -len("-metadata")] for k, v in row.items()
                 if k.endswith("-metadata") and isinstance(v, dict) and v.get("type") == GT_TEXT_SPAN_TYPE]
        if attrs:
            try:  # a chained job's line holds every job's label: the newest (written last) is the one
                row[PRE_ANNOTATIONS_KEY] = _pre_annotations(row, attrs[-1])
            except ValidationFailed as exc:
                yield n, exc.message
                continue
        yield n, row
