"""Which labeled items go to review: the project's review settings, checked, and the sampling rule
(every item, a stable percent, or those below a confidence). Pure: no database (services/reviews.py
stores the settings and queues what this picks)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime

from ..core.errors import ValidationFailed

__all__ = ["MODES", "ReviewSettings", "validated_settings", "is_sampled"]

MODES = ("none", "all", "percent", "below_confidence")


@dataclass(frozen=True)
class ReviewSettings:
    mode: str = "none"
    percent: float | None = None
    threshold: float | None = None
    time_limit_s: int = 900
    updated_at: datetime | None = None


def validated_settings(mode: str, percent: float | None, threshold: float | None, time_limit_s: int) -> ReviewSettings:
    if mode not in MODES:
        raise ValidationFailed(f"mode must be one of {', '.join(MODES)}", field="mode")
    if mode == "percent":
        if percent is None or not math.isfinite(percent) or not 0 < percent <= 100:
            raise ValidationFailed("percent mode needs a percent above 0 and at most 100", field="percent")
    elif percent is not None:
        raise ValidationFailed("percent applies only to mode 'percent'", field="percent")
    if mode == "below_confidence":
        if threshold is None or not math.isfinite(threshold) or not 0 < threshold <= 1:
            raise ValidationFailed("below_confidence mode needs a threshold above 0 and at most 1",
                                   field="threshold")
    elif threshold is not None:
        raise ValidationFailed("threshold applies only to mode 'below_confidence'", field="threshold")
    if not 30 <= time_limit_s <= 8 * 3600:
        raise ValidationFailed("the review time limit must be between 30 s and 8 h", field="time_limit_s")
    return ReviewSettings(mode, percent, threshold, time_limit_s)


def _hash_share(project_id: int, item_id: int) -> float:
    """A stable number in [0, 100) per item: the same items are sampled on every server and run."""
    digest = hashlib.blake2b(f"{project_id}:{item_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 * 100


def is_sampled(settings: ReviewSettings, project_id: int, item_id: int, confidence: float | None) -> str | None:
    """Why the item goes to review (in words), or None when the sampling leaves it out."""
    if settings.mode == "all":
        return "every item is reviewed"
    if settings.mode == "percent" and settings.percent is not None:
        return f"in the {settings.percent:g}% sample" if _hash_share(project_id, item_id) < settings.percent \
            else None
    if settings.mode == "below_confidence" and settings.threshold is not None:
        if confidence is not None and confidence < settings.threshold:
            return f"confidence {confidence:.2f} below {settings.threshold:.2f}"
    return None
