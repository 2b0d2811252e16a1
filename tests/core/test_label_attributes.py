"""Label-category attributes (Ground Truth's categoryAttributes / categoryGlobalAttributes /
frameAttributes): parsing the project's file, checking each submission, writing the manifest."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.bounding_box import BOUNDING_BOX
from labelworks.core.tasktypes.keypoint import KEYPOINT
from labelworks.core.tasktypes.shapes import POLYGON
from labelworks.services.templates import render_task

DOCUMENT: dict[str, Any] = {
    "document-version": "2018-11-28",
    "labels": [
        {"label": "car", "categoryAttributes": [
            {"name": "occluded", "type": "string", "enum": ["no", "partly", "fully"], "isRequired": True},
            {"name": "plate", "type": "string", "description": "the number plate, if legible"},
        ]},
        {"label": "person"},
    ],
    "categoryGlobalAttributes": [{"name": "truncated", "type": "number", "minimum": 0, "maximum": 100}],
    "frameAttributes": [
        {"name": "weather", "type": "string", "enum": ["clear", "rain"], "description": "the scene", "isRequired": True},
        {"name": "people", "type": "number", "minimum": 0, "maximum": 50, "description": "how many"},
    ],
}
SPEC = ProjectSpec(labels=parse_label_config(DOCUMENT))
IMAGE = {"width": 100, "height": 80}


def _box(**extra: Any) -> dict[str, Any]:
    return {"label": "car", "left": 1, "top": 2, "width": 10, "height": 10, **extra}


def _answer(*boxes: dict[str, Any], frame: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"boundingBoxes": list(boxes), "inputImageProperties": IMAGE}
    body["frameAttributes"] = {"weather": "clear"} if frame is None else frame
    return {"boxes": body}


def _error(value: Any, spec: ProjectSpec = SPEC, task: Any = BOUNDING_BOX) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        task.normalize(value, spec)
    return info.value


def test_the_label_category_file_gives_each_label_its_own_then_the_global_attributes() -> None:
    labels = SPEC.labels
    assert [a.name for a in labels.attributes_for("car")] == ["occluded", "plate", "truncated"]
    assert [a.name for a in labels.attributes_for("person")] == ["truncated"]
    occluded = labels.attributes_for("car")[0]
    assert occluded.enum == ("no", "partly", "fully") and occluded.required
    truncated = labels.attributes_for("person")[0]
    assert (truncated.type, truncated.minimum, truncated.maximum) == ("number", 0, 100)
    assert [a.name for a in labels.frame_attributes] == ["weather", "people"]
    assert labels.has_attributes and not parse_label_config(["a", "b"]).has_attributes


@pytest.mark.parametrize(("change", "field"), [
    ({"frameAttributes": {"name": "x"}}, "labels.frameAttributes"),
    ({"frameAttributes": [{"name": "x", "type": "boolean"}]}, "labels.frameAttributes[0].type"),
    ({"frameAttributes": [{"type": "string"}]}, "labels.frameAttributes[0].name"),
    ({"frameAttributes": [{"name": "x", "type": "number", "enum": ["a"]}]}, "labels.frameAttributes[0].enum"),
    ({"frameAttributes": [{"name": "x", "type": "string", "enum": []}]}, "labels.frameAttributes[0].enum"),
    ({"frameAttributes": [{"name": "x", "type": "string", "minimum": 1}]}, "labels.frameAttributes[0].minimum"),
    ({"frameAttributes": [{"name": "x", "type": "number", "minimum": 5, "maximum": 1}]}, "labels.frameAttributes[0].minimum"),
    ({"frameAttributes": [{"name": "x", "type": "string", "isRequired": "yes"}]}, "labels.frameAttributes[0].isRequired"),
    ({"frameAttributes": [{"name": "x"}, {"name": "x"}]}, "labels.frameAttributes[1].name"),
    ({"categoryGlobalAttributes": [{"name": "occluded", "type": "string"}]}, "labels.labels[0].categoryAttributes[0].name"),
])
def test_a_bad_attribute_definition_names_its_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_label_config({**DOCUMENT, **change})
    assert info.value.field == field


def test_attributes_and_required_are_accepted_as_aliases() -> None:
    labels = parse_label_config({"labels": [{"label": "a", "attributes": [{"name": "n", "type": "string", "required": True}]}]})
    assert labels.attributes_for("a")[0].required


def test_attributes_are_checked_and_kept_in_the_projects_order() -> None:
    value = BOUNDING_BOX.normalize(_answer(_box(labelCategoryAttributes={"truncated": 12.0, "occluded": "partly", "plate": ""}),
                                          frame={"people": 3, "weather": "rain"}), SPEC)
    box = value["boxes"][0]
    assert box["labelCategoryAttributes"] == {"occluded": "partly", "truncated": 12}
    assert list(box["labelCategoryAttributes"]) == ["occluded", "truncated"]
    assert value["frameAttributes"] == {"weather": "rain", "people": 3}


@pytest.mark.parametrize(("attrs", "field", "words"), [
    ({"occluded": "no", "colour": "red"}, "value.boxes.boundingBoxes[1].labelCategoryAttributes.colour", "not an attribute"),
    ({"occluded": "maybe"}, "value.boxes.boundingBoxes[1].labelCategoryAttributes.occluded", "not one of no, partly, fully"),
    ({"occluded": "no", "truncated": 101}, "value.boxes.boundingBoxes[1].labelCategoryAttributes.truncated", "above the maximum 100"),
    ({"occluded": "no", "truncated": -1}, "value.boxes.boundingBoxes[1].labelCategoryAttributes.truncated", "below the minimum 0"),
    ({"occluded": "no", "truncated": "5"}, "value.boxes.boundingBoxes[1].labelCategoryAttributes.truncated", "must be a number"),
    ({"occluded": "no", "plate": 7}, "value.boxes.boundingBoxes[1].labelCategoryAttributes.plate", "must be a string"),
    ({}, "value.boxes.boundingBoxes[1].labelCategoryAttributes.occluded", "required attribute 'occluded'"),
    ({"occluded": ""}, "value.boxes.boundingBoxes[1].labelCategoryAttributes.occluded", "required"),
    ("no", "value.boxes.boundingBoxes[1].labelCategoryAttributes", "name: value"),
])
def test_a_bad_attribute_value_names_the_object_and_attribute(attrs: Any, field: str, words: str) -> None:
    good = _box(labelCategoryAttributes={"occluded": "no"})
    err = _error(_answer(good, _box(labelCategoryAttributes=attrs)))
    assert err.field == field
    assert words in str(err)


def test_a_missing_required_attribute_is_named_even_without_the_attributes_key() -> None:
    assert _error(_answer(_box())).field == "value.boxes.boundingBoxes[0].labelCategoryAttributes.occluded"


def test_the_generic_attributes_key_is_read_too() -> None:
    value = BOUNDING_BOX.normalize(_answer(_box(attributes={"occluded": "fully"})), SPEC)
    assert value["boxes"][0]["labelCategoryAttributes"] == {"occluded": "fully"}
    assert _error(_answer(_box(attributes={"occluded": "x"}))).field.endswith("boundingBoxes[0].attributes.occluded")


def test_frame_attributes_are_checked() -> None:
    assert _error(_answer(_box(labelCategoryAttributes={"occluded": "no"}), frame={})).field == \
        "value.boxes.frameAttributes.weather"
    err = _error(_answer(_box(labelCategoryAttributes={"occluded": "no"}), frame={"weather": "clear", "people": 51}))
    assert err.field == "value.boxes.frameAttributes.people"
    err = _error(_answer(_box(labelCategoryAttributes={"occluded": "no"}), frame={"weather": "clear", "wind": 1}))
    assert err.field == "value.boxes.frameAttributes.wind"


def test_a_project_without_attributes_refuses_attribute_values() -> None:
    plain = ProjectSpec(labels=parse_label_config(["car"]))
    value = {"boundingBoxes": [_box(labelCategoryAttributes={"occluded": "no"})]}
    with pytest.raises(ValidationFailed) as info:
        BOUNDING_BOX.normalize(value, plain)
    assert info.value.field == "value.boundingBoxes[0].labelCategoryAttributes.occluded"
    assert BOUNDING_BOX.normalize({"boundingBoxes": [_box(labelCategoryAttributes={})]}, plain) == {"boxes": [_box()]}


def test_model_provenance_is_kept_and_checked() -> None:
    plain = ProjectSpec(labels=parse_label_config(["car"]))
    value = BOUNDING_BOX.normalize({"boundingBoxes": [_box(source="model", model="faces", edited=True, score=0.9)]}, plain)
    assert value["boxes"][0] == _box(source="model", model="faces", edited=True, score=0.9)
    assert BOUNDING_BOX.normalize({"boundingBoxes": [_box(edited=False)]}, plain) == {"boxes": [_box()]}
    for key, bad in (("source", "robot"), ("model", ""), ("edited", "yes"), ("score", 1.5)):
        with pytest.raises(ValidationFailed) as info:
            BOUNDING_BOX.normalize({"boundingBoxes": [_box(**{key: bad})]}, plain)
        assert info.value.field == f"value.boundingBoxes[0].{key}"


def test_polygons_and_keypoints_check_attributes_the_same_way() -> None:
    polygon = {"label": "car", "vertices": [{"x": 1, "y": 1}, {"x": 9, "y": 1}, {"x": 5, "y": 8}]}
    value = POLYGON.normalize({"polygons": {"polygons": [{**polygon, "labelCategoryAttributes": {"occluded": "no"}}],
                                            "frameAttributes": {"weather": "clear"}}}, SPEC)
    assert value["polygons"][0]["labelCategoryAttributes"] == {"occluded": "no"}
    err = _error({"polygons": {"polygons": [polygon], "frameAttributes": {"weather": "clear"}}}, task=POLYGON)
    assert err.field == "value.polygons.polygons[0].labelCategoryAttributes.occluded"
    point = {"label": "person", "x": 3, "y": 4, "labelCategoryAttributes": {"truncated": 200}}
    err = _error({"keypoints": [point], "frameAttributes": {"weather": "clear"}}, task=KEYPOINT)
    assert err.field == "value.keypoints[0].labelCategoryAttributes.truncated"


def test_the_output_manifest_carries_attributes_as_ground_truth_names_them() -> None:
    value = BOUNDING_BOX.normalize(_answer(_box(labelCategoryAttributes={"occluded": "partly"}),
                                          frame={"weather": "rain", "people": 2}), SPEC)
    answer = BOUNDING_BOX.consolidate([value], SPEC)
    assert answer is not None
    out = BOUNDING_BOX.output_fields(answer, SPEC, "2026-01-01T00:00:00")
    body = out["label"]
    assert body["annotations"][0]["label-category-attributes"] == {"occluded": "partly"}
    assert body["frame-attributes"] == {"weather": "rain", "people": 2}


def test_consolidation_votes_each_objects_attributes_from_the_workers_nearest_objects() -> None:
    from labelworks.core.consolidation.base import Answer
    from labelworks.core.consolidation.structured.consolidators import BoxConsensus

    def worker(occluded: str, dx: int, weather: str) -> dict[str, Any]:
        return BOUNDING_BOX.normalize(_answer(
            _box(left=1 + dx, labelCategoryAttributes={"occluded": occluded}),
            _box(left=60 + dx, labelCategoryAttributes={"occluded": "no", "truncated": 5}),
            frame={"weather": weather}), SPEC)

    values = [worker("partly", 0, "rain"), worker("partly", 1, "clear"), worker("fully", 0, "rain")]
    answer = BOUNDING_BOX.consolidate(values, SPEC)
    assert answer is not None
    boxes = sorted(answer.value["boxes"], key=lambda b: b["left"])  # type: ignore[call-overload]
    assert [b["labelCategoryAttributes"] for b in boxes] == [{"occluded": "partly"}, {"occluded": "no", "truncated": 5}]
    assert answer.value["frameAttributes"] == {"weather": "rain"}
    # the registered consolidator (what a project runs) gives the same
    fit = BoxConsensus().fit([Answer("i", f"w{n}", v) for n, v in enumerate(values)], SPEC, {})
    assert fit.results["i"].value["frameAttributes"] == {"weather": "rain"}


def test_the_default_template_passes_the_label_file_when_it_declares_attributes() -> None:
    tricky = {**DOCUMENT, "frameAttributes": [{"name": "note", "type": "string", "description": '{{ x }} {% raw %} "<b>"'}]}
    spec = ProjectSpec(labels=parse_label_config(tricky))
    for task in (BOUNDING_BOX, POLYGON, KEYPOINT):
        page = render_task(task.default_template(spec), {"source-ref": "s3://b/a.jpg"}, list(spec.labels.labels))
        assert '"categoryAttributes"' not in page  # HTML-escaped inside the attribute
        attr = re.search(r'labels="([^"]*)"', page)
        assert attr is not None
        assert json.loads(html.unescape(attr.group(1))) == tricky
    plain = ProjectSpec(labels=parse_label_config(["car"]))
    assert 'labels="{{ labels | to_json }}"' in BOUNDING_BOX.default_template(plain)


def test_a_ground_truth_video_frame_file_is_accepted_as_is() -> None:
    document = {
        "documentVersion": "2020-03-01",
        "frameAttributes": [
            {"name": "count players", "description": "How many players to you see in the scene?", "type": "number",
             "minimum": 0, "maximum": 30},
            {"name": "select one", "description": "describe the scene", "type": "string", "enum": ["clear", "blurry"],
             "isRequired": True},
        ],
        "categoryGlobalAttributes": [{"name": "W", "description": "for all labels", "type": "string",
                                      "enum": ["foo", "buzz", "biz"], "editsAllowed": "any"}],
        "labels": [{"label": "Car", "editsAllowed": "any", "categoryAttributes": [
            {"name": "X", "description": "enter a number", "type": "number", "minimum": 1, "maximum": 5},
            {"name": "Y", "type": "string", "enum": ["y1", "y2"]},
            {"name": "Z", "description": "submit a free-form response", "type": "string"}]},
            {"label": "Pedestrian"}],
        "annotationType": "BoundingBox",
        "instructions": {"shortInstruction": "Draw a tight box", "fullInstruction": "<p>…</p>"},
    }
    labels = parse_label_config(document)
    assert [a.name for a in labels.attributes_for("Car")] == ["X", "Y", "Z", "W"]
    assert [a.name for a in labels.attributes_for("Pedestrian")] == ["W"]
    assert labels.frame_attributes[1].required and labels.document is document


def test_an_adjustment_project_gives_its_editor_the_attributes_too() -> None:
    from labelworks.core.tasktypes.adjustment import LABEL_ADJUSTMENT

    spec = ProjectSpec(labels=parse_label_config({**DOCUMENT, "lw-adjusts": "bounding-box"}))
    template = LABEL_ADJUSTMENT.default_template(spec)
    assert "{{ labels | to_json }}" not in template and "&quot;categoryAttributes&quot;" in template
