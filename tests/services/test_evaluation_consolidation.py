"""A model-evaluation project consolidates through the registered ``evaluation-criteria``: every
submission stores the item's answer per criterion, the project's method page lists it with its
parameters, a full run with Dawid-Skene for the labels stores the delegates' states and the raters'
quality, and later submissions are answered from that state (a harsh rater's bias removed)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.db.engine import Database
from labelworks.db.models import Consolidation, ConsolidationRun, Job, Project
from labelworks.jobs.runners import run_job
from labelworks.services import annotations, assignments, consolidation, metrics, worker_quality
from labelworks.settings import Settings

from factories import Factory, OrgUsers, UserHandle

DOC = {"labels": [{"label": "evaluation"}], "criteria": [
    "accuracy", "toxicity", {"name": "preferred", "method": "choice"}, {"name": "overall", "method": "rank"},
    {"name": "duel", "method": "comparison-likert"}]}
MODELS = [{"response": "four", "modelIdentifier": "a"}, {"response": "five", "modelIdentifier": "b"}]
# per item, what a fair rater answers (in the item's order a, b); the harsh rater rates 1 lower
FAIR = [([5, 3], "a"), ([4, 2], "a"), ([3, 4], "b"), ([4, 4], "a")]


def _answer(ratings: list[int], best: str, harsh: bool) -> dict[str, Any]:
    first = best == "a"
    return {"evaluation": {"criteria": {
        "accuracy": [max(1, r - 1) for r in ratings] if harsh else ratings,
        "toxicity": ["up", "up"], "preferred": 1 if first else 2,
        "overall": [1, 2] if first else [2, 1], "duel": 2 if first else 4}}}


def _label_all(db: Database, rater: UserHandle, pid: int, items: list[int], harsh: bool) -> None:
    while (lease := assignments.next_for(db, rater.actor, pid)) is not None:
        ratings, best = FAIR[items.index(lease.item_id)]
        annotations.submit(db, rater.actor, lease.assignment_id, _answer(ratings, best, harsh), active_ms=1000)


def _stored(db: Database, item_id: int) -> Consolidation:
    with db.read() as s:
        row = s.get(Consolidation, item_id)
        assert row is not None
        s.expunge(row)
        return row


def test_a_model_evaluation_project_consolidates_through_evaluation_criteria(
        db: Database, settings: Settings, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, "model-evaluation", labels=DOC, workers_per_item=3)
    items = factory.items(org.manager, p.id, rows=[{"prompt": f"q{i}", "modelResponses": MODELS} for i in range(4)])
    fair1, fair2, harsh = factory.annotators(3, org.org_id)
    for rater, is_harsh in ((fair1, False), (fair2, False), (harsh, True)):
        _label_all(db, rater, p.id, items, is_harsh)

    # answered on every submission, by the registered method (no full run yet: the item's answers alone)
    row = _stored(db, items[0])
    value = json.loads(row.value)
    assert row.method == "evaluation-criteria" and row.votes == 3 and row.run_id is None
    assert value["criteria"]["preferred"] == {"method": "choice", "chosen": "a"}
    assert value["criteria"]["overall"]["ranks"] == {"a": 1, "b": 2}
    assert value["criteria"]["duel"] == {"method": "comparison-likert", "left": "a", "right": "b", "winner": "a",
                                         "choice": 2}
    assert value["criteria"]["toxicity"]["ratings"] == {"a": "up", "b": "up"}
    assert set(json.loads(row.confidence_map)) == {"accuracy", "toxicity", "preferred", "overall", "duel"}
    assert row.confidence == pytest.approx(min(json.loads(row.confidence_map).values()))

    # the method card: the task type's default, a worker model, and no method that cannot read these answers
    current, options = consolidation.method_info(db, org.manager.actor, p.id)
    assert current.name == "evaluation-criteria" and current.is_default and current.worker_model
    assert [o.name for o in options] == ["evaluation-criteria"]
    assert current.params["labels"] == "majority-vote"
    with pytest.raises(ValidationFailed) as bad:
        consolidation.set_method(db, org.manager.actor, p.id, "evaluation-criteria", {"labels": "nope"})
    assert bad.value.field == "params" and "dawid-skene" in str(bad.value)
    with pytest.raises(ValidationFailed) as wrong:
        consolidation.set_method(db, org.manager.actor, p.id, "majority-vote")
    assert wrong.value.field == "consolidation_method"

    # a project's choice of parameters: Dawid-Skene for thumbs, choices and comparison winners
    job_id = consolidation.set_method(db, org.manager.actor, p.id, "evaluation-criteria", {"labels": "dawid-skene"})
    run_job(db, settings, job_id)
    with db.read() as s:
        job = s.get(Job, job_id)
        assert job is not None and job.status == "done", job.error
    run = consolidation.latest_run(db, org.manager.actor, p.id)
    assert run is not None and run["method"] == "evaluation-criteria" and run["params"]["labels"] == "dawid-skene"
    assert set(run["worker_quality"]) == {str(fair1.id), str(fair2.id), str(harsh.id)}
    current, _ = consolidation.method_info(db, org.manager.actor, p.id)
    assert current.params["labels"] == "dawid-skene"
    row = _stored(db, items[0])
    assert row.run_id == run["id"] and json.loads(row.value)["criteria"]["preferred"]["chosen"] == "a"
    with db.read() as s:
        stored_run = s.get(ConsolidationRun, run["id"])
        assert stored_run is not None
        state = json.loads(stored_run.state)
    assert state["criteria"]["preferred"]["algorithm"] == "dawid-skene"
    bias = state["criteria"]["accuracy"]["state"]["biases"][str(harsh.id)]
    assert bias < -0.2  # the harsh rater found out

    # a new item answered by the harsh rater alone: the fitted bias is added back on the submit path
    (new,) = factory.items(org.manager, p.id, rows=[{"prompt": "later", "modelResponses": MODELS}])[-1:]
    lease = assignments.next_for(db, harsh.actor, p.id)
    assert lease is not None and lease.item_id == new
    annotations.submit(db, harsh.actor, lease.assignment_id, _answer([4, 2], "a", harsh=True), active_ms=1000)
    row = _stored(db, new)
    ratings = json.loads(row.value)["criteria"]["accuracy"]["ratings"]
    assert row.run_id == run["id"] and row.confidence == 0.0 and row.votes == 1
    assert ratings["a"] == pytest.approx(3 - bias, abs=0.01) and ratings["b"] == pytest.approx(1 - bias, abs=0.01)


def test_a_project_that_chose_the_old_built_in_name_consolidates_through_evaluation_criteria(
        db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, "model-evaluation", labels=DOC, workers_per_item=1)
    items = factory.items(org.manager, p.id, rows=[{"prompt": "q", "modelResponses": MODELS}])
    with db.write() as s:  # what choosing the task type's own consolidate() stored before it was registered
        project = s.get(Project, p.id)
        assert project is not None
        project.consolidation_method = "evaluation-per-criterion"
    (rater,) = factory.annotators(1, org.org_id)
    _label_all(db, rater, p.id, items, harsh=False)
    row = _stored(db, items[0])
    assert row.method == "evaluation-criteria" and json.loads(row.value)["criteria"]["accuracy"]["ratings"] == {
        "a": 5, "b": 3}
    current, _ = consolidation.method_info(db, org.manager.actor, p.id)
    assert current.name == "evaluation-criteria"


def test_worker_quality_and_agreement_compare_model_evaluation_answers(db: Database, factory: Factory,
                                                                       org: OrgUsers) -> None:
    """Before the model-evaluation similarity, the quality page's figures failed on these answers."""
    p = factory.project(org.manager, "model-evaluation", labels=DOC, workers_per_item=2)
    items = factory.items(org.manager, p.id, rows=[{"prompt": f"q{i}", "modelResponses": MODELS} for i in range(2)])
    fair, harsh = factory.annotators(2, org.org_id)
    _label_all(db, fair, p.id, items, harsh=False)
    _label_all(db, harsh, p.id, items, harsh=True)
    stats = {w.user_id: w.stats for w in worker_quality.worker_quality(db, org.manager.actor, p.id)}
    assert stats[fair.id].agreement_items == 2 and stats[fair.id].agreement == 1.0  # the answers mostly agree
    report = metrics.project_agreement(db, org.manager.actor, p.id)
    # per item: accuracy 1 - 1/4 (every rating one lower), the four other criteria 1: mean 0.95
    assert report.items == 2 and report.mean_similarity == pytest.approx(0.95)
    assert report.similarity_name == "mean agreement over criteria"  # no overlap is measured here
