"""The polygon task type: the element's output accepted, field-named errors, pixel-vote consensus, manifest."""

from __future__ import annotations

from typing import Any

import pytest

from labelworks.core.consolidation.majority import Consolidated
from labelworks.core.errors import ValidationFailed
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.shapes import POLYGON

SPEC = ProjectSpec(labels=parse_label_config(["car", "road"]), job_name="street", label_attribute="poly")
PROPS = {"width": 200, "height": 100}


def square(label: str, x: float, y: float, side: float = 40) -> dict[str, Any]:
    return {"label": label, "vertices": [{"x": x, "y": y}, {"x": x + side, "y": y},
                                         {"x": x + side, "y": y + side}, {"x": x, "y": y + side}]}


def test_identity() -> None:
    assert POLYGON.name == "polygon" and POLYGON.media == "image"
    assert POLYGON.value_kind(SPEC) == "polygons" and POLYGON.default_consolidator == "polygon-pixel-vote"
    assert '<lw-polygon name="polygons"' in POLYGON.default_template(SPEC)


@pytest.mark.parametrize("value", [
    {"polygons": {"polygons": [square("car", 10, 10)], "inputImageProperties": PROPS}},  # the form output
    {"annotatedResult": {"polygons": [square("car", 10, 10)], "inputImageProperties": PROPS}},
    {"polygons": [square("car", 10, 10)], "inputImageProperties": PROPS},  # bare / canonical
])
def test_normalize_accepts_the_element_output(value: Any) -> None:
    assert POLYGON.normalize(value, SPEC) == {"polygons": [square("car", 10, 10)], "inputImageProperties": PROPS}


def test_whole_floats_become_ints_and_extra_keys_are_dropped() -> None:
    raw = {"label": "road", "id": "p1", "vertices": [{"x": 1.0, "y": 2.5, "z": 9}, {"x": 3, "y": 4}, {"x": 5, "y": 1}]}
    out = POLYGON.normalize({"polygons": [raw]}, SPEC)
    assert out == {"polygons": [{"label": "road", "vertices": [{"x": 1, "y": 2.5}, {"x": 3, "y": 4}, {"x": 5, "y": 1}]}]}
    assert isinstance(out["polygons"][0]["vertices"][0]["x"], int)


@pytest.mark.parametrize(("shape", "field", "words"), [
    ({"label": "bus", "vertices": square("car", 1, 1)["vertices"]}, "value.polygons[0].label", "not one of"),
    ({"label": "", "vertices": square("car", 1, 1)["vertices"]}, "value.polygons[0].label", "choose a label"),
    ({"label": "car", "vertices": [{"x": 1, "y": 1}, {"x": 2, "y": 2}]}, "value.polygons[0].vertices", "at least 3"),
    ({"label": "car", "vertices": "1,2"}, "value.polygons[0].vertices", "list"),
    ({"label": "car", "vertices": [{"x": 1, "y": 1}, {"x": float("nan"), "y": 2}, {"x": 3, "y": 3}]},
     "value.polygons[0].vertices[1].x", "finite"),
    ({"label": "car", "vertices": [{"x": 1, "y": 1}, {"x": True, "y": 2}, {"x": 3, "y": 3}]},
     "value.polygons[0].vertices[1].x", "number"),
    ({"label": "car", "vertices": [{"x": 1, "y": 1}, {"x": 2, "y": 101}, {"x": 3, "y": 3}]},
     "value.polygons[0].vertices[1].y", "past the image's height"),
    ({"label": "car", "vertices": [{"x": -1, "y": 1}, {"x": 2, "y": 1}, {"x": 3, "y": 3}]},
     "value.polygons[0].vertices[0].x", "negative"),
])
def test_bad_polygons_name_their_field(shape: Any, field: str, words: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        POLYGON.normalize({"polygons": [shape], "inputImageProperties": PROPS}, SPEC)
    assert info.value.field == field and words in str(info.value)


def test_a_value_without_polygons_is_refused() -> None:
    with pytest.raises(ValidationFailed) as info:
        POLYGON.normalize({"boxes": {"boundingBoxes": []}}, SPEC)
    assert info.value.field == "value.polygons"


def test_three_workers_give_the_pixel_vote_and_a_stray_polygon_is_dropped() -> None:
    values = [POLYGON.normalize({"polygons": [square("car", 10 + d, 10)], "inputImageProperties": PROPS}, SPEC)
              for d in (0, 2, 4)]
    values[0]["polygons"].append(square("road", 150, 50, 20))  # one worker only: below the quorum
    answer = POLYGON.consolidate(values, SPEC)
    assert answer is not None and answer.votes == 3 and answer.method == "polygon-pixel-vote"
    (poly,) = answer.value["polygons"]  # type: ignore[misc]
    xs = sorted({v["x"] for v in poly["vertices"]})
    # the majority of the three squares covers x in [12, 52]: the middle worker's square
    assert poly["label"] == "car" and min(xs) == pytest.approx(12, abs=1) and max(xs) == pytest.approx(52, abs=1)
    assert 0.8 < answer.confidence <= 1 and len(answer.object_confidence) == 1
    assert POLYGON.consolidate([], SPEC) is None


def test_output_fields_in_the_manifest_shape() -> None:
    answer = Consolidated(value={"polygons": [square("road", 1, 2, 3)], "inputImageProperties": PROPS},
                          confidence=0.9, votes=3, method="polygon-pixel-vote", object_confidence=(0.876,))
    out = POLYGON.output_fields(answer, SPEC, "2026-01-01T00:00:00")
    assert out["poly"] == {
        "annotations": [{"class_id": 1, "points": [{"x": 1, "y": 2}, {"x": 4, "y": 2}, {"x": 4, "y": 5},
                                                   {"x": 1, "y": 5}]}],
        "image_size": [{"width": 200, "height": 100, "depth": 3}],
    }
    assert out["poly-metadata"] == {
        "objects": [{"confidence": 0.88}], "class-map": {"1": "road"}, "type": "groundtruth/polygon",
        "human-annotated": "yes", "creation-date": "2026-01-01T00:00:00", "job-name": "labeling-job/street",
    }
