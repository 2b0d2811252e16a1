"""The quality service on SQLite and PostgreSQL: gold at import and by hand, gold mixed into next-task,
qualification (pause, leases released, managers told, resume), validation rules before the insert,
worker quality and flags, adaptive routing."""

from __future__ import annotations

import io
import json


import pytest
from sqlalchemy import func, select

from labelworks.core.enums import AssignmentStatus
from labelworks.core.errors import Conflict, ImportRejected, NotFound, PermissionDenied, ValidationFailed
from labelworks.db.engine import Database
from labelworks.db.models import Annotation, Assignment, GoldItem, Item
from labelworks.services import (annotations, assignments, consolidation, imports, items, quality, routing,
                                 worker_quality)

from factories import Factory, OrgUsers, UserHandle


def _item(db: Database, item_id: int) -> Item:
    with db.read() as s:
        return s.get_one(Item, item_id)


def _label(db: Database, user: UserHandle, pid: int, label: str, active_ms: int | None = 4000) -> int:
    """Take the next task and answer it; returns the item id."""
    lease = assignments.next_for(db, user.actor, pid)
    assert lease is not None
    annotations.submit(db, user.actor, lease.assignment_id, {"label": label}, active_ms=active_ms)
    return lease.item_id


def test_gold_at_import_never_reaches_the_item(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"])
    ids = factory.items(org.manager, p.id, rows=[{"source": "a", "gold": "cat"}, {"source": "b"},
                                                 {"source": "c", "gold": {"label": "dog"}}, {"source": "d", "gold": ""}])
    with db.read() as s:
        data = [json.loads(d) for d in s.scalars(select(Item.data).where(Item.project_id == p.id).order_by(Item.id))]
        assert quality.gold_answers(s, p.id) == {ids[0]: {"label": "cat"}, ids[2]: {"label": "dog"}}
        assert quality.gold_answers(s, p.id, [ids[2], ids[1]]) == {ids[2]: {"label": "dog"}}
    assert data == [{"source": "a"}, {"source": "b"}, {"source": "c"}, {"source": "d"}]
    assert [_item(db, i).is_open for i in ids] == [0, 1, 0, 1]  # gold stays out of the normal pool
    # the same line again (with or without its gold key) is the same item
    report = imports.import_rows(db, org.manager.actor, p.id, [{"source": "b", "gold": "dog"}])
    assert report.created == 0
    with db.read() as s:
        assert quality.gold_answers(s, p.id)[ids[1]] == {"label": "dog"}


def test_a_bad_gold_answer_is_a_bad_line(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"])
    with pytest.raises(ImportRejected) as info:
        imports.import_rows(db, org.manager.actor, p.id, [{"source": "a"}, {"source": "b", "gold": "cow"}])
    assert info.value.details == [{"line": 2, "reason": "gold.label: gold answer: 'cow' is not one of the "
                                                        "project's labels"}]
    assert factory.item_ids(p.id) == []
    # a custom key, and a file import: the item is imported, its refused answer reported
    quality.update_settings(db, org.manager.actor, p.id, {"gold_key": "truth"})
    report = imports.import_file(db, org.manager.actor, p.id,
                                 lambda: io.BytesIO(b'{"source": "x", "truth": "cow"}\n'
                                                                  b'{"source": "y", "truth": "dog"}\n'), "manifest")
    assert report.created == 2 and report.bad_count == 1 and "imported without a gold answer" in report.bad[0].reason
    with db.read() as s:
        assert list(quality.gold_answers(s, p.id).values()) == [{"label": "dog"}]
        assert all("truth" not in d for d in s.scalars(select(Item.data)))


def test_mark_promote_unmark(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"], multi_label=True)
    ids = factory.items(org.manager, p.id, 3)
    g = quality.mark_gold(db, org.manager.actor, p.id, ids[0], "dog, cat")
    assert g.value == {"labels": ["cat", "dog"]} and g.source == "manual"
    with pytest.raises(ValidationFailed) as info:
        quality.mark_gold(db, org.manager.actor, p.id, ids[1], {"labels": ["cat", "owl"]})
    assert info.value.field == "value.labels[1]" and "owl" in info.value.message
    with pytest.raises(NotFound):
        quality.mark_gold(db, org.manager.actor, p.id, 10**6, "cat")
    with pytest.raises(PermissionDenied):
        quality.mark_gold(db, org.annotator.actor, p.id, ids[1], "cat")
    with pytest.raises(Conflict, match="no answer to promote"):
        quality.promote_gold(db, org.manager.actor, p.id, ids[1])
    lease = assignments.next_for(db, org.annotator.actor, p.id)
    assert lease is not None and lease.item_id == ids[1]
    annotations.submit(db, org.annotator.actor, lease.assignment_id, {"labels": ["cat"]})
    g = quality.promote_gold(db, org.manager.actor, p.id, ids[1])
    assert g.value == {"labels": ["cat"]} and g.source == "consolidated"
    assert [x.item_id for x in quality.list_gold(db, org.manager.actor, p.id)] == ids[:2]
    quality.mark_gold(db, org.manager.actor, p.id, ids[1], ["dog"])  # a gold answer is the item's answer
    with db.read() as s:
        assert consolidation.consolidated_for_items(s, p.id, [ids[1]])[ids[1]].method == "gold"
        assert consolidation.consolidated_value(s, ids[1]) == {"labels": ["dog"]}
    quality.unmark_gold(db, org.manager.actor, p.id, ids[1])
    with db.read() as s:
        assert consolidation.consolidated_value(s, ids[1]) == {"labels": ["cat"]}  # the annotators' again
    quality.unmark_gold(db, org.manager.actor, p.id, ids[0])
    assert _item(db, ids[0]).is_open == 1
    with pytest.raises(NotFound):
        quality.unmark_gold(db, org.manager.actor, p.id, ids[0])


def test_gold_is_mixed_in_for_every_worker_and_only_between_real_tasks(db: Database, factory: Factory,
                                                                        org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"], workers_per_item=1)
    ids = factory.items(org.manager, p.id, rows=[{"source": "g1", "gold": "cat"}, {"source": "g2", "gold": "dog"},
                                                 *({"source": f"n{i}"} for i in range(3))])
    quality.update_settings(db, org.manager.actor, p.id, {"gold_rate": 1.0})
    a, b = factory.annotators(2, org.org_id)
    first = [_label(db, a, p.id, "cat") for _ in range(2)]
    assert sorted(first) == ids[:2]  # rate 1: the gold items come first, each once
    second = [_label(db, b, p.id, "cat") for _ in range(2)]
    assert sorted(second) == ids[:2]  # gold is answered by every worker, whatever the workers per item
    assert sorted(_label(db, a, p.id, "dog") for _ in range(3)) == ids[2:]
    # the normal pool is empty: b is told "nothing left", never served gold alone
    assert assignments.next_for(db, b.actor, p.id) is None
    assert [(_item(db, i).taken, _item(db, i).is_open) for i in ids] == [(2, 0), (2, 0), (1, 0), (1, 0), (1, 0)]


def test_gold_rate_mixes_about_that_share(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"], workers_per_item=1)
    rows = [{"source": f"g{i}", "gold": "cat"} for i in range(20)] + [{"source": f"n{i}"} for i in range(40)]
    ids = factory.items(org.manager, p.id, rows=rows)
    quality.update_settings(db, org.manager.actor, p.id, {"gold_rate": 0.5})
    served = [_label(db, org.annotator, p.id, "cat", active_ms=None) for _ in range(30)]
    gold_served = sum(1 for i in served if i in set(ids[:20]))
    assert 0 < gold_served < 30, gold_served  # a fair coin: all or none of 30 is a 2e-9 chance
    assert len(set(served)) == 30
    # a skipped or released gold item stays out of the normal pool
    lease = assignments.next_for(db, org.manager.actor, p.id)
    while lease is not None and lease.item_id not in ids[:20]:
        annotations.submit(db, org.manager.actor, lease.assignment_id, {"label": "dog"})
        lease = assignments.next_for(db, org.manager.actor, p.id)
    if lease is not None:
        assignments.skip(db, org.manager.actor, lease.assignment_id)
        assert _item(db, lease.item_id).is_open == 0


def test_qualification_pauses_releases_tells_and_resumes(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"], workers_per_item=1)
    rows = [{"source": f"g{i}", "gold": "cat"} for i in range(6)] + [{"source": f"n{i}"} for i in range(6)]
    factory.items(org.manager, p.id, rows=rows)
    quality.update_settings(db, org.manager.actor, p.id, {"gold_rate": 1.0, "min_gold_answers": 2,
                                                          "min_gold_accuracy": 0.7})
    worker = org.annotator
    _label(db, worker, p.id, "dog")  # gold 1 wrong: judged only from the second on
    first = assignments.next_for(db, worker.actor, p.id)
    other = assignments.next_for(db, worker.actor, p.id, exclude=[first.assignment_id])  # a second tab
    assert first is not None and other is not None and other.item_id != first.item_id
    annotations.submit(db, worker.actor, first.assignment_id, {"label": "dog"})  # gold 2 wrong: paused
    message = "paused from this project: gold accuracy 0.00 below 0.70 after 2 gold items"
    with pytest.raises(PermissionDenied) as info:
        assignments.next_for(db, worker.actor, p.id)
    assert info.value.message == message
    with db.read() as s:
        assert s.get_one(Assignment, other.assignment_id).status == AssignmentStatus.RELEASED
        assert s.get_one(Item, other.item_id).taken == 0
    notes = quality.notifications(db, org.manager.actor, p.id)
    assert [(n.kind, n.worker_id) for n in notes] == [("paused", worker.id)]
    assert notes[0].message == f"{worker.email} was {message}"
    with pytest.raises(PermissionDenied):
        quality.notifications(db, worker.actor, p.id)
    wq = {w.user_id: w for w in worker_quality.worker_quality(db, org.manager.actor, p.id)}
    assert wq[worker.id].paused and wq[worker.id].pause_reason == message
    # resumed: a fresh window of gold answers decides
    with pytest.raises(PermissionDenied):
        quality.resume_worker(db, worker.actor, p.id, worker.id)
    quality.resume_worker(db, org.manager.actor, p.id, worker.id)
    with pytest.raises(Conflict):
        quality.resume_worker(db, org.manager.actor, p.id, worker.id)
    _label(db, worker, p.id, "cat")
    _label(db, worker, p.id, "cat")
    assert assignments.next_for(db, worker.actor, p.id) is not None
    assert [n.kind for n in quality.notifications(db, org.manager.actor, p.id)] == ["resumed", "paused"]
    # judged on the gold answers since the resume only: right, right, wrong is 0.67 and pauses again
    _label(db, worker, p.id, "dog")
    with pytest.raises(PermissionDenied, match="gold accuracy 0.67 below 0.70 after 3 gold items"):
        assignments.next_for(db, worker.actor, p.id)
    assert [n.kind for n in quality.notifications(db, org.manager.actor, p.id)] == ["paused", "resumed", "paused"]


def test_validation_rules_refuse_before_anything_is_stored(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog", "bird", "fish"], multi_label=True)
    factory.items(org.manager, p.id, 2)
    quality.update_settings(db, org.manager.actor, p.id, {"rules": [{"rule": "max_labels", "path": "labels", "max": 2},
                                                                      {"rule": "required", "path": "labels"}]})
    lease = assignments.next_for(db, org.annotator.actor, p.id)
    assert lease is not None
    for value, field, words in (({"labels": ["cat", "dog", "fish"]}, "value.labels", "at most 2"),
                                ({"labels": []}, "value.labels", "missing or empty")):
        with pytest.raises(ValidationFailed) as info:
            annotations.submit(db, org.annotator.actor, lease.assignment_id, value)
        assert info.value.field == field and words in info.value.message and "rule " in info.value.message
    with db.read() as s:
        assert s.scalar(select(func.count(Annotation.id))) == 0
        assert s.get_one(Assignment, lease.assignment_id).status == AssignmentStatus.ACTIVE
    annotations.submit(db, org.annotator.actor, lease.assignment_id, {"labels": ["cat", "dog"]})


def test_worker_quality_and_flags(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"], workers_per_item=3)
    ids = factory.items(org.manager, p.id, rows=[{"source": "g", "gold": "dog"}, *({"source": f"n{i}"} for i in range(4))])
    quality.update_settings(db, org.manager.actor, p.id, {"gold_rate": 1.0, "min_seconds": 2.0,
                                                          "one_label_min_answers": 5})
    lazy, good, third = factory.annotators(3, org.org_id)
    for _ in range(5):
        _label(db, lazy, p.id, "cat", active_ms=700)
    truth = {ids[1]: "cat", ids[2]: "dog", ids[3]: "dog", ids[4]: "cat"}
    for user in (good, third):
        for _ in range(5):
            lease = assignments.next_for(db, user.actor, p.id)
            assert lease is not None
            annotations.submit(db, user.actor, lease.assignment_id,
                               {"label": "dog" if lease.item_id == ids[0] else truth[lease.item_id]}, active_ms=5000)
    stats = {w.user_id: w.stats for w in worker_quality.worker_quality(db, org.manager.actor, p.id)}
    s_lazy, s_good = stats[lazy.id], stats[good.id]
    assert (s_lazy.answers, s_lazy.gold_answered, s_lazy.gold_correct, s_lazy.gold_accuracy) == (5, 1, 0, 0.0)
    assert s_lazy.agreement == 0.5 and s_lazy.agreement_items == 4
    assert s_lazy.too_fast == 5 and s_lazy.median_active_ms == 700
    assert s_lazy.flags == ("5 answers faster than 2 s", "one label for everything: cat in 100% of 5 answers")
    assert (s_good.gold_accuracy, s_good.agreement, s_good.flags) == (1.0, 1.0, ())
    with pytest.raises(PermissionDenied):
        worker_quality.worker_quality(db, org.reviewer.actor, p.id)
    assert worker_quality.worker_quality(db, org.manager.actor, p.id, in_sql=False) == \
        worker_quality.worker_quality(db, org.manager.actor, p.id, in_sql=True)


def test_sql_and_python_figures_agree(db: Database, factory: Factory, org: OrgUsers) -> None:
    """Multi-label answers, a revised answer, ties for the top answer, an even count for the median."""
    p = factory.project(org.manager, labels=["cat", "dog", "bird"], multi_label=True, workers_per_item=3)
    factory.items(org.manager, p.id, rows=[{"source": "g", "gold": ["dog", "cat"]},
                                           *({"source": f"n{i}"} for i in range(5))])
    quality.update_settings(db, org.manager.actor, p.id, {"gold_rate": 1.0, "min_seconds": 3.0,
                                                          "one_label_min_answers": 2, "one_label_share": 0.5})
    users = factory.annotators(3, org.org_id)
    choices = [["cat"], ["dog", "cat"], ["bird"], ["cat", "bird"]]
    first: dict[int, int] = {}
    for n, user in enumerate(users):
        for k in range(4 + n % 2):
            lease = assignments.next_for(db, user.actor, p.id)
            assert lease is not None
            info, _ = annotations.submit(db, user.actor, lease.assignment_id, {"labels": choices[(k + n) % 4]},
                                         active_ms=1000 * (k + 1) + 500 * n)
            first.setdefault(user.id, info.id)
    annotations.revise(db, users[0].actor, first[users[0].id], {"labels": ["dog", "cat"]})  # fixes a gold answer
    in_sql = worker_quality.worker_quality(db, org.manager.actor, p.id, in_sql=True)
    assert in_sql == worker_quality.worker_quality(db, org.manager.actor, p.id, in_sql=False)
    by_user = {w.user_id: w.stats for w in in_sql}
    assert by_user[users[0].id].gold_correct == 1 and by_user[users[0].id].median_active_ms == 3000  # the revision has no time
    assert by_user[users[1].id].median_active_ms == 3500 and by_user[users[1].id].too_fast == 2
    assert by_user[users[2].id].median_active_ms == 3500  # even: the mean of the middle two


def test_routing_sends_unsure_items_to_more_workers(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"], workers_per_item=1)
    ids = factory.items(org.manager, p.id, 2)
    quality.update_settings(db, org.manager.actor, p.id, {"routing": True, "initial_workers": 2, "max_workers": 4,
                                                          "confidence_threshold": 0.7})
    a, b, c, d, e = factory.annotators(5, org.org_id)
    # item 0: two agree (confidence 1.0) -> done at K; item 1: they disagree (0.5) -> a third, a fourth
    for user, labels in ((a, ("cat", "cat")), (b, ("cat", "dog"))):
        for label in labels:
            _label(db, user, p.id, label)
    assert (_item(db, ids[0]).wanted, _item(db, ids[0]).is_open) == (None, 0)
    assert (_item(db, ids[1]).wanted, _item(db, ids[1]).is_open) == (3, 1)
    assert _label(db, c, p.id, "dog") == ids[1]  # 2 dog / 1 cat: 0.67, still unsure
    assert (_item(db, ids[1]).wanted, _item(db, ids[1]).is_open) == (4, 1)
    assert _label(db, d, p.id, "dog") == ids[1]  # N reached
    assert assignments.next_for(db, e.actor, p.id) is None
    assert _item(db, ids[1]).taken == 4
    assert quality.routed_items(db, org.manager.actor, p.id) == {4: 1}
    # progress and the item table follow the per-item target, not workers per item
    prog = items.progress(db, org.manager.actor, p.id)
    assert (prog.labeled, prog.in_progress, prog.remaining) == (2, 0, 0)
    labeled = items.list_items(db, org.manager.actor, p.id, items.ItemFilter(status="labeled"))
    assert sorted(r.id for r in labeled.rows) == sorted(ids)


def test_on_consolidated_directly(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager, labels=["cat", "dog"], workers_per_item=3)
    ids = factory.items(org.manager, p.id, rows=[{"source": "a"}, {"source": "b", "gold": "cat"}])
    with db.write() as s:  # routing off: nothing moves
        assert routing.on_consolidated(s, p.id, ids[0], 0.1, 3) is None
    quality.update_settings(db, org.manager.actor, p.id, {"routing": True, "initial_workers": 1, "max_workers": 2})
    with db.write() as s:
        assert routing.on_consolidated(s, p.id, ids[1], 0.0, 5) is None  # gold
        assert routing.on_consolidated(s, p.id, ids[0], 0.9, 1) is None  # sure enough
        assert routing.on_consolidated(s, p.id, ids[0], 0.2, 1) == 2
        assert routing.on_consolidated(s, p.id, ids[0], 0.2, 1) is None  # waits for the second answer
        assert routing.on_consolidated(s, p.id, ids[0], 0.2, 2) is None  # N reached
    # switching routing off gives the items the project's workers per item again
    quality.update_settings(db, org.manager.actor, p.id, {"routing": False})
    assert [_item(db, i).is_open for i in ids] == [1, 0]


def test_settings_access(db: Database, factory: Factory, org: OrgUsers) -> None:
    p = factory.project(org.manager)
    assert quality.get_settings(db, org.manager.actor, p.id).gold_rate == 0.0
    with pytest.raises(PermissionDenied):
        quality.update_settings(db, org.reviewer.actor, p.id, {"gold_rate": 0.5})
    other = factory.org_users("Other")
    with pytest.raises(NotFound):
        quality.get_settings(db, other.manager.actor, p.id)
    with pytest.raises(ValidationFailed) as info:
        quality.update_settings(db, org.manager.actor, p.id, {"rules": [{"rule": "max_labels", "max": "3"}]})
    assert info.value.field == "rules[0].max"
    with db.read() as s:
        assert s.scalar(select(func.count(GoldItem.item_id))) == 0




def test_changing_workers_per_item_keeps_gold_out_of_the_pool(db: Database, factory: Factory, org: OrgUsers) -> None:
    from labelworks.services import projects

    p = factory.project(org.manager, labels=["cat", "dog"], workers_per_item=1)
    ids = factory.items(org.manager, p.id, rows=[{"source": "a"}, {"source": "b", "gold": "cat"}])
    _label(db, org.annotator, p.id, "cat")
    assert [_item(db, i).is_open for i in ids] == [0, 0]
    projects.update_project(db, org.manager.actor, p.id, {"workers_per_item": 2})
    assert [_item(db, i).is_open for i in ids] == [1, 0]


def test_gold_entities_are_checked_against_the_item_text(db: Database, factory: Factory, org: OrgUsers) -> None:
    """A task type that reads the item (entity offsets against the text) checks gold answers the same way."""
    p = factory.project(org.manager, "named-entity-recognition", labels=["person"])
    text = "Ada 👩‍🔬 met Bob"
    past_end = {"entities": [{"label": "person", "startOffset": 12, "endOffset": 40}]}
    with pytest.raises(ImportRejected) as info:
        imports.import_rows(db, org.manager.actor, p.id, [{"source": text, "gold": past_end}])
    assert "gold.entities[0].endOffset" in info.value.details[0]["reason"]
    (item_id,) = factory.items(org.manager, p.id, rows=[{"source": text}])
    with pytest.raises(ValidationFailed) as caught:
        quality.mark_gold(db, org.manager.actor, p.id, item_id, past_end)
    assert caught.value.field == "value.entities[0].endOffset"
    inside_emoji = {"entities": [{"label": "person", "startOffset": 4, "endOffset": 5}]}  # cuts the ZWJ sequence
    with pytest.raises(ValidationFailed):
        quality.mark_gold(db, org.manager.actor, p.id, item_id, inside_emoji)
    good = {"entities": [{"label": "person", "startOffset": 0, "endOffset": 3}]}
    assert quality.mark_gold(db, org.manager.actor, p.id, item_id, good).value["entities"][0]["endOffset"] == 3
