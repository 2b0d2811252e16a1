"""A drafted chat reply's ``source.generationId`` is checked against the stored generations.

The chat editor's "Draft with model" records on a reply which connection drafted it and which
stored generation it was (``source: {model, generationId, draft, …}``; docs/task-types/
chat-demonstration.md). The task type checks the shape only (it has no database); the browser could
still name any number. So at submit, inside the submitting transaction, every ``generationId`` of
the answer must be a generation of *this* project whose connection is the one ``source.model``
names (its name now, or the name it had when the generation was made: a rename between the draft
and the submit is not the worker's fault). Otherwise the submission is refused naming the turn's
field, e.g. ``value.chat.messages[4].source.generationId``. A generation of another project gets
the same answer as one that does not exist, so ids of other projects cannot be probed.

One indexed read per submission that carries ids; none for answers without them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.errors import ValidationFailed
from ..core.tasktypes.image_objects import unwrap_answer
from ..db.models import Generation, ModelConnection

__all__ = ["drafted_generations", "check_drafted_generations"]


def drafted_generations(canonical: Mapping[str, Any]) -> list[tuple[int, str, int]]:
    """``(turn index, source.model, source.generationId)`` of each drafted reply that names one."""
    messages = canonical.get("messages")
    if not isinstance(messages, list):
        return []
    found = []
    for i, m in enumerate(messages):
        source = m.get("source") if isinstance(m, Mapping) else None
        if isinstance(source, Mapping) and isinstance(source.get("generationId"), int):
            found.append((i, str(source.get("model", "")), int(source["generationId"])))
    return found


def _field_prefix(raw: Any) -> str:
    """``value`` or ``value.<element name>``, as the task type named its own errors."""
    try:
        return unwrap_answer(raw, ("messages",), "messages")[1]
    except ValidationFailed:  # normalize accepted it, so this does not happen; a plain path will do
        return "value"


def check_drafted_generations(s: Session, project_id: int, canonical: Mapping[str, Any], raw: Any) -> None:
    """Refuses an answer whose drafted replies name generations not made in this project by the
    connection their ``source.model`` names (ValidationFailed naming the turn's generationId)."""
    drafted = drafted_generations(canonical)
    if not drafted:
        return
    ids = sorted({gid for _, _, gid in drafted})
    rows = s.execute(select(Generation.id, Generation.project_id, Generation.model_name, ModelConnection.name)
                     .outerjoin(ModelConnection, ModelConnection.id == Generation.connection_id)
                     .where(Generation.id.in_(ids))).all()
    known = {gid: (pid, made_as, now_named) for gid, pid, made_as, now_named in rows}
    prefix = _field_prefix(raw)
    for turn, model, gid in drafted:
        field = f"{prefix}.messages[{turn}].source.generationId"
        found = known.get(gid)
        if found is None or found[0] != project_id:
            raise ValidationFailed(f"generation {gid} is not a stored generation of this project", field=field)
        _, made_as, now_named = found
        if model not in (made_as, now_named):
            raise ValidationFailed(f"generation {gid} was made by the model {now_named or made_as!r}, "
                                   f"not {model!r} as this reply's source says", field=field)
