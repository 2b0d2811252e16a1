"""The consolidator contract: every algorithm, built-in or from a plugin, fulfils it.

A consolidator turns the workers' answers into one answer per item with a confidence in [0, 1].
It works on plain values only (no database): the quality service reads the answers, calls the
consolidator and stores what it returns together with ``method`` and ``params``.

Two ways to run, so that consolidation can follow annotations as they arrive:

* :meth:`Consolidator.fit` sees every answer of the project (Dawid-Skene and the other worker
  models need them all) and returns a :class:`Fit`: one :class:`Consolidated` per item plus the
  fitted ``state`` (JSON-safe: class prior, confusion matrices, worker skills…).
* :meth:`Consolidator.update` sees the answers of a few items only and the ``state`` of the last
  fit, and re-answers just those items (an E-step for the worker models; for per-item algorithms
  it is the same computation as ``fit``). Workers the state does not know get the mean worker.

Conventions every implementation keeps:

* a single answer gives confidence 0.00 (Ground Truth does the same);
* the result does not depend on the order of the answers or on how labels are named;
* ties are broken reproducibly (the order of the project's labels, then the value itself);
* ``gold`` fixes the answer of known items (gold-anchored variants) and, where the model has
  worker parameters, lets the gold items inform them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..tasktypes.base import ProjectSpec
from .majority import Consolidated

__all__ = ["Answer", "Consolidated", "Consolidator", "Fit"]


@dataclass(frozen=True)
class Answer:
    """One worker's latest answer to one item, as the task type's canonical value."""

    item: str
    worker: str
    value: Mapping[str, Any]
    # seconds the worker spent, when known (some algorithms and quality checks use it)
    seconds: float | None = None


@dataclass
class Fit:
    """What one run returns: answers per item, worker estimates, and the state to update from."""

    method: str
    params: dict[str, Any]
    results: dict[str, Consolidated]
    # estimated probability that each worker answers correctly (agreement for geometric types)
    worker_quality: dict[str, float] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    iterations: int = 0


class Consolidator(ABC):
    """One consolidation algorithm for one or more shapes of canonical value.

    ``value_kinds`` names the shapes it reads: ``label`` (single choice), ``labels`` (multi),
    ``boxes``, ``polygons``, ``mask``, ``keypoints``, ``spans``, ``ranking``, ``pairwise``,
    ``rating``, ``text``. A task type picks its default consolidator by name; a project may pick
    any registered consolidator whose kinds include the task type's value kind.
    """

    name: str  # kebab-case and stable: it is stored beside every consolidated answer
    title: str
    value_kinds: frozenset[str]
    defaults: Mapping[str, Any] = {}
    # True when the algorithm fits worker parameters over the whole project: update() then needs
    # the state of a full fit, and the service refits it now and then as answers arrive
    worker_model: bool = False

    def params(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The defaults with a project's overrides applied (unknown keys are refused)."""
        merged = dict(self.defaults)
        for key, value in (overrides or {}).items():
            if key not in merged:
                known = ", ".join(sorted(merged)) or "none"
                raise KeyError(f"{self.name} has no parameter {key!r} (known: {known})")
            merged[key] = value
        return merged

    @abstractmethod
    def fit(
        self,
        answers: Sequence[Answer],
        spec: ProjectSpec,
        params: Mapping[str, Any],
        gold: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Fit:
        """Answer every item that has answers, from all of the project's answers."""

    def update(
        self,
        answers: Sequence[Answer],
        spec: ProjectSpec,
        params: Mapping[str, Any],
        state: Mapping[str, Any],
        gold: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> dict[str, Consolidated]:
        """Re-answer the items in ``answers`` using a previous fit's ``state``.

        The default refits on the given answers alone, which is exact for algorithms that look
        at one item at a time; worker-model algorithms override it with an E-step.
        """
        return self.fit(answers, spec, params, gold).results
