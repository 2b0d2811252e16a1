"""Where the workplace's shared datasets are: ``../shared`` beside the checkout (CI links it there)."""

from __future__ import annotations

from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA = SHARED / "data"
