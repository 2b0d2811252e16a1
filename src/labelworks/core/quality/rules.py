"""Machine validation rules: checks a submission must pass before it is stored.

A project keeps a list of rules (JSON). Each names a key path in the canonical value: dotted
keys, a number indexes a list, ``*`` means every element of a list (``boxes.*.label``).

    {"rule": "required", "path": "label"}                       present and not empty
    {"rule": "min_text_length", "path": "text", "min": 20}      a string at least this long
    {"rule": "max_labels", "path": "labels", "max": 3}          a list of at most this many
    {"rule": "box_inside_image", "path": "boundingBoxes",       every box (left/top/width/height,
     "image": "inputImageProperties"}                           or x/y) inside width × height

A broken rule raises ``ValidationFailed`` naming the rule and the field (``value.text``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationFailed

__all__ = ["Rule", "RULE_KINDS", "parse_rules", "rules_document", "check_rules", "resolve"]

RULE_KINDS = ("required", "min_text_length", "max_labels", "box_inside_image")
MAX_RULES = 50
_MISSING = object()
_EPS = 1e-6  # float rounding in a widget's coordinates is not a box outside the image


@dataclass(frozen=True)
class Rule:
    kind: str
    path: str
    limit: int = 0  # min (min_text_length) or max (max_labels)
    image: str = "inputImageProperties"  # box_inside_image: where the image's width and height are

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.kind, "path": self.path}
        if self.kind == "min_text_length":
            out["min"] = self.limit
        elif self.kind == "max_labels":
            out["max"] = self.limit
        elif self.kind == "box_inside_image":
            out["image"] = self.image
        return out

    def describe(self) -> str:
        if self.kind == "required":
            return f"{self.path} is required"
        if self.kind == "min_text_length":
            return f"{self.path} has at least {self.limit} characters"
        if self.kind == "max_labels":
            return f"{self.path} has at most {self.limit} entries"
        return f"every box in {self.path} lies inside the image ({self.image})"


def rules_document(rules: Sequence[Rule]) -> list[dict[str, Any]]:
    return [r.as_dict() for r in rules]


def _check_path(path: Any, field: str) -> str:
    if not isinstance(path, str) or not path.strip():
        raise ValidationFailed("a rule needs a key path such as 'label' or 'boxes.*.label'", field=field)
    parts = path.strip().split(".")
    if any(not p for p in parts) or len(path) > 200:
        raise ValidationFailed(f"{path!r} is not a key path (dotted keys, '*' for every list element)", field=field)
    return path.strip()


def _limit(raw: Mapping[str, Any], key: str, field: str, low: int) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 1_000_000:
        raise ValidationFailed(f"{key} must be a whole number from {low}", field=field)
    return value


def parse_rules(raw: Any) -> list[Rule]:
    """The rules of a settings change; errors name the rule's field (``rules[1].min``)."""
    if not isinstance(raw, list):
        raise ValidationFailed("rules must be a list", field="rules")
    if len(raw) > MAX_RULES:
        raise ValidationFailed(f"at most {MAX_RULES} rules", field="rules")
    out: list[Rule] = []
    for i, item in enumerate(raw):
        at = f"rules[{i}]"
        if not isinstance(item, dict):
            raise ValidationFailed("a rule is an object with 'rule' and 'path'", field=at)
        kind = item.get("rule")
        if kind not in RULE_KINDS:
            raise ValidationFailed(f"unknown rule {kind!r}; one of {', '.join(RULE_KINDS)}", field=f"{at}.rule")
        allowed = {"rule", "path"} | {"min_text_length": {"min"}, "max_labels": {"max"},
                                      "box_inside_image": {"image"}}.get(kind, set())
        extra = sorted(set(item) - allowed)
        if extra:
            raise ValidationFailed(f"the {kind} rule has no {extra[0]!r}", field=f"{at}.{extra[0]}")
        default_path = {"max_labels": "labels", "box_inside_image": "boundingBoxes"}.get(kind)
        path = _check_path(item.get("path", default_path), f"{at}.path")
        if kind == "min_text_length":
            out.append(Rule(kind, path, _limit(item, "min", f"{at}.min", 1)))
        elif kind == "max_labels":
            out.append(Rule(kind, path, _limit(item, "max", f"{at}.max", 1)))
        elif kind == "box_inside_image":
            out.append(Rule(kind, path, image=_check_path(item.get("image", "inputImageProperties"), f"{at}.image")))
        else:
            out.append(Rule(kind, path))
    return out


def resolve(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every (concrete path, value) the path reaches; a missing step yields the ``_MISSING`` marker."""

    def walk(node: Any, parts: list[str], done: str) -> Iterator[tuple[str, Any]]:
        if not parts:
            yield done, node
            return
        head, rest = parts[0], parts[1:]
        if head == "*":
            if not isinstance(node, list):
                yield done, _MISSING
                return
            for i, child in enumerate(node):
                yield from walk(child, rest, f"{done}[{i}]")
            return
        if isinstance(node, list) and head.isdigit():
            index = int(head)
            yield from walk(node[index] if index < len(node) else _MISSING, rest, f"{done}[{index}]")
            return
        if isinstance(node, Mapping) and head in node:
            yield from walk(node[head], rest, f"{done}.{head}")
            return
        yield f"{done}.{head}", _MISSING

    yield from walk(value, path.split("."), "value")


def _empty(v: Any) -> bool:
    return v is _MISSING or v is None or (isinstance(v, (str, list, dict)) and not (v.strip() if isinstance(v, str)
                                                                                      else v))


def _fail(rule: Rule, field: str, problem: str) -> ValidationFailed:
    return ValidationFailed(f"rule {rule.kind} ({rule.describe()}): {field} {problem}", field=field)


def _box_edges(box: Any) -> tuple[float, float, float, float] | None:
    if not isinstance(box, Mapping):
        return None
    left, top = box.get("left", box.get("x")), box.get("top", box.get("y"))
    width, height = box.get("width"), box.get("height")
    numbers = (left, top, width, height)
    if not all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in numbers):
        return None
    return float(left), float(top), float(width), float(height)  # type: ignore[arg-type]


def _check_boxes(rule: Rule, value: Any) -> None:
    size = next(resolve(value, rule.image))
    size_field, image = size
    width, height = (image.get("width"), image.get("height")) if isinstance(image, Mapping) else (None, None)
    if not all(isinstance(n, (int, float)) and not isinstance(n, bool) and n > 0 for n in (width, height)):
        raise _fail(rule, size_field, "needs the image's width and height to check the boxes against")
    for field, boxes in resolve(value, rule.path):
        if boxes is _MISSING:
            continue  # no boxes: nothing outside (a required rule asks for them)
        if not isinstance(boxes, list):
            raise _fail(rule, field, "is not a list of boxes")
        for i, box in enumerate(boxes):
            edges = _box_edges(box)
            at = f"{field}[{i}]"
            if edges is None:
                raise _fail(rule, at, "is not a box with left, top, width and height")
            left, top, w, h = edges
            if w < 0 or h < 0:
                raise _fail(rule, at, "has a negative width or height")
            if left < -_EPS or top < -_EPS:
                raise _fail(rule, at, f"starts outside the image (left {left:g}, top {top:g})")
            if left + w > float(width) + _EPS:  # type: ignore[arg-type]
                raise _fail(rule, at, f"reaches x = {left + w:g}, past the image width {width}")
            if top + h > float(height) + _EPS:  # type: ignore[arg-type]
                raise _fail(rule, at, f"reaches y = {top + h:g}, past the image height {height}")


def check_rules(rules: Sequence[Rule], value: Any) -> None:
    """Raise ``ValidationFailed`` for the first broken rule (the rule and the field in its message)."""
    for rule in rules:
        if rule.kind == "box_inside_image":
            _check_boxes(rule, value)
            continue
        for field, found in resolve(value, rule.path):
            if rule.kind == "required":
                if _empty(found):
                    raise _fail(rule, field, "is missing or empty")
            elif rule.kind == "min_text_length":
                if found is _MISSING or not isinstance(found, str):
                    raise _fail(rule, field, "is missing (a text is needed)")
                if len(found.strip()) < rule.limit:
                    raise _fail(rule, field, f"has {len(found.strip())} characters, at least {rule.limit} needed")
            elif rule.kind == "max_labels":
                if found is _MISSING:
                    continue
                count = len(found) if isinstance(found, (list, dict)) else 1
                if count > rule.limit:
                    raise _fail(rule, field, f"has {count} entries, at most {rule.limit} allowed")
