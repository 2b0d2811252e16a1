"""Task types: what one annotation is, how it is shown, consolidated and exported.

Built-in types register through the same plugin hook as third-party ones
(``plugins/builtin``); nothing here touches a database.
"""

from .base import ProjectSpec, TaskType
from .classification import IMAGE_CLASSIFICATION, TEXT_CLASSIFICATION, ClassificationTaskType

__all__ = [
    "ProjectSpec",
    "TaskType",
    "ClassificationTaskType",
    "TEXT_CLASSIFICATION",
    "IMAGE_CLASSIFICATION",
]
