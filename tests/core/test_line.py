"""The line task type: exactly two vertices, medoid consensus, manifest."""

from __future__ import annotations

from typing import Any

import pytest

from labelworks.core.errors import ValidationFailed
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.shapes import LINE

SPEC = ProjectSpec(labels=parse_label_config(["horizon", "pole"]), label_attribute="ln")
PROPS = {"width": 640, "height": 480}


def line(x0: float, y0: float, x1: float, y1: float, label: str = "horizon") -> dict[str, Any]:
    return {"label": label, "vertices": [{"x": x0, "y": y0}, {"x": x1, "y": y1}]}


def test_identity() -> None:
    assert LINE.name == "line" and LINE.value_kind(SPEC) == "lines" and LINE.default_consolidator == "line-medoid"
    assert '<lw-line name="lines"' in LINE.default_template(SPEC)


def test_normalize_accepts_the_element_output() -> None:
    value = {"lines": {"lines": [line(0, 240, 640, 250)], "inputImageProperties": PROPS}}
    assert LINE.normalize(value, SPEC) == {"lines": [line(0, 240, 640, 250)], "inputImageProperties": PROPS}


@pytest.mark.parametrize("n", [1, 3])
def test_a_line_has_exactly_two_vertices(n: int) -> None:
    shape = {"label": "pole", "vertices": [{"x": i, "y": i} for i in range(n)]}
    with pytest.raises(ValidationFailed) as info:
        LINE.normalize({"lines": [line(0, 0, 1, 1), shape]}, SPEC)
    assert info.value.field == "value.lines[1].vertices" and f"exactly 2 vertices, got {n}" in str(info.value)


def test_the_consensus_line_is_the_one_nearest_the_others() -> None:
    values = [LINE.normalize({"lines": [l], "inputImageProperties": PROPS}, SPEC)
              for l in (line(0, 240, 640, 250), line(0, 243, 640, 252), line(0, 300, 640, 200))]
    result = LINE.consolidate(values, SPEC)
    assert result is not None and result.value["lines"] == [line(0, 243, 640, 252)]
    assert 0 < result.confidence < 1 and result.votes == 3
    out = LINE.output_fields(result, SPEC, "now")
    assert out["ln"]["annotations"] == [{"class_id": 0, "points": [{"x": 0, "y": 243}, {"x": 640, "y": 252}]}]
    assert out["ln"]["image_size"] == [{"width": 640, "height": 480, "depth": 3}]
    assert out["ln-metadata"]["type"] == "groundtruth/line"
