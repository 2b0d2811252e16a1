"""The keypoint task type: the element's output accepted, field-named errors, clustered consensus, manifest."""

from __future__ import annotations

from typing import Any

import pytest

from labelworks.core.consolidation.majority import Consolidated
from labelworks.core.errors import ValidationFailed
from labelworks.core.labels import parse_label_config
from labelworks.core.tasktypes.base import ProjectSpec
from labelworks.core.tasktypes.keypoint import KEYPOINT

SPEC = ProjectSpec(labels=parse_label_config(["left-eye", "right-eye", "nose"]), job_name="faces",
                   label_attribute="kp")
PROPS = {"width": 640, "height": 480}


def pt(label: str, x: float, y: float) -> dict[str, Any]:
    return {"label": label, "x": x, "y": y}


def test_identity() -> None:
    assert KEYPOINT.name == "keypoint" and KEYPOINT.media == "image"
    assert KEYPOINT.value_kind(SPEC) == "keypoints" and KEYPOINT.default_consolidator == "keypoint-consensus"
    assert '<lw-keypoint name="keypoints"' in KEYPOINT.default_template(SPEC)


@pytest.mark.parametrize("value", [
    {"keypoints": {"keypoints": [pt("nose", 320, 240.5)], "inputImageProperties": PROPS}},
    {"face": {"keypoints": [pt("nose", 320, 240.5)], "inputImageProperties": PROPS}},
    {"keypoints": [{"label": "nose", "x": 320.0, "y": 240.5, "id": 7}], "inputImageProperties": PROPS},
])
def test_normalize_accepts_the_element_output(value: Any) -> None:
    out = KEYPOINT.normalize(value, SPEC)
    assert out == {"keypoints": [pt("nose", 320, 240.5)], "inputImageProperties": PROPS}
    assert isinstance(out["keypoints"][0]["x"], int)


@pytest.mark.parametrize(("point", "field", "words"), [
    (pt("ear", 1, 1), "value.keypoints[0].label", "not one of"),
    ({"x": 1, "y": 1}, "value.keypoints[0].label", "choose a label"),
    (pt("nose", 641, 1), "value.keypoints[0].x", "past the image's width"),
    (pt("nose", 1, float("inf")), "value.keypoints[0].y", "finite"),
    ({"label": "nose", "x": "1", "y": 1}, "value.keypoints[0].x", "number"),
    (["nose", 1, 1], "value.keypoints[0]", "label, x, y"),
])
def test_bad_points_name_their_field(point: Any, field: str, words: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        KEYPOINT.normalize({"keypoints": [point], "inputImageProperties": PROPS}, SPEC)
    assert info.value.field == field and words in str(info.value)


def test_without_keypoints_the_field_is_named() -> None:
    with pytest.raises(ValidationFailed) as info:
        KEYPOINT.normalize({"kp": {"points": []}}, SPEC)
    assert info.value.field == "value.keypoints"


def test_three_workers_give_the_median_point_and_a_lone_click_is_dropped() -> None:
    values = [KEYPOINT.normalize({"keypoints": pts, "inputImageProperties": PROPS}, SPEC) for pts in (
        [pt("nose", 320, 240), pt("left-eye", 300, 200)],
        [pt("nose", 322, 244), pt("left-eye", 302, 201)],
        [pt("nose", 330, 241), pt("right-eye", 10, 10)],
    )]
    result = KEYPOINT.consolidate(values, SPEC)
    assert result is not None and result.votes == 3 and result.method == "keypoint-consensus"
    # the nose is the per-axis median of three; the left eye (two of three) passes the quorum
    assert result.value == {"keypoints": [pt("left-eye", 301, 200.5), pt("nose", 322, 241)],
                            "inputImageProperties": PROPS}
    assert len(result.object_confidence) == 2 and 0 < result.confidence < 1
    assert KEYPOINT.consolidate([], SPEC) is None


def test_output_fields_in_the_manifest_shape() -> None:
    result = Consolidated(value={"keypoints": [pt("nose", 5, 6)], "inputImageProperties": PROPS}, confidence=0.7,
                          votes=3, method="keypoint-consensus", object_confidence=(0.654,))
    out = KEYPOINT.output_fields(result, SPEC, "2026-01-01T00:00:00")
    assert out["kp"] == {"annotations": [{"class_id": 2, "x": 5, "y": 6}],
                         "image_size": [{"width": 640, "height": 480, "depth": 3}]}
    assert out["kp-metadata"] == {
        "objects": [{"confidence": 0.65}], "class-map": {"2": "nose"}, "type": "groundtruth/keypoint",
        "human-annotated": "yes", "creation-date": "2026-01-01T00:00:00", "job-name": "labeling-job/faces",
    }


# --- skeletons from the label-category file ----------------------------------------------------

SKELETON_DOC = {"document-version": "2018-11-28",
                "labels": [{"label": "nose"}, {"label": "left_eye"}, {"label": "right_eye"}],
                "skeleton": [["nose", "left_eye"], ["nose", "right_eye"], ["left_eye", "right_eye"]]}


def test_a_skeleton_in_the_label_file_reaches_the_default_template():
    spec = ProjectSpec(labels=parse_label_config(SKELETON_DOC))
    assert spec.labels.skeleton == (("nose", "left_eye"), ("nose", "right_eye"), ("left_eye", "right_eye"))
    template = KEYPOINT.default_template(spec)
    assert 'skeleton="[[&quot;nose&quot;, &quot;left_eye&quot;], ' in template
    assert " keypoint-set" in template
    assert "skeleton" not in KEYPOINT.default_template(ProjectSpec(labels=parse_label_config(["nose"])))


@pytest.mark.parametrize(("skeleton", "problem"), [
    ([["nose", "chin"]], "'chin' is not one of the labels"),
    ([["nose", "nose"]], "two different labels"),
    ([["nose", "left_eye"], ["left_eye", "nose"]], "listed twice"),
    ([["nose"]], "pair of label names"),
    ("nose-left_eye", "list of at most"),
])
def test_a_bad_skeleton_is_refused_naming_the_edge(skeleton, problem):
    with pytest.raises(ValidationFailed, match=problem) as caught:
        parse_label_config({**SKELETON_DOC, "skeleton": skeleton})
    assert caught.value.field.startswith("labels.skeleton")
