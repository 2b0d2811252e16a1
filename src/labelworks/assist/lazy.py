"""A model loaded on first use, once per process, and used by one thread at a time.

mediapipe's graphs and RapidOCR's sessions keep per-call state, so a model is held under its lock
for the whole call; two threads asking at once wait for each other rather than corrupt a result.
The first call pays the loading time, recorded in ``load_seconds`` (the benchmark reports it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

from ..core.errors import Conflict

__all__ = ["LazyModel", "ModelUnavailable"]

T = TypeVar("T")


class ModelUnavailable(Conflict):
    """The package that provides a model is not installed (the ``assist-models`` extra): the
    server's state, not the request, is at fault, so a 409 that says what to install."""


class LazyModel(Generic[T]):
    def __init__(self, build: Callable[[], T], package: str) -> None:
        self._build = build
        self._package = package
        self._lock = threading.Lock()
        self._model: T | None = None
        self.load_seconds: float | None = None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @contextmanager
    def use(self) -> Iterator[T]:
        with self._lock:
            if self._model is None:
                started = time.perf_counter()
                try:
                    self._model = self._build()
                except ImportError as exc:
                    raise ModelUnavailable(f"this assist needs the {self._package} package "
                                           f"(pip install 'labelworks[assist-models]'): {exc}",
                                           field="assist") from None
                self.load_seconds = time.perf_counter() - started
            yield self._model
