"""The import and export pages offer a named-entity project the text formats, and other projects
not (no browser needed)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from factories import PASSWORD, Factory, OrgUsers

TEXT_EXPORTS = {"conll", "conll/bilou", "jsonl-spans", "spacy-jsonl", "docbin", "parquet"}
TEXT_IMPORTS = {"gt-ner", "conll", "jsonl-spans", "spacy-jsonl", "docbin", "parquet"}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_pages_offer_text_formats_where_they_fit(make_client: Callable[..., TestClient], factory: Factory) -> None:
    org: OrgUsers = factory.org_users("Text Formats Org", password=PASSWORD)
    client = make_client()
    r = client.post("/login", data={"email": org.manager.email, "password": PASSWORD, "next": "/"},
                    headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code == 303
    exports = {"named-entity-recognition": ["conll", "conll/bilou", "jsonl-spans", "spacy-jsonl", "docbin", "parquet"],
               "text-classification": ["parquet"], "bounding-box": []}
    imports = {"named-entity-recognition": ["gt-ner", "conll", "jsonl-spans", "spacy-jsonl", "docbin", "parquet"],
               "text-classification": [], "bounding-box": []}
    for task_type in exports:
        project = factory.project(org.manager, task_type, labels=["a", "b"])
        page = client.get(f"/projects/{project.id}/export").text
        offered = re.findall(r'<tr data-format="([a-z/-]+)"', page)
        assert [f for f in offered if f in TEXT_EXPORTS] == exports[task_type], task_type
        if task_type == "named-entity-recognition":
            assert "CoNLL-2003 (BILOU)" in page and "Parquet (Hugging Face datasets)" in page
        page = client.get(f"/projects/{project.id}/import").text
        offered = re.findall(r'<option value="([a-z-]+)"', page)
        assert [f for f in offered if f in TEXT_IMPORTS] == imports[task_type], task_type
