"""``labelworks prelabel --assist spacy-ner``, ``embed`` and ``dedup`` on a NER project."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from labelworks.db.engine import Database
from labelworks.db.models import Item

TEXTS = ["Angela Merkel met Microsoft in Berlin.", "The weather in Rome is lovely today.",
         "Angela Merkel met Microsoft in Berlin!", "Cook the pasta for ten minutes in salted water.",
         "Drop the spaghetti into boiling water and wait about ten minutes."]  # 0.94 with the one before


def _data(db: Database, project: int) -> list[dict]:
    with db.read() as s:
        return [json.loads(d) for d in s.scalars(select(Item.data).where(Item.project_id == project).order_by(Item.id))]


def test_prelabel_embed_and_dedup(cli, db: Database, make_project: Callable[..., int], tmp_path: Path) -> None:
    manifest = tmp_path / "news.jsonl"
    manifest.write_text("".join(json.dumps({"source": t}) + "\n" for t in TEXTS), encoding="utf-8")
    project = make_project(name="News", task_type="named-entity-recognition", labels="person,location,corporation")
    cli("import", str(project), str(manifest))
    out = cli("prelabel", str(project), "--assist", "spacy-ner").stdout
    assert "5 of 5 unlabeled items pre-labeled with" in out
    first = _data(db, project)[0]["lw-pre-annotations"]["entities"]
    assert [(TEXTS[0][e["startOffset"]:e["endOffset"]], e["label"]) for e in first] == [
        ("Angela Merkel", "person"), ("Microsoft", "corporation"), ("Berlin", "location")]
    refused = cli("dedup", str(project), code=2)  # no index yet
    assert "no embedding index" in refused.stderr
    assert "5 items embedded" in cli("embed", str(project)).stdout
    assert "0 items embedded, 5 unchanged" in cli("embed", str(project)).stdout
    groups = json.loads(cli("dedup", str(project), "--threshold", "0.95", "--json").stdout)["groups"]
    ids = [g["items"] for g in groups]
    assert len(ids) == 1 and [i["text"] for i in ids[0]] == [TEXTS[0], TEXTS[2]]  # the paraphrase pair is < 0.95
    loose = json.loads(cli("dedup", str(project), "--threshold", "0.9", "--json").stdout)["groups"]
    assert len(loose) == 2 and [i["text"] for i in loose[1]["items"]] == [TEXTS[3], TEXTS[4]]
    marking = cli("dedup", str(project), "--mark")
    assert "1 groups of near-duplicates" in marking.stdout and "1 items marked" in marking.stdout
    assert "1/1 tiles" in marking.stderr  # the progress bar, on standard error
    data = _data(db, project)
    keep = ids[0][0]["item_id"]
    assert data[2]["lw-duplicate-of"] == keep and "lw-duplicate-of" not in data[0]
