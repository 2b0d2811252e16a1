"""The built-in CPU assists, registered through the same ``register_assists`` hook a plugin uses."""

from __future__ import annotations

from ...core.assist import Assist
from ...plugins.hookspecs import hookimpl
from .mediapipe_models import Faces, Person, Pose
from .ocr import Text
from .opencv_tools import GrabCut, MagicWand, Slic

__all__ = ["BUILTIN_ASSISTS", "register_assists"]

BUILTIN_ASSISTS: tuple[Assist, ...] = (GrabCut(), MagicWand(), Slic(), Faces(), Person(), Pose(), Text())


@hookimpl
def register_assists() -> list[Assist]:
    """GrabCut, magic wand and SLIC (OpenCV / scikit-image); faces, person masks and pose (mediapipe);
    text lines with transcriptions (RapidOCR)."""
    return list(BUILTIN_ASSISTS)
