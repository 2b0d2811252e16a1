"""A named-entity project from the web form (its label file with relations), and its consensus card
showing span agreement once three annotators answered (no browser needed)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from factories import PASSWORD, Factory, OrgUsers
from labelworks.services import annotations, assignments, projects

LABEL_FILE = {"labels": [{"label": "person"}, {"label": "corporation"}], "relations": ["works_for"]}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_create_from_the_form_and_see_span_agreement(make_client: Callable[..., TestClient], factory: Factory) -> None:
    org: OrgUsers = factory.org_users("NER Org", password=PASSWORD)
    client = make_client()
    origin = {"Origin": "http://testserver"}
    r = client.post("/login", data={"email": org.manager.email, "password": PASSWORD, "next": "/"},
                    headers=origin, follow_redirects=False)
    assert r.status_code == 303
    form = client.get("/projects/new").text
    assert '<option value="named-entity-recognition"' in form

    fields = {"name": "Tweets", "task_type": "named-entity-recognition", "workers_per_item": "3",
              "task_time_limit_s": "300", "short_instructions": "Mark the names"}
    bad = client.post("/projects/new", data={**fields, "labels": json.dumps({**LABEL_FILE, "relations": [""]})},
                      headers=origin, follow_redirects=False)
    assert bad.status_code == 422 and 'data-field="labels"' in bad.text
    r = client.post("/projects/new", data={**fields, "labels": json.dumps(LABEL_FILE)}, headers=origin,
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    pid = int(re.search(r"/projects/(\d+)", r.headers["location"]).group(1))  # type: ignore[union-attr]
    p = projects.get_project(factory.db, org.manager.actor, pid)
    assert (p.task_type, p.labels.relation_labels) == ("named-entity-recognition", ("works_for",))

    factory.items(org.manager, pid, rows=[{"source": "Tim Cook runs Apple."}])
    spans = [[(0, 8), (14, 19)], [(0, 8), (14, 19)], [(0, 3)]]
    for worker, mine in zip(factory.annotators(3, org.org_id), spans, strict=True):
        lease = assignments.next_for(factory.db, worker.actor, pid)
        assert lease is not None
        value = {"entities": [{"label": "person" if a == 0 else "corporation", "startOffset": a, "endOffset": b}
                              for a, b in mine]}
        annotations.submit(factory.db, worker.actor, lease.assignment_id, value)
    card = client.get(f"/projects/{pid}/consensus").text
    assert "span-jaccard-consensus" in card
    similarity = re.search(r'data-testid="similarity">([^<]+)<', card)
    assert similarity is not None and 0 < float(similarity.group(1)) < 1
