"""Writing or correcting an assistant's replies in a multi-turn chat: the ``chat-demonstration``
task type, demonstrations for supervised fine-tuning.

An item brings its conversation: ``{"messages": [{"role": "system"|"user"|"assistant",
"content": "..."}, ...]}``. The worker corrects any assistant turn and, when the conversation ends
with a user turn, writes the next assistant reply; with ``allowNewTurns`` in the project's
guidance they may add further user/assistant pairs. ``<lw-chat-editor name="chat">`` posts the
whole conversation (docs/task-types/chat-demonstration.md)::

    {"chat": {"messages": [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello! How can I help?", "edited": true, "original": "hello"},
        {"role": "user", "content": "Name a prime", "added": true},
        {"role": "assistant", "content": "7 is prime.", "edited": true, "added": true}]}}

The server re-derives the flags from the item: a turn of the item keeps its role, user and system
turns keep their text, an assistant turn whose text differs is ``edited`` with its ``original``
kept for the diff; turns past the item's are ``added``. Edited and added assistant turns are held
to the guidance (min/max words, forbidden phrases). Every assistant turn carries ``edited``.

An assistant turn a connected model drafted ("Draft with model" in the element) carries ``source``:
``{"model": connection name, "generationId": the stored generation (absent when the reply never
finished), "draft": the model's text, "edited": whether the worker changed it, "stopped": true when
the worker stopped the stream}``. The server re-derives ``edited`` from ``draft``; answers without
``source`` are as before::

    {"role": "assistant", "content": "Yes: 7 x 8 = 56.", "edited": true, "added": true,
     "source": {"model": "tutor-llm", "generationId": 41, "draft": "Yes, 56.", "edited": true}}

Consolidation (``chat-medoid``): the conversation whose assistant turns, read together, are closest
to the other workers' (``text-medoid``'s 1 - word error rate); one worker's conversation is taken
whole, never a mixture of turns from different people.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..consolidation.majority import Consolidated
from ..errors import ValidationFailed
from .base import ProjectSpec, TaskType
from .demonstration_guidance import MAX_TEXT_CHARS, Guidance, attribute_json, check_text, guidance_of, medoid_answer
from .image_objects import unwrap_answer

__all__ = ["ChatDemonstrationTaskType", "CHAT_DEMONSTRATION", "ROLES", "MAX_TURNS", "item_messages", "draft_source"]

ROLES = ("system", "user", "assistant")
MAX_TURNS = 500
MAX_MODEL_NAME = 200
_SOURCE_KEYS = frozenset({"model", "generationId", "draft", "edited", "stopped"})

_TEMPLATE = """<lw-form>
  <lw-chat-editor name="chat" header="{{ header }}" messages="{{ task.input.messages | to_json }}" GUIDANCE>
  </lw-chat-editor>
</lw-form>
"""


def item_messages(data: Mapping[str, Any], field: str = "messages") -> list[dict[str, str]]:
    """The item's conversation, checked (an import names the line's field)."""
    raw = data.get("messages")
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed("the item needs 'messages': a list of {role, content}", field=field)
    if len(raw) > MAX_TURNS:
        raise ValidationFailed(f"at most {MAX_TURNS} turns", field=field)
    out = []
    for i, m in enumerate(raw):
        if not isinstance(m, dict) or m.get("role") not in ROLES or not isinstance(m.get("content"), str):
            raise ValidationFailed(f"a turn is {{role: {'|'.join(ROLES)}, content: text}}", field=f"{field}[{i}]")
        out.append({"role": str(m["role"]), "content": str(m["content"])})
    return out


class ChatDemonstrationTaskType(TaskType):
    name = "chat-demonstration"
    title = "Chat demonstrations (write or correct assistant replies)"
    media = "text"
    digit_keys = None  # free text: the digits are typed, not keys
    model_keys = (("Alt+G", "draft the reply with the model"), ("Esc", "stop the draft"), ("Alt+U", "undo the draft"))
    default_consolidator = "chat-medoid"
    reads_item_data = True  # the conversation is checked against the item's

    def value_kind(self, spec: ProjectSpec) -> str:
        return "chat"

    def default_template(self, spec: ProjectSpec) -> str:
        return _TEMPLATE.replace("GUIDANCE", f'guidance="{attribute_json(guidance_of(spec).as_attribute())}"')

    def normalize(self, value: Any, spec: ProjectSpec) -> dict[str, Any]:
        return _normalize(value, guidance_of(spec), None)

    def normalize_with_item(self, value: Any, spec: ProjectSpec, data: Mapping[str, Any]) -> dict[str, Any]:
        return _normalize(value, guidance_of(spec), item_messages(data, "item.messages"))

    def consolidate(self, values: Sequence[dict[str, Any]], spec: ProjectSpec) -> Consolidated | None:
        return medoid_answer(values, _assistant_text, self.default_consolidator)

    def output_fields(self, answer: Consolidated, spec: ProjectSpec, created: str) -> dict[str, Any]:
        attr = spec.label_attribute
        value: Any = answer.value if isinstance(answer.value, dict) else {}
        return {attr: {"messages": [dict(m) for m in value.get("messages", [])]},
                f"{attr}-metadata": {"type": "labelworks/chat-demonstration", "confidence": round(answer.confidence, 2),
                                     "human-annotated": "yes", "creation-date": created,
                                     "job-name": f"labeling-job/{spec.job_name}"}}


def _assistant_text(value: dict[str, Any]) -> str:
    return "\n".join(str(m["content"]) for m in value.get("messages", []) if m.get("role") == "assistant")


def _normalize(value: Any, guidance: Guidance, original: list[dict[str, str]] | None) -> dict[str, Any]:
    answer, where = unwrap_answer(value, ("messages",), "messages (the conversation)")
    field = f"{where}.messages"
    raw = answer.get("messages")
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed("messages must be a non-empty list of {role, content}", field=field)
    if len(raw) > MAX_TURNS:
        raise ValidationFailed(f"at most {MAX_TURNS} turns", field=field)
    base = original if original is not None else []
    if len(raw) < len(base):
        raise ValidationFailed(f"the conversation has {len(base)} turns; {len(raw)} came back", field=field)
    out: list[dict[str, Any]] = []
    for i, m in enumerate(raw):
        at = f"{field}[{i}]"
        if not isinstance(m, dict) or m.get("role") not in ROLES:
            raise ValidationFailed(f"a turn is {{role: {'|'.join(ROLES)}, content: text}}", field=f"{at}.role")
        role = str(m["role"])
        turn = _kept_turn(m, base[i], guidance, at) if i < len(base) else _added_turn(m, role, out, guidance, at)
        if m.get("source") is not None:
            if role != "assistant":
                raise ValidationFailed("only an assistant turn can be drafted by a model", field=f"{at}.source")
            turn["source"] = draft_source(m["source"], turn["content"], f"{at}.source")
        out.append(turn)
    if original is not None:
        _check_additions(out, len(base), guidance, field)
    return {"messages": out}


def draft_source(raw: Any, content: str, at: str) -> dict[str, Any]:
    """A drafted turn's ``source``, checked, with ``edited`` re-derived from its ``draft``."""
    if not isinstance(raw, dict):
        raise ValidationFailed("source is {model, generationId, draft}", field=at)
    unknown = sorted(set(raw) - _SOURCE_KEYS)
    if unknown:
        raise ValidationFailed(f"unknown field {unknown[0]!r}", field=f"{at}.{unknown[0]}")
    model = raw.get("model")
    if not isinstance(model, str) or not model.strip() or len(model) > MAX_MODEL_NAME:
        raise ValidationFailed(f"the model's name is text of 1 to {MAX_MODEL_NAME} characters", field=f"{at}.model")
    gid = raw.get("generationId")
    if gid is not None and (not isinstance(gid, int) or isinstance(gid, bool) or gid < 1):
        raise ValidationFailed("generationId is the stored generation's id (a positive integer)",
                               field=f"{at}.generationId")
    draft = raw.get("draft")
    if not isinstance(draft, str) or len(draft) > MAX_TEXT_CHARS:
        raise ValidationFailed(f"draft is the model's text (at most {MAX_TEXT_CHARS} characters)", field=f"{at}.draft")
    stopped = raw.get("stopped", False)
    if not isinstance(stopped, bool):
        raise ValidationFailed("stopped is true or false", field=f"{at}.stopped")
    out: dict[str, Any] = {"model": model}
    if gid is not None:
        out["generationId"] = gid
    out.update(draft=draft, edited=content.strip() != draft.strip())
    if stopped:
        out["stopped"] = True
    return out


def _assistant(content: Any, guidance: Guidance, at: str) -> str:
    return check_text(content, f"{at}.content", what="reply", min_words=guidance.min_words,
                      max_words=guidance.max_words, forbidden=guidance.forbidden)


def _kept_turn(m: dict[str, Any], base: dict[str, str], guidance: Guidance, at: str) -> dict[str, Any]:
    if m["role"] != base["role"]:
        raise ValidationFailed(f"this turn is the {base['role']}'s; it came back as {m['role']}", field=f"{at}.role")
    content = m.get("content")
    if base["role"] != "assistant":
        if content != base["content"]:
            raise ValidationFailed(f"the {base['role']}'s turns of the conversation cannot be changed",
                                   field=f"{at}.content")
        return dict(base)
    if content == base["content"] or (isinstance(content, str) and content.strip() == base["content"].strip()):
        return {"role": "assistant", "content": base["content"], "edited": False}
    return {"role": "assistant", "content": _assistant(content, guidance, at), "edited": True,
            "original": base["content"]}


def _added_turn(m: dict[str, Any], role: str, so_far: list[dict[str, Any]], guidance: Guidance,
                at: str) -> dict[str, Any]:
    if role == "system":
        raise ValidationFailed("a system turn cannot be added", field=f"{at}.role")
    previous = so_far[-1]["role"] if so_far else None
    if role == previous or (role == "assistant" and previous != "user") or (role == "user" and previous == "user"):
        raise ValidationFailed(f"an added {role} turn must follow a {'user' if role == 'assistant' else 'assistant'} "
                               "turn", field=f"{at}.role")
    if role == "assistant":
        return {"role": "assistant", "content": _assistant(m.get("content"), guidance, at), "edited": True,
                "added": True}
    return {"role": "user", "content": check_text(m.get("content"), f"{at}.content", what="user turn",
                                                  min_words=None, max_words=None), "added": True}


def _check_additions(out: list[dict[str, Any]], kept: int, guidance: Guidance, field: str) -> None:
    """The next reply when the item ends with the user; more turns only where the project allows them."""
    if out[-1]["role"] != "assistant":
        raise ValidationFailed("write the assistant's reply to the last user turn", field=f"{field}[{len(out)}]")
    added = len(out) - kept
    allowed = (1 if out[kept - 1]["role"] == "user" else 0) if kept else 1
    if added > allowed and not guidance.allow_new_turns:
        raise ValidationFailed("this project does not allow adding turns to the conversation",
                               field=f"{field}[{kept + allowed}]")


CHAT_DEMONSTRATION = ChatDemonstrationTaskType()
