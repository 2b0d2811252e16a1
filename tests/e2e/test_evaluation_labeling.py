"""Three annotators evaluate three models on the labeling page in Chromium, each in their own
shown order (the per-annotator seed), by mouse and keyboard; the stored answers name the true
models, and the manager's report ranks them as the annotators judged (m1 > m2 > m3)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from factories import PASSWORD, Factory
from image_labeling import login
from labelworks.core.enums import Role
from labelworks.db.models import Annotation
from labelworks.services import evaluation

pytestmark = pytest.mark.e2e
SHOTS = Path(os.environ.get("LABELWORKS_SCREENSHOTS", "/tmp/labelworks-shots"))
BEST_FIRST = ["m1", "m2", "m3"]
ITEM = {"prompt": "What is the boiling point of water at sea level?", "referenceResponse": "100 °C",
        "category": "science",
        "modelResponses": [{"response": f"[{m}] answer", "modelIdentifier": m} for m in reversed(BEST_FIRST)]}
LABELS = {"labels": [{"label": "evaluation"}], "criteria": [
    "accuracy", "toxicity", {"name": "preferred", "method": "choice"}, {"name": "overall", "method": "rank"}]}


def _evaluate_on_the_page(chromium: Any, url: str, email: str, pid: int) -> list[str]:
    """Answers every criterion by the true quality order; returns the models in the order shown."""
    context, page = login(chromium, url, email, PASSWORD)
    page.goto(f"/label/{pid}")
    shown = page.locator("iframe.lw-frame:not(.lw-frame-pending)")
    shown.wait_for(timeout=15_000)
    frame = shown.element_handle().content_frame()
    frame.locator("lw-model-evaluation .card").first.wait_for(timeout=15_000)
    order = [t.split("]")[0].lstrip("[") for t in frame.locator("lw-model-evaluation .card .text").all_inner_texts()]
    assert sorted(order) == BEST_FIRST
    assert page.locator(".lw-label-keys").count() == 0  # digits rank, they choose no label
    letters = "ABC"
    for i, m in enumerate(order):
        who = f"Response {letters[i]}"
        frame.get_by_role("radio", name=f"{who}: {5 - BEST_FIRST.index(m) * 2}", exact=True).check()
        frame.get_by_role("button", name=f"{who}: thumbs {'down' if m == 'm3' else 'up'}").click()
    frame.get_by_role("radiogroup", name="preferred: choose one").get_by_role(
        "radio", name=f"Response {letters[order.index('m1')]}").click()
    for i, m in enumerate(order):  # ranks by keyboard
        frame.get_by_role("group", name=f"overall: rank of Response {letters[i]}, not ranked").focus()
        page.keyboard.press(str(BEST_FIRST.index(m) + 1))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"evaluation-task-{email.split('@')[0]}.png"), full_page=True)
    page.keyboard.press("Enter")
    page.get_by_text("No more tasks", exact=False).first.wait_for(timeout=15_000)
    context.close()
    return order


def test_three_annotators_three_models_to_the_report(live_server: Any, chromium: Any) -> None:
    factory: Factory = live_server.factory
    org_id = factory.org("evaluation org")
    manager = factory.user(Role.MANAGER, org_id=org_id, email="lead@eval.test", password=PASSWORD)
    for who in ("ann1", "ann2", "ann3"):
        factory.user(Role.ANNOTATOR, org_id=org_id, email=f"{who}@eval.test", password=PASSWORD)
    pid = factory.project(manager, name="Boiling", task_type="model-evaluation", labels=LABELS,
                          workers_per_item=3).id
    factory.items(manager, pid, rows=[ITEM])

    orders = [_evaluate_on_the_page(chromium, live_server.url, f"{who}@eval.test", pid)
              for who in ("ann1", "ann2", "ann3")]
    assert len({tuple(o) for o in orders}) > 1  # positions are randomised per annotator

    with live_server.db.read() as s:
        stored = [json.loads(a.value) for a in s.query(Annotation).filter(Annotation.project_id == pid)
                  .order_by(Annotation.id)]
    assert len(stored) == 3
    for v in stored:
        assert v["models"] == ["m3", "m2", "m1"]
        assert v["criteria"]["accuracy"]["ratings"] == {"m1": 5, "m2": 3, "m3": 1}
        assert v["criteria"]["preferred"]["chosen"] == "m1"
        assert v["criteria"]["overall"]["ranks"] == {"m1": 1, "m2": 2, "m3": 3}

    report = evaluation.evaluation_report(live_server.db, manager.actor, pid)
    assert [row["model"] for row in report["leaderboard"]] == BEST_FIRST
    assert {c["name"]: c for c in report["criteria"]}["toxicity"]["models"]["m3"]["percentUp"] == 0.0
    assert report["criteria"][0]["agreement"]["alpha"] == 1.0
