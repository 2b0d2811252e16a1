"""Named-entity projects through the CLI: ``import --format X`` then ``export --format X`` gives the
same tokens, tags and offsets back (CoNLL on WNUT-17 byte for byte), labels become pre-annotations
the worker adjusts, answers are what the export writes, and what a format cannot carry is refused
with the item and span named."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
import pytest

from labelworks.db.engine import Database
from labelworks.services import accounts, annotations, assignments
from shared_data import DATA as SHARED_DATA

WNUT = SHARED_DATA / "al_wnut17_ner" / "wnut17_train.conll.tsv"
NER_LABELS = "person,location,group,corporation,product,creative-work"
# code points, not UTF-16 units: an astral emoji, a ZWJ family, combining accents, Arabic, CJK
TEXT = "Zoë 👩‍👩‍👧 met Ahmed (أحمد) at 東京 Tower 🗼 on Monday."
ENTITIES = [
    {"label": "person", "startOffset": 0, "endOffset": 3, "id": "e1"},
    {"label": "person", "startOffset": TEXT.index("Ahmed"), "endOffset": TEXT.index("Ahmed") + 5, "id": "e2"},
    {"label": "person", "startOffset": TEXT.index("أحمد"), "endOffset": TEXT.index("أحمد") + 4, "id": "e3"},
    # nested in the one after: only span formats carry both
    {"label": "location", "startOffset": TEXT.index("東京"), "endOffset": TEXT.index("東京") + 2, "id": "e4"},
    {"label": "location", "startOffset": TEXT.index("東京"), "endOffset": TEXT.index("Tower") + 5, "id": "e5"},
]


@pytest.fixture
def ner_project(make_project: Callable[..., int]) -> int:
    return make_project("--workers-per-item", "1", name="Tweets", task_type="named-entity-recognition",
                        labels=NER_LABELS)


def _spans_file(tmp_path: Path) -> Path:
    rows = [{"text": TEXT, "entities": ENTITIES, "meta": {"source": "test"}},
            {"text": "Nothing to see here.", "entities": []}]
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def test_wnut17_conll_round_trips_byte_for_byte(cli, ner_project: int, tmp_path: Path) -> None:
    out = cli("import", str(ner_project), str(WNUT), "--format", "conll").stdout
    assert "3,394 lines: 3,394 items created" in out
    target = tmp_path / "out.conll"
    cli("export", str(ner_project), "--format", "conll", "-o", str(target))
    assert target.read_bytes() == WNUT.read_bytes()


def test_conll_exports_bilou_and_reads_it_back(cli, make_project: Callable[..., int], tmp_path: Path) -> None:
    project = make_project(name="CoNLL", task_type="named-entity-recognition", labels="PER,ORG,LOC,MISC")
    source = tmp_path / "in.conll"
    source.write_text("-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n"
                      "call NN I-NP O\n. . O O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n", encoding="utf-8")
    cli("import", str(project), str(source), "--format", "conll")
    bilou = tmp_path / "bilou.conll"
    cli("export", str(project), "--format", "conll", "--scheme", "bilou", "-o", str(bilou))
    lines = bilou.read_text(encoding="utf-8").split("\n")
    # the POS and chunk columns come back beside the tokens
    assert lines[:5] == ["-DOCSTART- -X- -X- O", "", "EU NNP B-NP U-ORG", "rejects VBZ B-VP O", "German JJ B-NP U-MISC"]
    assert lines[8:10] == ["Peter NNP B-NP B-PER", "Blackburn NNP I-NP L-PER"]
    again = make_project(name="Again", task_type="named-entity-recognition", labels="PER,ORG,LOC,MISC")
    cli("import", str(again), str(bilou), "--format", "conll")
    bio = tmp_path / "bio.conll"
    cli("export", str(again), "--format", "conll", "--scheme", "bio", "-o", str(bio))
    assert bio.read_bytes() == source.read_bytes()


def test_conll_export_names_an_entity_off_the_tokens(cli, db: Database, owner: str, ner_project: int,
                                                     tmp_path: Path) -> None:
    source = tmp_path / "in.conll"
    source.write_text("Empire\tB-location\nState\tI-location\nBuilding\tI-location\n", encoding="utf-8")
    cli("import", str(ner_project), str(source), "--format", "conll")
    # the worker marks "Emp": no CoNLL token ends there
    _submit(db, owner, ner_project, {"entities": {"entities": [{"label": "location", "startOffset": 0, "endOffset": 3}]}})
    result = cli("export", str(ner_project), "--format", "conll", "-o", str(tmp_path / "out.conll"), code=2)
    assert "entity 'location' at 0..3 ('Emp') does not begin and end on the item's tokens" in result.stderr
    assert "item 1" in result.stderr
    assert not (tmp_path / "out.conll").exists()


def _submit(db: Database, email: str, project: int, value: dict[str, Any]) -> None:
    actor = accounts.actor_for(accounts.find_user(db, email))
    lease = assignments.next_for(db, actor, project)
    assert lease is not None
    annotations.submit(db, actor, lease.assignment_id, value)


@pytest.mark.parametrize("fmt", ["jsonl-spans", "spacy-jsonl", "docbin", "parquet"])
def test_unicode_spans_round_trip(cli, make_project: Callable[..., int], ner_project: int, tmp_path: Path,
                                  fmt: str) -> None:
    cli("import", str(ner_project), str(_spans_file(tmp_path)), "--format", "jsonl-spans")
    first = tmp_path / f"first.{fmt}"
    cli("export", str(ner_project), "--format", fmt, "-o", str(first))
    again = make_project(name="Again", task_type="named-entity-recognition", labels=NER_LABELS)
    assert "2 lines: 2 items created" in cli("import", str(again), str(first), "--format", fmt).stdout
    out = tmp_path / "out.jsonl"
    cli("export", str(again), "--format", "jsonl-spans", "-o", str(out))
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert rows[0]["text"] == TEXT
    got = [(e["label"], e["startOffset"], e["endOffset"]) for e in rows[0]["entities"]]
    assert got == [(e["label"], e["startOffset"], e["endOffset"]) for e in ENTITIES]
    assert [TEXT[a:b] for _, a, b in got] == ["Zoë", "Ahmed", "أحمد", "東京", "東京 Tower"]
    assert rows[1]["entities"] == []


def test_jsonl_spans_is_lossless(cli, ner_project: int, tmp_path: Path) -> None:
    source = _spans_file(tmp_path)
    cli("import", str(ner_project), str(source), "--format", "jsonl-spans")
    out = tmp_path / "out.jsonl"
    cli("export", str(ner_project), "--format", "jsonl-spans", "-o", str(out))
    assert out.read_bytes() == source.read_bytes()


def test_parquet_has_the_datasets_schema(cli, ner_project: int, tmp_path: Path) -> None:
    cli("import", str(ner_project), str(_spans_file(tmp_path)), "--format", "jsonl-spans")
    out = tmp_path / "out.parquet"
    cli("export", str(ner_project), "--format", "parquet", "-o", str(out))
    table = pq.read_table(out)
    assert table.schema.names == ["id", "text", "tokens", "ner_tags", "entities", "relations", "document_labels"]
    assert str(table.schema.field("entities").type) == (
        "list<element: struct<start: int64, end: int64, label: string, id: string>>")
    features = orjson.loads(table.schema.metadata[b"huggingface"])["info"]["features"]
    names = features["ner_tags"]["feature"]["names"]
    assert names[:3] == ["O", "B-person", "I-person"]
    row = table.to_pylist()[0]
    tags = dict(zip(row["tokens"], [names[t] for t in row["ner_tags"]], strict=True))
    # the nested 東京 is in the entities column; the tags carry the longer 東京 Tower
    assert (tags["Zoë"], tags["東京"], tags["Tower"], tags["met"]) == ("B-person", "B-location", "I-location", "O")
    assert row["entities"][4] == {"start": TEXT.index("東京"), "end": TEXT.index("Tower") + 5, "label": "location",
                                  "id": "e5"}


def test_imported_labels_are_pre_annotations_then_the_answer_is_exported(
        cli, db: Database, owner: str, ner_project: int, tmp_path: Path) -> None:
    source = tmp_path / "in.conll"
    source.write_text("Empire\tB-location\nState\tI-location\nBuilding\tI-location\n", encoding="utf-8")
    cli("import", str(ner_project), str(source), "--format", "conll")
    actor = accounts.actor_for(accounts.find_user(db, owner))
    lease = assignments.next_for(db, actor, ner_project)
    assert lease is not None
    # the worker's task holds the imported entity as its pre-annotation
    assert lease.data["lw-pre-annotations"] == {"entities": [
        {"label": "location", "startOffset": 0, "endOffset": 21, "id": "e1"}]}
    # the worker turns the location into a corporation
    annotations.submit(db, actor, lease.assignment_id,
                       {"entities": {"entities": [{"label": "corporation", "startOffset": 0, "endOffset": 21}]}})
    out = tmp_path / "out.conll"
    cli("export", str(ner_project), "--format", "conll", "-o", str(out))
    assert out.read_text(encoding="utf-8") == "Empire\tB-corporation\nState\tI-corporation\nBuilding\tI-corporation\n"


def test_gt_ner_manifest_chains(cli, db: Database, owner: str, ner_project: int, tmp_path: Path) -> None:
    text = "Zoë 🗼 met Ahmed at 東京 Tower."  # the astral 🗼 is two UTF-16 units: GT's offsets after it are +1
    tokyo = text.index("東京")
    line = {"source": text, "ner": {"annotations": {
        "entities": [{"startOffset": 0, "endOffset": 3, "label": "person"},
                     {"startOffset": tokyo + 1, "endOffset": tokyo + 1 + 8, "label": "location"}],
        "labels": [{"label": "person"}, {"label": "location"}]}},
        "ner-metadata": {"entities": [{"confidence": 0.9}, {"confidence": 0.8}], "type": "groundtruth/text-span",
                         "job-name": "labeling-job/ner", "human-annotated": "yes"}}
    source = tmp_path / "output.manifest"
    source.write_bytes(orjson.dumps(line) + b"\n")
    cli("import", str(ner_project), str(source), "--format", "gt-ner")
    spans = tmp_path / "spans.jsonl"
    cli("export", str(ner_project), "--format", "jsonl-spans", "-o", str(spans))
    row = orjson.loads(spans.read_bytes())
    assert [text[e["startOffset"]:e["endOffset"]] for e in row["entities"]] == ["Zoë", "東京 Tower"]
    assert row["ner"] == line["ner"]  # the earlier job's label stays on the item, as Ground Truth chains
    # answered, the manifest export is read back by gt-ner
    ahmed = text.index("Ahmed")
    _submit(db, owner, ner_project, {"entities": {"entities": [{"label": "person", "startOffset": ahmed,
                                                                "endOffset": ahmed + 5}]}})
    manifest = tmp_path / "out.manifest"
    cli("export", str(ner_project), "--format", "manifest", "-o", str(manifest))
    written = orjson.loads(manifest.read_bytes())
    assert written["tweets-metadata"]["type"] == "groundtruth/text-span"
    # our code points become Ground Truth's UTF-16 units in the manifest
    assert written["tweets"]["annotations"]["entities"] == [{"label": "person", "startOffset": ahmed + 1,
                                                             "endOffset": ahmed + 6}]
    # chained: the line holds both jobs' labels, the newest (tweets) becomes the pre-annotation
    again = cli("project", "create", "Again", "--type", "named-entity-recognition", "--labels", NER_LABELS).stdout
    cli("import", again.strip(), str(manifest), "--format", "gt-ner")
    cli("export", again.strip(), "--format", "jsonl-spans", "-o", str(spans))
    row = orjson.loads(spans.read_bytes())
    assert [text[e["startOffset"]:e["endOffset"]] for e in row["entities"]] == ["Ahmed"]
    assert row["ner"] == line["ner"] and row["tweets"]["annotations"]["entities"] == [
        {"label": "person", "startOffset": ahmed + 1, "endOffset": ahmed + 6}]


def test_text_formats_refused_elsewhere(cli, make_project: Callable[..., int], ner_project: int, tmp_path: Path) -> None:
    boxes = make_project(name="Boxes", task_type="bounding-box", labels="car")
    result = cli("import", str(boxes), str(WNUT), "--format", "conll", code=2)
    assert "does not fit a bounding-box project" in result.stderr
    result = cli("export", str(ner_project), "--format", "parquet", "--scheme", "bio", "-o", str(tmp_path / "x"),
                 code=2)
    assert "--scheme goes with --format conll" in result.stderr


def test_text_classification_exports_parquet(cli, db: Database, owner: str, make_project: Callable[..., int],
                                             tmp_path: Path) -> None:
    project = make_project("--workers-per-item", "1", "--multi-label")
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"source": "a cat and a dog", "id": "x1"}\n{"source": "nothing"}\n')
    cli("import", str(project), str(source))
    _submit(db, owner, project, {"label": {"labels": ["cat", "dog"]}})
    out = tmp_path / "out.parquet"
    cli("export", str(project), "--format", "parquet", "-o", str(out))
    table = pq.read_table(out)
    assert table.schema.names == ["id", "text", "labels"]
    assert table.to_pylist() == [{"id": "x1", "text": "a cat and a dog", "labels": ["cat", "dog"]},
                                 {"id": "2", "text": "nothing", "labels": None}]


@pytest.mark.parametrize("fmt", ["jsonl-spans", "spacy-jsonl", "docbin", "parquet"])
def test_conll_tokens_survive_other_formats(cli, make_project: Callable[..., int], ner_project: int, tmp_path: Path,
                                            fmt: str) -> None:
    source = tmp_path / "wnut-300.conll"  # the first 300 tweets keep the test quick
    source.write_text("\n\n".join(WNUT.read_text(encoding="utf-8").split("\n\n")[:300]) + "\n", encoding="utf-8")
    cli("import", str(ner_project), str(source), "--format", "conll")
    middle = tmp_path / f"wnut.{fmt}"
    cli("export", str(ner_project), "--format", fmt, "-o", str(middle))
    again = make_project(name="Again", task_type="named-entity-recognition", labels=NER_LABELS)
    assert "300 items created" in cli("import", str(again), str(middle), "--format", fmt).stdout
    out = tmp_path / "out.conll"
    cli("export", str(again), "--format", "conll", "-o", str(out))
    if fmt == "parquet":  # Parquet keeps the tokens, not the file's tab separator
        assert out.read_text(encoding="utf-8") == source.read_text(encoding="utf-8").replace("\t", " ")
    else:
        assert out.read_bytes() == source.read_bytes()
