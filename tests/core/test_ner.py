"""named-entity-recognition: submissions checked against the item's text, canonical value, template, output."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.core.errors import ValidationFailed
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.ner import MAX_ENTITIES, NAMED_ENTITY_RECOGNITION as NER, cluster_boundaries
from labelworks.services import templates

LABELS = {"labels": [{"label": "person"}, {"label": "corporation"}, {"label": "location"}],
          "relations": ["works_for", {"label": "located_in"}],
          "documentLabels": {"labels": ["business", "sports", "tech"], "multi": True}}
SPEC = ProjectSpec(labels=parse_label_config(LABELS))
PLAIN = ProjectSpec(labels=parse_label_config(["person", "corporation"]))
TEXT = "Tim Cook runs Apple in Cupertino."


def ent(label: str, start: int, end: int, **extra: Any) -> dict[str, Any]:
    return {"label": label, "startOffset": start, "endOffset": end, **extra}


def check(value: Any, text: str = TEXT, spec: ProjectSpec = SPEC) -> dict[str, Any]:
    return NER.normalize_with_item(value, spec, {"source": text})


def refused(value: Any, text: str = TEXT, spec: ProjectSpec = SPEC) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        check(value, text, spec)
    return info.value


def test_canonical_value_sorted_renumbered_with_relations_and_document_labels() -> None:
    posted = {"entities": {
        "entities": [ent("location", 23, 32, id="loc"), ent("corporation", 14, 19, id="x", source="model",
                                                             model="spacy", score=0.5, edited=True),
                     ent("person", 0, 8, id=7)],
        "relations": [{"label": "located_in", "from": "x", "to": "loc"}, {"label": "works_for", "from": 7, "to": "x"}],
        "documentLabels": ["tech", "business"]}}
    value = check(posted)
    assert value == {
        "entities": [ent("person", 0, 8, id="e1"),
                     ent("corporation", 14, 19, id="e2", source="model", model="spacy", score=0.5, edited=True),
                     ent("location", 23, 32, id="e3")],
        "relations": [{"label": "works_for", "from": "e1", "to": "e2"},
                      {"label": "located_in", "from": "e2", "to": "e3"}],
        "documentLabels": ["business", "tech"],  # the project's order
    }
    assert list(value) == ["entities", "relations", "documentLabels"]
    assert list(value["entities"][1])[:4] == ["label", "startOffset", "endOffset", "id"]
    # canonical in, the same out; empty relations and document labels are left out
    assert check(value) == value
    assert check({"entities": [ent("person", 0, 3)], "relations": [], "documentLabels": []}) == {
        "entities": [ent("person", 0, 3, id="e1")]}
    # several labels on one span and nested spans are allowed
    both = check({"entities": [ent("person", 0, 8), ent("corporation", 0, 8), ent("person", 4, 8)]})
    assert [e["label"] for e in both["entities"]] == ["corporation", "person", "person"]


@pytest.mark.parametrize(("value", "field", "message"), [
    ("nope", "value", "must be an object"),
    ({"entities": "x"}, "value.entities", "value needs"),
    ({"entities": {"entities": "x"}}, "value.entities.entities", "must be a list"),
    ({"entities": [ent("person", 0, 3), "x"]}, "value.entities[1]", "expected an object"),
    ({"entities": [ent("animal", 0, 3)]}, "value.entities[0].label", "not one of the project's labels"),
    ({"entities": [{"startOffset": 0, "endOffset": 3}]}, "value.entities[0].label", "choose a label"),
    ({"entities": [ent("person", 0, 3), ent("person", 4, 3)]}, "value.entities[1].endOffset", "greater than"),
    ({"entities": [ent("person", -1, 3)]}, "value.entities[0].startOffset", "negative"),
    ({"entities": [ent("person", 0.0, 3)]}, "value.entities[0].startOffset", "whole number"),
    ({"entities": [ent("person", True, 3)]}, "value.entities[0].startOffset", "whole number"),
    ({"entities": [ent("person", 0, 3), ent("person", 4, 34)]}, "value.entities[1].endOffset", "past the end"),
    ({"entities": [ent("person", 0, 3), ent("person", 0, 3)]}, "value.entities[1]", "marked twice"),
    ({"entities": [ent("person", 0, 3, id="a"), ent("person", 4, 8, id="a")]}, "value.entities[1].id", "used twice"),
    ({"entities": [ent("person", 0, 3, id="")]}, "value.entities[0].id", "id must be"),
    ({"entities": [ent("person", 0, 3, source="robot")]}, "value.entities[0].source", "source must be"),
    ({"entities": [ent("person", 0, 3, score=2)]}, "value.entities[0].score", "score must be"),
    ({"entities": [ent("person", 0, 3, id="a")], "relations": "x"}, "value.relations", "must be a list"),
    ({"entities": [ent("person", 0, 3, id="a"), ent("person", 4, 8, id="b")],
      "relations": [{"label": "works_for", "from": "a", "to": "b"}, {"label": "works_for", "from": "a", "to": "zz"}]},
     "value.relations[1].to", "not the id of an entity"),
    ({"entities": [ent("person", 0, 3, id="a")], "relations": [{"label": "works_for", "from": "a", "to": "a"}]},
     "value.relations[0].to", "two different entities"),
    ({"entities": [ent("person", 0, 3, id="a"), ent("person", 4, 8, id="b")],
      "relations": [{"label": "married_to", "from": "a", "to": "b"}]}, "value.relations[0].label", "relation labels"),
    ({"entities": [ent("person", 0, 3, id="a"), ent("person", 4, 8, id="b")],
      "relations": [{"label": "works_for", "from": "a", "to": "b"}] * 2}, "value.relations[1]", "drawn twice"),
    ({"entities": [], "documentLabels": ["weather"]}, "value.documentLabels[0]", "document labels"),
    ({"entities": [], "documentLabels": ["tech", "tech"]}, "value.documentLabels", "twice"),
    ({"entities": [], "documentLabels": [3]}, "value.documentLabels", "list of label names"),
])
def test_refusals_name_the_field(value: Any, field: str, message: str) -> None:
    error = refused(value)
    assert error.field == field and message in str(error)


def test_a_project_without_relation_or_document_labels_refuses_them() -> None:
    two = {"entities": [ent("person", 0, 3, id="a"), ent("person", 4, 8, id="b")]}
    error = refused({**two, "relations": [{"label": "works_for", "from": "a", "to": "b"}]}, spec=PLAIN)
    assert error.field == "value.relations" and "no relation labels" in str(error)
    assert refused({"entities": [], "documentLabels": ["tech"]}, spec=PLAIN).field == "value.documentLabels"
    single = ProjectSpec(labels=parse_label_config({"labels": [{"label": "person"}], "documentLabels": ["a", "b"]}))
    error = refused({"entities": [], "documentLabels": ["a", "b"]}, spec=single)
    assert error.field == "value.documentLabels" and "one document label at most" in str(error)
    assert check({"entities": [], "documentLabels": "b"}, spec=single) == {"entities": [], "documentLabels": ["b"]}


def test_size_caps() -> None:
    many = [ent("person", i, i + 1) for i in range(MAX_ENTITIES + 1)]
    error = refused({"entities": many}, text="x" * (MAX_ENTITIES + 2))
    assert error.field == "value.entities" and f"at most {MAX_ENTITIES}" in str(error)


@pytest.mark.parametrize(("text", "start", "end", "ok"), [
    # emoji outside the BMP: one code point (two UTF-16 units); offsets count code points
    ("I ❤️ 😀 Paris", 7, 12, True),
    ("😀😀 Paris", 3, 8, True),
    # a family emoji joined by ZWJs is one grapheme cluster: no span may end inside it
    ("👨\u200d👩\u200d👧 Doe", 0, 2, False),
    ("👨\u200d👩\u200d👧 Doe", 0, 5, True),
    # e + combining acute: the accent belongs to its letter
    ("Jose\u0301 Mari\u0301a", 0, 4, False),
    ("Jose\u0301 Mari\u0301a", 0, 5, True),
    ("Jose\u0301 Mari\u0301a", 6, 11, True),
    # a flag is two regional indicators
    ("🇫🇷 France", 0, 1, False),
    ("🇫🇷 France", 3, 9, True),
    # right-to-left text: logical order, code points as stored
    ("שלום עולם from Tel Aviv", 0, 4, True),
    ("مرحبا بالعالم in Cairo", 17, 22, True),
    ("CR\r\nLF", 0, 3, False),
])
def test_unicode_offsets_are_code_points_on_cluster_boundaries(text: str, start: int, end: int, ok: bool) -> None:
    value = {"entities": [ent("location", start, end)]}
    if ok:
        assert check(value, text)["entities"][0]["endOffset"] == end
    else:
        error = refused(value, text)
        assert error.field in ("value.entities[0].startOffset", "value.entities[0].endOffset")
        assert "splits a character" in str(error)


def test_cluster_boundaries_ascii_fast_path_and_emoji() -> None:
    assert cluster_boundaries("abc") == {0, 1, 2, 3}
    assert cluster_boundaries("a😀b") == {0, 1, 2, 3}
    assert 1 not in cluster_boundaries("e\u0301x")


def test_cluster_boundaries_without_the_regex_module(monkeypatch: pytest.MonkeyPatch) -> None:
    from labelworks.core.tasktypes import ner

    monkeypatch.setattr(ner, "_regex", None)
    assert cluster_boundaries("Jose\u0301 x") == {0, 1, 2, 3, 5, 6, 7}  # not inside e + accent
    assert cluster_boundaries("👨\u200d👩 D") == {0, 3, 4, 5}  # a ZWJ sequence stays whole
    assert cluster_boundaries("a\r\nb") == {0, 1, 3, 4}
    assert cluster_boundaries("🇫🇷🇩🇪x") == {0, 2, 4, 5}  # two flags, each two regional indicators
    assert cluster_boundaries("👍🏽!") == {0, 2, 3}  # a skin tone stays with its emoji
    # on these texts the fallback agrees with the regex module's \X
    monkeypatch.undo()
    for text in ("🇫🇷🇩🇪x", "👍🏽!", "Jose\u0301 x", "a\r\nb", "שלום 😀"):
        with_regex = cluster_boundaries(text)
        monkeypatch.setattr(ner, "_regex", None)
        assert cluster_boundaries(text) == with_regex, text
        monkeypatch.undo()


def test_the_item_needs_text_and_normalize_alone_checks_the_shape() -> None:
    with pytest.raises(ValidationFailed) as info:
        NER.normalize_with_item({"entities": []}, SPEC, {"source-ref": "s3://x"})
    assert info.value.field == "value.entities"
    # without the item (gold answers) the shape is still checked, the bounds cannot be
    assert NER.normalize({"entities": [ent("person", 100, 200)]}, SPEC)["entities"][0]["id"] == "e1"
    assert NER.reads_item_data and NER.value_kind(SPEC) == "spans" and NER.media == "text"


def _attr(page: str, name: str) -> Any:
    found = re.search(rf'\s{name}="([^"]*)"', page)
    assert found is not None, name
    return json.loads(html.unescape(found.group(1)))


def test_default_template_passes_text_labels_relations_document_labels_and_pre_annotations() -> None:
    pre = {"entities": [ent("person", 0, 8)]}
    text = 'Tim "Cook" <b>runs</b> {{ evil }}'
    page = templates.render_task(NER.default_template(SPEC), {"source": text, "lw-pre-annotations": pre},
                                 list(SPEC.labels.labels), header="Mark the names")
    assert '<lw-entity-annotation name="entities"' in page and 'header="Mark the names"' in page
    assert html.unescape(re.search(r'\stext="([^"]*)"', page).group(1)) == text  # type: ignore[union-attr]
    assert "<b>runs" not in page
    assert _attr(page, "labels") == ["person", "corporation", "location"]
    assert _attr(page, "relation-labels") == ["works_for", "located_in"]
    assert _attr(page, "document-labels") == ["business", "sports", "tech"]
    assert " multi-document-labels" in page
    assert _attr(page, "initial-value") == pre
    plain = templates.render_task(NER.default_template(PLAIN), {"source": "x"}, ["person", "corporation"])
    assert "relation-labels" not in plain and "document-labels" not in plain and "initial-value" not in plain


def test_display_names_from_the_label_file_reach_the_element() -> None:
    spec = ProjectSpec(labels=parse_label_config({"labels": [
        {"label": "person", "shortDisplayName": "PER", "fullDisplayName": "A person"}, {"label": "org"}]}))
    page = templates.render_task(NER.default_template(spec), {"source": "x"}, ["person", "org"])
    assert _attr(page, "labels") == [{"label": "person", "shortDisplayName": "PER", "fullDisplayName": "A person"},
                                     {"label": "org"}]


def test_output_manifest_is_ground_truths_text_span_shape() -> None:
    answer = NER.consolidate([check({"entities": [ent("person", 0, 8)]})] * 2, SPEC)
    assert answer is not None
    out = NER.output_fields(answer, SPEC, "2026-11-24T00:00:00")
    assert out == {
        "label": {"annotations": {"entities": [ent("person", 0, 8)],  # no ids without relations
                                  "labels": [{"label": "person"}, {"label": "corporation"}, {"label": "location"}]}},
        "label-metadata": {"entities": [{"confidence": 1.0}], "type": "groundtruth/text-span",
                           "human-annotated": "yes", "creation-date": "2026-11-24T00:00:00",
                           "job-name": "labeling-job/labelworks"},
    }
    one = NER.consolidate([check({"entities": [ent("person", 0, 8, id="a"), ent("corporation", 14, 19, id="b")],
                                  "relations": [{"label": "works_for", "from": "a", "to": "b"}],
                                  "documentLabels": ["tech"]})], SPEC)
    assert one is not None and one.confidence == 0.0
    out = NER.output_fields(one, SPEC, "t")
    body, meta = out["label"]["annotations"], out["label-metadata"]
    assert body["entities"] == [ent("person", 0, 8, id="e1"), ent("corporation", 14, 19, id="e2")]
    assert body["relations"] == [{"label": "works_for", "from": "e1", "to": "e2"}]
    assert body["documentLabels"] == [{"label": "tech"}]
    assert meta["entities"] == [{"confidence": 0.0}] * 2 and meta["relations"] == [{"confidence": 0.0}]
    assert meta["documentLabels"] == [{"label": "tech", "confidence": 0.0}]


_TEXTS = st.text(alphabet=st.sampled_from(list("ab é\u0301😀👨\u200d👩של\r\n")), min_size=1, max_size=30)


@given(text=_TEXTS, data=st.data())
@settings(max_examples=80, deadline=None)
def test_canonical_value_is_a_fixed_point_whatever_the_order(text: str, data: st.DataObject) -> None:
    bounds = sorted(cluster_boundaries(text))
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(bounds), st.sampled_from(bounds))
                               .filter(lambda p: p[0] < p[1]), max_size=6))
    spans = sorted({(data.draw(st.sampled_from(["person", "corporation"])), a, b) for a, b in pairs})
    entities = [ent(lab, a, b, id=f"w{i}") for i, (lab, a, b) in enumerate(spans)]
    relations = [{"label": "works_for", "from": f"w{i}", "to": f"w{i + 1}"} for i in range(len(entities) - 1)]
    value = check({"entities": entities, "relations": relations}, text)
    assert check(value, text) == value
    shuffled = data.draw(st.permutations(entities))
    assert check({"entities": shuffled, "relations": list(reversed(relations))}, text) == value
    for e in value["entities"]:  # every span is whole characters of the text
        assert e["startOffset"] in bounds and e["endOffset"] in bounds
