"""Text lines with their transcription, from RapidOCR (PaddleOCR's models in ONNX, shipped in the
``rapidocr-onnxruntime`` wheel)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from ...core.assist import AssistResult
from ..lazy import LazyModel
from ..regions import read_number

__all__ = ["Text", "OCR"]


def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


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
        with OCR.use() as engine:
            # RapidOCR reads arrays as OpenCV does: BGR
            found, _ = engine(np.ascontiguousarray(image[:, :, ::-1]))
        regions = []
        for quad, text, score in found or []:
            if float(score) < threshold:
                continue
            regions.append({"kind": "polygon", "points": [{"x": round(float(x), 2), "y": round(float(y), 2)}
                                                          for x, y in quad],
                            "label": "text", "text": str(text), "score": round(float(score), 4), "source": "model"})
        return AssistResult(self.name, self.model, regions)
