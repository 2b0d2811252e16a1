"""The chat connector: streams a reply from a project's model connection and keeps the record.

``prepare`` does everything that can fail before a byte is sent (permission, the connection, the
messages), so the API can still answer 403/404/422; ``PreparedCall.stream()`` then yields
``ChatEvent`` values — chunks in order, and one final ``done`` or ``error`` — and stores the
generation whatever happens (a client that goes away mid-answer leaves a row saying so).

OpenAI-compatible endpoints are called at ``{base_url}/chat/completions`` with ``stream: true``
through the guarded outbound client (public addresses only unless allowed, no redirects, retries
with backoff and jitter on 429/5xx/connection errors before the answer starts). Requests in flight
per connection are bounded by its ``concurrency`` in this process.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.actor import Actor
from ..core.chat import ChatChunk, ChatMessage, ChatModel, GenerationParams, count_tokens, parse_messages
from ..core.errors import LabelworksError, ValidationFailed
from ..db.base import utcnow
from ..db.engine import Database
from ..services import model_connections as conns
from ..services.model_spending import Clock
from .models import registered_models
from .outbound import RetryPolicy, check_url, post_stream

__all__ = ["ChatEvent", "PreparedCall", "prepare", "kind_check", "request_body", "parse_sse_chunk"]


@dataclass(frozen=True)
class ChatEvent:
    type: str  # "chunk" | "done" | "error"
    text: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        if self.type == "chunk":
            return {"type": "chunk", "text": self.text}
        return {"type": self.type, **self.data}


class _Limits:
    """One semaphore per connection id, rebuilt when its concurrency changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[int, tuple[int, threading.BoundedSemaphore]] = {}

    def get(self, connection_id: int, limit: int) -> threading.BoundedSemaphore:
        with self._lock:
            found = self._by_id.get(connection_id)
            if found is None or found[0] != limit:
                found = (limit, threading.BoundedSemaphore(limit))
                self._by_id[connection_id] = found
            return found[1]


_limits = _Limits()


def kind_check(allow_private: bool) -> conns.KindCheck:
    """Refuses an endpoint the server may not call, or a python model no plugin registers."""

    def check(kind: str, base_url: str | None, model: str) -> None:
        if kind == "openai":
            check_url(base_url or "", allow_private, field="base_url")
        elif model not in registered_models():
            known = ", ".join(sorted(registered_models())) or "none"
            raise ValidationFailed(f"model: no in-process model {model!r}; registered: {known}", field="model")

    return check


def request_body(model: str, messages: Sequence[ChatMessage], params: GenerationParams) -> dict[str, Any]:
    body: dict[str, Any] = {**params.extra, "model": model, "messages": [m.as_dict() for m in messages],
                            "stream": True, "stream_options": {"include_usage": True}}
    for name in ("temperature", "max_tokens", "top_p"):
        value = getattr(params, name)
        if value is not None:
            body[name] = value
    return body


def parse_sse_chunk(payload: Mapping[str, Any]) -> ChatChunk:
    """One ``chat.completion.chunk`` (or a whole non-streamed ``chat.completion``) → a chunk."""
    if "error" in payload:
        err = payload["error"]
        message = err.get("message") if isinstance(err, Mapping) else err
        raise ValidationFailed(f"the model reported an error: {str(message)[:300]}", field="model")
    text, finish = "", None
    choices = payload.get("choices") or []
    if choices and isinstance(choices[0], Mapping):
        choice = choices[0]
        part = choice.get("delta") or choice.get("message") or {}
        text = part.get("content") or "" if isinstance(part, Mapping) else ""
        finish = choice.get("finish_reason")
    usage = payload.get("usage") if isinstance(payload.get("usage"), Mapping) else None
    return ChatChunk(str(text), str(finish) if finish else None,
                     usage.get("prompt_tokens") if usage else None, usage.get("completion_tokens") if usage else None)


def _openai_chunks(conn: conns.ConnectionInfo, api_key: str | None, messages: Sequence[ChatMessage],
                   params: GenerationParams, allow_private: bool, attempts: list[int],
                   sleep: Callable[[float], None]) -> Iterator[ChatChunk]:
    headers = {"Accept": "text/event-stream"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    with post_stream(f"{conn.base_url}/chat/completions", request_body(conn.model, messages, params),
                     allow_private=allow_private, timeout_s=conn.timeout_s, headers=headers,
                     retry=RetryPolicy(max_retries=conn.max_retries), sleep=sleep) as answer:
        attempts[0] = answer.attempts
        if answer.response.headers.get("content-type", "").startswith("application/json"):
            # a server that ignores ``stream``: one whole completion
            answer.response.read()
            yield parse_sse_chunk(answer.response.json())
            return
        for line in answer.lines():
            if not line.startswith("data:"):
                continue  # comments (": keep-alive"), event names and blank separators
            data = line[5:].strip()
            if data == "[DONE]":
                return
            try:
                payload = json.loads(data)
            except ValueError:
                raise ValidationFailed(f"the model sent a chunk that is not JSON: {data[:120]}", field="model") from None
            if isinstance(payload, Mapping):
                yield parse_sse_chunk(payload)


@dataclass
class PreparedCall:
    db: Database
    actor: Actor
    conn: conns.ConnectionInfo
    api_key: str | None
    messages: tuple[ChatMessage, ...]
    params: GenerationParams
    allow_private: bool
    item_id: int | None = None
    source: str = "api"
    sleep: Callable[[float], None] = time.sleep
    # the in-process models to look the connection's model up in (None: the registered ones)
    models: Mapping[str, ChatModel] | None = None
    # the time generations are stored at, the same clock the spending check read (tests move it)
    clock: Clock = utcnow
    # what the generation row says when the stream is closed early (a caller that stops it on purpose sets its own)
    cancel_reason: str = "cancelled: the client disconnected"

    def _chunks(self, attempts: list[int]) -> Iterator[ChatChunk]:
        if self.conn.kind == "python":
            found = registered_models() if self.models is None else self.models
            model: ChatModel | None = found.get(self.conn.model)
            if model is None:
                raise ValidationFailed(f"the in-process model {self.conn.model!r} is not installed", field="model")
            return iter(model.generate(self.messages, self.params))
        return _openai_chunks(self.conn, self.api_key, self.messages, self.params, self.allow_private, attempts,
                              self.sleep)

    def stream(self) -> Iterator[ChatEvent]:
        gate = _limits.get(self.conn.id, self.conn.concurrency)
        started = time.perf_counter()
        if not gate.acquire(timeout=self.conn.timeout_s):
            yield self._finish([], None, None, None, None, [1], started,
                               f"this model's limit of {self.conn.concurrency} request"
                               f"{'s' if self.conn.concurrency != 1 else ''} at once is reached; "
                               f"none finished within {self.conn.timeout_s:g} s")
            return
        parts: list[str] = []
        first_ms: int | None = None
        finish = prompt_tokens = completion_tokens = None
        attempts = [1]
        error: str | None = None
        try:
            for chunk in self._chunks(attempts):
                if chunk.text:
                    if first_ms is None:
                        first_ms = round((time.perf_counter() - started) * 1000)
                    parts.append(chunk.text)
                    yield ChatEvent("chunk", chunk.text)
                finish = chunk.finish_reason or finish
                prompt_tokens = chunk.prompt_tokens if chunk.prompt_tokens is not None else prompt_tokens
                completion_tokens = (chunk.completion_tokens if chunk.completion_tokens is not None
                                     else completion_tokens)
        except LabelworksError as exc:
            error = exc.message
            attempts[0] = max([attempts[0], *(int(d.get("attempts", 0)) for d in exc.details)])
        except GeneratorExit:  # the browser went away: keep what arrived, say why it stops there
            gate.release()
            self._finish(parts, first_ms, finish, prompt_tokens, completion_tokens, attempts, started,
                         self.cancel_reason)
            raise
        except Exception as exc:  # an in-process model's own failure: recorded, not a server error
            error = f"the model failed: {type(exc).__name__}: {exc}"[:500]
        gate.release()
        yield self._finish(parts, first_ms, finish or "stop", prompt_tokens, completion_tokens, attempts, started,
                           error)

    def collect(self) -> ChatEvent:
        """Run to the end and return the final event (the batch job's way in)."""
        last = ChatEvent("error", data={"message": "no answer"})
        for event in self.stream():
            last = event
        return last

    def _finish(self, parts: list[str], first_ms: int | None, finish: str | None, prompt_tokens: int | None,
                completion_tokens: int | None, attempts: list[int], started: float, error: str | None) -> ChatEvent:
        text = "".join(parts)
        counted = prompt_tokens is None or completion_tokens is None
        if prompt_tokens is None:
            prompt_tokens = sum(count_tokens(m.content) for m in self.messages)
        if completion_tokens is None:
            completion_tokens = count_tokens(text)
        latency = round((time.perf_counter() - started) * 1000)
        gid = conns.record_generation(self.db, conns.GenerationRecord(
            self.conn.project_id, self.conn.id, self.conn.name, self.actor.user_id, self.item_id, self.source,
            self.messages, self.params, text, finish if error is None else "error", latency, first_ms,
            prompt_tokens, completion_tokens, counted, attempts[0], error, self.clock()))
        data = {"generation_id": gid, "text": text, "finish_reason": finish if error is None else "error",
                "latency_ms": latency, "first_token_ms": first_ms, "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens, "tokens_counted": counted, "attempts": attempts[0],
                "model": self.conn.name}
        if error is not None:
            return ChatEvent("error", data={**data, "message": error})
        return ChatEvent("done", data=data)


def prepare(db: Database, actor: Actor, project_id: int, connection_id: int, messages: object,
            params: GenerationParams | None, *, secret_key: str, allow_private: bool, item_id: int | None = None,
            source: str = "api", models: Mapping[str, ChatModel] | None = None,
            clock: Clock = utcnow) -> PreparedCall:
    """Check everything, open the key; nothing is sent yet. The connection's system prompt leads
    unless the messages bring their own. A role the connection does not allow, or a used-up token
    budget, is refused here (PermissionDenied 403, RateLimited 429), before anything is stored."""
    conn, key = conns.connection_for_call(db, actor, project_id, connection_id, secret_key, clock)
    parsed = parse_messages(messages)
    final = conn.params.merged(params)
    if final.system_prompt and parsed[0].role != "system":
        parsed = (ChatMessage("system", final.system_prompt), *parsed)
    return PreparedCall(db, actor, conn, key, parsed, final, allow_private, item_id, source, models=models,
                        clock=clock)
