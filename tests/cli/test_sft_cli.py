"""Demonstrations through the CLI: chat items (``messages`` only) import from a manifest, a labels
file brings the guidance, a worker's correction is checked against it, and ``export --format
sft-messages`` / ``sft-prompt-completion-parquet`` write TRL's files; a wrong format is refused
before any file is written."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.db.engine import Database
from labelworks.services import accounts, annotations, assignments

CHAT = [{"role": "user", "content": "Capital of France?"}, {"role": "assistant", "content": "Lyon."}]


def test_chat_items_import_and_export_as_trl_sft(cli, owner: str, db: Database, tmp_path: Path) -> None:
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps({"labels": [{"label": "reply"}],
                                  "guidance": {"minWords": 2, "forbiddenPhrases": ["as an AI"]}}), encoding="utf-8")
    project = int(cli("project", "create", "Geo", "--type", "chat-demonstration", "--labels-file", str(labels),
                      "--workers-per-item", "1").stdout)
    manifest = tmp_path / "chats.manifest"
    manifest.write_bytes(orjson.dumps({"messages": CHAT}) + b"\n" + orjson.dumps({"messages": "not a list"}) + b"\n")
    out = cli("import", str(project), str(manifest), "--format", "manifest", "--skip-invalid").stdout
    assert "1 item" in out

    actor = accounts.actor_for(accounts.find_user(db, owner))
    lease = assignments.next_for(db, actor, project)
    assert lease is not None
    with pytest.raises(ValidationFailed) as info:
        annotations.submit(db, actor, lease.assignment_id,
                           {"chat": {"messages": [CHAT[0], {"role": "assistant", "content": "As an AI: Paris."}]}})
    assert info.value.field == "value.chat.messages[1].content"
    annotations.submit(db, actor, lease.assignment_id,
                       {"chat": {"messages": [CHAT[0], {"role": "assistant", "content": "It is Paris."}]}})

    target = tmp_path / "sft.jsonl"
    cli("export", str(project), "--format", "sft-messages", "-o", str(target))
    (row,) = [json.loads(x) for x in target.read_text(encoding="utf-8").splitlines()]
    assert row == {"messages": [CHAT[0], {"role": "assistant", "content": "It is Paris."}],
                   "reply_sources": [{"turn": 1, "model": "", "generation_id": 0, "draft_edited": False}]}
    parquet = tmp_path / "sft.parquet"
    cli("export", str(project), "--format", "sft-prompt-completion-parquet", "-o", str(parquet))
    table = pq.read_table(parquet)
    assert table.column_names == ["prompt", "completion", "reply_sources"]
    assert table.to_pylist() == [{"prompt": [CHAT[0]], "completion": [{"role": "assistant", "content": "It is Paris."}],
                                  "reply_sources": row["reply_sources"]}]
    refused = tmp_path / "no.jsonl"
    result = cli("export", str(project), "--format", "sft-prompt-completion-text", "-o", str(refused), code=2)
    assert "does not fit a chat-demonstration project" in result.stderr and not refused.exists()
