"""Our training-data exports load with Hugging Face ``datasets`` the way a fine-tuning script loads
them (``load_dataset("json" | "parquet", data_files=…)``), with TRL's column names and types:
SFT (messages, prompt/completion), DPO, reward and KTO in conversational and text form, JSONL and
Parquet, and the NER / classification Parquet whose ``ClassLabel`` names ``datasets`` reads back from
the schema metadata. What ``datasets`` infers is what a trainer sees, so the features are asserted,
not just the rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import datasets
import orjson
import pytest

from labelworks.db.engine import Database
from labelworks.services import accounts, annotations, assignments

CHAT = [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "Capital of France?"},
        {"role": "assistant", "content": "Lyon."}]
MESSAGE = {"role": datasets.Value("string"), "content": datasets.Value("string")}
CONVERSATION = datasets.List(MESSAGE)
REPLY_SOURCES = datasets.List({"turn": datasets.Value("int64"), "model": datasets.Value("string"),
                               "generation_id": datasets.Value("int64"), "draft_edited": datasets.Value("bool")})
WRITTEN = [{"turn": 2, "model": "", "generation_id": 0, "draft_edited": False}]  # the worker wrote the reply


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    # local files only: nothing may reach for the Hub, even a metadata lookup
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)


def _load(path: Path, tmp_path: Path) -> datasets.Dataset:
    builder = "parquet" if path.suffix == ".parquet" else "json"
    ds = datasets.load_dataset(builder, data_files=str(path), split="train", cache_dir=str(tmp_path / "hf-cache"))
    assert isinstance(ds, datasets.Dataset)
    return ds


def _submit(db: Database, email: str, project: int, value: dict[str, Any]) -> None:
    actor = accounts.actor_for(accounts.find_user(db, email))
    lease = assignments.next_for(db, actor, project)
    assert lease is not None
    annotations.submit(db, actor, lease.assignment_id, value)


@pytest.fixture
def chat_project(cli: Any, owner: str, db: Database, tmp_path: Path) -> int:
    project = int(cli("project", "create", "Geo", "--type", "chat-demonstration", "--labels", "reply",
                      "--workers-per-item", "1").stdout)
    manifest = tmp_path / "chats.manifest"
    manifest.write_bytes(orjson.dumps({"messages": CHAT}) + b"\n")
    cli("import", str(project), str(manifest), "--format", "manifest")
    _submit(db, owner, project, {"chat": {"messages": [*CHAT[:2], {"role": "assistant", "content": "Paris."}]}})
    return project


@pytest.mark.parametrize("fmt", ["sft-messages", "sft-messages-parquet"])
def test_sft_messages_load_as_a_conversation_column(cli: Any, chat_project: int, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / ("sft.parquet" if fmt.endswith("parquet") else "sft.jsonl")
    cli("export", str(chat_project), "--format", fmt, "-o", str(path))
    ds = _load(path, tmp_path)
    assert ds.features == datasets.Features({"messages": CONVERSATION, "reply_sources": REPLY_SOURCES})
    assert ds[0]["messages"] == [*CHAT[:2], {"role": "assistant", "content": "Paris."}]
    assert ds[0]["reply_sources"] == WRITTEN


@pytest.mark.parametrize("fmt", ["sft-prompt-completion", "sft-prompt-completion-parquet"])
def test_sft_prompt_completion_splits_the_last_reply(cli: Any, chat_project: int, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / ("pc.parquet" if fmt.endswith("parquet") else "pc.jsonl")
    cli("export", str(chat_project), "--format", fmt, "-o", str(path))
    ds = _load(path, tmp_path)
    assert ds.features == datasets.Features({"prompt": CONVERSATION, "completion": CONVERSATION,
                                             "reply_sources": REPLY_SOURCES})
    assert ds[0] == {"prompt": CHAT[:2], "completion": [{"role": "assistant", "content": "Paris."}],
                     "reply_sources": WRITTEN}


@pytest.fixture
def ranking_project(cli: Any, owner: str, db: Database, tmp_path: Path) -> int:
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps({"labels": [{"label": "helpfulness"}],
                                  "responseClasses": ["thumbs-up", "thumbs-down"]}), encoding="utf-8")
    project = int(cli("project", "create", "Prefs", "--type", "text-ranking", "--labels-file", str(labels),
                      "--workers-per-item", "1").stdout)
    items = tmp_path / "prompts.jsonl"
    items.write_bytes(orjson.dumps({"prompt": "2 + 2?", "responses": [
        {"id": "x", "text": "4"}, {"id": "y", "text": "5"}, {"id": "z", "text": "four"}]}) + b"\n")
    cli("import", str(project), str(items))
    _submit(db, owner, project, {"ranking": {
        "ordinalRankingDimensions": [{"name": "helpfulness", "responseRankings": [1, 3, 2]}],
        "responseClassifications": [{"responseId": "x", "labels": ["thumbs-up"]},
                                    {"responseId": "y", "labels": ["thumbs-down"]}]}})
    return project


USER = [{"role": "user", "content": "2 + 2?"}]


def _reply(text: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": text}]


@pytest.mark.parametrize("suffix", ["", "-parquet"])
def test_dpo_reward_and_kto_load_with_trl_columns(cli: Any, ranking_project: int, tmp_path: Path, suffix: str) -> None:
    ext = ".parquet" if suffix else ".jsonl"
    loaded = {}
    for fmt in ("dpo", "reward", "kto"):
        path = tmp_path / f"{fmt}{ext}"
        cli("export", str(ranking_project), "--format", fmt + suffix, "-o", str(path))
        loaded[fmt] = _load(path, tmp_path)
    dpo, reward, kto = loaded["dpo"], loaded["reward"], loaded["kto"]
    assert dpo.features == datasets.Features({"prompt": CONVERSATION, "chosen": CONVERSATION,
                                              "rejected": CONVERSATION, "margin": datasets.Value("float64")})
    # 3 ranked responses -> 3 pairs, the better one chosen, the rank gap kept as the margin
    assert sorted((r["chosen"][0]["content"], r["rejected"][0]["content"], r["margin"]) for r in dpo) == [
        ("4", "5", 2.0), ("4", "four", 1.0), ("four", "5", 1.0)]
    assert all(r["prompt"] == USER for r in dpo)
    assert reward.features == datasets.Features({"chosen": CONVERSATION, "rejected": CONVERSATION,
                                                 "margin": datasets.Value("float64")})
    assert reward[0]["chosen"][:-1] == USER and reward.num_rows == 3
    assert kto.features == datasets.Features({"prompt": CONVERSATION, "completion": CONVERSATION,
                                              "label": datasets.Value("bool")})
    assert sorted((r["completion"][0]["content"], r["label"]) for r in kto) == [("4", True), ("5", False)]


def test_text_form_loads_as_strings(cli: Any, ranking_project: int, tmp_path: Path) -> None:
    for fmt, columns in (("dpo-text", ("prompt", "chosen", "rejected")), ("reward-text", ("chosen", "rejected")),
                         ("kto-text", ("prompt", "completion"))):
        path = tmp_path / f"{fmt}.jsonl"
        cli("export", str(ranking_project), "--format", fmt, "-o", str(path))
        ds = _load(path, tmp_path)
        assert all(ds.features[c] == datasets.Value("string") for c in columns), (fmt, ds.features)
    assert ds.features["label"] == datasets.Value("bool")
    assert sorted(zip(ds["completion"], ds["label"], strict=True)) == [("4", True), ("5", False)]


def test_ner_parquet_keeps_its_class_label_names(cli: Any, owner: str, db: Database, tmp_path: Path) -> None:
    project = int(cli("project", "create", "Tweets", "--type", "named-entity-recognition", "--labels",
                      "person,location", "--workers-per-item", "1").stdout)
    text = "Zoë met Ahmed in Paris"
    rows = [{"text": text, "entities": [{"label": "person", "startOffset": 0, "endOffset": 3},
                                        {"label": "location", "startOffset": 17, "endOffset": 22}]}]
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    cli("import", str(project), str(source), "--format", "jsonl-spans")
    out = tmp_path / "ner.parquet"
    cli("export", str(project), "--format", "parquet", "-o", str(out))
    ds = _load(out, tmp_path)
    tags = ds.features["ner_tags"]
    assert isinstance(tags, datasets.List) and isinstance(tags.feature, datasets.ClassLabel)
    assert tags.feature.names[:3] == ["O", "B-person", "I-person"]
    row = ds[0]
    assert row["tokens"] == text.split()
    assert [tags.feature.int2str(t) for t in row["ner_tags"]] == ["B-person", "O", "O", "O", "B-location"]
    assert row["entities"][1] == {"start": 17, "end": 22, "label": "location", "id": "e2"}


def test_classification_parquet_loads(cli: Any, owner: str, db: Database, tmp_path: Path) -> None:
    project = int(cli("project", "create", "Pets", "--type", "text-classification", "--labels", "cat,dog,bird",
                      "--multi-label", "--workers-per-item", "1").stdout)
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"source": "a cat and a dog", "id": "x1"}\n')
    cli("import", str(project), str(source))
    _submit(db, owner, project, {"label": {"labels": ["cat", "dog"]}})
    out = tmp_path / "labels.parquet"
    cli("export", str(project), "--format", "parquet", "-o", str(out))
    ds = _load(out, tmp_path)
    # label names as strings (the names are free to change between projects), one list per item
    assert ds.features == datasets.Features({"id": datasets.Value("string"), "text": datasets.Value("string"),
                                             "labels": datasets.List(datasets.Value("string"))})
    assert ds[0] == {"id": "x1", "text": "a cat and a dog", "labels": ["cat", "dog"]}
