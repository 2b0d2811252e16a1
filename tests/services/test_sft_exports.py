"""Demonstration projects export as TRL's supervised fine-tuning datasets: the JSONL and Parquet
files are read back with json, pyarrow and Hugging Face ``datasets``, and hold exactly TRL's field names (``messages`` with
``role``/``content``; ``prompt``/``completion``; ``images``/``videos`` for vision rows)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import datasets
import pyarrow.parquet as pq
import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.core.formats.sft import DEFAULT_IMAGE_PROMPT, DEFAULT_QA_SYSTEM
from labelworks.db.engine import Database
from labelworks.services import annotations, assignments, exports

from factories import Factory, OrgUsers

PASSAGE = "Ada Lovelace wrote the first program in 1843."
TRL_MESSAGE = {"role", "content"}


def _export(db: Database, actor: Any, project_id: int, fmt: str) -> bytes:
    return b"".join(exports.open_export(db, actor, project_id, fmt).chunks)


def _jsonl(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.splitlines()]


def _parquet(data: bytes) -> tuple[list[str], list[dict[str, Any]]]:
    table = pq.read_table(io.BytesIO(data))
    return table.column_names, table.to_pylist()


def _load_with_datasets(path: Path, tmp_path: Path) -> datasets.Dataset:
    builder = "parquet" if path.suffix == ".parquet" else "json"
    ds = datasets.load_dataset(builder, data_files=str(path), split="train", cache_dir=str(tmp_path / "hf-cache"))
    assert isinstance(ds, datasets.Dataset)
    return ds


def _label(db: Database, factory: Factory, org: OrgUsers, task_type: str, labels: Any, rows: list[dict[str, Any]],
           values: list[dict[str, Any]]) -> int:
    p = factory.project(org.manager, task_type, labels=labels, workers_per_item=1)
    factory.items(org.manager, p.id, rows=rows)
    (worker,) = factory.annotators(1, org.org_id)
    for value in values:
        lease = assignments.next_for(db, worker.actor, p.id)
        assert lease is not None
        annotations.submit(db, worker.actor, lease.assignment_id, value, active_ms=1000)
    return p.id


def test_qa_pairs_become_one_conversation_each(db: Database, factory: Factory, org: OrgUsers) -> None:
    pairs = [{"question": "Who wrote the first program?", "answer": "Ada Lovelace.", "tags": ["factual"],
              "references": [{"startOffset": 0, "endOffset": 12}]},
             {"question": "When?", "answer": "In 1843.", "references": [{"startOffset": 40, "endOffset": 44}]}]
    pid = _label(db, factory, org, "question-answer-generation", ["factual", "reasoning"],
                 [{"source": PASSAGE}, {"source": "Not labelled yet."}], [{"qa": {"questionAnswerPairs": pairs}}])
    rows = _jsonl(_export(db, org.manager.actor, pid, "sft-messages"))
    assert len(rows) == 2 and all(set(r) == {"messages"} for r in rows)  # the unlabelled item is left out
    assert rows[0]["messages"] == [
        {"role": "system", "content": DEFAULT_QA_SYSTEM},
        {"role": "user", "content": f"Passage:\n{PASSAGE}\n\nQuestion: Who wrote the first program?"},
        {"role": "assistant", "content": "Ada Lovelace."}]
    pc = _jsonl(_export(db, org.manager.actor, pid, "sft-prompt-completion"))
    assert set(pc[1]) == {"prompt", "completion"}
    assert [m["role"] for m in pc[1]["prompt"]] == ["system", "user"]
    assert pc[1]["completion"] == [{"role": "assistant", "content": "In 1843."}]
    text = _jsonl(_export(db, org.manager.actor, pid, "sft-prompt-completion-text"))
    assert text[1] == {"prompt": f"Passage:\n{PASSAGE}\n\nQuestion: When?\n\nAnswer:", "completion": " In 1843."}
    for fmt in ("sft-messages-parquet", "parquet"):
        names, table = _parquet(_export(db, org.manager.actor, pid, fmt))
        assert names == ["messages"] and table == rows
    names, table = _parquet(_export(db, org.manager.actor, pid, "sft-prompt-completion-parquet"))
    assert names == ["prompt", "completion"] and table == pc


def test_chat_exports_the_corrected_conversation(db: Database, factory: Factory, org: OrgUsers) -> None:
    chat = [{"role": "user", "content": "What is 2+2?"}, {"role": "assistant", "content": "5"},
            {"role": "user", "content": "Sure?"}]
    sent = [chat[0], {"role": "assistant", "content": "4."}, chat[2], {"role": "assistant", "content": "Yes, 4."}]
    pid = _label(db, factory, org, "chat-demonstration", ["reply"], [{"messages": chat}],
                 [{"chat": {"messages": sent}}])
    (row,) = _jsonl(_export(db, org.manager.actor, pid, "sft-messages"))
    written = [{"turn": i, "model": "", "generation_id": 0, "draft_edited": False} for i in (1, 3)]
    assert row == {"messages": sent, "reply_sources": written} and all(set(m) == TRL_MESSAGE for m in row["messages"])
    (pc,) = _jsonl(_export(db, org.manager.actor, pid, "sft-prompt-completion"))
    assert pc == {"prompt": sent[:3], "completion": sent[3:], "reply_sources": written}
    (manifest,) = _jsonl(_export(db, org.manager.actor, pid, "manifest"))
    turns = next(v for k, v in manifest.items() if isinstance(v, dict) and "messages" in v)["messages"]
    assert turns[1] == {"role": "assistant", "content": "4.", "edited": True, "original": "5"}
    names, table = _parquet(_export(db, org.manager.actor, pid, "sft-messages-parquet"))
    assert names == ["messages", "reply_sources"] and table == [row]
    with pytest.raises(ValidationFailed) as info:
        _export(db, org.manager.actor, pid, "sft-prompt-completion-text")
    assert info.value.field == "format"


def test_captions_export_in_trls_vision_shape(db: Database, factory: Factory, org: OrgUsers, tmp_path: Path) -> None:
    labels = {"labels": [{"label": "caption"}], "guidance": {"minWords": 2}}
    pid = _label(db, factory, org, "image-captioning", labels, [{"source-ref": "s3://bucket/kite.jpg"}],
                 [{"caption": {"caption": "A red kite."}}])
    (row,) = _jsonl(_export(db, org.manager.actor, pid, "sft-messages"))
    assert row == {"images": ["s3://bucket/kite.jpg"], "messages": [
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": DEFAULT_IMAGE_PROMPT}]},
        {"role": "assistant", "content": [{"type": "text", "text": "A red kite."}]}]}
    names, (prow,) = _parquet(_export(db, org.manager.actor, pid, "sft-messages-parquet"))
    assert names == ["images", "messages"]
    assert prow["messages"][0]["content"][0] == {"type": "image", "text": None}  # Parquet's struct keeps the key
    # what a vision trainer loads: typed parts in one struct column, the image paths beside them
    for name, fmt in (("vision.jsonl", "sft-messages"), ("vision.parquet", "sft-messages-parquet")):
        (tmp_path / name).write_bytes(_export(db, org.manager.actor, pid, fmt))
        ds = _load_with_datasets(tmp_path / name, tmp_path)
        assert ds.features["images"] == datasets.List(datasets.Value("string"))
        assert ds[0]["messages"][1]["content"][0]["text"] == "A red kite."

    vlabels = {"labels": [{"label": "caption"}], "guidance": {"prompt": "Describe the clip."}}
    vid = _label(db, factory, org, "video-captioning", vlabels, [{"source-ref": "clips/dog.webm", "duration": 4}],
                 [{"captions": {"captions": [{"start": 0, "end": 2.5, "text": "A dog runs in."},
                                             {"start": 2.5, "end": 4, "text": "It jumps."}]}}])
    rows = _jsonl(_export(db, org.manager.actor, vid, "sft-prompt-completion"))
    assert [set(r) for r in rows] == [{"videos", "prompt", "completion"}] * 2
    assert rows[1]["videos"] == ["clips/dog.webm"]
    assert rows[1]["prompt"] == [{"role": "user", "content": [
        {"type": "video"}, {"type": "text", "text": "Describe the clip between 2.5 s and 4 s."}]}]
    assert rows[1]["completion"] == [{"role": "assistant", "content": [{"type": "text", "text": "It jumps."}]}]
    names, _ = _parquet(_export(db, org.manager.actor, vid, "sft-prompt-completion-parquet"))
    assert names == ["videos", "prompt", "completion"]


def test_sft_formats_refuse_other_projects(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, "text-classification")
    with pytest.raises(ValidationFailed) as info:
        _export(db, org.manager.actor, p.id, "sft-messages")
    assert info.value.field == "format" and "text-classification" in info.value.message
