"""Label configurations: Ground Truth's label-category JSON as is, errors naming the field."""

from __future__ import annotations

import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.core.labels import parse_label_config

GT_DOCUMENT = {
    "document-version": "2018-11-28",
    "categoryGlobalAttributes": [{"name": "weather", "type": "string", "enum": ["sunny", "rain"]}],
    "labels": [{"label": "Cat"}, {"label": "Dog", "attributes": [{"name": "breed", "type": "string"}]}],
    "instructions": {"shortInstruction": "Pick one", "fullInstruction": "<p>Pick one</p>"},
}


def test_ground_truth_label_category_json_is_accepted_and_kept_verbatim() -> None:
    config = parse_label_config(GT_DOCUMENT)
    assert config.labels == ("Cat", "Dog")
    assert config.document == GT_DOCUMENT
    assert config.index("Dog") == 1


@pytest.mark.parametrize("version", ["2018-11-28", "2021-05-13", None])
def test_known_document_versions(version: str | None) -> None:
    doc = {"labels": [{"label": "a"}]} | ({"document-version": version} if version else {})
    assert parse_label_config(doc).labels == ("a",)


def test_plain_list_and_comma_string() -> None:
    assert parse_label_config(["a", " b "]).labels == ("a", "b")
    assert parse_label_config("a, b ,c").labels == ("a", "b", "c")
    assert parse_label_config("a,b").document == {"labels": [{"label": "a"}, {"label": "b"}]}


@pytest.mark.parametrize(("value", "field"), [
    ({"document-version": "1999-01-01", "labels": [{"label": "a"}]}, "labels.document-version"),
    ({"document-version": "2018-11-28"}, "labels.labels"),
    ({"labels": "a,b"}, "labels.labels"),
    ({"labels": [{"label": "a"}, {"name": "b"}]}, "labels.labels[1].label"),
    ({"labels": [{"label": "a"}, "b"]}, "labels.labels[1].label"),
    ({"labels": [{"label": 3}]}, "labels.labels[0].label"),
    (["a", 2], "labels"),
    ([], "labels"),
    ("", "labels"),
    ("a,,b", "labels"),
    (["a", "a"], "labels"),
    (["a", " a"], "labels"),
    ({"labels": [{"label": "a"}, {"label": "a"}]}, "labels"),
    (42, "labels"),
    (None, "labels"),
    ([f"l{i}" for i in range(1001)], "labels"),
])
def test_errors_name_the_field(value: object, field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_label_config(value)
    assert info.value.field == field
    assert info.value.http_status == 422


def test_a_thousand_labels_are_allowed() -> None:
    assert len(parse_label_config([f"l{i}" for i in range(1000)]).labels) == 1000
