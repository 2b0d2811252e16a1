"""Wire models for chaining a verification or adjustment project onto a finished one."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from .common import Strict
from .projects import ProjectPublic
from .work import JobPublic


class ChainCreate(Strict):
    mode: Literal["verification", "adjustment"]
    name: str
    labels: list[str] | dict[str, Any] | str | None = Field(
        default=None, description="Verification: the verdicts (default Correct, Incorrect); adjustment keeps the "
                                  "source project's labels")
    workers_per_item: int = 1
    label_attribute: str | None = Field(default=None, description="Default: from the name (never the source's)")


class ChainPublic(BaseModel):
    project: ProjectPublic
    items: int = Field(description="Labeled items of the source project, one new item each")
    created: int | None = Field(description="Items created now; null while the import job runs")
    job: JobPublic | None = Field(description="The import job for a large source, else null")
