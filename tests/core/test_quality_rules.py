"""Pure quality rules: validation rules, settings changes, gold comparison and mixing, worker figures."""

from __future__ import annotations

from typing import Any

import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.core.quality.gold import coerce_gold, same_answer, wants_gold
from labelworks.core.quality.rules import check_rules, parse_rules, resolve
from labelworks.core.quality.settings import QualitySettings, apply_changes
from labelworks.core.quality.workers import WorkerAnswer, qualification_failure, worker_stats

BOXES = {"boundingBoxes": [{"label": "car", "left": 10, "top": 20, "width": 100, "height": 50},
                           {"label": "", "left": 600, "top": 400, "width": 40, "height": 90}],
         "inputImageProperties": {"width": 640, "height": 480}}


def _fails(rules: list[dict[str, Any]], value: Any) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        check_rules(parse_rules(rules), value)
    return info.value


def test_required_names_the_rule_and_the_field() -> None:
    check_rules(parse_rules([{"rule": "required", "path": "label"}]), {"label": "cat"})
    err = _fails([{"rule": "required", "path": "label"}], {"label": "  "})
    assert err.field == "value.label" and "rule required" in err.message and "missing or empty" in err.message
    err = _fails([{"rule": "required", "path": "boundingBoxes.*.label"}], BOXES)
    assert err.field == "value.boundingBoxes[1].label"
    assert _fails([{"rule": "required", "path": "meta.note"}], {"meta": {}}).field == "value.meta.note"


def test_box_inside_image() -> None:
    err = _fails([{"rule": "box_inside_image"}], BOXES)
    assert err.field == "value.boundingBoxes[1]"
    assert "past the image height 480" in err.message and "box_inside_image" in err.message
    inside = {**BOXES, "boundingBoxes": BOXES["boundingBoxes"][:1]}
    check_rules(parse_rules([{"rule": "box_inside_image"}]), inside)
    left = {**BOXES, "boundingBoxes": [{"x": -3, "y": 0, "width": 5, "height": 5}]}
    assert "starts outside the image" in _fails([{"rule": "box_inside_image"}], left).message
    no_size = {"boundingBoxes": []}
    err = _fails([{"rule": "box_inside_image"}], no_size)
    assert err.field == "value.inputImageProperties" and "width and height" in err.message


def test_min_text_length_and_max_labels() -> None:
    rules = [{"rule": "min_text_length", "path": "text", "min": 5}]
    check_rules(parse_rules(rules), {"text": "hello"})
    err = _fails(rules, {"text": " hi "})
    assert err.field == "value.text" and "has 2 characters, at least 5 needed" in err.message
    assert _fails(rules, {}).field == "value.text"
    rules = [{"rule": "max_labels", "max": 2}]
    check_rules(parse_rules(rules), {"labels": ["a", "b"]})
    assert "has 3 entries, at most 2" in _fails(rules, {"labels": ["a", "b", "c"]}).message


@pytest.mark.parametrize(("rules", "field"), [
    ("nope", "rules"),
    ([{"rule": "shout"}], "rules[0].rule"),
    ([{"rule": "required"}], "rules[0].path"),
    ([{"rule": "required", "path": "a..b"}], "rules[0].path"),
    ([{"rule": "min_text_length", "path": "t"}], "rules[0].min"),
    ([{"rule": "min_text_length", "path": "t", "min": 0}], "rules[0].min"),
    ([{"rule": "required", "path": "t"}, {"rule": "max_labels", "max": 2, "min": 1}], "rules[1].min"),
])
def test_bad_rules_name_their_field(rules: Any, field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_rules(rules)
    assert info.value.field == field


def test_rules_round_trip_and_resolve() -> None:
    doc = [{"rule": "required", "path": "label"}, {"rule": "min_text_length", "path": "text", "min": 3},
           {"rule": "max_labels", "path": "labels", "max": 2},
           {"rule": "box_inside_image", "path": "boundingBoxes", "image": "inputImageProperties"}]
    assert [r.as_dict() for r in parse_rules(doc)] == doc
    assert [p for p, _ in resolve(BOXES, "boundingBoxes.0.label")] == ["value.boundingBoxes[0].label"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"gold_rate": 1.5}, "gold_rate"), ({"gold_rate": "x"}, "gold_rate"), ({"min_gold_answers": 2.5}, "min_gold_answers"),
    ({"initial_workers": 0}, "initial_workers"), ({"max_workers": 10}, "max_workers"),
    ({"initial_workers": 4, "max_workers": 3}, "initial_workers"), ({"routing": "yes"}, "routing"),
    ({"gold_key": "a b"}, "gold_key"), ({"colour": 1}, "colour"), ({"min_seconds": -1}, "min_seconds"),
    ({"confidence_threshold": float("nan")}, "confidence_threshold"),
])
def test_settings_changes_are_checked(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        apply_changes(QualitySettings(), changes)
    assert info.value.field == field


def test_settings_apply() -> None:
    s = apply_changes(QualitySettings(), {"gold_rate": 0.1, "routing": True, "initial_workers": 2, "max_workers": 5,
                                          "rules": [{"rule": "required", "path": "label"}]})
    assert (s.gold_rate, s.routing, s.initial_workers, s.max_workers) == (0.1, True, 2, 5)
    assert s.as_dict()["rules"] == [{"rule": "required", "path": "label"}]
    assert not s.qualification_on and apply_changes(s, {"min_gold_answers": 3, "min_gold_accuracy": .7}).qualification_on


def test_gold_values_and_comparison() -> None:
    assert coerce_gold("cat", "gold") == {"label": "cat"}
    assert coerce_gold(["a", "b"], "gold") == {"labels": ["a", "b"]}
    with pytest.raises(ValidationFailed) as info:
        coerce_gold(3, "gold")
    assert info.value.field == "gold"
    assert same_answer("label", {"label": "a"}, {"label": "a"})
    assert not same_answer("labels", {"labels": ["a"]}, {"labels": ["a", "b"]})
    # structured kinds use the similarity when one is given
    assert same_answer("boxes", {"b": 1}, {"b": 2}, lambda kind, a, b: 0.8)
    assert not same_answer("boxes", {"b": 1}, {"b": 2}, lambda kind, a, b: 0.2)


def test_wants_gold_is_deterministic_and_near_its_rate() -> None:
    assert [wants_gold(7, i, 0.3) for i in range(50)] == [wants_gold(7, i, 0.3) for i in range(50)]
    share = sum(wants_gold(u, i, 0.1) for u in range(20) for i in range(500)) / 10_000
    assert 0.09 < share < 0.11
    assert not wants_gold(1, 0, 0.0) and wants_gold(1, 0, 1.0)
    assert [wants_gold(1, i, .5) for i in range(40)] != [wants_gold(2, i, .5) for i in range(40)]


def test_worker_stats_and_flags() -> None:
    settings = QualitySettings(min_seconds=2.0, one_label_min_answers=4, one_label_share=0.95)
    answers = [WorkerAnswer(i, {"label": "cat"}, ms) for i, ms in enumerate([500, 800, 3000, 4000, 5000])]
    gold = {0: {"label": "cat"}, 1: {"label": "dog"}}
    consensus = {2: {"label": "cat"}, 3: {"label": "dog"}}
    st = worker_stats(9, answers, kind="label", settings=settings, gold=gold, consensus=consensus)
    assert (st.answers, st.gold_answered, st.gold_correct, st.gold_accuracy) == (5, 2, 1, 0.5)
    assert (st.agreement, st.agreement_items) == (0.5, 2)
    assert st.median_active_ms == 3000 and st.too_fast == 2 and st.too_fast_share == 0.4
    assert st.top_value == "cat" and st.top_share == 1.0
    assert st.flags == ("2 answers faster than 2 s", "one label for everything: cat in 100% of 5 answers")
    mixed = [WorkerAnswer(i, {"label": "cat" if i % 2 else "dog"}, None) for i in range(10)]
    st = worker_stats(9, mixed, kind="label", settings=settings, gold={}, consensus={})
    assert st.flags == () and st.gold_accuracy is None and st.agreement is None and st.median_active_ms is None


def test_qualification() -> None:
    s = QualitySettings(min_gold_answers=5, min_gold_accuracy=0.7)
    assert qualification_failure(4, 0, s) is None
    assert qualification_failure(5, 4, s) is None
    assert qualification_failure(5, 2, s) == \
        "paused from this project: gold accuracy 0.40 below 0.70 after 5 gold items"
    assert qualification_failure(50, 0, QualitySettings()) is None
