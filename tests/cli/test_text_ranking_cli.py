"""A text-ranking project through the CLI: a label file with dimensions and classes, a JSONL of
prompts with their responses, an answer, and TRL's datasets written with ``export --format``
(the chat item that the standard text form cannot carry fails that export and leaves no file)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq

from labelworks.db.engine import Database
from labelworks.services import accounts, annotations, assignments

LABELS = {"labels": [{"label": "helpfulness"}, {"label": "honesty", "allowTie": True}],
          "responseClasses": ["thumbs-up", "thumbs-down"]}
ROWS = [{"prompt": "2 + 2?", "responses": [{"id": "x", "text": "4"}, {"id": "y", "text": "5"}, {"id": "z", "text": "four"}]},
        {"messages": [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "Hi"}],
         "responses": ["Hello.", "Go away."]}]


def _submit(db: Database, email: str, project: int, value: dict[str, Any]) -> None:
    actor = accounts.actor_for(accounts.find_user(db, email))
    lease = assignments.next_for(db, actor, project)
    assert lease is not None
    annotations.submit(db, actor, lease.assignment_id, value)


def test_rank_and_export_trl_datasets(cli: Any, owner: str, db: Database, tmp_path: Path) -> None:
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps(LABELS), encoding="utf-8")
    project = int(cli("project", "create", "Prefs", "--type", "text-ranking", "--labels-file", str(labels)).stdout)
    items = tmp_path / "prompts.jsonl"
    items.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in ROWS))
    assert "2 items created" in cli("import", str(project), str(items)).stdout
    _submit(db, owner, project, {"ranking": {"displayOrder": ["z", "x", "y"], "ordinalRankingDimensions": [
        {"name": "helpfulness", "responseRankings": [2, 1, 3]}, {"name": "honesty", "responseRankings": [1, 1, 3]}],
        "responseClassifications": [{"responseId": "x", "labels": ["thumbs-up"]},
                                    {"responseId": "y", "labels": ["thumbs-down"]}]}})
    _submit(db, owner, project, {"ranking": {"ordinalRankingDimensions": [
        {"name": "helpfulness", "responseRankings": [1, 2]}, {"name": "honesty", "responseRankings": [1, 2]}]}})

    cli("export", str(project), "--format", "dpo", "-o", str(tmp_path / "dpo.jsonl"))
    dpo = [json.loads(x) for x in (tmp_path / "dpo.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["chosen"][0]["content"], r["rejected"][0]["content"], r["margin"]) for r in dpo] == [
        ("4", "four", 1.0), ("4", "5", 2.0), ("four", "5", 1.0), ("Hello.", "Go away.", 1.0)]
    assert dpo[3]["prompt"] == ROWS[1]["messages"]

    cli("export", str(project), "--format", "kto-parquet", "-o", str(tmp_path / "kto.parquet"))
    kto = pq.read_table(tmp_path / "kto.parquet")
    assert kto.column_names == ["prompt", "completion", "label"]
    assert [(r["completion"][0]["content"], r["label"]) for r in kto.to_pylist()] == [("4", True), ("5", False)]

    failed = cli("export", str(project), "--format", "dpo-text", "-o", str(tmp_path / "dpo.txt.jsonl"), code=2)
    assert "single-turn prompt" in failed.stderr and not (tmp_path / "dpo.txt.jsonl").exists()
    wrong = cli("export", str(project), "--format", "coco", "-o", str(tmp_path / "x.json"), code=2)
    assert "does not fit a text-ranking project" in wrong.stderr
