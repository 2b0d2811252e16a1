"""Label configurations: Ground Truth's label-category JSON, accepted as is, or a plain list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import ValidationFailed

__all__ = ["LabelConfig", "parse_label_config"]

GT_DOCUMENT_VERSIONS = {"2018-11-28", "2021-05-13"}
MAX_LABELS = 1000


@dataclass(frozen=True)
class LabelConfig:
    """The project's labels, in order, and the document they came from (kept verbatim)."""

    labels: tuple[str, ...]
    document: dict[str, Any] = field(default_factory=dict)

    def index(self, label: str) -> int:
        return self.labels.index(label)


def parse_label_config(value: Any) -> LabelConfig:
    """Accept ``["a", "b"]``, ``"a,b"`` or ``{"document-version": …, "labels": [{"label": "a"}]}``."""
    if isinstance(value, str):
        names = [part.strip() for part in value.split(",")]
        return _checked(names, {"labels": [{"label": n} for n in names]})
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise ValidationFailed("labels must be strings", field="labels")
        return _checked([v.strip() for v in value], {"labels": [{"label": v} for v in value]})
    if isinstance(value, dict):
        version = value.get("document-version")
        if version is not None and version not in GT_DOCUMENT_VERSIONS:
            raise ValidationFailed(
                f"unknown label-category document-version {version!r}",
                field="labels.document-version",
            )
        entries = value.get("labels")
        if not isinstance(entries, list):
            raise ValidationFailed("label-category JSON needs a 'labels' list", field="labels.labels")
        names = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("label"), str):
                raise ValidationFailed(
                    f"labels[{i}] needs a string 'label'", field=f"labels.labels[{i}].label"
                )
            names.append(entry["label"].strip())
        return _checked(names, value)
    raise ValidationFailed("labels must be a list, a comma-separated string or label-category JSON",
                           field="labels")


def _checked(names: list[str], document: dict[str, Any]) -> LabelConfig:
    if not names or any(not n for n in names):
        raise ValidationFailed("every label needs a non-empty name", field="labels")
    if len(names) > MAX_LABELS:
        raise ValidationFailed(f"at most {MAX_LABELS} labels", field="labels")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValidationFailed(f"label {name!r} appears twice", field="labels")
        seen.add(name)
    return LabelConfig(labels=tuple(names), document=document)
