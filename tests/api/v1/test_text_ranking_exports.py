"""A text-ranking project end to end through the API: two annotators see the responses in their own
order (the frame's seed), their ranks are stored against the true response ids, and the exports are
TRL's DPO / reward / KTO datasets (JSONL and Parquet, exactly TRL's columns) and Ground Truth's
manifest."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi.testclient import TestClient

from labelworks.services import consolidation, metrics

from factories import Factory, OrgUsers

LABELS = {"labels": [{"label": "helpfulness"}, {"label": "harmlessness", "allowTie": True}],
          "responseClasses": {"labels": ["helpful", "harmful"]}}
ITEM = {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Capital of France?"}],
        "responses": [{"id": "good", "text": "Paris.", "model": "m1"}, {"id": "ok", "text": "It is Paris, I think."},
                      {"id": "bad", "text": "Lyon."}]}
PROMPT = ITEM["messages"]
TEXT = {r["id"]: r["text"] for r in ITEM["responses"]}  # type: ignore[index]
TRUE_ORDER = ["good", "ok", "bad"]  # best first, on both dimensions


def _assistant(rid: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": TEXT[rid]}]


def _answer(shown: list[str]) -> dict[str, Any]:
    """What the element posts: ranks in the order it showed the responses."""
    ranks = [TRUE_ORDER.index(x) + 1 for x in shown]
    classes = [{"responseId": "good", "labels": ["helpful"]}, {"responseId": "bad", "labels": ["harmful"]}]
    return {"ranking": {"displayOrder": shown, "ordinalRankingDimensions": [
        {"name": "helpfulness", "responseRankings": ranks}, {"name": "harmlessness", "responseRankings": ranks}],
        "responseClassifications": classes, "rationale": "Lyon is wrong."}}


def _frame_seed(client: TestClient, frame_url: str, headers: dict[str, str]) -> str:
    """The per-annotator seed the frame hands <lw-text-ranking> (its shuffle is tested in the browser)."""
    frame = client.get(frame_url, headers=headers)
    assert frame.status_code == 200
    seed = re.search(r'shuffle-seed="([0-9a-f]*)"', frame.text)
    assert seed is not None and seed.group(1)
    return seed.group(1)


def test_two_annotators_rank_and_export_trl_datasets(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    project = factory.project(org.manager, "text-ranking", labels=LABELS, workers_per_item=2)
    factory.items(org.manager, project.id, rows=[ITEM])
    seeds = []
    for user, shown in ((org.annotator, ["bad", "good", "ok"]), (org.reviewer, ["ok", "bad", "good"])):
        task = client.post(f"/api/v1/projects/{project.id}/next", json={}, headers=user.headers).json()
        seeds.append(_frame_seed(client, task["frame_url"], user.headers))
        r = client.post(f"/api/v1/assignments/{task['assignment_id']}/submit", json={"value": _answer(shown)},
                        headers=user.headers)
        assert r.status_code == 201, r.text
        stored = r.json()["value"]
        assert stored["responseIds"] == TRUE_ORDER and stored["displayOrder"] == shown
        assert stored["ordinalRankingDimensions"][0]["responseRankings"] == [1, 2, 3]
    assert seeds[0] != seeds[1]  # each annotator gets their own order

    def export(fmt: str) -> bytes:
        r = client.get(f"/api/v1/projects/{project.id}/export", params={"format": fmt}, headers=org.manager.headers)
        assert r.status_code == 200, r.text
        return r.content

    dpo = [json.loads(line) for line in export("dpo").splitlines()]
    # three responses, strict ranks: every pair, best pairs first, the rank margin kept
    assert [(row["chosen"], row["rejected"], row["margin"]) for row in dpo] == [
        (_assistant("good"), _assistant("ok"), 1.0), (_assistant("good"), _assistant("bad"), 2.0),
        (_assistant("ok"), _assistant("bad"), 1.0)]
    assert all(list(row) == ["prompt", "chosen", "rejected", "margin"] and row["prompt"] == PROMPT for row in dpo)

    reward = [json.loads(line) for line in export("reward").splitlines()]
    assert list(reward[0]) == ["chosen", "rejected", "margin"]
    assert reward[0]["chosen"] == PROMPT + _assistant("good") and reward[0]["rejected"] == PROMPT + _assistant("ok")

    kto = [json.loads(line) for line in export("kto").splitlines()]
    assert kto == [{"prompt": PROMPT, "completion": _assistant("good"), "label": True},
                   {"prompt": PROMPT, "completion": _assistant("bad"), "label": False}]

    conversation = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
    expected = {
        "dpo-parquet": pa.schema([("prompt", conversation), ("chosen", conversation), ("rejected", conversation),
                                  ("margin", pa.float64())]),
        "reward-parquet": pa.schema([("chosen", conversation), ("rejected", conversation), ("margin", pa.float64())]),
        "kto-parquet": pa.schema([("prompt", conversation), ("completion", conversation), ("label", pa.bool_())]),
    }
    for fmt, schema in expected.items():
        table = pq.read_table(io.BytesIO(export(fmt)))
        assert table.schema.remove_metadata() == schema, fmt
        assert table.to_pylist() == {"dpo-parquet": dpo, "reward-parquet": reward, "kto-parquet": kto}[fmt]
    assert pq.read_table(io.BytesIO(export("parquet"))).to_pylist() == dpo  # plain parquet: the DPO pairs

    (line,) = [json.loads(x) for x in export("manifest").splitlines()]
    label = line[project.label_attribute]
    assert label["ordinalRankingDimensions"] == [{"name": "helpfulness", "responseRankings": [1, 2, 3]},
                                                 {"name": "harmlessness", "responseRankings": [1, 2, 3]}]
    assert label["responseIds"] == TRUE_ORDER
    assert line[f"{project.label_attribute}-metadata"]["type"] == "groundtruth/text-ranking"

    # the agreement report reads these answers too: the two annotators ranked alike on both dimensions
    report = metrics.project_agreement(factory.db, org.manager.actor, project.id)
    assert report.mean_similarity == 1.0

    # a full run of the project's consolidator (Bradley-Terry per dimension) stores the same answer
    run = consolidation.run_full(factory.db, project.id)
    assert (run["method"], run["items"], run["answers"]) == ("ranking-bradley-terry", 1, 2)
    (line,) = [json.loads(x) for x in export("manifest").splitlines()]
    assert line[project.label_attribute]["ordinalRankingDimensions"][0]["responseRankings"] == [1, 2, 3]
    assert line[project.label_attribute]["responseClassifications"] == [
        {"responseId": "good", "labels": ["helpful"]}, {"responseId": "ok", "labels": []},
        {"responseId": "bad", "labels": ["harmful"]}]


def test_pairwise_preference_and_wrong_project(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    labels = {"labels": [{"label": "overall"}], "pairwise": {"scale": ["A better", "same", "B better"]},
              "export": {"preference": "pairwise"}}
    project = factory.project(org.manager, "text-ranking", labels=labels)
    factory.items(org.manager, project.id, rows=[{"prompt": "Hi", "responses": ["Hello!", "Go away."]}])
    task = client.post(f"/api/v1/projects/{project.id}/next", json={}, headers=org.annotator.headers).json()
    value = {"ranking": {"displayOrder": ["r2", "r1"], "ordinalRankingDimensions": [
        {"name": "overall", "responseRankings": [2, 1]}], "pairwiseChoice": {"left": "r2", "right": "r1", "choice": 3}}}
    r = client.post(f"/api/v1/assignments/{task['assignment_id']}/submit", json={"value": value},
                    headers=org.annotator.headers)
    assert r.status_code == 201, r.text
    assert r.json()["value"]["pairwiseChoice"]["winner"] == "left"  # "B better" of the swapped view: r1
    rows = [json.loads(x) for x in client.get(f"/api/v1/projects/{project.id}/export", params={"format": "dpo"},
                                              headers=org.manager.headers).text.splitlines()]
    assert rows == [{"prompt": [{"role": "user", "content": "Hi"}], "chosen": [{"role": "assistant", "content": "Hello!"}],
                     "rejected": [{"role": "assistant", "content": "Go away."}], "margin": 1.0}]
    other = factory.project(org.manager, "text-classification")
    r = client.get(f"/api/v1/projects/{other.id}/export", params={"format": "dpo"}, headers=org.manager.headers)
    assert r.status_code == 422 and "does not fit a text-classification project" in r.text


def test_bad_ranks_are_refused_naming_the_field(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    project = factory.project(org.manager, "text-ranking", labels=LABELS)
    factory.items(org.manager, project.id, rows=[ITEM])
    task = client.post(f"/api/v1/projects/{project.id}/next", json={}, headers=org.annotator.headers).json()
    value = _answer(TRUE_ORDER)
    value["ranking"]["ordinalRankingDimensions"][0]["responseRankings"] = [1, 1, 3]
    r = client.post(f"/api/v1/assignments/{task['assignment_id']}/submit", json={"value": value},
                    headers=org.annotator.headers)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "value.ranking.ordinalRankingDimensions[0].responseRankings[0]"


def test_a_bad_configuration_is_refused_at_creation(client: TestClient, org: OrgUsers) -> None:
    r = client.post("/api/v1/projects", json={"name": "P", "task_type": "text-ranking",
                                              "labels": {"labels": [{"label": "x"}], "pairwise": {"scale": ["only"]}}},
                    headers=org.manager.headers)
    assert r.status_code == 422 and r.json()["error"]["field"] == "labels.pairwise.scale"
