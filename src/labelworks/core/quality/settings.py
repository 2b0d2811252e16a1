"""A project's quality settings: defaults, and validation of a change (errors name the field)."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from ..errors import ValidationFailed
from .rules import Rule, parse_rules, rules_document

__all__ = ["QualitySettings", "apply_changes", "MAX_WORKERS"]

MAX_WORKERS = 9  # the same bound as a project's workers per item


@dataclass(frozen=True)
class QualitySettings:
    gold_rate: float = 0.0  # share of next-task answers that serve a gold item (0: none)
    gold_key: str = "gold"  # the key of an imported line that holds a gold answer
    min_gold_answers: int = 0  # qualification: judged after this many gold answers (0: off)
    min_gold_accuracy: float = 0.0  # …and paused below this accuracy
    min_seconds: float = 0.0  # answers faster than this are flagged (0: off)
    one_label_min_answers: int = 10  # "one label for everything" needs at least this many answers
    one_label_share: float = 0.95  # …and one value in at least this share of them
    routing: bool = False  # adaptive routing: start at initial_workers, add one while unsure
    initial_workers: int = 1
    max_workers: int = 3
    confidence_threshold: float = 0.7
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    @property
    def qualification_on(self) -> bool:
        return self.min_gold_answers > 0 and self.min_gold_accuracy > 0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["rules"] = rules_document(self.rules)
        return out


_FLOATS_01 = ("gold_rate", "min_gold_accuracy", "one_label_share", "confidence_threshold")


def _number(name: str, value: Any, *, integer: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not float(value).is_integer()):
        raise ValidationFailed(f"{name} must be {'a whole number' if integer else 'a number'}", field=name)
    if not math.isfinite(float(value)):
        raise ValidationFailed(f"{name} must be a finite number", field=name)
    return float(value)


def apply_changes(current: QualitySettings, changes: dict[str, Any]) -> QualitySettings:
    """``current`` with ``changes`` applied, every value checked; unknown keys are refused."""
    known = {f.name for f in fields(QualitySettings)}
    for key in changes:
        if key not in known:
            raise ValidationFailed(f"unknown quality setting {key!r}", field=key)
    values: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "rules":
            values["rules"] = tuple(parse_rules(value))
        elif key == "routing":
            if not isinstance(value, bool):
                raise ValidationFailed("routing is true or false", field=key)
            values[key] = value
        elif key == "gold_key":
            if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_.:-]{1,120}", value):
                raise ValidationFailed("gold_key is 1 to 120 letters, digits, '_', '-', '.' or ':'", field=key)
            values[key] = value
        elif key in _FLOATS_01:
            number = _number(key, value, integer=False)
            if not 0.0 <= number <= 1.0:
                raise ValidationFailed(f"{key} must be between 0 and 1", field=key)
            values[key] = number
        elif key == "min_seconds":
            number = _number(key, value, integer=False)
            if not 0.0 <= number <= 3600.0:
                raise ValidationFailed("min_seconds must be between 0 and 3600", field=key)
            values[key] = number
        else:  # the whole numbers
            number = _number(key, value, integer=True)
            low, high = (1, MAX_WORKERS) if key in ("initial_workers", "max_workers") else (0, 100_000)
            if not low <= number <= high:
                raise ValidationFailed(f"{key} must be between {low} and {high}", field=key)
            values[key] = int(number)
    merged = replace(current, **values)
    if merged.initial_workers > merged.max_workers:
        field_name = "initial_workers" if "initial_workers" in changes else "max_workers"
        raise ValidationFailed(f"initial_workers ({merged.initial_workers}) cannot exceed max_workers "
                               f"({merged.max_workers})", field=field_name)
    return merged
