"""Ground Truth's ``editsAllowed`` in a label-adjustment project: parsed from the label-category file and
enforced on the server against the item's earlier label, each refusal naming the object and field."""

from __future__ import annotations

import copy
import html
import json
import re
from typing import Any

import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.adjustment import LABEL_ADJUSTMENT, earlier_label
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.verification import LABEL_VERIFICATION
from tests.segmentation_pngs import CAR, PERSON, ROAD, instance, rgb_png, semantic

LIMITED = {
    "document-version": "2018-11-28",
    "labels": [{"label": "car", "editsAllowed": "none",
                "categoryAttributes": [{"name": "colour", "type": "string", "editsAllowed": "any"}]},
               {"label": "person", "editsAllowed": "any"}],
    "categoryGlobalAttributes": [{"name": "occluded", "type": "string", "enum": ["no", "partly"],
                                  "editsAllowed": "none"},
                                 {"name": "note", "type": "string"}],
    "frameAttributes": [{"name": "weather", "type": "string", "enum": ["clear", "rain"], "editsAllowed": "none"},
                        {"name": "people", "type": "number", "minimum": 0, "maximum": 9}],
}
# an earlier label as a chained item has it: the source project's output-manifest line
ITEM = {
    "source-ref": "s3://b/street.jpg",
    "street": {"annotations": [
        {"class_id": 0, "left": 10, "top": 20, "width": 100, "height": 50,
         "label-category-attributes": {"occluded": "no", "colour": "red"}},
        {"class_id": 1, "left": 300, "top": 40, "width": 30, "height": 80,
         "label-category-attributes": {"occluded": "partly"}}],
        "image_size": [{"width": 640, "height": 480, "depth": 3}],
        "frame-attributes": {"weather": "rain", "people": 1}},
    "street-metadata": {"type": "groundtruth/object-detection", "class-map": {"0": "car", "1": "person"},
                        "objects": [{"confidence": 0.9}, {"confidence": 0.8}]},
}
CAR_BOX = {"label": "car", "left": 10, "top": 20, "width": 100, "height": 50,
           "labelCategoryAttributes": {"occluded": "no", "colour": "red"}}
PERSON_BOX = {"label": "person", "left": 300, "top": 40, "width": 30, "height": 80,
              "labelCategoryAttributes": {"occluded": "partly"}}


def _spec(document: dict[str, Any] = LIMITED) -> ProjectSpec:
    return ProjectSpec(labels=parse_label_config({**document, "lw-adjusts": "bounding-box"}), label_attribute="fix")


def _answer(*boxes: dict[str, Any], frame: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"boundingBoxes": [copy.deepcopy(b) for b in boxes],
                            "inputImageProperties": {"width": 640, "height": 480}}
    body["frameAttributes"] = {"weather": "rain", "people": 1} if frame is None else frame
    return {"boxes": body}


def _refused(value: dict[str, Any], spec: ProjectSpec | None = None, data: dict[str, Any] = ITEM) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as err:
        LABEL_ADJUSTMENT.normalize_with_item(value, spec or _spec(), data)
    return err.value


def _status(value: dict[str, Any], spec: ProjectSpec | None = None, data: dict[str, Any] = ITEM) -> str:
    return str(LABEL_ADJUSTMENT.normalize_with_item(value, spec or _spec(), data)["adjustment-status"])


def test_edits_allowed_is_read_from_labels_and_attributes() -> None:
    labels = parse_label_config(LIMITED)
    assert labels.fixed_labels == ("car",) and labels.has_edit_limits
    assert {a.name: a.edits_allowed for a in labels.attributes_for("car")} == {
        "colour": "any", "occluded": "none", "note": "any"}
    assert [a.edits_allowed for a in labels.frame_attributes] == ["none", "any"]
    plain = parse_label_config({"labels": [{"label": "car", "editsAllowed": "any"}]})
    assert plain.fixed_labels == () and not plain.has_edit_limits
    assert not parse_label_config(["car", "person"]).has_edit_limits
    only_attribute = parse_label_config({"labels": [{"label": "car"}],
                                         "frameAttributes": [{"name": "w", "editsAllowed": "none"}]})
    assert only_attribute.fixed_labels == () and only_attribute.has_edit_limits


@pytest.mark.parametrize(("document", "field"), [
    ({"labels": [{"label": "car"}, {"label": "bus", "editsAllowed": "regionOnly"}]}, "labels.labels[1].editsAllowed"),
    ({"labels": [{"label": "car", "categoryAttributes": [{"name": "x", "editsAllowed": False}]}]},
     "labels.labels[0].categoryAttributes[0].editsAllowed"),
    ({"labels": [{"label": "car"}], "frameAttributes": [{"name": "w", "editsAllowed": "None"}]},
     "labels.frameAttributes[0].editsAllowed"),
])
def test_an_unknown_edits_allowed_value_is_refused_naming_it(document: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed, match='editsAllowed must be "any" or "none"') as err:
        parse_label_config(document)
    assert err.value.field == field


def test_the_earlier_attribute_values_reach_the_editor() -> None:
    earlier = earlier_label(ITEM, exclude="fix")
    assert earlier is not None
    assert earlier.initial_value() == {"boundingBoxes": [CAR_BOX, PERSON_BOX],
                                       "inputImageProperties": {"width": 640, "height": 480},
                                       "frameAttributes": {"weather": "rain", "people": 1}}


def test_what_edits_allowed_leaves_open_stays_open() -> None:
    assert _status(_answer(CAR_BOX, PERSON_BOX)) == "unadjusted"
    moved_person = dict(PERSON_BOX, left=320, labelCategoryAttributes={"occluded": "partly", "note": "bent"})
    recoloured_car = dict(CAR_BOX, labelCategoryAttributes={"occluded": "no", "colour": "blue"})
    assert _status(_answer(recoloured_car, moved_person, frame={"weather": "rain", "people": 3})) == "adjusted"
    # the person may go; a new person may be drawn, its "none" attribute set (it had no earlier value)
    new_person = {"label": "person", "left": 500, "top": 10, "width": 20, "height": 20,
                  "labelCategoryAttributes": {"occluded": "no"}}
    assert _status(_answer(new_person, CAR_BOX)) == "adjusted"
    # the same answers without limits: everything may change
    free = {**LIMITED, "labels": [{"label": "car"}, {"label": "person"}],
            "categoryGlobalAttributes": [{"name": "occluded", "type": "string", "enum": ["no", "partly"]},
                                         {"name": "note", "type": "string"}],
            "frameAttributes": [{"name": "weather", "type": "string", "enum": ["clear", "rain"]}]}
    moved_car = dict(CAR_BOX, left=11, labelCategoryAttributes={"occluded": "partly"})
    assert _status(_answer(moved_car, frame={"weather": "clear"}), _spec(free)) == "adjusted"


@pytest.mark.parametrize(("boxes", "field", "message"), [
    ([dict(CAR_BOX, left=12), PERSON_BOX], "value.boxes.boundingBoxes[0]",
     "the category 'car' may not be changed (editsAllowed: none): this box was moved or reshaped"),
    ([dict(CAR_BOX, label="person", labelCategoryAttributes={"occluded": "no"}), PERSON_BOX],
     "value.boxes.boundingBoxes[0].label",
     "the category 'car' may not be changed (editsAllowed: none): this box was 'car'"),
    ([CAR_BOX, dict(PERSON_BOX, label="car", labelCategoryAttributes={"occluded": "partly"})],
     "value.boxes.boundingBoxes[1].label",
     "the category 'car' may not be changed (editsAllowed: none): this box was 'person'"),
    ([PERSON_BOX, CAR_BOX, CAR_BOX, dict(CAR_BOX, left=400)], "value.boxes.boundingBoxes[2].label",
     "the category 'car' may not be changed (editsAllowed: none): no box of it may be added"),
    ([PERSON_BOX], "value.boxes.boundingBoxes",
     "the category 'car' may not be changed (editsAllowed: none): the earlier box 1 of 2 was deleted"),
    ([CAR_BOX, dict(PERSON_BOX, left=301, labelCategoryAttributes={"occluded": "no"})],
     "value.boxes.boundingBoxes[1].labelCategoryAttributes.occluded",
     "the attribute 'occluded' may not be changed (editsAllowed: none): it was 'partly'"),
    ([dict(CAR_BOX, labelCategoryAttributes={"colour": "red"}), PERSON_BOX],
     "value.boxes.boundingBoxes[0].labelCategoryAttributes.occluded",
     "the attribute 'occluded' may not be changed (editsAllowed: none): it was 'no'"),
])
def test_a_change_edits_allowed_forbids_is_refused(boxes: list[dict[str, Any]], field: str, message: str) -> None:
    err = _refused(_answer(*boxes))
    assert (err.field, err.message) == (field, message)


def test_the_frame_attribute_and_the_bare_answer_are_named_where_they_were_posted() -> None:
    err = _refused(_answer(CAR_BOX, PERSON_BOX, frame={"weather": "clear", "people": 1}))
    assert err.field == "value.boxes.frameAttributes.weather" and "it was 'rain'" in err.message
    err = _refused(_answer(CAR_BOX, PERSON_BOX, frame={"people": 1}))
    assert err.field == "value.boxes.frameAttributes.weather"
    bare = {"boxes": [dict(CAR_BOX, top=21), PERSON_BOX], "adjustment-status": "unadjusted"}
    assert _refused(bare).field == "value.boxes[0]"
    # the alias "attributes" is named as posted
    aliased = {"boundingBoxes": [{k: v for k, v in CAR_BOX.items() if k != "labelCategoryAttributes"}
                                 | {"attributes": {"occluded": "partly", "colour": "red"}}, PERSON_BOX],
               "frameAttributes": {"weather": "rain"}}
    assert _refused(aliased).field == "value.boundingBoxes[0].attributes.occluded"


def test_boxes_in_another_order_and_float_noise_are_no_change() -> None:
    noisy = dict(CAR_BOX, left=10.0000001)
    assert _status(_answer(PERSON_BOX, noisy)) == "unadjusted"


def test_many_boxes_are_paired_quickly() -> None:
    import time

    n = 3000
    annotations = [{"class_id": i % 2, "left": (i % 60) * 10, "top": (i // 60) * 9, "width": 8, "height": 8,
                    "label-category-attributes": {"occluded": "no"}} for i in range(n)]
    data = {**ITEM, "street": {"annotations": annotations, "image_size": [{"width": 640, "height": 480}],
                               "frame-attributes": {"weather": "rain"}}}
    earlier = earlier_label(data, exclude="fix")
    assert earlier is not None
    value = earlier.initial_value()
    # every person moved by a pixel: paired by overlap, allowed; the cars untouched
    for box in value["boundingBoxes"]:
        if box["label"] == "person":
            box["left"] += 1
    started = time.perf_counter()
    assert _status({"boxes": value}, data=data) == "adjusted"
    assert time.perf_counter() - started < 5
    value["boundingBoxes"][2]["top"] += 1  # a car
    assert _refused({"boxes": value}, data=data).field == "value.boxes.boundingBoxes[2]"


def _shape_item(kind: str, gt_type: str, annotations: list[dict[str, Any]]) -> dict[str, Any]:
    return {"source-ref": "s3://b/a.jpg", "old": {"annotations": annotations},
            "old-metadata": {"type": gt_type, "class-map": {"0": "car", "1": "person"}}}


@pytest.mark.parametrize(("kind", "gt_type", "points"), [
    ("polygons", "groundtruth/polygon", [{"x": 1, "y": 1}, {"x": 50, "y": 1}, {"x": 25, "y": 40}]),
    ("polylines", "groundtruth/polyline", [{"x": 1, "y": 1}, {"x": 50, "y": 1}, {"x": 25, "y": 40}]),
    ("lines", "groundtruth/line", [{"x": 1, "y": 1}, {"x": 50, "y": 1}]),
])
def test_shapes_of_a_fixed_category_keep_their_vertices(kind: str, gt_type: str, points: list[dict[str, Any]]) -> None:
    spec = ProjectSpec(labels=parse_label_config({"labels": [{"label": "car", "editsAllowed": "none"},
                                                             {"label": "person"}]}), label_attribute="fix")
    data = _shape_item(kind, gt_type, [{"class_id": 0, "points": points}, {"class_id": 1, "points": points}])
    same = {kind: {kind: [{"label": "car", "vertices": points}, {"label": "person", "vertices": points}]}}
    assert LABEL_ADJUSTMENT.normalize_with_item(same, spec, data)["adjustment-status"] == "unadjusted"
    bent = [dict(points[0], x=2), *points[1:]]
    person_bent = {kind: {kind: [{"label": "car", "vertices": points}, {"label": "person", "vertices": bent}]}}
    assert LABEL_ADJUSTMENT.normalize_with_item(person_bent, spec, data)["adjustment-status"] == "adjusted"
    car_bent = {kind: {kind: [{"label": "person", "vertices": points}, {"label": "car", "vertices": bent}]}}
    with pytest.raises(ValidationFailed, match="'car' may not be changed .* was moved or reshaped") as err:
        LABEL_ADJUSTMENT.normalize_with_item(car_bent, spec, data)
    assert err.value.field == f"value.{kind}.{kind}[1]"


def test_keypoints_of_a_fixed_category_stay_put() -> None:
    spec = ProjectSpec(labels=parse_label_config({"labels": [{"label": "car", "editsAllowed": "none"},
                                                             {"label": "person"}]}), label_attribute="fix")
    data = _shape_item("keypoints", "groundtruth/keypoint", [{"class_id": 0, "x": 5, "y": 5},
                                                             {"class_id": 1, "x": 9, "y": 9}])
    moved = {"keypoints": {"keypoints": [{"label": "car", "x": 6, "y": 5}, {"label": "person", "x": 9, "y": 9}]}}
    with pytest.raises(ValidationFailed, match="moved or reshaped") as err:
        LABEL_ADJUSTMENT.normalize_with_item(moved, spec, data)
    assert err.value.field == "value.keypoints.keypoints[0]"


def _mask_item(ids: list[list[int]], *, instances: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    if instances is None:
        colours = [("road", ROAD), ("car", CAR)]
        png = rgb_png(ids, [c for _, c in colours])
        gt_type = "groundtruth/semantic-segmentation"
    else:
        colours = [(label, c) for c, label in instances]
        png = rgb_png(ids, [c for c, _ in instances])
        gt_type = "groundtruth/instance-segmentation"
    cmap = {"0": {"class-name": "BACKGROUND", "hex-color": "#ffffff"},
            **{str(i + 1): {"class-name": name, "hex-color": c} for i, (name, c) in enumerate(colours)}}
    return {"source-ref": "s3://b/s.jpg", "scene-ref": "data:image/png;base64," + png,
            "scene-ref-metadata": {"type": gt_type, "internal-color-map": cmap}}


def test_a_fixed_class_keeps_its_pixels_in_a_label_map() -> None:
    document = {"labels": [{"label": "road"}, {"label": "car", "editsAllowed": "none"}],
                "lw-adjusts": "semantic-segmentation"}
    spec = ProjectSpec(labels=parse_label_config(document), label_attribute="fix")
    ids = [[0, 1, 1, 0], [2, 2, 1, 0], [0, 0, 0, 0]]
    data = _mask_item(ids)
    mappings = {"road": ROAD, "car": CAR}
    assert LABEL_ADJUSTMENT.normalize_with_item({"mask": semantic(ids, mappings)}, spec, data)[
        "adjustment-status"] == "unadjusted"
    more_road = [[0, 1, 1, 0], [2, 2, 1, 1], [1, 0, 0, 0]]
    assert LABEL_ADJUSTMENT.normalize_with_item({"mask": semantic(more_road, mappings)}, spec, data)[
        "adjustment-status"] == "adjusted"
    car_painted = [[0, 1, 1, 0], [2, 2, 2, 0], [0, 0, 0, 0]]
    with pytest.raises(ValidationFailed) as err:
        LABEL_ADJUSTMENT.normalize_with_item({"mask": semantic(car_painted, mappings)}, spec, data)
    assert (err.value.field, err.value.message) == (
        "value.mask.labeledImage",
        "the category 'car' may not be changed (editsAllowed: none): 1 of its pixels changed")


def test_a_fixed_class_keeps_its_instances() -> None:
    document = {"labels": [{"label": "person"}, {"label": "car", "editsAllowed": "none"}],
                "lw-adjusts": "instance-segmentation"}
    spec = ProjectSpec(labels=parse_label_config(document), label_attribute="fix")
    two_cars = [(CAR, "car"), (ROAD, "car"), (PERSON, "person")]
    ids = [[1, 1, 0, 2, 2], [0, 0, 0, 3, 3]]
    data = _mask_item(ids, instances=two_cars)
    assert LABEL_ADJUSTMENT.normalize_with_item({"mask": instance(ids, two_cars)}, spec, data)[
        "adjustment-status"] == "unadjusted"
    merged = [[1, 1, 0, 1, 1], [0, 0, 0, 3, 3]]  # the same car pixels, one instance
    with pytest.raises(ValidationFailed, match="'car' may not be changed .* instances were split or merged"):
        LABEL_ADJUSTMENT.normalize_with_item({"mask": instance(merged, two_cars)}, spec, data)


def test_the_adjustment_editor_gets_the_label_file_when_it_limits_edits() -> None:
    spec = ProjectSpec(labels=parse_label_config({"labels": [{"label": "car", "editsAllowed": "none"},
                                                             {"label": "person"}], "lw-adjusts": "bounding-box"}))
    template = LABEL_ADJUSTMENT.default_template(spec)
    found = re.search(r'<lw-bounding-box name="boxes" header="\{\{ header \}\}" labels="([^"]*)"', template)
    assert found is not None and "{{" not in found.group(1)
    sent = json.loads(html.unescape(found.group(1).replace("&#123;", "{").replace("&#125;", "}")))
    assert sent["labels"][0] == {"label": "car", "editsAllowed": "none"}
    plain = ProjectSpec(labels=parse_label_config({"labels": [{"label": "car"}], "lw-adjusts": "bounding-box"}))
    assert 'labels="{{ labels | to_json }}"' in LABEL_ADJUSTMENT.default_template(plain)


def test_the_verification_page_lists_the_earlier_attribute_values() -> None:
    from labelworks.services.templates import render_task

    spec = ProjectSpec(labels=parse_label_config(["Correct", "Incorrect"]))
    page = render_task(LABEL_VERIFICATION.default_template(spec), ITEM, ["Correct", "Incorrect"])
    listing = page[page.index('class="lw-earlier-labels"'):]
    assert re.search(r"car at left 10, top 20, 100 &times; 50\s*<span class=\"lw-earlier-attributes\">"
                     r"\(occluded: no; colour: red\)</span>", listing), listing
    assert "(occluded: partly)" in listing
    assert re.search(r'class="lw-earlier-frame">Image attributes: weather: rain; people: 1</div>', listing), listing
    tricky = copy.deepcopy(ITEM)
    tricky["street"]["annotations"][0]["label-category-attributes"] = {"note": "<b>x</b>"}
    page = render_task(LABEL_VERIFICATION.default_template(spec), tricky, ["Correct", "Incorrect"])
    assert "(note: &lt;b&gt;x&lt;/b&gt;)" in page and "<b>x</b>" not in page
