"""The quality views work on demonstration projects: worker agreement and project agreement compare
what workers wrote (the demonstration value kinds have a text similarity), and a gold caption is
matched by similarity, not by exact text."""

from __future__ import annotations

from labelworks.db.engine import Database
from labelworks.services import annotations, assignments, metrics, worker_quality

from factories import Factory, OrgUsers


def test_agreement_of_captions_and_chats(db: Database, factory: Factory, org: OrgUsers) -> None:
    chat = [{"role": "user", "content": "2+2?"}]
    cases = {"image-captioning": ({"source-ref": "s3://b/kite.jpg"}, [{"caption": {"caption": "A red kite."}},
                                                                      {"caption": {"caption": "A red kite flies."}}]),
             "chat-demonstration": ({"messages": chat}, [{"chat": {"messages": [*chat, {"role": "assistant", "content": "It is 4."}]}},
                                                         {"chat": {"messages": [*chat, {"role": "assistant", "content": "4."}]}}])}
    for task_type, (row, values) in cases.items():
        p = factory.project(org.manager, task_type, labels=["x"], workers_per_item=2)
        factory.items(org.manager, p.id, rows=[row])
        for worker, value in zip(factory.annotators(2, org.org_id), values, strict=True):
            lease = assignments.next_for(db, worker.actor, p.id)
            assert lease is not None
            annotations.submit(db, worker.actor, lease.assignment_id, value)
        report = metrics.project_agreement(db, org.manager.actor, p.id)
        assert report.items == 1 and report.answers == 2 and report.mean_similarity is not None, task_type
        assert 0 < report.mean_similarity < 1, (task_type, report)
        stats = worker_quality.worker_quality(db, org.manager.actor, p.id)
        assert len(stats) == 2 and all(s.stats.answers == 1 for s in stats), task_type
