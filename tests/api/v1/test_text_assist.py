"""Text assists over HTTP with the real models: spaCy pre-labels on a NER project, the embedding
index (similar items, near-duplicates, kNN label suggestions), model quality against hand-made
answers, and who may call what."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import Factory, OrgUsers, wait_for_job

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

WNUT = ["person", "location", "group", "corporation", "product", "creative-work"]


def submit_next(client: TestClient, pid: int, org: OrgUsers, answer: Any) -> dict[str, Any]:
    """Lease the next task and submit ``answer(task)`` for it; returns the task."""
    task = client.post(f"/api/v1/projects/{pid}/next", json={}, headers=org.annotator.headers).json()
    r = client.post(f"/api/v1/assignments/{task['assignment_id']}/submit", json={"value": answer(task)},
                    headers=org.annotator.headers)
    assert r.status_code == 201, r.text
    return task


def test_prelabel_job_on_a_ner_project_stores_model_entities(client: TestClient, factory: Factory,
                                                             org: OrgUsers) -> None:
    p = factory.project(org.manager, "named-entity-recognition", labels=WNUT)
    text = "🎉 Angela Merkel met Microsoft in Berlin."
    factory.items(org.manager, p.id, rows=[{"source": text}, {"source": "nothing to see here"},
                                           {"source-ref": "s3://bucket/photo.png"}])
    r = client.post(f"/api/v1/projects/{p.id}/prelabel", json={"assist": "spacy-ner"}, headers=org.manager.headers)
    assert r.status_code == 202, r.text
    job = wait_for_job(client, r.json()["id"], org.manager.headers, timeout=120)
    assert job["status"] == "done", job
    assert job["result"]["labeled"] == 2 and job["result"]["objects"] == 3
    assert [f["error"] for f in job["result"]["failed"]] == ["the item has no text (source)"]
    again = client.post(f"/api/v1/projects/{p.id}/prelabel", json={"assist": "spacy-ner"}, headers=org.manager.headers)
    assert wait_for_job(client, again.json()["id"], org.manager.headers, timeout=120)["result"]["objects"] == 3
    task = client.post(f"/api/v1/projects/{p.id}/next", json={}, headers=org.annotator.headers).json()
    entities = task["data"]["lw-pre-annotations"]["entities"]  # replaced on the re-run, not doubled
    assert [(text[e["startOffset"]:e["endOffset"]], e["label"]) for e in entities] == [
        ("Angela Merkel", "person"), ("Microsoft", "corporation"), ("Berlin", "location")]
    assert entities[0] == {"label": "person", "startOffset": 2, "endOffset": 15, "source": "model",
                           "model": "en_core_web_sm-3.8"}
    frame = client.get(task["frame_url"], headers=org.annotator.headers)
    assert frame.status_code == 200 and "initial-value=" in frame.text and "en_core_web_sm-3.8" in frame.text
    # the same assist on the worker's own task, through the task's assist endpoint
    listed = [a["name"] for a in client.get(f"/api/v1/tasks/{task['assignment_id']}/assists",
                                            headers=org.annotator.headers).json()]
    assert "spacy-ner" in listed
    r = client.post(f"/api/v1/tasks/{task['assignment_id']}/assist/spacy-ner", json={}, headers=org.annotator.headers)
    assert r.status_code == 200 and [x["label"] for x in r.json()["regions"]] == ["person", "corporation", "location"]


def test_the_label_map_lives_in_the_assist_settings(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, "named-entity-recognition", labels=["human", "city"])
    factory.items(org.manager, p.id, rows=[{"source": "Angela Merkel lives in Berlin."}])
    url = f"/api/v1/projects/{p.id}/assist-settings"
    r = client.put(url, json={"assist_options": {"spacy-ner": {"label_map": {"PERSON": "human", "GPE": "city"}}}},
                   headers=org.manager.headers)
    assert r.status_code == 200 and r.json()["assist_options"]["spacy-ner"]["label_map"]["GPE"] == "city"
    assert client.put(url, json={"assist_options": {"spacy-ner": 3}}, headers=org.manager.headers).json()[
        "error"]["field"] == "assist_options.spacy-ner"
    job = client.post(f"/api/v1/projects/{p.id}/prelabel", json={"assist": "spacy-ner"}, headers=org.manager.headers)
    assert wait_for_job(client, job.json()["id"], org.manager.headers, timeout=120)["result"]["objects"] == 2
    task = client.post(f"/api/v1/projects/{p.id}/next", json={}, headers=org.annotator.headers).json()
    assert [e["label"] for e in task["data"]["lw-pre-annotations"]["entities"]] == ["human", "city"]


SPORTS = ["The striker scored twice in the second half of the football match.",
          "Our team won the basketball championship after overtime.",
          "The tennis player served an ace to win the final set."]
COOKING = ["Whisk the eggs with sugar and fold in the flour for the cake.",
           "Simmer the tomato sauce with garlic and basil for twenty minutes.",
           "Knead the bread dough and let it rise for an hour before baking."]
QUERY = "The goalkeeper saved a penalty and the football team won the match."


def test_embeddings_similar_items_dedup_and_label_suggestions(client: TestClient, factory: Factory,
                                                              org: OrgUsers) -> None:
    p = factory.project(org.manager, "text-classification", labels=["sports", "cooking"])
    near_copy = "The striker scored twice in the second half of the football match!"
    paraphrase = "In the football game the striker found the net two times after half-time."
    rows = [{"source": t} for t in SPORTS + COOKING] + [{"source": QUERY}, {"source": near_copy},
                                                        {"source": paraphrase}]
    ids = factory.items(org.manager, p.id, rows=rows)
    h = org.manager.headers
    assert client.get(f"/api/v1/projects/{p.id}/items/{ids[0]}/similar", headers=h).status_code == 404  # no index
    r = client.post(f"/api/v1/projects/{p.id}/embeddings", headers=h)
    assert r.status_code == 202, r.text
    job = wait_for_job(client, r.json()["id"], h, timeout=120)
    assert job["status"] == "done" and job["result"]["encoded"] == 9, job
    again = wait_for_job(client, client.post(f"/api/v1/projects/{p.id}/embeddings", headers=h).json()["id"], h)
    assert again["result"]["encoded"] == 0 and again["result"]["unchanged"] == 9
    assert client.get(f"/api/v1/projects/{p.id}/embeddings", headers=h).json()["vectors"] == 9

    # similar items: the near copy, then the paraphrase, rank before every other text
    r = client.get(f"/api/v1/projects/{p.id}/items/{ids[0]}/similar?k=3", headers=h)
    assert r.status_code == 200, r.text
    similar = r.json()["similar"]
    assert [s["item_id"] for s in similar[:2]] == [ids[7], ids[8]]
    assert similar[0]["similarity"] > 0.95 > similar[1]["similarity"]
    assert client.get(f"/api/v1/projects/{p.id}/items/{ids[0]}/similar?k=0", headers=h).status_code == 422

    # de-duplication finds the planted near copy and nothing else; --mark writes lw-duplicate-of
    groups = client.get(f"/api/v1/projects/{p.id}/duplicates?threshold=0.95", headers=h).json()["groups"]
    assert [[i["item_id"] for i in g["items"]] for g in groups] == [[ids[0], ids[7]]]
    marked = client.post(f"/api/v1/projects/{p.id}/duplicates/mark", json={"threshold": 0.95}, headers=h).json()
    assert marked == {"threshold": 0.95, "groups": 1, "marked": 1}
    listed = {i["id"]: i for i in client.get(f"/api/v1/projects/{p.id}/items", headers=h).json()["items"]}
    assert listed[ids[7]]["data"]["lw-duplicate-of"] == ids[0] and "lw-duplicate-of" not in listed[ids[0]]["data"]

    # label the six seed texts, then the query item gets "sports" suggested from its neighbours
    labelled = {t: "sports" for t in SPORTS} | {t: "cooking" for t in COOKING}
    for _ in range(6):
        submit_next(client, p.id, org, lambda task: {"label": {"label": labelled[task["data"]["source"]]}})
    task = client.post(f"/api/v1/projects/{p.id}/next", json={}, headers=org.annotator.headers).json()
    assert task["data"]["source"] == QUERY
    r = client.post(f"/api/v1/tasks/{task['assignment_id']}/assist/suggest-labels", json={"k": 4},
                    headers=org.annotator.headers)
    assert r.status_code == 200, r.text
    suggestions = r.json()["regions"]
    assert suggestions[0]["label"] == "sports" and suggestions[0]["kind"] == "label"
    assert suggestions[0]["score"] > 0.5 and all(s["label"] != "sports" for s in suggestions[1:])
    bad = client.post(f"/api/v1/tasks/{task['assignment_id']}/assist/suggest-labels", json={"k": 0},
                      headers=org.annotator.headers)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "params.k"


def test_who_may_use_the_index(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, "text-classification", labels=["a", "b"])
    ids = factory.items(org.manager, p.id, rows=[{"source": "one text"}, {"source": "another text"}])
    assert client.post(f"/api/v1/projects/{p.id}/embeddings", headers=org.annotator.headers).status_code == 403
    wait_for_job(client, client.post(f"/api/v1/projects/{p.id}/embeddings", headers=org.manager.headers).json()["id"],
                 org.manager.headers)
    for url in (f"/api/v1/projects/{p.id}/items/{ids[0]}/similar", f"/api/v1/projects/{p.id}/duplicates",
                f"/api/v1/projects/{p.id}/assist/quality"):
        assert client.get(url, headers=org.annotator.headers).status_code == 403, url
    assert client.post(f"/api/v1/projects/{p.id}/duplicates/mark", json={},
                       headers=org.annotator.headers).status_code == 403
    assert client.get(f"/api/v1/projects/{p.id}/items/{ids[0]}/similar", headers=org.reviewer.headers).status_code == 200
    other = factory.org_users()
    for url in (f"/api/v1/projects/{p.id}/items/{ids[0]}/similar", f"/api/v1/projects/{p.id}/duplicates",
                f"/api/v1/projects/{p.id}/assist/quality"):
        assert client.get(url, headers=other.manager.headers).status_code == 404, url
    q = factory.project(org.manager, "text-classification", labels=["a", "b"])
    assert client.get(f"/api/v1/projects/{q.id}/items/{ids[0]}/similar", headers=org.manager.headers).status_code == 404


def test_model_quality_against_hand_made_answers(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, "named-entity-recognition", labels=WNUT)
    texts = ["Angela Merkel met Microsoft in Berlin.", "Tim Cook visited Paris.", "no entities in here"]
    factory.items(org.manager, p.id, rows=[{"source": t} for t in texts])
    job = client.post(f"/api/v1/projects/{p.id}/prelabel", json={"assist": "spacy-ner"}, headers=org.manager.headers)
    assert wait_for_job(client, job.json()["id"], org.manager.headers, timeout=120)["status"] == "done"

    def span(text: str, word: str, label: str) -> dict[str, Any]:
        return {"label": label, "startOffset": text.index(word), "endOffset": text.index(word) + len(word)}

    # hand-made gold: Microsoft relabelled product (typed miss, untyped hit), Berlin removed (false
    # positive), "Angela" alone instead of "Angela Merkel" (miss both ways), Paris kept, an extra gold span
    gold = {texts[0]: [span(texts[0], "Angela", "person"), span(texts[0], "Microsoft", "product")],
            texts[1]: [span(texts[1], "Tim Cook", "person"), span(texts[1], "Paris", "location")],
            texts[2]: [span(texts[2], "entities", "product")]}
    for _ in texts:
        submit_next(client, p.id, org, lambda task: {"entities": {"entities": gold[task["data"]["source"]]}})
    r = client.get(f"/api/v1/projects/{p.id}/assist/quality", headers=org.manager.headers)
    assert r.status_code == 200, r.text
    q = r.json()
    # proposals: Angela Merkel/person, Microsoft/corporation, Berlin/location, Tim Cook/person, Paris/location
    assert q["compared"] == 3 and q["models"] == {"en_core_web_sm-3.8": 5}
    assert (q["typed"]["true_positives"], q["typed"]["proposed"], q["typed"]["gold"]) == (2, 5, 5)
    assert (q["untyped"]["true_positives"], q["untyped"]["proposed"], q["untyped"]["gold"]) == (3, 5, 5)
    assert q["typed"]["f1"] == pytest.approx(0.4) and q["untyped"]["precision"] == pytest.approx(0.6)
    assert q["per_label"]["person"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "true_positives": 1,
                                        "proposed": 2, "gold": 2}
    assert q["per_label"]["product"]["gold"] == 2 and q["per_label"]["corporation"]["precision"] == 0.0
    cls = factory.project(org.manager, "text-classification", labels=["a", "b"])
    assert client.get(f"/api/v1/projects/{cls.id}/assist/quality",
                      headers=org.manager.headers).json()["supported"] is False
    assert json.dumps(q)  # plain JSON all the way down


def test_label_suggestions_for_a_ner_projects_document_labels(client: TestClient, factory: Factory,
                                                              org: OrgUsers) -> None:
    p = factory.project(org.manager, "named-entity-recognition",
                        labels={"labels": [{"label": "person"}], "documentLabels": ["sports", "cooking"]})
    ids = factory.items(org.manager, p.id, rows=[{"source": t} for t in SPORTS + COOKING + [QUERY]])
    job = client.post(f"/api/v1/projects/{p.id}/embeddings", headers=org.manager.headers).json()
    assert wait_for_job(client, job["id"], org.manager.headers, timeout=120)["status"] == "done"
    topic = {t: "sports" for t in SPORTS} | {t: "cooking" for t in COOKING}
    for _ in range(6):
        submit_next(client, p.id, org, lambda task: {"entities": {
            "entities": [], "documentLabels": [topic[task["data"]["source"]]]}})
    task = client.post(f"/api/v1/projects/{p.id}/next", json={}, headers=org.annotator.headers).json()
    assert task["data"]["source"] == QUERY and len(ids) == 7
    r = client.post(f"/api/v1/tasks/{task['assignment_id']}/assist/suggest-labels", json={"k": 3},
                    headers=org.annotator.headers)
    assert r.status_code == 200, r.text
    assert r.json()["regions"][0]["label"] == "sports"
    assert {x["label"] for x in r.json()["regions"]} <= {"sports", "cooking"}  # never an entity label
