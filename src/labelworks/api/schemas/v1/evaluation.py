"""Query parameters of the model-evaluation report (the report itself is a plain JSON document:
its fields are documented in docs/task-types/model-evaluation.md#report)."""

from __future__ import annotations

from typing import Literal

__all__ = ["ReportFormat"]

# none: the report for the web page; json: with Bedrock output records, as a download; jsonl: only
# those records, one per line (Bedrock writes its human-evaluation output as JSON Lines); html: one page
ReportFormat = Literal["json", "jsonl", "html"]
