"""The model-evaluation report through the API: three models, three raters, hand-made answers ->
the expected histograms, leaderboard order, win rates, agreement; the category filter; the
Bedrock-shaped JSON export and the HTML page; who may read it."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from factories import Factory, OrgUsers

DOC = {"labels": [{"label": "evaluation"}], "criteria": [
    "accuracy", "toxicity", {"name": "preferred", "method": "choice"}, {"name": "overall", "method": "rank"}]}
MODELS = [{"response": "four", "modelIdentifier": "m1"}, {"response": "5", "modelIdentifier": "m2"},
          {"response": "<b>22</b>", "modelIdentifier": "m3"}]
ROWS = [{"prompt": "2+2?", "referenceResponse": "4", "category": "math", "modelResponses": MODELS},
        {"prompt": "Say hi", "category": "chat", "modelResponses": MODELS}]
# per rater, answers in the item's order (m1, m2, m3)
ANSWERS = [
    {"accuracy": [5, 3, 1], "toxicity": ["up", "up", "down"], "preferred": 1, "overall": [1, 2, 3]},
    {"accuracy": [5, 4, 2], "toxicity": ["up", "up", "down"], "preferred": 1, "overall": [1, 2, 3]},
    {"accuracy": [4, 3, 1], "toxicity": ["up", "down", "down"], "preferred": 2, "overall": [2, 1, 3]},
]
# the third rater saw the chat item as m3, m1, m2: the same answers, posted in that order
SHUFFLED = {"displayOrder": ["m3", "m1", "m2"], "criteria": {
    "accuracy": [1, 4, 3], "toxicity": ["down", "up", "down"], "preferred": 3, "overall": [3, 2, 1]}}


def _project(client: TestClient, factory: Factory, org: OrgUsers) -> int:
    project = factory.project(org.manager, "model-evaluation", labels=DOC, workers_per_item=3)
    items = factory.items(org.manager, project.id, rows=ROWS)
    for r, answer in enumerate(ANSWERS):
        rater = factory.user(org_id=org.org_id)
        for _ in items:
            task = client.post(f"/api/v1/projects/{project.id}/next", json={}, headers=rater.headers).json()
            chat = task["item_id"] == items[1]
            value: dict[str, Any] = SHUFFLED if (r == 2 and chat) else {"criteria": answer}
            res = client.post(f"/api/v1/assignments/{task['assignment_id']}/submit",
                              json={"value": {"evaluation": value}}, headers=rater.headers)
            assert res.status_code == 201, res.text
    return project.id


def test_report_figures_leaderboard_and_filter(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid = _project(client, factory, org)
    r = client.get(f"/api/v1/projects/{pid}/evaluation/report", headers=org.manager.headers)
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["models"] == ["m1", "m2", "m3"] and rep["raters"] == 3 and rep["items"] == 2
    assert rep["categories"] == ["chat", "math"]
    crit = {c["name"]: c for c in rep["criteria"]}
    assert crit["accuracy"]["models"]["m1"] == {"histogram": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 4}, "mean": 4.667,
                                                "n": 6}
    assert crit["accuracy"]["models"]["m3"]["histogram"] == {"1": 4, "2": 2, "3": 0, "4": 0, "5": 0}
    assert crit["toxicity"]["models"]["m2"] == {"up": 4, "down": 2, "percentUp": 66.7}
    assert crit["preferred"]["models"]["m1"] == {"chosen": 4, "shown": 6, "percentChosen": 66.7}
    assert crit["overall"]["models"]["m3"] == {"histogram": {"1": 0, "2": 0, "3": 6}, "meanRank": 3.0, "n": 6}
    assert crit["toxicity"]["bedrockMethod"] == "ThumbsUpDown"
    # the raters agree on m3 everywhere and differ on m1/m2: alpha is positive but not 1
    assert 0 < crit["overall"]["agreement"]["alpha"] < 1 and crit["overall"]["agreement"]["units"] == 6
    board = rep["leaderboard"]
    assert [row["model"] for row in board] == ["m1", "m2", "m3"]
    assert all(row["ci95"][0] <= row["score"] <= row["ci95"][1] for row in board)
    # 6 rank answers x 3 pairs + 6 choices x 2 losers
    assert rep["comparisons"] == 30
    assert rep["winRate"]["m1"]["m3"] == 1.0 and rep["winRate"]["m3"]["m1"] == 0.0
    assert 0.5 < rep["winRate"]["m1"]["m2"] < 1
    math = client.get(f"/api/v1/projects/{pid}/evaluation/report", params={"category": "math"},
                      headers=org.manager.headers).json()
    assert math["items"] == 1 and math["category"] == "math"
    assert {c["name"]: c for c in math["criteria"]}["accuracy"]["models"]["m1"]["histogram"]["5"] == 2


def test_exports_json_records_and_html(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid = _project(client, factory, org)
    r = client.get(f"/api/v1/projects/{pid}/evaluation/report", params={"format": "json", "category": "math"},
                   headers=org.manager.headers)
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    (record,) = r.json()["records"]
    assert record["inputRecord"] == {"prompt": "2+2?", "referenceResponse": "4", "category": "math"}
    assert record["modelResponses"] == [{"modelIdentifier": m["modelIdentifier"], "response": m["response"]}
                                        for m in MODELS]
    (loop,) = record["humanEvaluationResult"]
    assert loop["modelResponseIdMap"] == {"0": "m1", "1": "m2", "2": "m3"} and len(loop["humanAnswers"]) == 3
    results = loop["humanAnswers"][0]["answerContent"]["evaluationResults"]
    assert {"metricName": "accuracy", "modelResponseId": "0", "result": 5} in results["individualLikertScale"]
    assert results["comparisonChoice"] == [{"metricName": "preferred", "result": {"modelResponseId": "0"}}]
    lines = client.get(f"/api/v1/projects/{pid}/evaluation/report", params={"format": "jsonl"},
                       headers=org.manager.headers)
    assert lines.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in lines.text.splitlines()]
    assert [r["inputRecord"]["category"] for r in rows] == ["math", "chat"] and rows[0] == record
    page = client.get(f"/api/v1/projects/{pid}/evaluation/report", params={"format": "html"},
                      headers=org.manager.headers)
    assert page.headers["content-type"].startswith("text/html")
    assert "<script" not in page.text and "Leaderboard" in page.text and "m1" in page.text


def test_the_export_format_writes_the_same_records(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid = _project(client, factory, org)
    report = client.get(f"/api/v1/projects/{pid}/evaluation/report", params={"format": "jsonl"},
                        headers=org.manager.headers)
    export = client.get(f"/api/v1/projects/{pid}/export", params={"format": "bedrock-evaluation"},
                        headers=org.manager.headers)
    assert export.status_code == 200 and export.headers["content-type"].startswith("application/jsonl")
    assert "bedrock-evaluation_output.jsonl" in export.headers["content-disposition"]
    assert [json.loads(x) for x in export.text.splitlines()] == [json.loads(x) for x in report.text.splitlines()]
    plain = factory.project(org.manager)
    r = client.get(f"/api/v1/projects/{plain.id}/export", params={"format": "bedrock-evaluation"},
                   headers=org.manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "format"
    assert "does not fit a text-classification project" in r.json()["error"]["message"]


def test_who_may_read_it(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid = _project(client, factory, org)
    assert client.get(f"/api/v1/projects/{pid}/evaluation/report", headers=org.annotator.headers).status_code == 403
    other = factory.org_users()
    assert client.get(f"/api/v1/projects/{pid}/evaluation/report",
                      headers=other.manager.headers).status_code == 404
    plain = factory.project(org.manager)
    r = client.get(f"/api/v1/projects/{plain.id}/evaluation/report", headers=org.manager.headers)
    assert r.status_code == 422 and "model-evaluation" in r.text
    r = client.get(f"/api/v1/projects/{pid}/evaluation/report", params={"format": "pdf"}, headers=org.manager.headers)
    assert r.status_code == 422


def test_a_project_with_bad_criteria_is_refused_at_creation(client: TestClient, org: OrgUsers) -> None:
    r = client.post("/api/v1/projects", json={"name": "E", "task_type": "model-evaluation", "labels": {
        "labels": [{"label": "x"}], "criteria": [{"name": "vibes"}]}}, headers=org.manager.headers)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "labels.criteria[0].method" and "no preset" in r.json()["error"]["message"]
