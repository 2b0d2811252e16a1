"""The polyline task type: the element's output accepted, field-named errors, medoid consensus, manifest."""

from __future__ import annotations

from typing import Any

import pytest

from labelworks.core.consolidation.majority import Consolidated
from labelworks.core.errors import ValidationFailed
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.consolidation.structured.lines import answer_distance, shape_distance
from labelworks.core.tasktypes.shapes import POLYLINE

SPEC = ProjectSpec(labels=parse_label_config(["lane", "curb"]), job_name="road", label_attribute="pl")
PROPS = {"width": 300, "height": 400}  # diagonal 500: the agreement scale is 2 % of it, 10 px


def lane(dx: float = 0, label: str = "lane") -> dict[str, Any]:
    return {"label": label, "vertices": [{"x": 10 + dx, "y": 0}, {"x": 20 + dx, "y": 100}, {"x": 30 + dx, "y": 200}]}


def answer(*shapes: dict[str, Any]) -> dict[str, Any]:
    return POLYLINE.normalize({"polylines": {"polylines": list(shapes), "inputImageProperties": PROPS}}, SPEC)


def test_identity() -> None:
    assert POLYLINE.name == "polyline" and POLYLINE.media == "image" and POLYLINE.value_kind(SPEC) == "polylines"
    # no registered consolidator reads polylines: the services run the task type's own consolidate()
    assert POLYLINE.default_consolidator == "polyline-medoid"
    assert '<lw-polyline name="polylines"' in POLYLINE.default_template(SPEC)


def test_normalize_accepts_two_vertices_and_more() -> None:
    two = {"label": "curb", "vertices": [{"x": 0, "y": 0}, {"x": 300, "y": 400}]}
    assert answer(two, lane()) == {"polylines": [two, lane()], "inputImageProperties": PROPS}
    assert POLYLINE.normalize({"polylines": [lane()]}, SPEC) == {"polylines": [lane()]}


@pytest.mark.parametrize(("shape", "field", "words"), [
    ({"label": "lane", "vertices": [{"x": 1, "y": 1}]}, "value.polylines[0].vertices", "at least 2"),
    ({"label": "road", "vertices": lane()["vertices"]}, "value.polylines[0].label", "not one of"),
    ({"label": "lane", "vertices": [{"x": 1, "y": 1}, {"x": 301, "y": 1}]}, "value.polylines[0].vertices[1].x",
     "past the image's width"),
    ({"label": "lane", "vertices": [{"x": 1, "y": 1}, [2, 2]]}, "value.polylines[0].vertices[1]", "x and y"),
    ("lane", "value.polylines[0]", "label and vertices"),
])
def test_bad_polylines_name_their_field(shape: Any, field: str, words: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        POLYLINE.normalize({"polylines": [shape], "inputImageProperties": PROPS}, SPEC)
    assert info.value.field == field and words in str(info.value)


def test_distances() -> None:
    assert shape_distance(lane(), lane(3)) == 3
    assert answer_distance(answer(lane()), answer(lane(4)), "polylines", miss=100) == 4
    # a shape without a same-label counterpart costs the miss penalty
    assert answer_distance(answer(lane()), answer(lane(label="curb")), "polylines", miss=100) == 100
    assert answer_distance(answer(), answer(), "polylines", miss=100) == 0


def test_the_answer_closest_to_the_others_is_kept() -> None:
    values = [answer(lane(0)), answer(lane(2)), answer(lane(40), lane(80, "curb"))]
    result = POLYLINE.consolidate(values, SPEC)
    assert result is not None and result.method == "polyline-medoid" and result.votes == 3
    # worker 2's lane is 2 px from worker 1's and 38 from worker 3's: the smallest total
    assert result.value == {"polylines": [lane(2)], "inputImageProperties": PROPS}
    # agreement exp(-d / 10): with worker 1 (d = 2) high, with worker 3 (far lane + an extra curb) ~0
    assert result.confidence == pytest.approx((2.718281828 ** -0.2 + 2.718281828 ** -((38 + 38 + 100) / 3 / 10)) / 2,
                                              abs=1e-3)
    assert result.object_confidence[0] == pytest.approx((2.718281828 ** -0.2 + 2.718281828 ** -3.8) / 2, abs=1e-3)


def test_one_worker_gives_confidence_zero_and_no_answers_none() -> None:
    result = POLYLINE.consolidate([answer(lane())], SPEC)
    assert result is not None and result.value["polylines"] == [lane()]
    assert result.confidence == 0 and result.object_confidence == (0.0,)
    assert POLYLINE.consolidate([], SPEC) is None


def test_ties_keep_the_earliest_answer_and_agreeing_empties_are_certain() -> None:
    result = POLYLINE.consolidate([answer(lane(0)), answer(lane(4))], SPEC)
    assert result is not None and result.value["polylines"] == [lane(0)]
    empty = POLYLINE.consolidate([answer(), answer(), answer()], SPEC)
    assert empty is not None and empty.value["polylines"] == [] and empty.confidence == 1


def test_output_fields_in_the_manifest_shape() -> None:
    result = Consolidated(value={"polylines": [lane()]}, confidence=0.5, votes=2, method="polyline-medoid",
                          object_confidence=(0.456,))
    out = POLYLINE.output_fields(result, SPEC, "2026-01-01T00:00:00")
    assert out["pl"] == {"annotations": [{"class_id": 0, "points": lane()["vertices"]}]}
    assert out["pl-metadata"]["type"] == "groundtruth/polyline"
    assert out["pl-metadata"]["objects"] == [{"confidence": 0.46}] and out["pl-metadata"]["class-map"] == {"0": "lane"}


def test_similarity_for_quality_scoring() -> None:
    from labelworks.core.consolidation.structured import SIMILARITY_KINDS, similarity

    assert {"polylines", "lines"} <= SIMILARITY_KINDS
    assert similarity("polylines", answer(lane()), answer(lane())) == 1
    # 10 px off on a 500 px diagonal: exp(-10 / 10)
    assert similarity("polylines", answer(lane()), answer(lane(10))) == pytest.approx(0.3679, abs=1e-4)
    assert similarity("polylines", answer(lane()), answer()) < 1e-4  # a missed lane
    with pytest.raises(ValueError, match="b.polylines"):
        similarity("polylines", answer(lane()), {"lines": []})
