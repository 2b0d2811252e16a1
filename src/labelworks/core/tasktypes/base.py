"""The task-type contract every built-in and plugin type fulfils."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..consolidation.majority import Consolidated
from ..labels import LabelConfig

__all__ = ["ProjectSpec", "TaskType"]


@dataclass(frozen=True)
class ProjectSpec:
    """What a task type needs to know about its project (plain values, no ORM)."""

    labels: LabelConfig
    multi_label: bool = False
    job_name: str = "labelworks"
    label_attribute: str = "label"


class TaskType(ABC):
    """One kind of labeling work. Subclasses are stateless; instances are registered once."""

    name: str  # kebab-case, as on the CLI: ``text-classification``
    title: str
    media: str  # what ``source`` / ``source-ref`` holds: "text" or "image"
    supports_multi_label: bool = False
    # the consolidation algorithm a new project gets (any registered one reading value_kind may be picked)
    default_consolidator: str = "majority-vote"
    # what the digit keys do in this task type's elements, for the labeling page's key list (and
    # whether it lists the labels at all); None: digits choose nothing (captions, chats, QA pairs)
    digit_keys: str | None = "choose a label"
    # keys the element handles when the project has a model connection ("Draft with model"), for
    # the labeling page's key list: (key, what it does)
    model_keys: tuple[tuple[str, str], ...] = ()

    def value_kind(self, spec: ProjectSpec) -> str:
        """The shape of one canonical value, as consolidators name it (``label``, ``boxes``…)."""
        return "label"

    @abstractmethod
    def default_template(self, spec: ProjectSpec) -> str:
        """The Liquid template used when the project brings none."""

    @abstractmethod
    def normalize(self, value: Any, spec: ProjectSpec) -> dict[str, Any]:
        """Validate one submission and return its canonical value (ValidationFailed names the field)."""

    # True when a submission is checked against the item's own data (label adjustment compares with
    # the earlier label): the annotation service then calls normalize_with_item
    reads_item_data: bool = False

    def normalize_with_item(self, value: Any, spec: ProjectSpec, data: Mapping[str, Any]) -> dict[str, Any]:
        """normalize() for a value submitted on an item whose data (``task.input``) is ``data``."""
        return self.normalize(value, spec)

    @abstractmethod
    def consolidate(self, values: Sequence[dict[str, Any]], spec: ProjectSpec) -> Consolidated | None:
        """The project's answer for one item from its canonical values (None when there are none)."""

    @abstractmethod
    def output_fields(self, answer: Consolidated, spec: ProjectSpec, created: str) -> dict[str, Any]:
        """The label attribute and its ``-metadata`` in Ground Truth's output-manifest shape."""

    def output_fields_with_item(self, answer: Consolidated, spec: ProjectSpec, created: str,
                                data: Mapping[str, Any]) -> dict[str, Any]:
        """output_fields() for an item whose data is ``data`` (entity offsets are written in the
        units Ground Truth counts, which depend on the item's text); the manifest writer calls this."""
        return self.output_fields(answer, spec, created)
