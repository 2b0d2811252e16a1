"""Chat replies a model drafted reach the SFT exports as the ``reply_sources`` column beside TRL's
(which model, which stored generation, whether the worker changed the draft), with the same types
whether a row's replies were drafted or written, so ``datasets`` loads JSONL and Parquet alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets
import orjson
import pytest

from labelworks.db.engine import Database
from labelworks.core.chat import ChatMessage, GenerationParams
from labelworks.services import accounts, annotations, assignments
from labelworks.services import model_connections as conns

Q1 = [{"role": "user", "content": "Capital of France?"}]
Q2 = [{"role": "user", "content": "Capital of Italy?"}]


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)


@pytest.fixture
def project(cli: Any, owner: str, db: Database, tmp_path: Path) -> int:
    pid = int(cli("project", "create", "Geo", "--type", "chat-demonstration", "--labels", "reply",
                  "--workers-per-item", "1").stdout)
    manifest = tmp_path / "chats.manifest"
    manifest.write_bytes(orjson.dumps({"messages": Q1}) + b"\n" + orjson.dumps({"messages": Q2}) + b"\n")
    cli("import", str(pid), str(manifest), "--format", "manifest")
    actor = accounts.actor_for(accounts.find_user(db, owner))
    # the drafted reply names a real generation of the project's geo-llm (the submit checks it)
    geo = conns.create_connection(db, actor, pid, {"name": "geo-llm", "kind": "python", "model": "echo"}, "k" * 32,
                                  lambda *_: None)
    gid = conns.record_generation(db, conns.GenerationRecord(
        pid, geo.id, "geo-llm", actor.user_id, None, "api", (ChatMessage("user", "Capital of Italy?"),),
        GenerationParams(), "Rome.", "stop", 10, 5, 3, 1, False, 1, None))
    assert gid == 1  # the first generation of a fresh database: the export below names it
    answers = {  # the first item's reply written by the worker, the second's drafted by a model and edited
        "Capital of France?": {"role": "assistant", "content": "Paris."},
        "Capital of Italy?": {"role": "assistant", "content": "It is Rome.",
                              "source": {"model": "geo-llm", "generationId": gid, "draft": "Rome."}},
    }
    for _ in range(2):
        lease = assignments.next_for(db, actor, pid)
        assert lease is not None
        prompt = lease.data["messages"]
        annotations.submit(db, actor, lease.assignment_id,
                           {"chat": {"messages": [*prompt, answers.pop(prompt[0]["content"])]}})
    return pid


@pytest.mark.parametrize("fmt", ["sft-messages", "sft-messages-parquet", "sft-prompt-completion",
                                 "sft-prompt-completion-parquet"])
def test_drafted_replies_carry_their_model_and_load_with_datasets(cli: Any, project: int, tmp_path: Path,
                                                                  fmt: str) -> None:
    path = tmp_path / ("out.parquet" if fmt.endswith("parquet") else "out.jsonl")
    cli("export", str(project), "--format", fmt, "-o", str(path))
    builder = "parquet" if fmt.endswith("parquet") else "json"
    ds = datasets.load_dataset(builder, data_files=str(path), split="train", cache_dir=str(tmp_path / "hf"))
    assert isinstance(ds, datasets.Dataset)
    assert ds.features["reply_sources"] == datasets.List({
        "turn": datasets.Value("int64"), "model": datasets.Value("string"),
        "generation_id": datasets.Value("int64"), "draft_edited": datasets.Value("bool")})
    by_reply = {(row.get("messages") or row["completion"])[-1]["content"]: row["reply_sources"] for row in ds}
    assert by_reply == {
        "Paris.": [{"turn": 1, "model": "", "generation_id": 0, "draft_edited": False}],
        "It is Rome.": [{"turn": 1, "model": "geo-llm", "generation_id": 1, "draft_edited": True}],
    }
    # TRL's own columns are untouched: the conversation holds role and content only
    first = ds[0]
    turns = first["messages"] if "messages" in first else [*first["prompt"], *first["completion"]]
    assert all(set(m) == {"role", "content"} for m in turns)
