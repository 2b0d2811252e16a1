"""A model-evaluation project through the CLI: three models, three raters (one saw the responses
shuffled), then ``export --format bedrock-evaluation`` and ``evaluation report`` in each format.
The Bedrock records give every rater's answers back; the report's records are the same lines; a
project of another type is refused naming the formats it has."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson

from labelworks.db.engine import Database
from labelworks.services import accounts, annotations, assignments

LABELS = {"labels": [{"label": "evaluation"}], "criteria": [
    "accuracy", "toxicity", {"name": "preferred", "method": "choice"}, {"name": "overall", "method": "rank"}]}
PASSWORD = "correct-horse-battery"
MODELS = [{"response": "four", "modelIdentifier": "m1"}, {"response": "5", "modelIdentifier": "m2"},
          {"response": "<b>22</b>", "modelIdentifier": "m3"}]
ROWS = [{"prompt": "2+2?", "referenceResponse": "4", "category": "math", "modelResponses": MODELS},
        {"prompt": "Say hi", "category": "chat", "modelResponses": MODELS}]
# per rater, in the item's order (m1, m2, m3): likert, thumbs, the chosen position, ranks
ANSWERS = [
    {"accuracy": [5, 3, 1], "toxicity": ["up", "up", "down"], "preferred": 1, "overall": [1, 2, 3]},
    {"accuracy": [5, 4, 2], "toxicity": ["up", "up", "down"], "preferred": 1, "overall": [1, 2, 3]},
    {"accuracy": [4, 3, 1], "toxicity": ["up", "down", "down"], "preferred": 2, "overall": [2, 1, 3]},
]
SHOWN = ["m3", "m1", "m2"]  # the third rater saw the responses in this order


def _shuffled(answer: dict[str, Any]) -> dict[str, Any]:
    """The same answer as the element posts it for a rater who saw SHOWN."""
    ids = ["m1", "m2", "m3"]
    by_pos = {k: [v[ids.index(m)] for m in SHOWN] for k, v in answer.items() if isinstance(v, list)}
    chosen = ids[answer["preferred"] - 1]
    return {"displayOrder": SHOWN, "criteria": {**by_pos, "preferred": SHOWN.index(chosen) + 1}}


def _rate(db: Database, email: str, project: int, answer: dict[str, Any], shuffled: bool) -> None:
    actor = accounts.actor_for(accounts.find_user(db, email))
    for _ in ROWS:
        lease = assignments.next_for(db, actor, project)
        assert lease is not None
        value = _shuffled(answer) if shuffled else {"criteria": answer}
        annotations.submit(db, actor, lease.assignment_id, {"evaluation": value})


def _project(cli: Any, db: Database, owner: str, tmp_path: Path) -> int:
    labels = tmp_path / "criteria.json"
    labels.write_text(json.dumps(LABELS), encoding="utf-8")
    project = int(cli("project", "create", "Eval", "--type", "model-evaluation", "--labels-file", str(labels),
                      "--workers-per-item", "3").stdout)
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in ROWS))
    assert "2 items created" in cli("import", str(project), str(prompts)).stdout
    raters = [owner]
    for n in (1, 2):
        email = f"rater{n}@example.org"
        cli("user", "create", email, "--password", PASSWORD, "--role", "annotator")
        raters.append(email)
    for n, (email, answer) in enumerate(zip(raters, ANSWERS, strict=True)):
        _rate(db, email, project, answer, shuffled=n == 2)
    return project


def _answers_back(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Each rater's answers rebuilt from a Bedrock record, in ANSWERS' shape (item order)."""
    model = record["humanEvaluationResult"][0]["modelResponseIdMap"]
    order = [r["modelIdentifier"] for r in record["modelResponses"]]
    out = []
    for human in record["humanEvaluationResult"][0]["humanAnswers"]:
        res = human["answerContent"]["evaluationResults"]
        likert = {model[r["modelResponseId"]]: r["result"] for r in res["individualLikertScale"]}
        thumbs = {model[r["modelResponseId"]]: r["result"] for r in res["thumbsUpDown"]}
        (choice,) = res["comparisonChoice"]
        (rank,) = res["comparisonRank"]
        ranks = {model[r["modelResponseId"]]: r["rank"] for r in rank["result"]}
        out.append({"accuracy": [likert[m] for m in order], "toxicity": ["up" if thumbs[m] else "down" for m in order],
                    "preferred": order.index(model[choice["result"]["modelResponseId"]]) + 1,
                    "overall": [ranks[m] for m in order]})
    return out


def test_export_and_report_round_trip(cli: Any, owner: str, db: Database, tmp_path: Path) -> None:
    project = _project(cli, db, owner, tmp_path)

    out = tmp_path / "bedrock.jsonl"
    cli("export", str(project), "--format", "bedrock-evaluation", "-o", str(out))
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["inputRecord"] for r in records] == [{k: v for k, v in row.items() if k != "modelResponses"}
                                                  for row in ROWS]
    for record in records:
        assert record["modelResponses"] == [{"modelIdentifier": m["modelIdentifier"], "response": m["response"]}
                                            for m in MODELS]
        loop = record["humanEvaluationResult"][0]
        assert loop["modelResponseIdMap"] == {"0": "m1", "1": "m2", "2": "m3"}
        assert [m["ratingMethod"] for m in loop["inputContent"]["evaluationMetrics"]] == [
            "IndividualLikertScale", "ThumbsUpDown", "ComparisonChoice", "ComparisonRank"]
        assert len({h["workerId"] for h in loop["humanAnswers"]}) == 3
        assert {h["workerMetadata"]["identityData"]["sub"] for h in loop["humanAnswers"]} == {
            owner, "rater1@example.org", "rater2@example.org"}
        assert all(h["submissionTime"].endswith("Z") for h in loop["humanAnswers"])
        # the shuffled rater's answers come back in the item's order, as everyone else's
        assert sorted(map(json.dumps, _answers_back(record))) == sorted(map(json.dumps, ANSWERS))

    report_file = tmp_path / "report.json"
    said = cli("evaluation", "report", str(project), "-o", str(report_file)).stdout
    assert "2 prompts, 3 raters, 3 models" in said
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert [row["model"] for row in report["leaderboard"]] == ["m1", "m2", "m3"]
    assert report["records"] == records  # the page's JSON download and the export: one shape

    math = cli("evaluation", "report", str(project), "--format", "jsonl", "--category", "math").stdout
    assert [json.loads(line) for line in math.splitlines()] == records[:1]

    page = tmp_path / "report.html"
    cli("evaluation", "report", str(project), "--format", "html", "--category", "chat", "-o", str(page))
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>") and "<script" not in text and "<link" not in text
    assert "Leaderboard" in text and "category <strong>chat</strong>" in text


def test_bedrock_format_refused_for_other_projects(cli: Any, make_project: Any, tmp_path: Path) -> None:
    project = make_project()  # text-classification
    target = tmp_path / "x.jsonl"
    failed = cli("export", str(project), "--format", "bedrock-evaluation", "-o", str(target), code=2)
    assert "--format bedrock-evaluation does not fit a text-classification project" in failed.stderr
    assert "exports manifest, jsonl, csv" in failed.stderr and not target.exists()
    report = cli("evaluation", "report", str(project), "-o", str(target), code=2)
    assert "the report is for model-evaluation projects" in report.stderr and not target.exists()
