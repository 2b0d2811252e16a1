"""``labelworks project chain``: an adjustment or verification project from a labeled project, in-process."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import select

from labelworks.db.engine import Database
from labelworks.db.models import Item, Project
from labelworks.services import accounts, annotations, assignments, imports

BOX = {"label": "person", "left": 1, "top": 2, "width": 3, "height": 4}


def test_chain_makes_an_adjustment_project_from_a_labeled_one(cli, db: Database, owner: str,
                                                              make_project: Callable[..., int]) -> None:
    source = make_project(name="Street", task_type="bounding-box", labels="car,person")
    actor = accounts.actor_for(accounts.find_user(db, owner))
    imports.import_rows(db, actor, source, [{"source-ref": "s3://b/a.jpg"}, {"source-ref": "s3://b/b.jpg"}])
    lease = assignments.next_for(db, actor, source)
    assert lease is not None
    annotations.submit(db, actor, lease.assignment_id, {"boxes": {"boundingBoxes": [BOX]}})
    result = cli("project", "chain", str(source), "--mode", "adjustment", "--name", "Fix street")
    chained = int(result.stdout)
    assert "1 items from project" in result.stderr  # the unlabeled item is left out
    with db.read() as s:
        (data,) = [json.loads(d) for d in s.scalars(select(Item.data).where(Item.project_id == chained))]
        project = s.get(Project, chained)
        assert project is not None and project.task_type == "label-adjustment"
    assert data["lw-pre-annotations"]["boundingBoxes"] == [BOX]
    assert data["street-metadata"]["type"] == "groundtruth/object-detection"
    verify = int(cli("project", "chain", str(source), "--mode", "verification", "--name", "Check",
                     "--labels", "Good,Bad", "--workers-per-item", "3").stdout)
    with db.read() as s:
        project = s.get(Project, verify)
        assert project is not None and project.task_type == "label-verification" and project.workers_per_item == 3
    bad = cli("project", "chain", str(source), "--mode", "review", "--name", "X", code=2)
    assert "mode must be one of" in bad.stderr
