"""The bounding-box task type: accepted submissions, field-named errors, consensus, output manifest."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelworks.core.consolidation.majority import Consolidated
from labelworks.core.errors import ValidationFailed
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.bounding_box import BOUNDING_BOX, PRE_ANNOTATIONS_KEY

SPEC = ProjectSpec(labels=parse_label_config(["car", "person", "bike"]), job_name="street", label_attribute="bb")
PROPS = {"width": 640, "height": 480}
CAR = {"label": "car", "left": 10, "top": 20, "width": 100, "height": 50}
PERSON = {"label": "person", "left": 300.5, "top": 40.25, "width": 60, "height": 200}


def test_identity() -> None:
    assert BOUNDING_BOX.name == "bounding-box" and BOUNDING_BOX.title == "Bounding boxes"
    assert BOUNDING_BOX.media == "image" and BOUNDING_BOX.default_consolidator == "box-iou-consensus"
    assert BOUNDING_BOX.value_kind(SPEC) == "boxes" and not BOUNDING_BOX.supports_multi_label


@pytest.mark.parametrize("value", [
    {"boxes": {"boundingBoxes": [CAR, PERSON], "inputImageProperties": PROPS}},  # the form output
    {"annotatedResult": {"boundingBoxes": [CAR, PERSON], "inputImageProperties": PROPS}},  # any element name
    {"boundingBoxes": [CAR, PERSON], "inputImageProperties": PROPS},  # bare
    {"boxes": [CAR, PERSON], "inputImageProperties": PROPS},  # canonical already
])
def test_normalize_accepts_the_element_output(value: Any) -> None:
    assert BOUNDING_BOX.normalize(value, SPEC) == {"boxes": [CAR, PERSON], "inputImageProperties": PROPS}


def test_normalize_without_image_size_and_with_no_boxes() -> None:
    assert BOUNDING_BOX.normalize({"boundingBoxes": [CAR]}, SPEC) == {"boxes": [CAR]}
    assert BOUNDING_BOX.normalize({"b": {"boundingBoxes": [], "inputImageProperties": PROPS}}, SPEC) == {
        "boxes": [], "inputImageProperties": PROPS}


def test_a_zero_image_size_is_unknown() -> None:
    # the element posts 0 x 0 until its image has loaded
    zero = {"width": 0, "height": 0}
    assert BOUNDING_BOX.normalize({"boundingBoxes": [CAR], "inputImageProperties": zero}, SPEC) == {"boxes": [CAR]}


def test_whole_floats_become_ints_and_extra_keys_are_dropped() -> None:
    raw = {"label": "car", "left": 10.0, "top": 20.0, "width": 100.0, "height": 50.5, "id": "x1"}
    out = BOUNDING_BOX.normalize({"boundingBoxes": [raw]}, SPEC)["boxes"][0]
    assert out == {"label": "car", "left": 10, "top": 20, "width": 100, "height": 50.5}
    assert isinstance(out["left"], int)


def test_box_touching_the_edges_is_inside() -> None:
    edge = {"label": "bike", "left": 0, "top": 0, "width": 640, "height": 480}
    assert BOUNDING_BOX.normalize({"boundingBoxes": [edge], "inputImageProperties": PROPS}, SPEC)["boxes"] == [edge]


def _with(i: int, **change: Any) -> dict[str, Any]:
    boxes = [dict(CAR), dict(PERSON), dict(CAR)]
    boxes[i].update(change)
    return {"boxes": {"boundingBoxes": boxes, "inputImageProperties": PROPS}}


@pytest.mark.parametrize(("value", "field"), [
    ("boxes", "value"),
    ({}, "value.boundingBoxes"),
    ({"boxes": {"labels": []}}, "value.boundingBoxes"),
    ({"boundingBoxes": {"label": "car"}}, "value.boundingBoxes"),
    ({"boundingBoxes": ["car"]}, "value.boundingBoxes[0]"),
    (_with(2, label="truck"), "value.boxes.boundingBoxes[2].label"),
    (_with(2, label=""), "value.boxes.boundingBoxes[2].label"),
    (_with(1, label=None), "value.boxes.boundingBoxes[1].label"),
    (_with(2, width=0), "value.boxes.boundingBoxes[2].width"),
    (_with(2, width=-3), "value.boxes.boundingBoxes[2].width"),
    (_with(0, height=0.0), "value.boxes.boundingBoxes[0].height"),
    (_with(1, left="10"), "value.boxes.boundingBoxes[1].left"),
    (_with(1, top=True), "value.boxes.boundingBoxes[1].top"),
    (_with(1, top=float("nan")), "value.boxes.boundingBoxes[1].top"),
    (_with(1, width=float("inf")), "value.boxes.boundingBoxes[1].width"),
    (_with(0, left=-1), "value.boxes.boundingBoxes[0].left"),
    (_with(2, left=600), "value.boxes.boundingBoxes[2].width"),  # 600 + 100 > 640
    (_with(1, top=300), "value.boxes.boundingBoxes[1].height"),  # 300 + 200 > 480
    ({"boundingBoxes": [], "inputImageProperties": {"width": 0, "height": 5}}, "value.inputImageProperties.width"),
    ({"boundingBoxes": [], "inputImageProperties": {"width": 5}}, "value.inputImageProperties.height"),
    ({"boundingBoxes": [], "inputImageProperties": [640, 480]}, "value.inputImageProperties"),
])
def test_errors_name_the_field(value: Any, field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        BOUNDING_BOX.normalize(value, SPEC)
    assert info.value.field == field


def test_too_many_boxes_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="at most"):
        BOUNDING_BOX.normalize({"boundingBoxes": [CAR] * 20_001}, SPEC)


def test_default_template_passes_source_labels_and_pre_annotations() -> None:
    template = BOUNDING_BOX.default_template(SPEC)
    assert "<lw-form>" in template and '<lw-bounding-box name="boxes"' in template
    assert "task.input.source-ref" in template and "grant_read_access" in template
    assert "labels | to_json" in template
    assert f"task.input.{PRE_ANNOTATIONS_KEY} | to_json" in template


def test_consolidate_three_workers_agrees_with_the_registered_consolidator() -> None:
    a = BOUNDING_BOX.normalize({"boundingBoxes": [CAR, PERSON], "inputImageProperties": PROPS}, SPEC)
    b = BOUNDING_BOX.normalize({"boundingBoxes": [{**CAR, "left": 12}], "inputImageProperties": PROPS}, SPEC)
    c = BOUNDING_BOX.normalize({"boundingBoxes": [{**CAR, "left": 14}, PERSON], "inputImageProperties": PROPS}, SPEC)
    answer = BOUNDING_BOX.consolidate([a, b, c], SPEC)
    assert answer is not None and answer.method == "box-iou-consensus" and answer.votes == 3
    value: Any = answer.value
    assert value["inputImageProperties"] == PROPS
    assert [bx["label"] for bx in value["boxes"]] == ["car", "person"]
    assert value["boxes"][0]["left"] == 12 and value["boxes"][1] == PERSON
    assert len(answer.object_confidence) == 2
    assert BOUNDING_BOX.consolidate([], SPEC) is None


def test_output_fields_are_ground_truth_object_detection() -> None:
    answer = Consolidated(
        value={"boxes": [PERSON, {**CAR, "label": "bike"}], "inputImageProperties": PROPS},
        confidence=0.8, votes=3, method="box-iou-consensus", object_confidence=(0.912, 0.5),
    )
    out = BOUNDING_BOX.output_fields(answer, SPEC, "2026-11-24T21:00:00.000000")
    assert out["bb"] == {
        "annotations": [
            {"class_id": 1, "left": 300.5, "top": 40.25, "width": 60, "height": 200},
            {"class_id": 2, "left": 10, "top": 20, "width": 100, "height": 50},
        ],
        "image_size": [{"width": 640, "height": 480, "depth": 3}],
    }
    assert out["bb-metadata"] == {
        "objects": [{"confidence": 0.91}, {"confidence": 0.5}],
        "class-map": {"1": "person", "2": "bike"},
        "type": "groundtruth/object-detection",
        "human-annotated": "yes",
        "creation-date": "2026-11-24T21:00:00.000000",
        "job-name": "labeling-job/street",
    }


def test_output_fields_of_an_empty_answer_without_image_size() -> None:
    answer = Consolidated(value={"boxes": []}, confidence=1.0, votes=3, method="box-iou-consensus")
    out = BOUNDING_BOX.output_fields(answer, SPEC, "t")
    assert out["bb"] == {"annotations": []}
    assert out["bb-metadata"]["objects"] == [] and out["bb-metadata"]["class-map"] == {}


_coord = st.one_of(st.integers(0, 300), st.floats(0, 300, allow_nan=False, allow_infinity=False))
_size = st.one_of(st.integers(1, 300), st.floats(0.01, 300, allow_nan=False, allow_infinity=False))
_boxes = st.lists(st.fixed_dictionaries({"label": st.sampled_from(SPEC.labels.labels), "left": _coord, "top": _coord,
                                         "width": _size, "height": _size}), max_size=8)


@settings(max_examples=60, deadline=None)
@given(st.lists(_boxes, min_size=1, max_size=4))
def test_normalize_is_idempotent_and_consensus_is_a_valid_answer(answers: list[list[dict[str, Any]]]) -> None:
    big = {"width": 1000, "height": 1000}  # every generated box fits
    values = [BOUNDING_BOX.normalize({"boxes": {"boundingBoxes": b, "inputImageProperties": big}}, SPEC)
              for b in answers]
    for value in values:
        assert BOUNDING_BOX.normalize(value, SPEC) == value
    answer = BOUNDING_BOX.consolidate(values, SPEC)
    assert answer is not None
    # the consensus can be loaded as an initial value and submitted again (adjustment chaining)
    consensus: Any = answer.value
    kept = [b for b in consensus["boxes"] if b["width"] > 0 and b["height"] > 0]
    assert BOUNDING_BOX.normalize({**consensus, "boxes": kept}, SPEC)["boxes"] == kept
    out = BOUNDING_BOX.output_fields(answer, SPEC, "t")
    assert len(out["bb"]["annotations"]) == len(out["bb-metadata"]["objects"]) == len(consensus["boxes"])
