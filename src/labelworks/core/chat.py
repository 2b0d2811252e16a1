"""Chat models: the values a generation is made of, and the Protocol an in-process model follows.

A project's model connections (services/model_connections.py) name either an OpenAI-compatible
chat-completions endpoint or one of these in-process models, registered by a plugin through the
``register_models`` hook. Both produce the same stream of ``ChatChunk`` values, so the labeling
page, the batch job and the stored ``generations`` never care which kind answered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from .errors import ValidationFailed

__all__ = ["ChatMessage", "GenerationParams", "ChatChunk", "ChatModel", "ROLES", "parse_messages",
           "parse_params", "check_model_name", "count_tokens"]

ROLES = ("system", "user", "assistant")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$")
_MAX_MESSAGES = 200
_MAX_MESSAGE_CHARS = 200_000
_WORD = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class ChatMessage:
    role: str
    content: str

    def as_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class GenerationParams:
    """The sampling parameters a connection sends; ``extra`` is merged into the request body as is
    (e.g. ``{"stop": ["\\n\\n"], "seed": 7}``) and may not override the fields named here."""

    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    system_prompt: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"temperature": self.temperature, "max_tokens": self.max_tokens, "top_p": self.top_p,
                "system_prompt": self.system_prompt, "extra": dict(self.extra)}

    def merged(self, override: GenerationParams | None) -> GenerationParams:
        """These parameters with every field ``override`` sets replacing ours (extra: key by key)."""
        if override is None:
            return self
        return GenerationParams(
            override.temperature if override.temperature is not None else self.temperature,
            override.max_tokens if override.max_tokens is not None else self.max_tokens,
            override.top_p if override.top_p is not None else self.top_p,
            override.system_prompt if override.system_prompt is not None else self.system_prompt,
            {**self.extra, **override.extra})


@dataclass(frozen=True)
class ChatChunk:
    """One piece of a streamed reply. The last chunk carries ``finish_reason`` and, when the model
    reports them, the token counts."""

    text: str = ""
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


@runtime_checkable
class ChatModel(Protocol):
    """An in-process chat model a plugin registers (``register_models``)."""

    name: str  # unique, e.g. "smollm2-135m"
    title: str  # what the manager sees

    def generate(self, messages: Sequence[ChatMessage], params: GenerationParams) -> Iterator[ChatChunk]:
        """Yield the reply as it is produced; the last chunk has ``finish_reason``."""
        ...


def check_model_name(name: str, field_name: str = "name") -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValidationFailed(f"{field_name}: 1-80 characters: letters, digits, '.', '_', ':', '/', '-' "
                               "(starting with a letter or digit)", field=field_name)
    return name


def parse_messages(value: object, field_name: str = "messages") -> tuple[ChatMessage, ...]:
    """``[{"role": "user", "content": "…"}, …]`` → messages; a bad entry is named by its index."""
    if not isinstance(value, list | tuple) or not value:
        raise ValidationFailed(f"{field_name}: expected a non-empty list of {{role, content}}", field=field_name)
    if len(value) > _MAX_MESSAGES:
        raise ValidationFailed(f"{field_name}: at most {_MAX_MESSAGES} messages", field=field_name)
    out = []
    for i, m in enumerate(value):
        where = f"{field_name}[{i}]"
        if not isinstance(m, Mapping):
            raise ValidationFailed(f"{where}: expected an object {{role, content}}", field=where)
        role, content = m.get("role"), m.get("content")
        if role not in ROLES:
            raise ValidationFailed(f"{where}.role: one of {', '.join(ROLES)}", field=f"{where}.role")
        if not isinstance(content, str) or len(content) > _MAX_MESSAGE_CHARS:
            raise ValidationFailed(f"{where}.content: a string of at most {_MAX_MESSAGE_CHARS} characters",
                                   field=f"{where}.content")
        out.append(ChatMessage(str(role), content))
    return tuple(out)


def _number(value: object, name: str, low: float, high: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ValidationFailed(f"{name}: a number from {low:g} to {high:g}", field=name)
    return float(value)


_RESERVED = {"model", "messages", "stream", "temperature", "max_tokens", "top_p", "stream_options"}


def parse_params(value: object, field_name: str = "params") -> GenerationParams:
    """``{temperature, max_tokens, top_p, system_prompt, extra}`` (all optional) → parameters."""
    if value is None:
        return GenerationParams()
    if not isinstance(value, Mapping):
        raise ValidationFailed(f"{field_name}: expected an object", field=field_name)
    unknown = set(value) - {"temperature", "max_tokens", "top_p", "system_prompt", "extra"}
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationFailed(f"{field_name}.{name}: not a generation parameter (put it in extra)",
                               field=f"{field_name}.{name}")
    max_tokens = value.get("max_tokens")
    if max_tokens is not None and (isinstance(max_tokens, bool) or not isinstance(max_tokens, int)
                                   or not 1 <= max_tokens <= 1_000_000):
        raise ValidationFailed(f"{field_name}.max_tokens: a whole number from 1 to 1000000",
                               field=f"{field_name}.max_tokens")
    system = value.get("system_prompt")
    if system is not None and (not isinstance(system, str) or len(system) > _MAX_MESSAGE_CHARS):
        raise ValidationFailed(f"{field_name}.system_prompt: a string", field=f"{field_name}.system_prompt")
    extra = value.get("extra") or {}
    if not isinstance(extra, Mapping):
        raise ValidationFailed(f"{field_name}.extra: expected a JSON object", field=f"{field_name}.extra")
    clash = _RESERVED & set(extra)
    if clash:
        name = sorted(clash)[0]
        raise ValidationFailed(f"{field_name}.extra.{name}: set by the connection, not in extra",
                               field=f"{field_name}.extra.{name}")
    return GenerationParams(_number(value.get("temperature"), f"{field_name}.temperature", 0, 2),
                            max_tokens, _number(value.get("top_p"), f"{field_name}.top_p", 0, 1),
                            system or None, dict(extra))


def count_tokens(text: str) -> int:
    """An estimate for models that report no usage: words and punctuation marks (flagged as counted)."""
    return len(_WORD.findall(text))
