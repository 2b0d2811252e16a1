"""Chat demonstrations drafted by a model: a turn's ``source`` (model, generation, the model's draft)
is checked naming its field, ``edited`` is re-derived from the draft, and answers without it are as
before."""

from __future__ import annotations

from typing import Any

import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.chat_demonstration import CHAT_DEMONSTRATION

CHAT = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 2+2?"},
        {"role": "assistant", "content": "5"}, {"role": "user", "content": "Are you sure?"}]
SPEC = ProjectSpec(labels=parse_label_config({"labels": [{"label": "reply"}], "guidance": {"allowNewTurns": True}}))


def chat(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = CHAT_DEMONSTRATION.normalize_with_item({"chat": {"messages": messages}}, SPEC, {"messages": CHAT})
    return list(out["messages"])


def reply(content: str, **source: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": content, "source": source}


def test_a_drafted_reply_keeps_its_source_and_the_server_decides_edited() -> None:
    # the browser claims "edited: false"; the worker did change the draft, so the server says true
    out = chat([*CHAT, reply(" Yes: 2+2 is 4. ", model="tutor", generationId=41, draft="Yes, 4.", edited=False)])
    assert out[4] == {"role": "assistant", "content": "Yes: 2+2 is 4.", "edited": True, "added": True,
                      "source": {"model": "tutor", "generationId": 41, "draft": "Yes, 4.", "edited": True}}
    same = chat([*CHAT, reply("Yes, 4.", model="tutor", generationId=41, draft="Yes, 4. ")])
    assert same[4]["source"]["edited"] is False
    # stopped before the end: no generation id yet, the cut-short draft kept
    stopped = chat([*CHAT, reply("Yes, it is 4.", model="tutor", draft="Yes", stopped=True)])
    assert stopped[4]["source"] == {"model": "tutor", "draft": "Yes", "edited": True, "stopped": True}
    # the stored value normalises to itself (a re-check of a stored answer changes nothing)
    assert chat(out) == out


def test_answers_without_source_are_unchanged_and_item_turns_may_carry_one() -> None:
    plain = chat([*CHAT, {"role": "assistant", "content": "Yes."}])
    assert "source" not in plain[4] and plain[4]["edited"] is True
    kept = chat([*CHAT[:2], reply("5", model="m", generationId=2, draft="5"), CHAT[3],
                 {"role": "assistant", "content": "Yes.", "source": None}])
    assert kept[2] == {"role": "assistant", "content": "5", "edited": False,
                       "source": {"model": "m", "generationId": 2, "draft": "5", "edited": False}}
    assert "source" not in kept[4]


@pytest.mark.parametrize(("turn", "field"), [
    (reply("Yes.", model="", draft="Yes."), "value.chat.messages[4].source.model"),
    (reply("Yes.", model="m" * 201, draft="Yes."), "value.chat.messages[4].source.model"),
    (reply("Yes.", model="m", generationId=0, draft="Yes."), "value.chat.messages[4].source.generationId"),
    (reply("Yes.", model="m", generationId=True, draft="Yes."), "value.chat.messages[4].source.generationId"),
    (reply("Yes.", model="m", generationId="7", draft="Yes."), "value.chat.messages[4].source.generationId"),
    (reply("Yes.", model="m"), "value.chat.messages[4].source.draft"),
    (reply("Yes.", model="m", draft="x" * 100_001), "value.chat.messages[4].source.draft"),
    (reply("Yes.", model="m", draft="Yes.", stopped="no"), "value.chat.messages[4].source.stopped"),
    (reply("Yes.", model="m", draft="Yes.", temperature=0.2), "value.chat.messages[4].source.temperature"),
    ({"role": "assistant", "content": "Yes.", "source": "m"}, "value.chat.messages[4].source"),
])
def test_a_bad_source_is_refused_naming_its_field(turn: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        chat([*CHAT, turn])
    assert info.value.field == field


def test_only_assistant_turns_are_drafted() -> None:
    user = {**CHAT[3], "source": {"model": "m", "draft": "Are you sure?"}}
    with pytest.raises(ValidationFailed) as info:
        chat([*CHAT[:3], user, {"role": "assistant", "content": "Yes."}])
    assert info.value.field == "value.chat.messages[3].source"
    assert "assistant" in str(info.value)
