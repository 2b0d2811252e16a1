"""The text formats' readers and writers on their own: exact offsets for any Unicode text
(hypothesis), CoNLL tag schemes, Ground Truth's UTF-16 offsets, and refusals that name the field."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelworks.core.errors import ValidationFailed
from labelworks.core.formats.conll import conll_rows, spans_from_tags, write_conll
from labelworks.core.formats.gt_ner import code_points_to_utf16, entities_to_gt, gt_ner_rows, utf16_to_code_points
from labelworks.core.formats.parquet import read_ner_parquet, write_ner_parquet
from labelworks.core.formats.records import BadLine, ExportItem
from labelworks.core.formats.spacy_formats import read_docbin, read_spacy_jsonl, write_docbin, write_spacy_jsonl
from labelworks.core.formats.text_spans import read_jsonl_spans, write_jsonl_spans

LABELS = ["person", "location", "org"]
SPEC = SimpleNamespace(labels=SimpleNamespace(labels=LABELS), multi_label=False)

# pieces a linguist meets: ZWJ emoji sequences, skin tones, flags, combining marks, RTL, CJK, astral
PIECES = ["\U0001f469\u200d\U0001f469\u200d\U0001f467", "\U0001f44d\U0001f3fd", "\U0001f1ef\U0001f1f5",  # ZWJ family, skin tone, flag
          "\u00e9", "e\u0301", "\u0e01\u0e48",  # precomposed é, e + combining acute, Thai with a tone mark
          "\u0645\u0631\u062d\u0628\u0627", "\u05e9\u05dc\u05d5\u05dd", "\u6771\u4eac",  # Arabic, Hebrew, CJK
          "\U0001d518\U0001d52b\U0001d526", "\U0002070e",  # astral letters and an astral CJK ideograph
          " ", "\n", "\t", "\u2028", "\u00a0", "a", "Zo\u00eb", ".", "'s", "\r\n", "\u200f"]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(st.characters(blacklist_categories=["Cs"]), max_size=4)),
                 min_size=1, max_size=12).map("".join).filter(bool)


@st.composite
def documents(draw: Any) -> tuple[str, list[dict[str, Any]]]:
    text = draw(texts)
    n = len(text)
    spans = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, n), st.sampled_from(LABELS)),
                          max_size=6))
    unique = {(a, b, lab) for a, b, lab in spans if a < b}
    ents = [{"label": lab, "startOffset": a, "endOffset": b} for a, b, lab in sorted(unique)]
    return text, ents


def _items(docs: list[tuple[str, list[dict[str, Any]]]]) -> list[ExportItem]:
    return [ExportItem(i + 1, f"k{i}", orjson.dumps({"source": t, "lw-pre-annotations": {"entities": e}}))
            for i, (t, e) in enumerate(docs)]


def _spans(rows: list[dict[str, Any]]) -> list[tuple[str, list[tuple[str, int, int]]]]:
    return [(r["source"], [(e["label"], e["startOffset"], e["endOffset"])
                           for e in r.get("lw-pre-annotations", {}).get("entities", [])]) for r in rows]


def _expected(docs: list[tuple[str, list[dict[str, Any]]]]) -> list[tuple[str, list[tuple[str, int, int]]]]:
    return [(t, [(e["label"], e["startOffset"], e["endOffset"])
                 for e in sorted(ents, key=lambda e: (e["startOffset"], e["endOffset"], e["label"]))])
            for t, ents in docs]


def _good(lines: Any) -> list[dict[str, Any]]:
    out = []
    for line in lines:
        assert not isinstance(line, BadLine), line
        out.append(line.data)
    return out


def _bytes(writer: Any, docs: list[tuple[str, list[dict[str, Any]]]]) -> bytes:
    return b"".join(writer(_items(docs), None, SPEC, "2026-01-01T00:00:00"))


PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.lists(documents(), min_size=1, max_size=3))
def test_jsonl_spans_keeps_every_offset(docs: list[tuple[str, list[dict[str, Any]]]]) -> None:
    rows = _good(read_jsonl_spans(io.BytesIO(_bytes(write_jsonl_spans, docs))))
    assert _spans(rows) == _expected(docs)


@PROPERTY
@given(st.lists(documents(), min_size=1, max_size=3))
def test_spacy_jsonl_keeps_every_offset(docs: list[tuple[str, list[dict[str, Any]]]]) -> None:
    rows = _good(read_spacy_jsonl(io.BytesIO(_bytes(write_spacy_jsonl, docs))))
    assert _spans(rows) == _expected(docs)


@PROPERTY
@given(st.lists(documents(), min_size=1, max_size=3))
def test_docbin_keeps_every_offset_even_overlapping(docs: list[tuple[str, list[dict[str, Any]]]]) -> None:
    assert _spans(read_docbin(_bytes(write_docbin, docs))) == _expected(docs)


@PROPERTY
@given(st.lists(documents(), min_size=1, max_size=3))
def test_parquet_entities_keep_every_offset(docs: list[tuple[str, list[dict[str, Any]]]]) -> None:
    rows = [r for _, r in read_ner_parquet(_bytes(write_ner_parquet, docs))]
    assert all(isinstance(r, dict) for r in rows), rows
    assert _spans(rows) == _expected(docs)  # type: ignore[arg-type]


@PROPERTY
@given(documents())
def test_ground_truth_manifest_keeps_every_offset(doc: tuple[str, list[dict[str, Any]]]) -> None:
    text, ents = doc
    body, confidences = entities_to_gt(text, {"entities": ents})
    line = {"source": text, "job": body, "job-metadata": {"entities": confidences, "type": "groundtruth/text-span"}}
    ((_, row),) = list(gt_ner_rows(orjson.dumps(line)))
    assert isinstance(row, dict), row
    assert _spans([row]) == _expected([doc])
    # what the manifest holds is UTF-16, as a browser counts: the same substring in JavaScript's terms
    utf16 = text.encode("utf-16-le")
    for e, gt in zip(ents, body["annotations"]["entities"], strict=True):
        assert utf16[2 * gt["startOffset"]:2 * gt["endOffset"]].decode("utf-16-le") == text[e["startOffset"]:e["endOffset"]]


tokens = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters=" \t\n\r"), min_size=1, max_size=5)


@st.composite
def conll_documents(draw: Any) -> list[list[tuple[str, str]]]:
    """Sentences of (token, tag): token-aligned, non-overlapping entities in BIO."""
    sentences = []
    for _ in range(draw(st.integers(1, 3))):
        words = draw(st.lists(tokens.filter(lambda t: not t.startswith("-DOCSTART-")), min_size=1, max_size=8))
        tags, i = [], 0
        while i < len(words):
            length = draw(st.integers(0, 3))
            if length and i + length <= len(words):
                label = draw(st.sampled_from(LABELS))
                tags += [f"B-{label}"] + [f"I-{label}"] * (length - 1)
                i += length
            else:
                tags.append("O")
                i += 1
        sentences.append(list(zip(words, tags, strict=True)))
    return sentences


@PROPERTY
@given(conll_documents(), st.sampled_from(["bio", "bilou", "bioes", "iob1"]))
def test_conll_gives_the_same_tokens_and_tags_back(sentences: list[list[tuple[str, str]]], scheme: str) -> None:
    source = "\n\n".join("\n".join(f"{w}\t{t}" for w, t in s) for s in sentences) + "\n"
    rows = [r for _, r in conll_rows(source.encode())]
    assert all(isinstance(r, dict) for r in rows), rows
    items = [ExportItem(i, str(i), orjson.dumps(r)) for i, r in enumerate(rows)]
    written = b"".join(write_conll(scheme)(items, None, SPEC, ""))
    again = [r for _, r in conll_rows(written)]
    assert [r["source"] for r in again] == [r["source"] for r in rows]  # type: ignore[index]
    assert _spans(again) == _spans(rows)  # type: ignore[arg-type]
    if scheme == "bio":
        assert written.decode() == source
    # the text is the tokens joined by spaces: every entity is its tokens
    for r in rows:
        assert isinstance(r, dict)
        for e in r.get("lw-pre-annotations", {}).get("entities", []):
            piece = r["source"][e["startOffset"]:e["endOffset"]]
            assert piece == piece.strip(" \n") and piece


def test_tag_schemes_read_alike() -> None:
    assert spans_from_tags(["B-PER", "I-PER", "O", "B-LOC"]) == [(0, 2, "PER"), (3, 4, "LOC")]
    assert spans_from_tags(["I-PER", "I-PER", "B-PER", "O", "I-LOC"]) == [(0, 2, "PER"), (2, 3, "PER"), (4, 5, "LOC")]
    assert spans_from_tags(["B-PER", "L-PER", "U-LOC", "U-LOC"]) == [(0, 2, "PER"), (2, 3, "LOC"), (3, 4, "LOC")]
    assert spans_from_tags(["B-PER", "E-PER", "S-LOC"]) == [(0, 2, "PER"), (2, 3, "LOC")]


def test_iob1_files_are_written_back_as_iob1() -> None:
    source = b"Peter I-PER\nBlackburn I-PER\nsaw O\nEU I-ORG\nUN B-ORG\n"
    ((_, row),) = list(conll_rows(source))
    assert isinstance(row, dict) and row["lw-format-meta"]["conll"]["scheme"] == "iob1"
    assert [(e["startOffset"], e["endOffset"]) for e in row["lw-pre-annotations"]["entities"]] == [(0, 15), (20, 22),
                                                                                                   (23, 25)]
    assert b"".join(write_conll()([ExportItem(1, "k", orjson.dumps(row))], None, SPEC, "")) == source


def test_conll_bad_lines_are_named() -> None:
    # a bad line refuses its whole sentence (the item), not just the token
    rows = list(conll_rows(b"EU\tB-ORG\nrejects\n\nGerman\tX-MISC\n\nok\tO\n"))
    assert rows[:2] == [(2, "expected a token and its tag, separated by a tab or spaces"),
                        (4, "tag 'X-MISC' is not O or B-, I-, L-, U-, E-, S- and a label")]
    assert isinstance(rows[2][1], dict) and rows[2][1]["source"] == "ok"


def test_conll_refuses_overlap_naming_item_and_spans() -> None:
    docs = [("New York City", [{"label": "location", "startOffset": 0, "endOffset": 8},
                               {"label": "location", "startOffset": 4, "endOffset": 13}])]
    with pytest.raises(ValidationFailed, match=r"item 1 \(key k0\): entities 'location' at 0..8 and 'location' at "
                                               r"4..13 overlap"):
        _bytes(write_conll(), docs)


def test_conll_splits_spacy_tokens_at_entity_edges() -> None:
    written = _bytes(write_conll("bio"), [("I use GoogleMaps daily.", [{"label": "org", "startOffset": 6,
                                                                         "endOffset": 12}])])
    assert written.decode().split("\n")[2:7] == ["I O", "use O", "Google B-org", "Maps O", "daily O"]


def test_utf16_offsets() -> None:
    text = "a👩‍👧b"  # 👩 and 👧 are astral: two UTF-16 units each
    assert [code_points_to_utf16(text, i) for i in range(len(text) + 1)] == [0, 1, 3, 4, 6, 7]
    assert utf16_to_code_points(text, 3) == 2 and utf16_to_code_points(text, 2) is None
    line = {"source": text, "a": {"annotations": {"entities": [{"label": "x", "startOffset": 1, "endOffset": 2}]}},
            "a-metadata": {"type": "groundtruth/text-span"}}
    ((n, why),) = list(gt_ner_rows(orjson.dumps(line)))
    assert why == ("a.annotations.entities[0].endOffset: 2 is not a character boundary of the text (UTF-16 offsets, "
                   "as Ground Truth counts them)")


def test_bad_span_lines_name_the_field() -> None:
    data = (b'{"text": "abc", "entities": [{"label": "x", "startOffset": 1, "endOffset": 9}]}\n'
            b'{"text": "abc", "spans": [{"start": 0, "end": "2", "label": "x"}]}\n')
    (bad,) = list(read_jsonl_spans(io.BytesIO(data.split(b"\n")[0])))
    assert bad == BadLine(1, "entities[0]: offsets 1..9 are not a span of a text of 3 characters (code points)")
    (bad,) = list(read_spacy_jsonl(io.BytesIO(data.split(b"\n")[1])))
    assert bad == BadLine(1, "spans[0].end: expected an integer, got '2'")
    with pytest.raises(ValidationFailed, match="not a spaCy DocBin"):
        read_docbin(b"not a docbin")


def test_parquet_from_tokens_and_class_label_tags() -> None:
    """A file as ``datasets`` writes conll2003: tokens and integer tags named in the metadata."""
    features = {"info": {"features": {"ner_tags": {"_type": "Sequence", "feature": {
        "_type": "ClassLabel", "names": ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]}}}}}
    table = pa.table({"id": ["0"], "tokens": [["Peter", "Blackburn", "in", "Bonn"]], "ner_tags": [[1, 2, 0, 3]]})
    table = table.replace_schema_metadata({"huggingface": orjson.dumps(features).decode()})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    ((_, row),) = list(read_ner_parquet(buf.getvalue()))
    assert isinstance(row, dict)
    assert row["source"] == "Peter Blackburn in Bonn" and row["id"] == "0"
    assert _spans([row])[0][1] == [("PER", 0, 15), ("LOC", 19, 23)]


def test_spacy_jsonl_is_prodigy_shaped() -> None:
    text = "Zoë uses GoogleMaps 🗺."
    written = _bytes(write_spacy_jsonl, [(text, [{"label": "org", "startOffset": 9, "endOffset": 15}])])
    row = orjson.loads(written)
    assert [t["text"] for t in row["tokens"]] == ["Zoë", "uses", "Google", "Maps", "🗺", "."]
    assert row["tokens"][2] == {"text": "Google", "start": 9, "end": 15, "id": 2, "ws": False}
    assert row["spans"] == [{"start": 9, "end": 15, "token_start": 2, "token_end": 2, "label": "org"}]


def test_classification_parquet_single_label() -> None:
    from labelworks.core.consolidation.majority import Consolidated
    from labelworks.core.formats.parquet import write_classification_parquet

    items = [ExportItem(1, "k1", orjson.dumps({"source": "Une phrase en français 🇫🇷"}),
                        answer=Consolidated({"label": "org"}, 1.0, {}, 3, "majority-vote")),
             ExportItem(2, "k2", orjson.dumps({"source": "no answer yet", "id": 7}))]
    data = b"".join(write_classification_parquet(items, None, SPEC, ""))
    table = pq.read_table(io.BytesIO(data))
    assert [str(t) for t in table.schema.types] == ["string", "string", "string"]
    assert table.to_pylist() == [{"id": "1", "text": "Une phrase en français 🇫🇷", "label": "org"},
                                 {"id": "7", "text": "no answer yet", "label": None}]


def test_parquet_refuses_a_label_the_project_lacks() -> None:
    with pytest.raises(ValidationFailed, match=r"item 1 \(key k0\): tag B-ghost names no label of the project"):
        _bytes(write_ner_parquet, [("a ghost", [{"label": "ghost", "startOffset": 2, "endOffset": 7}])])
