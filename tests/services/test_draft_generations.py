"""A drafted chat reply's ``source.generationId`` must be a generation of this project made by the
connection ``source.model`` names; the submission is refused naming the turn's field otherwise, and
nothing is stored. Answers without ids cost no query and are unaffected."""

from __future__ import annotations

from typing import Any

import pytest

from labelworks.core.chat import ChatMessage, GenerationParams
from labelworks.core.errors import ValidationFailed
from labelworks.db.engine import Database
from labelworks.services import annotations, assignments
from labelworks.services import model_connections as conns

from factories import Factory, OrgUsers

PROMPT = [{"role": "user", "content": "What is 7 times 8?"}]
LABELS = {"labels": [{"label": "reply"}]}


def _project(db: Database, factory: Factory, org: OrgUsers, name: str) -> tuple[int, dict[str, int]]:
    p = factory.project(org.manager, "chat-demonstration", labels=LABELS, name=name, workers_per_item=1)
    factory.items(org.manager, p.id, rows=[{"messages": PROMPT}])
    ids = {}
    for model in ("tutor-a", "tutor-b"):
        c = conns.create_connection(db, org.manager.actor, p.id, {"name": model, "kind": "python", "model": "echo"},
                                    "k" * 32, lambda *_: None)
        ids[model] = c.id
    return p.id, ids


def _generation(db: Database, org: OrgUsers, pid: int, cid: int, name: str) -> int:
    return conns.record_generation(db, conns.GenerationRecord(
        pid, cid, name, org.annotator.actor.user_id, None, "api", (ChatMessage("user", PROMPT[0]["content"]),),
        GenerationParams(), "56.", "stop", 10, 5, 6, 1, False, 1, None))


def _answer(model: str, gid: int) -> dict[str, Any]:
    return {"chat": {"messages": [*PROMPT, {"role": "assistant", "content": "It is 56.",
                                            "source": {"model": model, "generationId": gid, "draft": "56."}}]}}


@pytest.fixture
def setup(db: Database, factory: Factory, org: OrgUsers) -> dict[str, Any]:
    pid, ids = _project(db, factory, org, "Drafts")
    other_pid, other_ids = _project(db, factory, org, "Elsewhere")
    return {"pid": pid, "ids": ids,
            "mine": _generation(db, org, pid, ids["tutor-a"], "tutor-a"),
            "elsewhere": _generation(db, org, other_pid, other_ids["tutor-a"], "tutor-a")}


def _lease(db: Database, org: OrgUsers, pid: int) -> Any:
    lease = assignments.next_for(db, org.annotator.actor, pid)
    assert lease is not None
    return lease


@pytest.mark.parametrize("case, message", [
    ("missing", "is not a stored generation of this project"),
    ("elsewhere", "is not a stored generation of this project"),
    ("other-model", "was made by the model 'tutor-a', not 'tutor-b'"),
])
def test_a_generation_id_the_project_did_not_make_is_refused_naming_the_field(
        db: Database, org: OrgUsers, setup: dict[str, Any], case: str, message: str) -> None:
    gid = {"missing": setup["mine"] + 1000, "elsewhere": setup["elsewhere"], "other-model": setup["mine"]}[case]
    model = "tutor-b" if case == "other-model" else "tutor-a"
    lease = _lease(db, org, setup["pid"])
    with pytest.raises(ValidationFailed) as err:
        annotations.submit(db, org.annotator.actor, lease.assignment_id, _answer(model, gid))
    assert err.value.field == "value.chat.messages[1].source.generationId"
    assert message in err.value.message
    assert annotations.annotations_for_item(db, org.manager.actor, setup["pid"], lease.item_id) == []  # nothing stored


def test_the_projects_own_generation_by_the_named_model_is_stored_and_revised(db: Database, org: OrgUsers,
                                                                             setup: dict[str, Any]) -> None:
    lease = _lease(db, org, setup["pid"])
    info, created = annotations.submit(db, org.annotator.actor, lease.assignment_id, _answer("tutor-a", setup["mine"]))
    assert created and info.value["messages"][1]["source"]["generationId"] == setup["mine"]
    # a revision is checked too; a connection renamed since the draft still vouches for its generation
    conns.update_connection(db, org.manager.actor, setup["pid"], setup["ids"]["tutor-a"], {"name": "tutor-a2"},
                            "k" * 32, lambda *_: None)
    for model in ("tutor-a", "tutor-a2"):  # the name at the draft, and the name now
        info, _ = annotations.revise(db, org.annotator.actor, info.id, _answer(model, setup["mine"]))
        assert info.value["messages"][1]["source"] == {"model": model, "generationId": setup["mine"], "draft": "56.",
                                                       "edited": True}
    with pytest.raises(ValidationFailed) as err:
        annotations.revise(db, org.annotator.actor, info.id, _answer("tutor-a", setup["elsewhere"]))
    assert err.value.field == "value.chat.messages[1].source.generationId"
