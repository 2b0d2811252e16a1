"""Authorization: actor × action, from the matrix in ``matrix.csv`` (tests are generated from it).

Object checks (the object's own organisation and project) are done by the services, which load
the object; this module answers only "may this role do this action at all".
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from ..core.actor import Actor
from ..core.enums import Role
from ..core.errors import PermissionDenied

__all__ = ["allowed", "authorize", "matrix", "ACTIONS"]

_MATRIX = Path(__file__).with_name("matrix.csv")


@lru_cache(maxsize=1)
def matrix() -> dict[str, frozenset[Role]]:
    rules: dict[str, frozenset[Role]] = {}
    with _MATRIX.open(newline="") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            action = row.pop("action")
            rules[action] = frozenset(Role(role) for role, flag in row.items() if flag.strip() == "y")
    return rules


def ACTIONS() -> list[str]:  # noqa: N802  (reads like the constant it stands for)
    return sorted(matrix())


def allowed(actor: Actor, action: str) -> bool:
    try:
        return actor.role in matrix()[action]
    except KeyError:
        raise KeyError(f"unknown action {action!r}: add it to authz/matrix.csv") from None


def authorize(actor: Actor, action: str) -> None:
    if not allowed(actor, action):
        raise PermissionDenied(f"the {actor.role.value} role does not allow this ({action})")
