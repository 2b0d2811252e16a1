"""The connector with in-process models: a model that fails is a stored error, not a server error;
a reply abandoned mid-way is stored with what arrived and frees its slot; the per-connection
concurrency limit makes a second caller wait, then fail saying why."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from labelworks.assist.chat import kind_check, prepare
from labelworks.core.chat import ChatChunk, ChatMessage, GenerationParams
from labelworks.db.engine import Database
from labelworks.services import model_connections as conns

from factories import Factory, OrgUsers

pytestmark = pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                                    indirect=True)
SECRET = "a-long-random-secret-key-for-tests"
HELLO = [{"role": "user", "content": "hello"}]


class Scripted:
    """Yields its words; raises after ``fail_after`` of them; waits on ``gate`` before the first."""

    name, title = "echo", "scripted"

    def __init__(self, words: list[str], fail_after: int | None = None,
                 gate: threading.Event | None = None) -> None:
        self.words, self.fail_after, self.gate = words, fail_after, gate
        self.started = threading.Event()

    def generate(self, messages: Sequence[ChatMessage], params: GenerationParams) -> Iterator[ChatChunk]:
        self.started.set()
        if self.gate is not None:
            self.gate.wait(10)
        for i, word in enumerate(self.words):
            if self.fail_after is not None and i == self.fail_after:
                raise RuntimeError("out of memory")
            yield ChatChunk(word)
        yield ChatChunk("", "stop")


def _connection(db: Database, factory: Factory, org: OrgUsers, **fields: Any) -> tuple[int, int]:
    pid = factory.project(org.manager).id
    c = conns.create_connection(db, org.manager.actor, pid, {"name": "local", "kind": "python", "model": "echo",
                                                             **fields}, SECRET, kind_check(False))
    return pid, c.id


def _call(db: Database, org: OrgUsers, pid: int, cid: int, model: Scripted) -> Any:
    return prepare(db, org.manager.actor, pid, cid, HELLO, None, secret_key=SECRET, allow_private=False,
                   models={"echo": model})


def test_a_failing_model_is_a_stored_error_with_what_it_said(db: Database, factory: Factory, org: OrgUsers) -> None:
    pid, cid = _connection(db, factory, org)
    events = list(_call(db, org, pid, cid, Scripted(["one", " two", " three"], fail_after=2)).stream())
    assert [e.type for e in events] == ["chunk", "chunk", "error"]
    assert events[-1].data["message"] == "the model failed: RuntimeError: out of memory"
    g = conns.list_generations(db, org.manager.actor, pid)[0]
    assert (g.response_text, g.finish_reason, g.error) == ("one two", "error", events[-1].data["message"])
    assert g.tokens_counted and g.completion_tokens == 2


def test_an_abandoned_reply_is_stored_and_frees_its_slot(db: Database, factory: Factory, org: OrgUsers) -> None:
    pid, cid = _connection(db, factory, org, concurrency=1, timeout_s=0.5)
    stream = _call(db, org, pid, cid, Scripted(["one", " two", " three"])).stream()
    assert next(stream).text == "one"
    stream.close()  # what the server does when the browser goes away
    g = conns.list_generations(db, org.manager.actor, pid)[0]
    assert (g.response_text, g.error) == ("one", "cancelled: the client disconnected")
    done = _call(db, org, pid, cid, Scripted(["again"])).collect()  # the one slot is free again
    assert done.type == "done" and done.data["text"] == "again"


def test_the_concurrency_limit_makes_a_second_caller_wait_then_fail(db: Database, factory: Factory,
                                                                    org: OrgUsers) -> None:
    pid, cid = _connection(db, factory, org, concurrency=1, timeout_s=0.3)
    gate = threading.Event()
    first = Scripted(["slow"], gate=gate)
    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.append(_call(db, org, pid, cid, first).collect()))
    worker.start()
    assert first.started.wait(5)
    second = _call(db, org, pid, cid, Scripted(["fast"])).collect()
    assert second.type == "error"
    assert second.data["message"] == ("this model's limit of 1 request at once is reached; "
                                      "none finished within 0.3 s")
    gate.set()
    worker.join(5)
    assert results[0].type == "done" and results[0].data["text"] == "slow"
