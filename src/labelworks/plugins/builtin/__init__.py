"""Built-in task types, registered through the same hook a third-party plugin uses."""

from __future__ import annotations

from ...core.consolidation.base import Consolidator
from ...core.consolidation.structured.consolidators import structured_consolidators
from ...core.consolidation.structured.evaluation import EVALUATION_CRITERIA
from ...core.consolidation.truth.consolidators import CATEGORICAL
from ...core.tasktypes import IMAGE_CLASSIFICATION, TEXT_CLASSIFICATION
from ...core.tasktypes.base import TaskType
from ...core.tasktypes.bounding_box import BOUNDING_BOX
from ...core.tasktypes.captioning import IMAGE_CAPTIONING, VIDEO_CAPTIONING
from ...core.tasktypes.chat_demonstration import CHAT_DEMONSTRATION
from ...core.tasktypes.evaluation import MODEL_EVALUATION
from ...core.tasktypes.keypoint import KEYPOINT
from ...core.tasktypes.ner import NAMED_ENTITY_RECOGNITION
from ...core.tasktypes.qa_generation import QUESTION_ANSWER_GENERATION
from ...core.tasktypes.ranking import TEXT_RANKING
from ...core.tasktypes.segmentation import INSTANCE_SEGMENTATION, SEMANTIC_SEGMENTATION
from ...core.tasktypes.shapes import LINE, POLYGON, POLYLINE
from ...core.tasktypes.verification import LABEL_VERIFICATION
from ...core.tasktypes.adjustment import LABEL_ADJUSTMENT
from ..hookspecs import hookimpl


@hookimpl
def register_task_types() -> list[TaskType]:
    """Text and image classification, single- and multi-label; bounding boxes, polygons, polylines,
    lines, keypoints; semantic and instance segmentation; named entities with relations and document
    labels; verification and adjustment of an earlier label; text ranking (RLHF preferences);
    demonstrations for fine-tuning (question-answer pairs, chat replies, image and video captions); human
    model evaluation (Bedrock's five rating methods over any number of models)."""
    return [TEXT_CLASSIFICATION, IMAGE_CLASSIFICATION, BOUNDING_BOX, POLYGON, POLYLINE, LINE, KEYPOINT,
            LABEL_VERIFICATION, LABEL_ADJUSTMENT, SEMANTIC_SEGMENTATION, INSTANCE_SEGMENTATION,
            NAMED_ENTITY_RECOGNITION, TEXT_RANKING, QUESTION_ANSWER_GENERATION, CHAT_DEMONSTRATION, IMAGE_CAPTIONING,
            VIDEO_CAPTIONING, MODEL_EVALUATION]


@hookimpl
def register_consolidators() -> list[Consolidator]:
    """Truth inference for labels (majority vote, Dawid-Skene, one-coin DS, GLAD, MACE, Wawa, ZBS);
    boxes, polygons, masks, keypoints, spans, rankings, pairwise, ratings and free text; model
    evaluations per criterion (through the label, rating and ranking algorithms)."""
    return [*CATEGORICAL, *structured_consolidators(), EVALUATION_CRITERIA]
