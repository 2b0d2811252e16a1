"""Adaptive routing: items start at K workers; an item whose answer stays unsure goes to one more, up to N.

The target of each item is ``items.wanted`` (NULL: the project's K). The consolidation service
calls :func:`on_consolidated` after it stores an item's answer; when every wanted worker has
answered and the confidence is still below the project's threshold, the target grows by one and
the item re-opens. The next-task statements (``N.take_routed``, and ``N.take_first`` on SQLite) read
the same column, so the assignment invariants (never above the target, never twice to one worker)
hold unchanged.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

__all__ = ["on_consolidated", "reopen", "target_of", "routed_counts"]

_settings = text("SELECT routing, initial_workers, max_workers, confidence_threshold FROM project_quality "
                 "WHERE project_id = :pid")
_item = text("SELECT i.wanted, EXISTS (SELECT 1 FROM gold_items g WHERE g.item_id = i.id) FROM items i "
             "WHERE i.id = :iid AND i.project_id = :pid")
# guarded by the target we read: two answers consolidated at once raise it once
_raise = text("UPDATE items SET wanted = :new, is_open = CASE WHEN taken < :new THEN 1 ELSE 0 END "
              "WHERE id = :iid AND COALESCE(wanted, :k) = :old")
_reopen_routed = text("UPDATE items SET is_open = CASE WHEN taken < COALESCE(wanted, :n) THEN 1 ELSE 0 END "
                      "WHERE project_id = :pid")
_reopen_plain = text("UPDATE items SET is_open = CASE WHEN taken < :n THEN 1 ELSE 0 END WHERE project_id = :pid")
_routed = text("SELECT wanted, COUNT(*) FROM items WHERE project_id = :pid AND wanted IS NOT NULL GROUP BY wanted")
_close_gold = text("UPDATE items SET is_open = 0 WHERE id IN (SELECT item_id FROM gold_items WHERE project_id = :pid)")


def target_of(wanted: int | None, routing: bool, initial_workers: int, workers_per_item: int) -> int:
    """How many workers an item wants now."""
    if not routing:
        return workers_per_item
    return wanted if wanted is not None else initial_workers


_UNREAD: Any = object()


def on_consolidated(s: Session, project_id: int, item_id: int, confidence: float, votes: int, *,
                    settings: Any = _UNREAD) -> int | None:
    """Route an unsure item to one more worker; returns the new target, or None when nothing changed.

    ``settings``: (routing, initial, max, threshold) or None, when the caller has read them already.
    """
    if settings is _UNREAD:
        settings = s.execute(_settings, {"pid": project_id}).first()
    if settings is None or not settings[0]:
        return None
    _, k, n, threshold = settings
    item = s.execute(_item, {"iid": item_id, "pid": project_id}).first()
    if item is None or item[1]:  # gold items are answered by every worker anyway
        return None
    target = int(item[0]) if item[0] is not None else int(k)
    # wait until every wanted worker has answered; a sure answer, or N reached, ends the routing
    if votes < target or confidence >= float(threshold) or target >= int(n):
        return None
    result = s.execute(_raise, {"new": target + 1, "iid": item_id, "k": int(k), "old": target})
    return target + 1 if getattr(result, "rowcount", 0) else None


def reopen(s: Session, project_id: int, workers_per_item: int) -> None:
    """Recompute which items take annotators, after workers per item or the routing settings changed."""
    settings = s.execute(_settings, {"pid": project_id}).first()
    if settings is not None and settings[0]:
        s.execute(_reopen_routed, {"pid": project_id, "n": int(settings[1])})
    else:
        s.execute(_reopen_plain, {"pid": project_id, "n": workers_per_item})
    s.execute(_close_gold, {"pid": project_id})


def routed_counts(s: Session, project_id: int) -> dict[int, int]:
    """Items that routing sent to more workers, by their target now (target -> items)."""
    return {int(wanted): int(n) for wanted, n in s.execute(_routed, {"pid": project_id})}
