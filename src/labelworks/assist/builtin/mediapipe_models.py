"""Faces, person masks and body pose from the models bundled in the ``mediapipe==0.10.14`` wheel.

Only bundled graphs are used: face detection's short-range model, selfie segmentation's general
model and pose with ``model_complexity=1`` (complexities 0 and 2 download their model on first
use, which this server never does).

mediapipe's generated protobuf code calls ``SymbolDatabase.GetPrototype()``, which newer protobuf
reports with a UserWarning on every call; that one message is ignored (narrowly, by its text),
since there is nothing a caller could do about it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from ...core.assist import AssistResult
from ..lazy import LazyModel
from ..regions import box_region, mask_regions, read_number

__all__ = ["Faces", "Person", "Pose", "FACES", "PERSON", "POSE", "POSE_LANDMARKS"]

_PROTOBUF_NOISE = r"SymbolDatabase\.GetPrototype\(\) is deprecated"
MEDIAPIPE = "mediapipe-0.10.14"


def _quiet() -> None:
    warnings.filterwarnings("ignore", message=_PROTOBUF_NOISE, category=UserWarning)


def _solutions() -> Any:
    _quiet()
    import mediapipe as mp

    return mp.solutions


def _face_detector() -> Any:
    return _solutions().face_detection.FaceDetection(model_selection=0, min_detection_confidence=0.5)


def _selfie() -> Any:
    return _solutions().selfie_segmentation.SelfieSegmentation(model_selection=0)


def _pose() -> Any:
    return _solutions().pose.Pose(static_image_mode=True, model_complexity=1, enable_segmentation=False)


FACES: LazyModel[Any] = LazyModel(_face_detector, "mediapipe")
PERSON: LazyModel[Any] = LazyModel(_selfie, "mediapipe")
POSE: LazyModel[Any] = LazyModel(_pose, "mediapipe")

# mediapipe's PoseLandmark names, lower case (nose, left_eye_inner, ..., right_foot_index)
POSE_LANDMARKS = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder", "right_shoulder", "left_elbow",
    "right_elbow", "left_wrist", "right_wrist", "left_pinky", "right_pinky", "left_index", "right_index",
    "left_thumb", "right_thumb", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
    "right_ankle", "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)


def _process(model: LazyModel[Any], image: npt.NDArray[np.uint8]) -> Any:
    # no warnings.catch_warnings() here: it swaps the process-wide filter list and is not
    # thread-safe; the filter installed at load stays (pyproject's filterwarnings has the same
    # line for pytest, which puts its own filters first)
    with model.use() as graph:
        return graph.process(np.ascontiguousarray(image))


class Faces:
    name = "faces"
    title = "Detect faces"
    kinds = ("box",)
    needs = "none"
    task_types = ("bounding-box",)
    model = f"{MEDIAPIPE}/face_detection_short_range"

    def run(self, image: npt.NDArray[np.uint8], params: Mapping[str, Any]) -> AssistResult:
        threshold = read_number(params, "min_score", 0.5, 0, 1)
        height, width = image.shape[:2]
        found = _process(FACES, image)
        regions = []
        for det in found.detections or []:
            score = float(det.score[0]) if det.score else 0.0
            if score < threshold:
                continue
            box = det.location_data.relative_bounding_box
            x0, y0 = max(0.0, box.xmin * width), max(0.0, box.ymin * height)
            x1, y1 = min(float(width), (box.xmin + box.width) * width), min(float(height), (box.ymin + box.height) * height)
            if x1 > x0 and y1 > y0:
                regions.append(box_region(x0, y0, x1 - x0, y1 - y0, label="face", score=round(score, 4)))
        return AssistResult(self.name, self.model, regions)


class Person:
    name = "person"
    title = "Segment person"
    kinds = ("mask", "polygon")
    needs = "none"
    task_types = ("polygon", "instance-segmentation", "semantic-segmentation")
    model = f"{MEDIAPIPE}/selfie_segmentation"

    def run(self, image: npt.NDArray[np.uint8], params: Mapping[str, Any]) -> AssistResult:
        threshold = read_number(params, "threshold", 0.5, 0.01, 0.99)
        found = _process(PERSON, image)
        mask = np.asarray(found.segmentation_mask) > threshold
        if not mask.any():
            return AssistResult(self.name, self.model, [])
        return AssistResult(self.name, self.model, mask_regions(mask, label="person"))


class Pose:
    name = "pose"
    title = "Detect pose"
    kinds = ("keypoints",)
    needs = "none"
    task_types = ("keypoint",)
    model = f"{MEDIAPIPE}/pose_landmark_full"

    def run(self, image: npt.NDArray[np.uint8], params: Mapping[str, Any]) -> AssistResult:
        height, width = image.shape[:2]
        found = _process(POSE, image)
        if found.pose_landmarks is None:
            return AssistResult(self.name, self.model, [])
        points = []
        for name, lm in zip(POSE_LANDMARKS, found.pose_landmarks.landmark, strict=True):
            # mediapipe extrapolates hidden landmarks past the frame: clip, and keep its visibility as score
            points.append({"label": name, "x": round(min(max(lm.x * width, 0.0), float(width)), 2),
                           "y": round(min(max(lm.y * height, 0.0), float(height)), 2),
                           "score": round(min(max(float(lm.visibility), 0.0), 1.0), 4)})
        return AssistResult(self.name, self.model,
                            [{"kind": "keypoints", "points": points, "label": "person", "source": "model"}])
