"""Demonstrations as TRL's supervised fine-tuning datasets (docs/formats.md, "SFT").

Each project's answers (the consolidated value of every labelled item; unlabelled items are left
out) become rows in one of TRL's dataset shapes, with exactly TRL's field names:

* ``sft-messages`` (JSONL) / ``sft-messages-parquet``: conversational language modelling,
  ``{"messages": [{"role": ..., "content": ...}, ...]}``;
* ``sft-prompt-completion`` (JSONL) / ``sft-prompt-completion-parquet``: conversational
  prompt-completion, ``{"prompt": [messages], "completion": [the assistant's message]}``;
* ``sft-prompt-completion-text`` (JSONL, question–answer projects only): standard
  prompt-completion, ``{"prompt": "...", "completion": "..."}``.

Per task type:

* ``question-answer-generation``: one conversation per pair: a system turn (the guidance's
  ``systemPrompt``, or ``DEFAULT_QA_SYSTEM``), a user turn holding the passage and the question, the
  answer as the assistant's turn;
* ``chat-demonstration``: the worker's whole conversation (flags dropped); prompt-completion
  splits it before its last assistant turn. A ``reply_sources`` column after TRL's says which model
  drafted each assistant turn (``REPLY_SOURCE_FIELDS``; TRL's trainers ignore extra columns);
* ``image-captioning``: TRL's vision shape, ``{"images": [ref], "messages": [user: [{"type":
  "image"}, {"type": "text", "text": prompt}], assistant: [{"type": "text", "text": caption}]]}``,
  the prompt being the guidance's ``prompt`` or ``DEFAULT_IMAGE_PROMPT``; ``ref`` is the item's
  ``source-ref`` as stored (a path or URL the training job can read);
* ``video-captioning``: the same with ``videos`` and ``{"type": "video"}``, one row per caption,
  its time range written into the prompt.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from ..errors import ValidationFailed
from ..tasktypes.demonstration_guidance import guidance_of
from .parquet_stream import stream_parquet
from .records import ExportItem

__all__ = ["SFT_FORMATS", "SFT_MEDIA_TYPES", "sft_rows", "sft_writer", "DEFAULT_QA_SYSTEM", "DEFAULT_IMAGE_PROMPT",
           "DEFAULT_VIDEO_PROMPT", "SFT_TASK_TYPES", "REPLY_SOURCE_FIELDS"]

DEFAULT_QA_SYSTEM = "Answer the question using only the passage the user gives."
DEFAULT_IMAGE_PROMPT = "Describe this image."
DEFAULT_VIDEO_PROMPT = "Describe what happens in the video"
SFT_TASK_TYPES = ("question-answer-generation", "chat-demonstration", "image-captioning", "video-captioning")
SFT_FORMATS = ("sft-messages", "sft-prompt-completion", "sft-prompt-completion-text", "sft-messages-parquet",
               "sft-prompt-completion-parquet")
SFT_MEDIA_TYPES = {
    "sft-messages": ("application/jsonl", "sft-messages.jsonl"),
    "sft-prompt-completion": ("application/jsonl", "sft-prompt-completion.jsonl"),
    "sft-prompt-completion-text": ("application/jsonl", "sft-prompt-completion-text.jsonl"),
    "sft-messages-parquet": ("application/vnd.apache.parquet", "sft-messages.parquet"),
    "sft-prompt-completion-parquet": ("application/vnd.apache.parquet", "sft-prompt-completion.parquet"),
}
_ROW_GROUP = 10_000
#: One entry per assistant turn of a chat row, every field always set so that JSON readers infer
#: the same types in every block (``datasets`` fails on a column that is null or empty in its first
#: 10 MB and typed later): ``turn`` its index in the row's conversation (``messages``, or ``prompt``
#: then ``completion``), ``model`` the connection that drafted it ("" when the worker wrote it),
#: ``generation_id`` the stored generation (0 when none), ``draft_edited`` whether the worker
#: changed the model's draft (false when no model drafted it).
REPLY_SOURCE_FIELDS = ("turn", "model", "generation_id", "draft_edited")


def _message(role: str, content: Any) -> dict[str, Any]:
    return {"role": role, "content": content}


def _media_ref(data: dict[str, Any]) -> str:
    ref = data.get("source-ref", data.get("source"))
    return ref if isinstance(ref, str) else ""


def _qa_conversations(item: ExportItem, value: dict[str, Any], spec: Any) -> Iterator[list[dict[str, Any]]]:
    data = item.data
    passage = data.get("source") if isinstance(data.get("source"), str) else str(data.get("text", ""))
    system = guidance_of(spec).system_prompt or DEFAULT_QA_SYSTEM
    for pair in value.get("questionAnswerPairs", []):
        yield [_message("system", system), _message("user", f"Passage:\n{passage}\n\nQuestion: {pair['question']}"),
               _message("assistant", pair["answer"])]


def _chat_conversations(item: ExportItem, value: dict[str, Any], spec: Any) -> Iterator[list[dict[str, Any]]]:
    yield [_message(str(m["role"]), str(m["content"])) for m in value.get("messages", [])]


def _reply_sources(value: dict[str, Any], upto: int) -> list[dict[str, Any]]:
    """``reply_sources`` of a chat row holding the conversation's first ``upto`` turns."""
    out = []
    for i, m in enumerate(value.get("messages", [])[:upto]):
        if m.get("role") != "assistant":
            continue
        src = m.get("source") if isinstance(m.get("source"), dict) else {}
        gid = src.get("generationId")
        out.append({"turn": i, "model": str(src.get("model", "")),
                    "generation_id": gid if isinstance(gid, int) and not isinstance(gid, bool) else 0,
                    "draft_edited": bool(src.get("edited", False))})
    return out


def _vision(kind: str, prompt: str, answer: str) -> list[dict[str, Any]]:
    return [_message("user", [{"type": kind, "text": None}, {"type": "text", "text": prompt}]),
            _message("assistant", [{"type": "text", "text": answer}])]


def _image_rows(item: ExportItem, value: dict[str, Any], spec: Any) -> Iterator[tuple[dict[str, Any], list[Any]]]:
    prompt = guidance_of(spec).prompt or DEFAULT_IMAGE_PROMPT
    yield {"images": [_media_ref(item.data)]}, _vision("image", prompt, str(value.get("caption", "")))


def _video_rows(item: ExportItem, value: dict[str, Any], spec: Any) -> Iterator[tuple[dict[str, Any], list[Any]]]:
    prompt = guidance_of(spec).prompt or DEFAULT_VIDEO_PROMPT
    ref = _media_ref(item.data)
    for c in value.get("captions", []):
        text = f"{prompt.rstrip('.')} between {c['start']:g} s and {c['end']:g} s."
        yield {"videos": [ref]}, _vision("video", text, str(c["text"]))


def _conversations(items: Iterable[ExportItem], task_type: Any,
                   spec: Any) -> Iterator[tuple[dict[str, Any], list[Any], dict[str, Any]]]:
    """(extra columns, conversation, the answer) for every labelled item's answer, in item order."""
    name = task_type.name
    for item in items:
        if item.answer is None or not isinstance(item.answer.value, dict):
            continue
        value = item.answer.value
        if name == "question-answer-generation":
            yield from (({}, conv, value) for conv in _qa_conversations(item, value, spec))
        elif name == "chat-demonstration":
            yield from (({}, conv, value) for conv in _chat_conversations(item, value, spec))
        elif name == "image-captioning":
            yield from ((extra, conv, value) for extra, conv in _image_rows(item, value, spec))
        else:
            yield from ((extra, conv, value) for extra, conv in _video_rows(item, value, spec))


def _last_assistant(conv: list[dict[str, Any]]) -> int:
    for i in range(len(conv) - 1, -1, -1):
        if conv[i]["role"] == "assistant":
            return i
    return -1


def sft_rows(fmt: str, items: Iterable[ExportItem], task_type: Any, spec: Any) -> Iterator[dict[str, Any]]:
    """The rows of ``fmt`` (without the ``-parquet`` suffix) for a demonstration project."""
    shape = fmt.removesuffix("-parquet")
    chat = task_type.name == "chat-demonstration"
    for extra, conv, value in _conversations(items, task_type, spec):
        def trailing(upto: int) -> dict[str, Any]:
            return {"reply_sources": _reply_sources(value, upto)} if chat else {}

        if shape == "sft-messages":
            yield {**extra, "messages": conv, **trailing(len(conv))}
            continue
        cut = _last_assistant(conv)
        if cut < 1:  # nothing to complete: a conversation without an assistant turn after a prompt
            continue
        if shape == "sft-prompt-completion-text":
            # the QA conversation as plain text: the passage and question, then the answer
            yield {"prompt": f"{conv[1]['content']}\n\nAnswer:", "completion": f" {conv[cut]['content']}"}
        else:
            yield {**extra, "prompt": conv[:cut], "completion": [conv[cut]], **trailing(cut + 1)}


def _strip_nulls(row: dict[str, Any]) -> dict[str, Any]:
    """JSONL leaves out the ``text: null`` of image/video parts (Parquet's struct needs the field)."""
    def clean(msg: dict[str, Any]) -> dict[str, Any]:
        content = msg["content"]
        if isinstance(content, list):
            content = [{k: v for k, v in part.items() if v is not None} for part in content]
        return {"role": msg["role"], "content": content}

    return {k: [clean(m) for m in v] if k in ("messages", "prompt", "completion") and isinstance(v, list) else v
            for k, v in row.items()}


def _schema(fmt: str, task_type: Any) -> Any:
    import pyarrow as pa

    vision = task_type.name in ("image-captioning", "video-captioning")
    if vision:
        part = pa.struct([("type", pa.string()), ("text", pa.string())])
        message = pa.struct([("role", pa.string()), ("content", pa.list_(part))])
    else:
        message = pa.struct([("role", pa.string()), ("content", pa.string())])
    fields = []
    if vision:
        fields.append(("images" if task_type.name == "image-captioning" else "videos", pa.list_(pa.string())))
    if fmt.startswith("sft-messages"):
        fields.append(("messages", pa.list_(message)))
    else:
        fields += [("prompt", pa.list_(message)), ("completion", pa.list_(message))]
    if task_type.name == "chat-demonstration":
        source = pa.struct([("turn", pa.int64()), ("model", pa.string()), ("generation_id", pa.int64()),
                            ("draft_edited", pa.bool_())])
        fields.append(("reply_sources", pa.list_(source)))
    return pa.schema(fields)


def sft_writer(fmt: str) -> Any:
    """The ``writers.Writer`` for one of ``SFT_FORMATS``."""

    def write(items: Iterable[ExportItem], task_type: Any, spec: Any, created: str) -> Iterator[bytes]:
        # checked before the first chunk, so a wrong project writes no file at all
        if task_type.name not in SFT_TASK_TYPES:
            raise ValidationFailed(f"{fmt} export needs a demonstration project ({', '.join(SFT_TASK_TYPES)}), "
                                   f"not {task_type.name}", field="format")
        if fmt == "sft-prompt-completion-text" and task_type.name != "question-answer-generation":
            raise ValidationFailed("sft-prompt-completion-text is for question-answer-generation projects; "
                                   "use sft-prompt-completion (conversational)", field="format")
        rows = sft_rows(fmt, items, task_type, spec)
        if fmt.endswith("-parquet"):
            return stream_parquet(_schema(fmt, task_type), rows, _ROW_GROUP)
        return _jsonl(rows)

    return write


def _jsonl(rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    """JSON lines in chunks of about 64 KiB (a response body of one line per chunk is slow to stream)."""
    buf = bytearray()
    for row in rows:
        buf += orjson.dumps(_strip_nulls(row)) + b"\n"
        if len(buf) >= 64 * 1024:
            yield bytes(buf)
            buf.clear()
    if buf:
        yield bytes(buf)
