"""Text lines with their transcription, from RapidOCR (PaddleOCR's models in ONNX, shipped in the
``rapidocr-onnxruntime`` wheel).

Speed: RapidOCR's default detector input scales the *shorter* side up to 736 pixels, so a 640×200
strip is detected at 2355×736 (seconds on two cores); here the detector keeps the image's size up
to its limit ("max" mode), and images are first scaled so the longer side is at most
``OCR_SIDE`` pixels (a 12-megapixel photo is read at 1600×1200; text lines under ~25 px in the
original then fall below what the recogniser reads, a fair price for an interactive tool).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from ...core.assist import AssistResult
from ..lazy import LazyModel
from ..regions import read_number

__all__ = ["Text", "OCR", "OCR_SIDE"]

OCR_SIDE = 1600


def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(det_limit_type="max", det_limit_side_len=960)


OCR: LazyModel[Any] = LazyModel(_engine, "rapidocr-onnxruntime")


class Text:
    name = "text"
    title = "Detect text"
    kinds = ("polygon",)
    needs = "none"
    task_types = ("bounding-box", "polygon")
    model = "rapidocr-onnxruntime/ppocr-v4"

    def run(self, image: npt.NDArray[np.uint8], params: Mapping[str, Any]) -> AssistResult:
        threshold = read_number(params, "min_score", 0.5, 0, 1)
        height, width = image.shape[:2]
        scale = min(1.0, OCR_SIDE / max(height, width))
        if scale < 1.0:
            image = cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
        with OCR.use() as engine:
            # RapidOCR reads arrays as OpenCV does: BGR
            found, _ = engine(np.ascontiguousarray(image[:, :, ::-1]))
        regions = []
        for quad, text, score in found or []:
            if float(score) < threshold:
                continue
            regions.append({"kind": "polygon", "points": [{"x": round(float(x) / scale, 2), "y": round(float(y) / scale, 2)}
                                                          for x, y in quad],
                            "label": "text", "text": str(text), "score": round(float(score), 4), "source": "model"})
        return AssistResult(self.name, self.model, regions)
