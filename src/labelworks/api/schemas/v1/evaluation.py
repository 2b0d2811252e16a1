"""Query parameters of the model-evaluation report (the report itself is a plain JSON document:
its fields are documented in docs/task-types/model-evaluation.md#report)."""

from __future__ import annotations

from typing import Literal

__all__ = ["ReportFormat"]

# none: the report for the web page; json: with Bedrock output records, as a download; html: one page
ReportFormat = Literal["json", "html"]
