"""Classification task types: what a submission may look like, and its canonical value."""

from __future__ import annotations

from typing import Any

import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes import IMAGE_CLASSIFICATION, TEXT_CLASSIFICATION
from labelworks.core.tasktypes.base import ProjectSpec

SINGLE = ProjectSpec(labels=parse_label_config(["cat", "dog", "bird"]))
MULTI = ProjectSpec(labels=parse_label_config(["cat", "dog", "bird"]), multi_label=True)
TYPES = [TEXT_CLASSIFICATION, IMAGE_CLASSIFICATION]


@pytest.mark.parametrize("tt", TYPES, ids=lambda t: t.name)
@pytest.mark.parametrize(("value", "expected"), [
    ({"label": "dog"}, {"label": "dog"}),
    ({"category": {"label": "dog"}}, {"label": "dog"}),  # the form output, keyed by the element's name
    ({"labels": ["bird"]}, {"label": "bird"}),  # one label sent as a list
    ({"category": {"labels": ["cat"]}}, {"label": "cat"}),
])
def test_single_label_normalize(tt: Any, value: Any, expected: dict[str, Any]) -> None:
    assert tt.normalize(value, SINGLE) == expected


@pytest.mark.parametrize("tt", TYPES, ids=lambda t: t.name)
@pytest.mark.parametrize(("value", "expected"), [
    ({"labels": ["bird", "cat"]}, {"labels": ["cat", "bird"]}),  # canonical: the project's label order
    ({"category": {"labels": ["dog"]}}, {"labels": ["dog"]}),
    ({"category": {"labels": []}}, {"labels": []}),
    ({"label": "dog"}, {"labels": ["dog"]}),
    ({"category": {"label": "bird"}}, {"labels": ["bird"]}),
])
def test_multi_label_normalize(tt: Any, value: Any, expected: dict[str, Any]) -> None:
    assert tt.normalize(value, MULTI) == expected


@pytest.mark.parametrize(("value", "spec", "field"), [
    ("dog", SINGLE, "value"),
    (["dog"], SINGLE, "value"),
    ({}, SINGLE, "value.label"),
    ({"a": 1, "b": 2}, SINGLE, "value.label"),
    ({"label": "fish"}, SINGLE, "value.label"),
    ({"label": ""}, SINGLE, "value.label"),
    ({"category": {"label": "fish"}}, SINGLE, "value.category.label"),
    ({"category": {}}, SINGLE, "value.category.label"),
    ({"category": {"labels": ["cat", "dog"]}}, SINGLE, "value.category.label"),
    ({"labels": ["cat", "fish"]}, MULTI, "value.labels[1]"),
    ({"category": {"labels": ["fish"]}}, MULTI, "value.category.labels[0]"),
    ({"category": {"labels": "cat"}}, MULTI, "value.category.labels"),
    ({"category": {"labels": [1]}}, MULTI, "value.category.labels"),
    ({"labels": ["cat", "cat"]}, MULTI, "value.labels"),
])
def test_errors_name_the_field_path(value: Any, spec: ProjectSpec, field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        TEXT_CLASSIFICATION.normalize(value, spec)
    assert info.value.field == field


def test_default_templates_follow_multi_label() -> None:
    assert "<lw-classifier " in TEXT_CLASSIFICATION.default_template(SINGLE)
    assert "<lw-classifier-multi-select " in TEXT_CLASSIFICATION.default_template(MULTI)
    assert "<lw-image-classifier-multi-select " in IMAGE_CLASSIFICATION.default_template(MULTI)
    assert "grant_read_access" in IMAGE_CLASSIFICATION.default_template(SINGLE)


def test_consolidate_uses_the_latest_values() -> None:
    answer = TEXT_CLASSIFICATION.consolidate([{"label": "dog"}, {"label": "dog"}, {"label": "cat"}], SINGLE)
    assert answer is not None and answer.value == {"label": "dog"} and answer.confidence == 0.67
    assert TEXT_CLASSIFICATION.consolidate([], SINGLE) is None
    multi = TEXT_CLASSIFICATION.consolidate([{"labels": ["cat"]}, {"labels": ["cat", "dog"]}], MULTI)
    assert multi is not None and multi.value == {"labels": ["cat"]}
