"""GET /api/v1/projects/{id}/agreement on a named-entity project: entity F1 with relation F1 and
document-label alpha beside it (numbers worked out by hand), and the consensus card showing them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import PASSWORD, Factory, OrgUsers
from labelworks.services import annotations, assignments

LABEL_FILE = {"labels": [{"label": "person"}, {"label": "corporation"}, {"label": "location"}],
              "relations": ["works_for", "located_in"],
              "documentLabels": {"labels": ["business", "sports"], "multi": False}}
TEXTS = ["Tim Cook runs Apple in Cupertino.", "Zoë Ball hosts on BBC.", "Serena Williams won in London."]


def _ent(label: str, start: int, end: int, ent_id: str) -> dict[str, Any]:
    return {"label": label, "startOffset": start, "endOffset": end, "id": ent_id}


def _rel(label: str, head: str, tail: str) -> dict[str, str]:
    return {"label": label, "from": head, "to": tail}


# doc 1: works_for agrees ("Tim" still pairs with "Tim Cook"), located_in is drawn both ways;
# doc 2: the tail of works_for is a corporation for one and a location for the other (no pair);
# doc 3: no relations. Relation F1 = 2 x 1 / (2 + 2 + 1 + 1) = 1/3.
# Document labels (business, business), (sports, business), (sports, sports): alpha 4/9, kappa 1/3.
# Entities, soft F1 per document: (2 x (3/8 + 1 + 1) / 6 + 2 x 1 / 4 + 1) / 3 = 0.7639.
APPLE, CUPERTINO = _ent("corporation", 14, 19, "a"), _ent("location", 23, 32, "c")
ANSWERS = [
    {TEXTS[0]: {"entities": [_ent("person", 0, 8, "t"), APPLE, CUPERTINO],
                "relations": [_rel("works_for", "t", "a"), _rel("located_in", "a", "c")],
                "documentLabels": ["business"]},
     TEXTS[1]: {"entities": [_ent("person", 0, 8, "z"), _ent("corporation", 18, 21, "b")],
                "relations": [_rel("works_for", "z", "b")], "documentLabels": ["sports"]},
     TEXTS[2]: {"entities": [_ent("person", 0, 15, "s")], "documentLabels": ["sports"]}},
    {TEXTS[0]: {"entities": [_ent("person", 0, 3, "t"), APPLE, CUPERTINO],
                "relations": [_rel("works_for", "t", "a"), _rel("located_in", "c", "a")],
                "documentLabels": ["business"]},
     TEXTS[1]: {"entities": [_ent("person", 0, 8, "z"), _ent("location", 18, 21, "b")],
                "relations": [_rel("works_for", "z", "b")], "documentLabels": ["business"]},
     TEXTS[2]: {"entities": [_ent("person", 0, 15, "s")], "documentLabels": ["sports"]}},
]


def _labelled_project(factory: Factory, org: OrgUsers) -> int:
    p = factory.project(org.manager, "named-entity-recognition", labels=LABEL_FILE, workers_per_item=2)
    factory.items(org.manager, p.id, rows=[{"source": t} for t in TEXTS])
    for worker, answers in zip(factory.annotators(2, org.org_id), ANSWERS, strict=True):
        while (lease := assignments.next_for(factory.db, worker.actor, p.id)) is not None:
            annotations.submit(factory.db, worker.actor, lease.assignment_id, answers[lease.data["source"]])
    return p.id


def test_agreement_reports_entities_relations_and_document_labels(client: TestClient, factory: Factory,
                                                                 org: OrgUsers) -> None:
    pid = _labelled_project(factory, org)
    body = client.get(f"/api/v1/projects/{pid}/agreement", headers=org.manager.headers).json()
    assert (body["kind"], body["items"], body["answers"]) == ("spans", 3, 6)
    assert body["mean_similarity"] == pytest.approx(0.7639, abs=1e-4)
    assert body["similarity_name"] == "entity F1, mean over pairs"
    assert body["relations"] == {"f1": 0.3333, "agreed": 1, "drawn": 6, "pairs": 2}
    documents = body["document_labels"]
    assert (documents["alpha"], documents["fleiss_kappa"], documents["items"]) == (0.4444, 0.3333, 3)
    assert documents["per_label"] == {"business": {"alpha": 0.4444, "kappa": 0.3333},
                                      "sports": {"alpha": 0.4444, "kappa": 0.3333}}


def test_without_document_labels_only_relations_are_added(client: TestClient, factory: Factory,
                                                           org: OrgUsers) -> None:
    p = factory.project(org.manager, "named-entity-recognition", labels={"labels": [{"label": "person"}]},
                        workers_per_item=2)
    factory.items(org.manager, p.id, rows=[{"source": "Tim Cook"}])
    for worker in factory.annotators(2, org.org_id):
        lease = assignments.next_for(factory.db, worker.actor, p.id)
        assert lease is not None
        annotations.submit(factory.db, worker.actor, lease.assignment_id,
                           {"entities": [{"label": "person", "startOffset": 0, "endOffset": 8}]})
    body = client.get(f"/api/v1/projects/{p.id}/agreement", headers=org.manager.headers).json()
    assert body["mean_similarity"] == 1.0 and body["document_labels"] is None
    assert body["relations"] == {"f1": None, "agreed": 0, "drawn": 0, "pairs": 0}  # nobody drew one


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_consensus_card_shows_the_three_figures(make_client: Callable[..., TestClient], factory: Factory) -> None:
    org: OrgUsers = factory.org_users("NER agreement", password=PASSWORD)
    pid = _labelled_project(factory, org)
    client = make_client()
    r = client.post("/login", data={"email": org.manager.email, "password": PASSWORD, "next": "/"},
                    headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code == 303
    card = client.get(f"/projects/{pid}/consensus").text
    figures = {name: re.search(rf'data-testid="{name}">([^<]+)<', card) for name in
               ("similarity", "relation-f1", "document-label-alpha")}
    assert {k: m.group(1) if m else None for k, m in figures.items()} == {
        "similarity": "0.764", "relation-f1": "0.333", "document-label-alpha": "0.444"}
    assert "entity F1, mean over pairs" in card and "relation F1 (6 drawn)" in card and "document labels α" in card
    assert 'data-testid="document-label-table"' in card and "<td>business</td>" in card
