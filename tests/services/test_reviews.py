"""Review stages: sampling modes, backfill, approve / reject / adjust, feedback and rework, history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from labelworks.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from labelworks.db.base import utcnow
from labelworks.db.engine import Database
from labelworks.db.models import Annotation, Item, ProjectReview, ReviewTask
from labelworks.services import assignments, consolidation, review_feedback, reviews
from labelworks.services.annotations import submit

from factories import Factory, OrgUsers, UserHandle


def label_all(db: Database, pid: int, workers: Sequence[UserHandle], answers: dict[int, Sequence[str]]) -> None:
    """Each worker in turn labels every item it is offered: ``answers[item_id][k]`` for the k-th worker."""
    for k, w in enumerate(workers):
        while (lease := assignments.next_for(db, w.actor, pid)) is not None:
            submit(db, w.actor, lease.assignment_id, {"label": answers[lease.item_id][k]})


def setup(factory: Factory, org: OrgUsers, n: int, per_item: int = 2) -> tuple[int, list[int], list[UserHandle]]:
    p = factory.project(org.manager, labels=["cat", "dog"], workers_per_item=per_item)
    ids = factory.items(org.manager, p.id, n)
    workers = [org.annotator, *factory.annotators(per_item - 1, org.org_id)]
    return p.id, ids, workers


def pending(db: Database, pid: int) -> set[int]:
    with db.read() as s:
        return set(s.scalars(select(ReviewTask.item_id).where(ReviewTask.project_id == pid,
                                                              ReviewTask.status == "pending")))


def test_settings_are_validated_naming_the_field(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager)
    cases = [({"mode": "some"}, "mode"), ({"mode": "percent"}, "percent"), ({"mode": "percent", "percent": 0}, "percent"),
             ({"mode": "percent", "percent": 101}, "percent"), ({"mode": "below_confidence"}, "threshold"),
             ({"mode": "below_confidence", "threshold": 1.5}, "threshold"), ({"mode": "all", "percent": 5}, "percent"),
             ({"mode": "all", "time_limit_s": 5}, "time_limit_s")]
    for kwargs, field in cases:
        mode = kwargs.pop("mode")
        with pytest.raises(ValidationFailed) as info:
            reviews.update_settings(db, org.manager.actor, p.id, mode, **kwargs)  # type: ignore[arg-type]
        assert info.value.field == field, (mode, kwargs)
    assert reviews.get_settings(db, org.reviewer.actor, p.id).mode == "none"
    with pytest.raises(PermissionDenied):
        reviews.update_settings(db, org.reviewer.actor, p.id, "all")


def test_mode_all_queues_items_when_their_labeling_completes(db: Database, factory: Factory, org: OrgUsers) -> None:
    pid, ids, workers = setup(factory, org, 3)
    reviews.update_settings(db, org.manager.actor, pid, "all")
    label_all(db, pid, workers[:1], {i: ["cat"] for i in ids})
    assert pending(db, pid) == set(), "an item with 1 of 2 labels is not complete"
    label_all(db, pid, workers[1:], {i: ["cat"] for i in ids})
    assert pending(db, pid) == set(ids)
    summary = reviews.queue_summary(db, org.manager.actor, pid)
    assert summary["pending"] == 3 and summary["approved"] == 0


def test_items_labeled_before_review_was_switched_on_are_backfilled(db: Database, factory: Factory,
                                                                   org: OrgUsers) -> None:
    pid, ids, workers = setup(factory, org, 4)
    label_all(db, pid, workers, {i: ["cat", "dog"] for i in ids})
    assert pending(db, pid) == set()
    _, queued = reviews.update_settings(db, org.manager.actor, pid, "all")
    assert queued == 4 and pending(db, pid) == set(ids)
    _, queued = reviews.update_settings(db, org.manager.actor, pid, "all")
    assert queued == 0, "a second save queues nothing twice"
    _, queued = reviews.update_settings(db, org.manager.actor, pid, "none")
    assert queued == 0 and pending(db, pid) == set(), "switching review off drops untouched tasks"


def test_percent_sampling_is_reproducible_and_near_the_share(db: Database, factory: Factory, org: OrgUsers) -> None:
    pid, ids, workers = setup(factory, org, 200, per_item=1)
    label_all(db, pid, workers, {i: ["cat"] for i in ids})
    settings, queued = reviews.update_settings(db, org.manager.actor, pid, "percent", percent=25)
    expected = {i for i in ids if reviews.is_sampled(settings, pid, i, None)}
    assert pending(db, pid) == expected and queued == len(expected)
    assert 30 <= len(expected) <= 70, len(expected)
    reviews.update_settings(db, org.manager.actor, pid, "percent", percent=50)
    half = pending(db, pid)
    assert expected < half, "a larger share keeps the smaller sample and adds to it"
    reviews.update_settings(db, org.manager.actor, pid, "percent", percent=25)
    assert pending(db, pid) == expected, "the same items again"


def test_below_confidence_samples_only_doubtful_items(db: Database, factory: Factory, org: OrgUsers) -> None:
    pid, ids, workers = setup(factory, org, 6)
    agree, split = ids[:3], ids[3:]
    label_all(db, pid, workers, {**{i: ["cat", "cat"] for i in agree}, **{i: ["cat", "dog"] for i in split}})
    with db.read() as s:
        conf = {i: r.confidence for i, r in consolidation.consolidated_for_items(s, pid, ids).items()}
    assert all(conf[i] > conf[j] for i in agree for j in split), conf
    threshold = (min(conf[i] for i in agree) + max(conf[j] for j in split)) / 2
    reviews.update_settings(db, org.manager.actor, pid, "below_confidence", threshold=threshold)
    assert pending(db, pid) == set(split)


def test_below_confidence_on_submission(db: Database, factory: Factory, org: OrgUsers) -> None:
    pid, ids, workers = setup(factory, org, 2)
    reviews.update_settings(db, org.manager.actor, pid, "below_confidence", threshold=0.9)
    label_all(db, pid, workers, {ids[0]: ["cat", "cat"], ids[1]: ["cat", "dog"]})
    assert pending(db, pid) == {ids[1]}


def test_review_view_and_approve(db: Database, factory: Factory, org: OrgUsers) -> None:
    pid, ids, workers = setup(factory, org, 1)
    reviews.update_settings(db, org.manager.actor, pid, "all")
    label_all(db, pid, workers, {ids[0]: ["cat", "dog"]})
    task = reviews.next_review(db, org.reviewer.actor, pid)
    assert task is not None and task.item_id == ids[0] and task.status == "leased"
    assert reviews.next_review(db, org.reviewer.actor, pid) == task, "the same lease comes back"
    view = reviews.get_review(db, org.reviewer.actor, task.id)
    assert {a.worker for a in view.answers} == {w.email for w in workers}
    assert sorted(a.value["label"] for a in view.answers) == ["cat", "dog"]
    assert view.consolidated is not None and view.confidence is not None and view.labels == ("cat", "dog")
    assert view.data == {"source": "item 0"}
    done = reviews.approve(db, org.reviewer.actor, task.id, note="fine")
    assert done.status == "approved" and done.decided_at is not None
    with pytest.raises(Conflict):
        reviews.approve(db, org.reviewer.actor, task.id)
    assert reviews.next_review(db, org.reviewer.actor, pid) is None
    stages = [st.stage for st in review_feedback.item_stages(db, org.manager.actor, pid, ids[0])]
    assert stages == ["labeled", "labeled", "sampled", "in_review", "approved"]
    with db.read() as s:
        outcomes = reviews.review_outcomes(s, pid, ids)
    assert outcomes[ids[0]][0]["outcome"] == "approved"
    assert outcomes[ids[0]][0]["reviewerId"] == org.reviewer.email and outcomes[ids[0]][0]["note"] == "fine"


def test_reject_with_feedback_then_rework_starts_a_new_round(db: Database, factory: Factory, org: OrgUsers) -> None:
    pid, ids, workers = setup(factory, org, 1)
    a, b = workers
    reviews.update_settings(db, org.manager.actor, pid, "all")
    label_all(db, pid, workers, {ids[0]: ["cat", "dog"]})
    task = reviews.next_review(db, org.reviewer.actor, pid)
    assert task is not None
    view = reviews.get_review(db, org.reviewer.actor, task.id)
    wrong = next(x for x in view.answers if x.user_id == b.id)
    with pytest.raises(ValidationFailed) as info:
        reviews.reject(db, org.reviewer.actor, task.id, "  ", [wrong.annotation_id])
    assert info.value.field == "feedback"
    with pytest.raises(ValidationFailed) as info:
        reviews.reject(db, org.reviewer.actor, task.id, "look again", [])
    assert info.value.field == "annotation_ids"
    with pytest.raises(ValidationFailed) as info:
        reviews.reject(db, org.reviewer.actor, task.id, "look again", [wrong.annotation_id, 999999])
    assert info.value.field == "annotation_ids[1]"
    reviews.reject(db, org.reviewer.actor, task.id, "It is a cat: whiskers.", [wrong.annotation_id])

    assert review_feedback.list_feedback(db, a.actor, pid) == [], "feedback goes to the rejected annotation's author only"
    mine = review_feedback.list_feedback(db, b.actor, pid)
    assert [(f.text, f.annotation_id, f.reviewer, f.value) for f in mine] == [
        ("It is a cat: whiskers.", wrong.annotation_id, org.reviewer.email, {"label": "dog"})]
    assert len(review_feedback.list_feedback(db, org.manager.actor, pid, open_only=True)) == 1
    assert reviews.queue_summary(db, org.manager.actor, pid)["awaiting_rework"] == 1
    with pytest.raises(NotFound):
        review_feedback.rework(db, a.actor, mine[0].id, {"label": "cat"})
    with pytest.raises(ValidationFailed):
        review_feedback.rework(db, b.actor, mine[0].id, {"label": "horse"})

    revised = review_feedback.rework(db, b.actor, mine[0].id, {"label": "cat"})
    assert revised.version == 2
    with pytest.raises(Conflict):
        review_feedback.rework(db, b.actor, mine[0].id, {"label": "cat"})
    again = review_feedback.list_feedback(db, b.actor, pid)[0]
    assert again.resolved_at is not None and again.resolved_by_annotation_id == revised.id
    second = reviews.next_review(db, org.reviewer.actor, pid)
    assert second is not None and second.round == 2 and second.item_id == ids[0]
    view2 = reviews.get_review(db, org.reviewer.actor, second.id)
    assert sorted(x.value["label"] for x in view2.answers) == ["cat", "cat"]
    assert view2.earlier[0]["outcome"] == "rejected"
    reviews.approve(db, org.reviewer.actor, second.id)
    stages = [(st.stage, st.round) for st in review_feedback.item_stages(db, org.manager.actor, pid, ids[0])]
    assert stages[2:] == [("sampled", 1), ("in_review", 1), ("rejected", 1), ("reworked", 1), ("sampled", 2),
                          ("in_review", 2), ("approved", 2)]


def test_a_revision_through_the_plain_edit_path_also_counts_as_rework(db: Database, factory: Factory,
                                                                     org: OrgUsers) -> None:
    from labelworks.services.annotations import revise

    pid, ids, workers = setup(factory, org, 1, per_item=1)
    reviews.update_settings(db, org.manager.actor, pid, "all")
    label_all(db, pid, workers, {ids[0]: ["dog"]})
    task = reviews.next_review(db, org.reviewer.actor, pid)
    assert task is not None
    view = reviews.get_review(db, org.reviewer.actor, task.id)
    reviews.reject(db, org.reviewer.actor, task.id, "no", [view.answers[0].annotation_id])
    revised, _ = revise(db, workers[0].actor, view.answers[0].annotation_id, {"label": "cat"})
    shown = review_feedback.list_feedback(db, workers[0].actor, pid)
    assert shown[0].resolved_by_annotation_id == revised.id, "answered at once, before any queue read"
    assert review_feedback.list_feedback(db, workers[0].actor, pid, open_only=True) == []
    nxt = reviews.next_review(db, org.reviewer.actor, pid)
    assert nxt is not None and nxt.round == 2


def test_adjust_stores_a_review_annotation_that_becomes_the_answer(db: Database, factory: Factory,
                                                                  org: OrgUsers) -> None:
    pid, ids, workers = setup(factory, org, 1)
    reviews.update_settings(db, org.manager.actor, pid, "all")
    label_all(db, pid, workers, {ids[0]: ["dog", "dog"]})
    task = reviews.next_review(db, org.reviewer.actor, pid)
    assert task is not None
    with pytest.raises(ValidationFailed) as info:
        reviews.adjust(db, org.reviewer.actor, task.id, {"label": "horse"})
    assert "label" in (info.value.field or "")
    done, annotation_id = reviews.adjust(db, org.reviewer.actor, task.id, {"label": "cat"}, note="a cat")
    assert done.status == "adjusted"
    with db.read() as s:
        row = s.get_one(Annotation, annotation_id)
        stored = consolidation.consolidated_for_items(s, pid, ids)[ids[0]]
        outcome = reviews.review_outcomes(s, pid, ids)[ids[0]][0]
    assert (row.source, row.user_id, row.value) == ("review", org.reviewer.id, '{"label": "cat"}')
    assert (stored.value, stored.method) == ({"label": "cat"}, "review")
    assert outcome["adjustedAnnotationId"] == annotation_id and outcome["outcome"] == "adjusted"
    view = reviews.get_review(db, org.manager.actor, task.id)
    assert view.consolidated == {"label": "cat"}
    assert all(a.source != "review" for a in view.answers), "answers list the annotators, not the adjustment"


def test_release_gives_the_item_back_and_expired_leases_go_to_another_reviewer(db: Database, factory: Factory,
                                                                               org: OrgUsers) -> None:
    pid, ids, workers = setup(factory, org, 1, per_item=1)
    other = factory.user("reviewer", org_id=org.org_id)
    reviews.update_settings(db, org.manager.actor, pid, "all")
    label_all(db, pid, workers, {ids[0]: ["dog"]})
    task = reviews.next_review(db, org.reviewer.actor, pid)
    assert task is not None
    assert reviews.next_review(db, other.actor, pid) is None, "leased to one reviewer at a time"
    reviews.release(db, org.reviewer.actor, task.id)
    again = reviews.next_review(db, other.actor, pid)
    assert again is not None and again.id == task.id
    with db.write() as s:
        s.execute(update(ReviewTask).where(ReviewTask.id == task.id).values(expires_at=utcnow() - timedelta(seconds=1)))
    mine = reviews.next_review(db, org.reviewer.actor, pid)
    assert mine is not None and mine.id == task.id and mine.reviewer_id == org.reviewer.id
    with pytest.raises(Conflict):
        reviews.approve(db, other.actor, task.id)
    reviews.approve(db, org.reviewer.actor, task.id)


def test_reviewers_are_not_given_their_own_work_and_annotators_cannot_review(db: Database, factory: Factory,
                                                                            org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"])
    ids = factory.items(org.manager, p.id, 1)
    reviews.update_settings(db, org.manager.actor, p.id, "all")
    label_all(db, p.id, [org.reviewer], {ids[0]: ["cat"]})
    assert pending(db, p.id) == set(ids)
    assert reviews.next_review(db, org.reviewer.actor, p.id) is None
    assert reviews.next_review(db, org.manager.actor, p.id) is not None
    with pytest.raises(PermissionDenied):
        reviews.next_review(db, org.annotator.actor, p.id)
    with pytest.raises(PermissionDenied):
        review_feedback.item_stages(db, org.annotator.actor, p.id, ids[0])


def test_items_completed_without_a_submission_are_found_by_the_sweep(db: Database, factory: Factory,
                                                                    org: OrgUsers) -> None:
    from labelworks.services import projects

    pid, ids, workers = setup(factory, org, 2, per_item=2)
    reviews.update_settings(db, org.manager.actor, pid, "all")
    label_all(db, pid, workers[:1], {i: ["cat"] for i in ids})
    assert pending(db, pid) == set()
    projects.update_project(db, org.manager.actor, pid, {"workers_per_item": 1})
    with db.write() as s:  # the sweep runs at most every SWEEP_EVERY_S: pretend the last one was long ago
        from labelworks.db.models import ProjectReview

        s.execute(update(ProjectReview).values(swept_at=utcnow() - timedelta(hours=1)))
    task = reviews.next_review(db, org.reviewer.actor, pid)
    assert task is not None and pending(db, pid) == set(ids) - {task.item_id}


def test_gold_items_are_never_reviewed(db: Database, factory: Factory, org: OrgUsers) -> None:
    from labelworks.services import quality

    pid, ids, workers = setup(factory, org, 3, per_item=1)
    label_all(db, pid, workers, {i: ["cat"] for i in ids})
    quality.mark_gold(db, org.manager.actor, pid, ids[0], {"label": "cat"})
    _, queued = reviews.update_settings(db, org.manager.actor, pid, "all")
    assert queued == 2 and pending(db, pid) == set(ids[1:])
    quality.mark_gold(db, org.manager.actor, pid, ids[1], {"label": "cat"})  # after it was queued
    task = reviews.next_review(db, org.reviewer.actor, pid)
    assert task is not None and task.item_id == ids[2]
    reviews.approve(db, org.reviewer.actor, task.id)
    assert reviews.next_review(db, org.reviewer.actor, pid) is None


def test_the_sweep_reads_only_items_labeled_since_the_last_one(db: Database, factory: Factory,
                                                              org: OrgUsers) -> None:
    pid, ids, workers = setup(factory, org, 2, per_item=1)
    reviews.update_settings(db, org.manager.actor, pid, "all")
    label_all(db, pid, workers, {i: ["cat"] for i in ids})
    with db.write() as s:  # as if the submit path had not queued them (an older server, say)
        s.execute(delete(ReviewTask))
        s.execute(update(Item).where(Item.id == ids[0]).values(last_annotated_at=utcnow() - timedelta(hours=2)))
        s.execute(update(ProjectReview).values(swept_at=utcnow() - timedelta(hours=1)))
    first = reviews.next_review(db, org.reviewer.actor, pid)
    assert first is not None and first.item_id == ids[1], "labeled before the last sweep: not read again"
    assert pending(db, pid) == set()
