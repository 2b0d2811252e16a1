from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer

# Times are stored as naive UTC; on the wire they carry their zone so browsers read them right.
UtcDatetime = Annotated[datetime, PlainSerializer(
    lambda d: d.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z"), return_type=str)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
