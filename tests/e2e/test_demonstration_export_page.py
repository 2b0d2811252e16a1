"""The export page offers the SFT formats to the demonstration task types only (no browser needed)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from factories import PASSWORD, Factory, OrgUsers

SFT = ["sft-messages", "sft-prompt-completion", "sft-prompt-completion-text", "sft-messages-parquet",
       "sft-prompt-completion-parquet"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_export_page_offers_sft_formats_to_demonstrations(make_client: Callable[..., TestClient],
                                                              factory: Factory) -> None:
    org: OrgUsers = factory.org_users("SFT Formats Org", password=PASSWORD)
    client = make_client()
    r = client.post("/login", data={"email": org.manager.email, "password": PASSWORD, "next": "/"},
                    headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code == 303
    expected = {"question-answer-generation": SFT, "chat-demonstration": [f for f in SFT if not f.endswith("-text")],
                "image-captioning": [f for f in SFT if not f.endswith("-text")], "bounding-box": [],
                "text-classification": []}
    for task_type, formats in expected.items():
        project = factory.project(org.manager, task_type, labels=["a", "b"])
        page = client.get(f"/projects/{project.id}/export").text
        offered = re.findall(r'<tr data-format="([a-z-]+)"', page)
        assert [f for f in offered if f.startswith("sft-")] == formats, task_type
        if formats:
            assert "TRL SFT conversations" in page
