"""The HTML of one task, for the annotator who holds its lease."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable

from ..core.actor import Actor
from ..core.enums import AssignmentStatus
from ..core.errors import Conflict, NotFound
from ..db.engine import Database
from ..db.models import Assignment, Item
from .assignments import lease_gone_message
from .projects import info_from_row, load_visible
from .templates import render_task

__all__ = ["task_html", "worker_seed"]


def task_html(db: Database, actor: Actor, assignment_id: int, sign_media: Callable[[str], str]) -> str:
    with db.read() as s:
        a = s.get(Assignment, assignment_id)
        if a is None or a.user_id != actor.user_id:
            raise NotFound(f"no assignment {assignment_id}")
        if a.status != AssignmentStatus.ACTIVE:
            raise Conflict(lease_gone_message(assignment_id, a.status))
        project = info_from_row(load_visible(s, actor, a.project_id))
        item = s.get(Item, a.item_id)
        assert item is not None
        data = json.loads(item.data)
        seed = worker_seed(a.item_id, a.user_id)
    return render_task(project.effective_template, data, list(project.labels.labels),
                       header=_plain_first_line(project.short_instructions), sign_media=sign_media,
                       worker_seed=seed)


def worker_seed(item_id: int, user_id: int) -> str:
    """The same for one annotator on one item across reloads, different between annotators: the
    order <lw-text-ranking> shows responses in (position bias averages out over annotators)."""
    return hashlib.sha256(f"lw-order:{item_id}:{user_id}".encode()).hexdigest()[:16]


def _plain_first_line(markdown: str) -> str:
    """The header shown above a built-in task: the instructions' first line without Markdown marks."""
    first = next((line for line in markdown.splitlines() if line.strip()), "")
    return re.sub(r"[*_`#>]+", "", first).strip()
