"""The consolidation service: answers stored as annotations arrive, full runs, method changes, overrides."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from labelworks.core.enums import AnnotationSource
from labelworks.core.errors import PermissionDenied, ValidationFailed
from labelworks.db.engine import Database
from labelworks.db.models import Annotation, Consolidation, Job
from labelworks.jobs.runners import run_job
from labelworks.plugins.manager import get_registry
from labelworks.services import annotations, assignments, consolidation, metrics
from labelworks.settings import Settings

from factories import Factory, OrgUsers, UserHandle


def _label(db: Database, user: UserHandle, pid: int, value: dict[str, Any]) -> tuple[int, int]:
    lease = assignments.next_for(db, user.actor, pid)
    assert lease is not None
    info, _ = annotations.submit(db, user.actor, lease.assignment_id, value, active_ms=1500)
    return lease.item_id, info.id


def _stored(db: Database, item_id: int) -> Consolidation | None:
    with db.read() as s:
        row = s.get(Consolidation, item_id)
        if row is not None:
            s.expunge(row)
        return row


def test_each_submission_updates_the_stored_answer(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"], workers_per_item=3)
    (item,) = factory.items(org.manager, p.id, n=1)
    w1, w2, w3 = factory.annotators(3, org.org_id)
    _label(db, w1, p.id, {"label": "dog"})
    first = _stored(db, item)
    assert first is not None and json.loads(first.value) == {"label": "dog"}
    assert first.confidence == 0.0 and first.votes == 1  # one worker: 0.00, as Ground Truth
    _label(db, w2, p.id, {"label": "cat"})
    _, third = _label(db, w3, p.id, {"label": "cat"})
    row = _stored(db, item)
    assert row is not None and json.loads(row.value) == {"label": "cat"}
    assert row.confidence == pytest.approx(0.67, abs=0.005) and row.votes == 3 and row.method == "majority-vote"
    annotations.revise(db, w3.actor, third, {"label": "dog"})  # a revision counts, the old version does not
    row = _stored(db, item)
    assert row is not None and json.loads(row.value) == {"label": "dog"} and row.votes == 3


def test_a_reviewers_adjustment_is_the_answer(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"], workers_per_item=2)
    (item,) = factory.items(org.manager, p.id, n=1)
    w1, w2 = factory.annotators(2, org.org_id)
    _label(db, w1, p.id, {"label": "dog"})
    _label(db, w2, p.id, {"label": "dog"})
    with db.write() as s:
        s.add(Annotation(project_id=p.id, item_id=item, user_id=org.reviewer.id, value='{"label": "cat"}',
                         version=1, source=AnnotationSource.REVIEW))
    summary = consolidation.run_full(db, p.id)
    assert summary["items"] == 1
    row = _stored(db, item)
    assert row is not None and json.loads(row.value) == {"label": "cat"} and row.method == "review"
    assert row.confidence == 1.0


def test_full_run_stores_every_item_and_the_run(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["a", "b"], workers_per_item=2)
    ids = factory.items(org.manager, p.id, n=4)
    w1, w2 = factory.annotators(2, org.org_id)
    for _ in ids:
        _label(db, w1, p.id, {"label": "a"})
        _label(db, w2, p.id, {"label": "a"})
    with db.write() as s:  # answers gone stale: a full run must rewrite them all
        for row in s.scalars(select(Consolidation).where(Consolidation.project_id == p.id)):
            row.value, row.confidence = '{"label": "b"}', 0.1
    summary = consolidation.run_full(db, p.id)
    assert summary["items"] == 4 and summary["answers"] == 8
    for item in ids:
        row = _stored(db, item)
        assert row is not None and json.loads(row.value) == {"label": "a"} and row.confidence == 1.0
        assert row.run_id == summary["run_id"]
    run = consolidation.latest_run(db, org.manager.actor, p.id)
    assert run is not None and run["items"] == 4 and run["method"] == "majority-vote"


def test_changing_the_method_runs_a_job(db: Database, settings: Settings, factory: Factory, org: OrgUsers) -> None:
    names = get_registry().consolidators
    if "dawid-skene" not in names:
        pytest.skip("Dawid-Skene is not registered in this build")
    p = factory.project(org.manager, labels=["a", "b", "c"], workers_per_item=3)
    ids = factory.items(org.manager, p.id, n=6)
    workers = factory.annotators(3, org.org_id)
    answers = {0: "a", 1: "a", 2: "b"}
    for _ in ids:
        for n, w in enumerate(workers):
            _label(db, w, p.id, {"label": answers[n]})
    job_id = consolidation.set_method(db, org.manager.actor, p.id, "dawid-skene")
    run_job(db, settings, job_id)
    with db.read() as s:
        job = s.get(Job, job_id)
        assert job is not None and job.status == "done", job.error
    current, options = consolidation.method_info(db, org.manager.actor, p.id)
    assert current.name == "dawid-skene" and current.worker_model
    assert {"majority-vote", "dawid-skene"} <= {o.name for o in options}
    run = consolidation.latest_run(db, org.manager.actor, p.id)
    assert run is not None and run["method"] == "dawid-skene" and len(run["worker_quality"]) == 3
    for item in ids:
        row = _stored(db, item)
        assert row is not None and row.method == "dawid-skene" and json.loads(row.value) == {"label": "a"}
    # a later submission is answered from the fitted state (an E-step), not by a new fit
    extra = factory.items(org.manager, p.id, rows=[{"source": "one more"}])[0]
    _label(db, workers[2], p.id, {"label": "b"})
    row = _stored(db, extra)
    assert row is not None and row.method == "dawid-skene" and row.run_id == run["id"]


def test_method_errors_name_the_field(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["a", "b"])
    with pytest.raises(ValidationFailed) as exc:
        consolidation.set_method(db, org.manager.actor, p.id, "no-such-method")
    assert exc.value.field == "consolidation_method"
    with pytest.raises(PermissionDenied):
        consolidation.set_method(db, factory.annotators(1, org.org_id)[0].actor, p.id, "majority-vote")


def test_agreement_of_a_project(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"], workers_per_item=2)
    factory.items(org.manager, p.id, n=4)
    w1, w2 = factory.annotators(2, org.org_id)
    for a, b in (("cat", "cat"), ("dog", "dog"), ("cat", "dog"), ("dog", "dog")):
        _label(db, w1, p.id, {"label": a})
        _label(db, w2, p.id, {"label": b})
    report = metrics.project_agreement(db, org.manager.actor, p.id)
    assert report.kind == "label" and report.items == 4 and report.answers == 8
    # 3 of 4 items agree: n = 8, observed 2, expected 64 - 3² - 5² = 30, alpha = 1 - 7·2/30
    assert report.alpha == pytest.approx(1 - 7 * 2 / (64 - 9 - 25), abs=1e-4)
    assert set(report.per_label) == {"cat", "dog"}
    assert report.cohen and report.cohen[0]["items"] == 4
    with pytest.raises(PermissionDenied):
        metrics.project_agreement(db, w1.actor, p.id)


def test_mean_iou_agreement_for_boxes() -> None:
    """Geometric kinds are measured by the structured consolidators' similarity (IoU for boxes)."""
    from labelworks.services.metrics import _mean_pairwise, _similarity

    measure = _similarity("boxes")
    assert measure is not None and _similarity("no-such-kind") is None
    box = {"label": "car", "left": 0, "top": 0, "width": 10, "height": 10}
    half = {**box, "left": 5}  # overlaps half of it: IoU 50 / 150
    triples = [(1, 1, {"boxes": [box]}), (1, 2, {"boxes": [box]}), (2, 1, {"boxes": [box]}),
               (2, 2, {"boxes": [half]}), (3, 1, {"boxes": [box]})]
    report = _mean_pairwise(7, "boxes", triples, measure)
    assert (report.items, report.answers, report.similarity_name) == (2, 4, "mean IoU")
    assert report.mean_similarity == pytest.approx((1.0 + 50 / 150) / 2, abs=1e-3)
