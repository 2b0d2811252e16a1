"""In-process chat models: the built-in ones (registered through ``register_models`` like a
plugin's) and the registry that finds them all."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from functools import lru_cache

from ...core.chat import ChatChunk, ChatMessage, ChatModel, GenerationParams, check_model_name, count_tokens
from ...plugins.hookspecs import hookimpl
from ...plugins.manager import build_plugin_manager

__all__ = ["registered_models", "Echo"]


class Echo:
    """Answers with the last user message, word by word: a model that needs nothing, for trying a
    project's pipeline (streaming, batch generation, evaluation pages) before a real one is connected."""

    name = "echo"
    title = "Echo (repeats the last user message; for trying the pipeline)"

    def generate(self, messages: Sequence[ChatMessage], params: GenerationParams) -> Iterator[ChatChunk]:
        last = next((m.content for m in reversed(messages) if m.role == "user"), "")
        words = last.split(" ")
        limit = params.max_tokens or len(words)
        for i, word in enumerate(words[:limit]):
            yield ChatChunk(word if i == 0 else " " + word)
        prompt = sum(count_tokens(m.content) for m in messages)
        yield ChatChunk("", "length" if limit < len(words) else "stop", prompt, min(limit, len(words)))


@hookimpl
def register_models() -> list[ChatModel]:
    from .smollm2 import smollm2_model  # the file is opened on the first generation, not here

    smol = smollm2_model()
    return [Echo(), *([smol] if smol is not None else [])]


@lru_cache(maxsize=1)
def registered_models() -> dict[str, ChatModel]:
    """Built-in and plugin models by name, built on first use (never at import time)."""
    pm = build_plugin_manager()
    pm.register(sys.modules[__name__], name="builtin-models")
    found: dict[str, ChatModel] = {}
    for batch in pm.hook.register_models():
        for m in batch:
            check_model_name(m.name, "model")
            if m.name in found:
                raise RuntimeError(f"two plugins register the model {m.name!r}")
            found[m.name] = m
    return found
