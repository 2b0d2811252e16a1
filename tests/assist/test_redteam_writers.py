"""The process-wide pool of red-team reply writers: never more threads than its bound, work past it
waits in order, no thread lingers once the queue is empty, a failing piece of work does not take a
thread down."""

from __future__ import annotations

import threading
import time

from labelworks.assist.redteam_replies import WriterPool


def _writer_threads(name: str) -> int:
    return sum(1 for t in threading.enumerate() if t.name.startswith(name))


def test_a_burst_past_the_bound_waits_in_order_on_at_most_that_many_threads() -> None:
    pool = WriterPool(3, name="test-writer-burst")
    release = threading.Event()
    started: list[int] = []
    ran: list[int] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        with lock:
            started.append(n)
        release.wait(5)
        with lock:
            ran.append(n)

    waited = [pool.submit(lambda n=n: work(n)) for n in range(20)]  # type: ignore[misc]
    assert waited == [False] * 3 + [True] * 17  # the first three got a writer, the rest are queued
    assert pool.threads == 3 and _writer_threads("test-writer-burst") == 3
    release.set()
    deadline = time.monotonic() + 5
    while (pool.threads or len(ran) < 20) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(ran) == list(range(20))
    assert set(started[:3]) == {0, 1, 2} and started[3:] == list(range(3, 20))  # the queue is first come first served
    assert pool.threads == 0 and pool.most_threads == 3  # no idle thread lingers
    time.sleep(0.05)
    assert _writer_threads("test-writer-burst") == 0


def test_work_that_fails_does_not_take_its_thread_down() -> None:
    pool = WriterPool(1, name="test-writer-fail")
    done = threading.Event()

    def boom() -> None:
        raise RuntimeError("the model blew up")

    pool.submit(boom)
    pool.submit(done.set)
    assert done.wait(5)  # the same (only) thread went on to the next piece of work
    assert pool.most_threads == 1
