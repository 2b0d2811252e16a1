"""``project types``, ``project create``, ``project list``."""

from __future__ import annotations

import json
from pathlib import Path

from labelworks.db.engine import Database
from labelworks.services import accounts, projects

PASSWORD = "correct-horse-battery"


def test_project_types_lists_name_title_and_media(cli) -> None:
    rows = {line.split()[0]: line for line in cli("project", "types").stdout.splitlines()}
    assert "text-classification" in rows and "image-classification" in rows
    assert "Text classification" in rows["text-classification"] and " text " in rows["text-classification"]
    assert " image " in rows["image-classification"]


def test_project_create_prints_only_the_id_with_every_setting_kept(cli, owner: str, db: Database) -> None:
    out = cli("project", "create", "Sentiment", "--type", "text-classification", "--labels", "positive, negative,neutral",
              "--workers-per-item", "3", "--multi-label", "--time-limit", "120",
              "--instructions", "Choose the **sentiment**.", "--full-instructions", "## Long").stdout
    actor = accounts.actor_for(accounts.find_user(db, owner))
    p = projects.get_project(db, actor, int(out))
    assert out == f"{p.id}\n"
    assert (p.name, p.task_type, p.labels.labels) == ("Sentiment", "text-classification", ("positive", "negative", "neutral"))
    assert (p.workers_per_item, p.multi_label, p.task_time_limit_s) == (3, True, 120)
    assert (p.short_instructions, p.full_instructions) == ("Choose the **sentiment**.", "## Long")
    assert p.org_id == actor.org_id


def test_project_create_takes_a_ground_truth_label_category_file(cli, owner: str, db: Database, tmp_path: Path) -> None:
    document = {"document-version": "2018-11-28",
                "labels": [{"label": "cat"}, {"label": "dog"}, {"label": "bird"}]}
    path = tmp_path / "gt-label-category.json"
    path.write_text(json.dumps(document))
    pid = int(cli("project", "create", "Pets", "--type", "image-classification", "--labels-file", str(path)).stdout)
    p = projects.get_project(db, accounts.actor_for(accounts.find_user(db, owner)), pid)
    assert p.labels.labels == ("cat", "dog", "bird")
    assert p.labels.document["document-version"] == "2018-11-28"


def test_a_broken_label_file_is_a_clear_error(cli, owner: str, tmp_path: Path) -> None:
    path = tmp_path / "labels.json"
    path.write_text("{not json")
    result = cli("project", "create", "X", "--type", "text-classification", "--labels-file", str(path), code=2)
    assert "labels.json is not JSON" in result.stderr


def test_project_create_errors_exit_2(cli, owner: str) -> None:
    assert "unknown task type 'nope'" in cli("project", "create", "X", "--type", "nope", "--labels", "a", code=2).stderr
    assert "--labels" in cli("project", "create", "X", "--type", "text-classification", code=2).stderr
    bad = cli("project", "create", "X", "--type", "text-classification", "--labels", "a,b",
              "--workers-per-item", "10", code=2)
    assert "error (workers_per_item): workers per item must be between 1 and 9" in bad.stderr


def test_project_create_needs_an_owner_or_admin_first(cli) -> None:
    result = cli("project", "create", "X", "--type", "text-classification", "--labels", "a,b", code=2)
    assert "no owner or admin yet" in result.stderr and "labelworks user create" in result.stderr


def test_as_acts_as_the_named_user(cli, owner: str, db: Database) -> None:
    cli("user", "create", "m@example.org", "--password", PASSWORD, "--role", "manager")
    cli("user", "create", "ann@example.org", "--password", PASSWORD, "--role", "annotator")
    pid = int(cli("project", "create", "Mine", "--type", "text-classification", "--labels", "a,b",
                  "--as", "m@example.org").stdout)
    manager = accounts.actor_for(accounts.find_user(db, "m@example.org"))
    assert projects.get_project(db, manager, pid).name == "Mine"
    denied = cli("project", "create", "No", "--type", "text-classification", "--labels", "a,b",
                 "--as", "ann@example.org", code=2)
    assert "error" in denied.stderr and "annotator" in denied.stderr
    assert "no user with e-mail ghost@example.org" in cli("project", "list", "--as", "ghost@example.org", code=2).stderr


def test_project_list_shows_id_name_type_and_progress(cli, make_project) -> None:
    first = make_project(name="First")
    second = make_project(name="Second", task_type="image-classification")
    lines = cli("project", "list").stdout.splitlines()
    assert lines[0].split()[:2] == [str(second), "Second"] and "image-classification" in lines[0]
    assert lines[1].split()[:2] == [str(first), "First"] and "0/0 labeled" in lines[1]


def test_project_create_named_entities_with_relation_and_document_labels(cli, owner: str, db: Database,
                                                                         tmp_path: Path) -> None:
    document = {"labels": [{"label": "person"}, {"label": "corporation"}], "relations": ["works_for"],
                "documentLabels": {"labels": ["business", "sports"], "multi": True}}
    path = tmp_path / "ner-labels.json"
    path.write_text(json.dumps(document))
    pid = int(cli("project", "create", "Entities", "--task-type", "named-entity-recognition",
                  "--labels-file", str(path)).stdout)
    p = projects.get_project(db, accounts.actor_for(accounts.find_user(db, owner)), pid)
    assert (p.task_type, p.labels.labels) == ("named-entity-recognition", ("person", "corporation"))
    assert (p.labels.relation_labels, p.labels.document_labels, p.labels.multi_document_labels) == (
        ("works_for",), ("business", "sports"), True)
    assert "named-entity-recognition" in cli("project", "types").stdout
    path.write_text(json.dumps({**document, "relations": ["works_for", "works_for"]}))
    bad = cli("project", "create", "Bad", "--task-type", "named-entity-recognition", "--labels-file", str(path), code=2)
    assert "labels.relations[1]" in bad.stderr and "appears twice" in bad.stderr
