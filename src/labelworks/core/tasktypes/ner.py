"""Named entities, relations between them and labels of the whole document: the
``named-entity-recognition`` task type (Ground Truth's ``crowd-entity-annotation``).

The ``<lw-entity-annotation>`` element posts under its name (docs/task-types/named-entity-recognition.md)::

    {"entities": {"entities": [{"label": "person", "startOffset": 0, "endOffset": 8, "id": "e1"}],
                  "relations": [{"label": "works_for", "from": "e1", "to": "e2"}],
                  "documentLabels": ["sports"]}}

The canonical value is the inner object, keys in that order, ``relations`` and ``documentLabels``
left out when empty. Offsets are Unicode code points of the item's ``source`` text (Python ``str``
indices), ``endOffset`` exclusive. Entities are sorted by (startOffset, endOffset, label) and their
ids renumbered ``e1``, ``e2``… in that order (relations follow), so equal answers are equal JSON.
The project's relation labels and document labels come from its label-category file
(``relations``, ``documentLabels``: see ``core/labels``).
"""

from __future__ import annotations

import html
import json
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from ..consolidation.majority import Consolidated
from ..consolidation.structured.relations import consolidate_ner
from ..errors import ValidationFailed
from ..text_offsets import offset_converter
from .base import ProjectSpec, TaskType
from .image_objects import SOURCES, unwrap_answer

try:  # the `regex` module knows extended grapheme clusters (\X); without it combining marks are checked
    import regex as _regex
except ImportError:  # pragma: no cover - not a declared dependency (the test extra brings it)
    _regex = None

__all__ = ["NamedEntityTaskType", "NAMED_ENTITY_RECOGNITION", "MAX_ENTITIES", "MAX_RELATIONS",
           "PRE_ANNOTATIONS_KEY", "cluster_boundaries"]

PRE_ANNOTATIONS_KEY = "lw-pre-annotations"
# Bounds one submission: far above a worker's entities in one document (a long contract has hundreds).
MAX_ENTITIES = 10_000
MAX_RELATIONS = 10_000
MAX_ID = 64

_TEMPLATE = """<lw-form>
  <lw-entity-annotation name="entities" header="{{ header }}" labels="{{ labels | to_json }}"
    text="{{ task.input.source | default: task.input.text }}"
    {%- if task.input.lw-pre-annotations %}
    initial-value="{{ task.input.lw-pre-annotations | to_json }}"{% endif %}>
  </lw-entity-annotation>
</lw-form>
"""
_OPEN_TAG = '<lw-entity-annotation name="entities"'


def _attribute(value: Any) -> str:
    """JSON for an HTML attribute of the template: escaped, braces as character references so that
    no label name can be Liquid."""
    text = html.escape(json.dumps(value, ensure_ascii=False), quote=True)
    return text.replace("{", "&#123;").replace("}", "&#125;")


def _display_labels(spec: ProjectSpec) -> list[dict[str, str]] | None:
    """The label file's entries when one has Ground Truth's ``shortDisplayName``/``fullDisplayName``."""
    entries = spec.labels.document.get("labels")
    if not isinstance(entries, list):
        return None
    keys = ("label", "shortDisplayName", "fullDisplayName")
    out = [{k: str(e[k]) for k in keys if isinstance(e, dict) and isinstance(e.get(k), str)} for e in entries]
    if not any(len(o) > 1 for o in out) or [o.get("label") for o in out] != list(spec.labels.labels):
        return None
    return out


class NamedEntityTaskType(TaskType):
    name = "named-entity-recognition"
    title = "Named entities (text spans, relations)"
    media = "text"
    default_consolidator = "span-jaccard-consensus"
    # offsets are checked against the item's own text
    reads_item_data = True

    def value_kind(self, spec: ProjectSpec) -> str:
        return "spans"

    def default_template(self, spec: ProjectSpec) -> str:
        template = _TEMPLATE
        extra = ""
        display = _display_labels(spec)
        if display is not None:
            template = template.replace('labels="{{ labels | to_json }}"', f'labels="{_attribute(display)}"')
        if spec.labels.relation_labels:
            extra += f' relation-labels="{_attribute(list(spec.labels.relation_labels))}"'
        if spec.labels.document_labels:
            extra += f' document-labels="{_attribute(list(spec.labels.document_labels))}"'
            if spec.labels.multi_document_labels:
                extra += " multi-document-labels"
        return template.replace(_OPEN_TAG, _OPEN_TAG + extra, 1)

    def normalize(self, value: Any, spec: ProjectSpec) -> dict[str, Any]:
        return _normalize(value, spec, None)

    def normalize_with_item(self, value: Any, spec: ProjectSpec, data: Mapping[str, Any]) -> dict[str, Any]:
        text = _item_text(data)
        if text is None:
            raise ValidationFailed("the item has no text ('source') to mark entities in", field="value.entities")
        return _normalize(value, spec, text)

    def consolidate(self, values: Sequence[dict[str, Any]], spec: ProjectSpec) -> Consolidated | None:
        if not values:
            return None
        # anonymous, equally weighted workers: the same algorithm the registered consolidator runs
        return consolidate_ner([(f"w{i}", v) for i, v in enumerate(values)], spec.labels)

    def output_fields(self, answer: Consolidated, spec: ProjectSpec, created: str) -> dict[str, Any]:
        return ner_output(answer, spec, created)

    def output_fields_with_item(self, answer: Consolidated, spec: ProjectSpec, created: str,
                                data: Mapping[str, Any]) -> dict[str, Any]:
        """Ground Truth's element counts offsets in UTF-16 code units (a JavaScript string): the
        manifest converts from our code points with the item's text (docs/formats.md)."""
        out = ner_output(answer, spec, created)
        text = _item_text(data)
        if text is not None:
            to_utf16 = offset_converter(text, to_utf16=True)
            for ent in out[spec.label_attribute]["annotations"]["entities"]:
                ent["startOffset"], ent["endOffset"] = to_utf16(ent["startOffset"]), to_utf16(ent["endOffset"])
        return out


def _item_text(data: Mapping[str, Any]) -> str | None:
    text = data.get("source") if isinstance(data.get("source"), str) else data.get("text")
    return text if isinstance(text, str) else None


def ner_output(answer: Consolidated, spec: ProjectSpec, created: str) -> dict[str, Any]:
    """Ground Truth's named-entity output: ``{attr: {"annotations": {"entities", "labels"}},
    attr-metadata: {"entities": [{"confidence"}], "type": "groundtruth/text-span", …}}``.

    Entities keep their ``id`` only when relations refer to them; ``relations`` and
    ``documentLabels`` travel beside ``entities`` (extra keys Ground Truth's readers skip), their
    confidences in the metadata's ``relations`` and ``documentLabels``.
    """
    attr = spec.label_attribute
    value: Any = answer.value if isinstance(answer.value, dict) else {}
    relations = [dict(r) for r in value.get("relations", [])]
    entities = []
    for ent in value.get("entities", []):
        out = {"label": ent["label"], "startOffset": ent["startOffset"], "endOffset": ent["endOffset"]}
        if relations and "id" in ent:
            out["id"] = ent["id"]
        entities.append(out)
    annotations: dict[str, Any] = {"entities": entities, "labels": [{"label": lab} for lab in spec.labels.labels]}
    conf = list(answer.object_confidence)
    meta: dict[str, Any] = {
        "entities": [{"confidence": round(conf[i], 2) if i < len(conf) else round(answer.confidence, 2)}
                     for i in range(len(entities))],
    }
    if relations:
        annotations["relations"] = relations
        meta["relations"] = [{"confidence": round(answer.confidence_map.get(f"relations[{i}]", answer.confidence), 2)}
                             for i in range(len(relations))]
    doc_labels = list(value.get("documentLabels", []))
    if doc_labels:
        annotations["documentLabels"] = [{"label": lab} for lab in doc_labels]
        meta["documentLabels"] = [
            {"label": lab, "confidence": round(answer.confidence_map.get(f"documentLabels.{lab}", answer.confidence), 2)}
            for lab in doc_labels]
    meta.update({"type": "groundtruth/text-span", "human-annotated": "yes", "creation-date": created,
                 "job-name": f"labeling-job/{spec.job_name}"})
    return {attr: {"annotations": annotations}, f"{attr}-metadata": meta}


def _normalize(value: Any, spec: ProjectSpec, text: str | None) -> dict[str, Any]:
    body, prefix = unwrap_answer(value, ("entities",), "'entities' (a list of {label, startOffset, endOffset})")
    raw = body.get("entities")
    field = f"{prefix}.entities"
    if not isinstance(raw, list):
        raise ValidationFailed("entities must be a list", field=field)
    if len(raw) > MAX_ENTITIES:
        raise ValidationFailed(f"at most {MAX_ENTITIES} entities per document, got {len(raw)}", field=field)
    boundaries = cluster_boundaries(text) if text is not None else None
    checked = [_checked_entity(e, spec, text, boundaries, f"{field}[{i}]") for i, e in enumerate(raw)]
    # ids given by the worker, to resolve relations; the stored ids are renumbered below
    given: dict[str, int] = {}
    seen: dict[tuple[str, int, int], int] = {}
    for i, (entity, given_id) in enumerate(checked):
        key = (entity["label"], entity["startOffset"], entity["endOffset"])
        if key in seen:
            raise ValidationFailed(f"the same {key[0]!r} span {key[1]}..{key[2]} is marked twice "
                                   f"(as entities[{seen[key]}])", field=f"{field}[{i}]")
        seen[key] = i
        if given_id is not None:
            if given_id in given:
                raise ValidationFailed(f"id {given_id!r} is used twice (also by entities[{given[given_id]}])",
                                       field=f"{field}[{i}].id")
            given[given_id] = i
    order = sorted(range(len(checked)), key=lambda i: (checked[i][0]["startOffset"], checked[i][0]["endOffset"],
                                                       checked[i][0]["label"]))
    new_id = {old: f"e{rank + 1}" for rank, old in enumerate(order)}
    # the contract's key order: label, startOffset, endOffset, id, then the provenance keys
    entities = [{**dict(list(checked[i][0].items())[:3]), "id": new_id[i], **dict(list(checked[i][0].items())[3:])}
                for i in order]
    out: dict[str, Any] = {"entities": entities}
    relations = _checked_relations(body.get("relations"), spec, given, new_id, f"{prefix}.relations")
    if relations:
        out["relations"] = relations
    doc_labels = _checked_document_labels(body.get("documentLabels"), spec, f"{prefix}.documentLabels")
    if doc_labels:
        out["documentLabels"] = doc_labels
    return out


def _offset(raw: Any, field: str) -> int:
    # bool is an int in Python; a float such as 3.0 is no offset either (the element posts integers)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValidationFailed("must be a whole number (a code-point offset)", field=field)
    if raw < 0:
        raise ValidationFailed("must not be negative", field=field)
    return raw


def _checked_entity(raw: Any, spec: ProjectSpec, text: str | None, boundaries: frozenset[int] | None,
                    field: str) -> tuple[dict[str, Any], str | None]:
    if not isinstance(raw, dict):
        raise ValidationFailed("expected an object with label, startOffset, endOffset", field=field)
    label = raw.get("label")
    if not isinstance(label, str) or not label:
        raise ValidationFailed("choose a label for the entity", field=f"{field}.label")
    if label not in spec.labels.labels:
        raise ValidationFailed(f"{label!r} is not one of the project's labels", field=f"{field}.label")
    start = _offset(raw.get("startOffset"), f"{field}.startOffset")
    end = _offset(raw.get("endOffset"), f"{field}.endOffset")
    if end <= start:
        raise ValidationFailed(f"endOffset ({end}) must be greater than startOffset ({start})",
                               field=f"{field}.endOffset")
    if text is not None:
        if end > len(text):
            raise ValidationFailed(f"endOffset {end} lies past the end of the text ({len(text)} characters)",
                                   field=f"{field}.endOffset")
        assert boundaries is not None
        for name, off in (("startOffset", start), ("endOffset", end)):
            if off not in boundaries:
                raise ValidationFailed(f"{name} {off} splits a character (a combining mark, emoji sequence or "
                                       f"surrogate pair) near {text[max(0, off - 2):off + 2]!r}",
                                       field=f"{field}.{name}")
    entity: dict[str, Any] = {"label": label, "startOffset": start, "endOffset": end}
    entity.update(_provenance(raw, field))
    given_id = raw.get("id")
    if given_id is not None and (not isinstance(given_id, str | int) or isinstance(given_id, bool)
                                 or not str(given_id) or len(str(given_id)) > MAX_ID):
        raise ValidationFailed(f"id must be a string of 1 to {MAX_ID} characters", field=f"{field}.id")
    return entity, (str(given_id) if given_id is not None else None)


def _provenance(raw: dict[str, Any], field: str) -> dict[str, Any]:
    """A model proposal's ``source``/``model``/``score`` and a worker's ``edited`` (as on images)."""
    out: dict[str, Any] = {}
    source = raw.get("source")
    if source is not None:
        if source not in SOURCES:
            raise ValidationFailed(f"source must be one of {', '.join(SOURCES)}", field=f"{field}.source")
        out["source"] = source
    model = raw.get("model")
    if model is not None:
        if not isinstance(model, str) or not model or len(model) > 200:
            raise ValidationFailed("model must be a name of 1 to 200 characters", field=f"{field}.model")
        out["model"] = model
    score = raw.get("score")
    if score is not None:
        if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
            raise ValidationFailed("score must be a number from 0 to 1", field=f"{field}.score")
        out["score"] = score
    edited = raw.get("edited")
    if edited is not None:
        if not isinstance(edited, bool):
            raise ValidationFailed("edited must be true or false", field=f"{field}.edited")
        if edited:
            out["edited"] = True
    return out


def _checked_relations(raw: Any, spec: ProjectSpec, given: Mapping[str, int], new_id: Mapping[int, str],
                       field: str) -> list[dict[str, str]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValidationFailed("relations must be a list", field=field)
    if raw and not spec.labels.relation_labels:
        raise ValidationFailed("this project has no relation labels (declare 'relations' in its label file)",
                               field=field)
    if len(raw) > MAX_RELATIONS:
        raise ValidationFailed(f"at most {MAX_RELATIONS} relations per document, got {len(raw)}", field=field)
    out: list[tuple[int, int, str]] = []
    seen: set[tuple[int, int, str]] = set()
    for i, rel in enumerate(raw):
        at = f"{field}[{i}]"
        if not isinstance(rel, dict):
            raise ValidationFailed("expected an object with label, from, to", field=at)
        label = rel.get("label")
        if not isinstance(label, str) or label not in spec.labels.relation_labels:
            known = ", ".join(spec.labels.relation_labels)
            raise ValidationFailed(f"{label!r} is not one of the project's relation labels ({known})",
                                   field=f"{at}.label")
        ends = []
        for key in ("from", "to"):
            ref = rel.get(key)
            if isinstance(ref, bool) or not isinstance(ref, str | int) or str(ref) not in given:
                raise ValidationFailed(f"{ref!r} is not the id of an entity of this answer", field=f"{at}.{key}")
            ends.append(given[str(ref)])
        if ends[0] == ends[1]:
            raise ValidationFailed("a relation joins two different entities", field=f"{at}.to")
        key3 = (ends[0], ends[1], label)
        if key3 in seen:
            raise ValidationFailed(f"the {label!r} relation between these entities is drawn twice", field=at)
        seen.add(key3)
        out.append(key3)
    position = {k: int(v[1:]) for k, v in new_id.items()}  # the worker's index -> stored position
    out.sort(key=lambda r: (position[r[0]], position[r[1]], r[2]))
    return [{"label": lab, "from": new_id[a], "to": new_id[b]} for a, b, lab in out]


def _checked_document_labels(raw: Any, spec: ProjectSpec, field: str) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise ValidationFailed("documentLabels must be a list of label names", field=field)
    if raw and not spec.labels.document_labels:
        raise ValidationFailed("this project has no document labels (declare 'documentLabels' in its label file)",
                               field=field)
    for i, lab in enumerate(raw):
        if lab not in spec.labels.document_labels:
            raise ValidationFailed(f"{lab!r} is not one of the project's document labels", field=f"{field}[{i}]")
    if len(set(raw)) != len(raw):
        raise ValidationFailed("a document label is chosen twice", field=field)
    if len(raw) > 1 and not spec.labels.multi_document_labels:
        raise ValidationFailed("choose one document label at most", field=field)
    order = {lab: i for i, lab in enumerate(spec.labels.document_labels)}
    return sorted(raw, key=order.__getitem__)


def cluster_boundaries(text: str) -> frozenset[int]:
    """Code-point positions where a span may start or end: grapheme-cluster boundaries (an emoji
    with its modifiers, a letter with its combining accents, CR LF stay whole)."""
    if text.isascii() and "\r\n" not in text:
        return frozenset(range(len(text) + 1))
    if _regex is not None:
        return frozenset([m.start() for m in _regex.finditer(r"\X", text)] + [len(text)])
    # without `regex`: no boundary before a combining mark, a joiner, variation selector or skin
    # tone, after a joiner, between the two regional indicators of a flag, or inside CR LF or a
    # (lone, JSON-escaped) surrogate pair
    out = {0, len(text)}
    indicators = 0  # regional indicators in a row before position i
    for i in range(1, len(text)):
        ch, prev = text[i], text[i - 1]
        indicators = indicators + 1 if _is_indicator(prev) else 0
        if unicodedata.combining(ch) or ch in "\u200d\ufe0e\ufe0f" or prev == "\u200d":
            continue
        if "\U0001f3fb" <= ch <= "\U0001f3ff" or (_is_indicator(ch) and indicators % 2 == 1):
            continue
        if (prev, ch) == ("\r", "\n") or ("\udc00" <= ch <= "\udfff" and "\ud800" <= prev <= "\udbff"):
            continue
        out.add(i)
    return frozenset(out)


def _is_indicator(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


NAMED_ENTITY_RECOGNITION = NamedEntityTaskType()
