"""Authorization tests generated from ``authz/matrix.csv``, and every action the code checks is in it."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

import labelworks
from labelworks.authz import ACTIONS, allowed, authorize, matrix
from labelworks.core.actor import Actor
from labelworks.core.enums import Role
from labelworks.core.errors import PermissionDenied

SRC = Path(labelworks.__file__).parent
MATRIX = SRC / "authz" / "matrix.csv"


def _rows() -> list[dict[str, str]]:
    with MATRIX.open(newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


CASES = [(row["action"], role, row[role.value].strip() == "y") for row in _rows() for role in Role]


@pytest.mark.parametrize(("action", "role", "expected"), CASES,
                         ids=[f"{a}-{r.value}-{'y' if e else 'n'}" for a, r, e in CASES])
def test_matrix_cell(action: str, role: Role, expected: bool) -> None:
    actor = Actor(user_id=1, org_id=1, role=role)
    assert allowed(actor, action) is expected
    if expected:
        authorize(actor, action)
    else:
        with pytest.raises(PermissionDenied) as info:
            authorize(actor, action)
        assert role.value in info.value.message


def test_matrix_file_is_well_formed() -> None:
    rows = _rows()
    with MATRIX.open(newline="") as fh:
        header = next(csv.reader(line for line in fh if not line.startswith("#")))
    assert header == ["action", *(r.value for r in Role)]
    actions = [row["action"] for row in rows]
    assert len(actions) == len(set(actions)), "an action is listed twice"
    for row in rows:
        assert {row[r.value].strip() for r in Role} <= {"y", "n"}, row
        assert re.fullmatch(r"[a-z]+\.[a-z_]+", row["action"]), row["action"]
    assert ACTIONS() == sorted(actions) == sorted(matrix())


def test_owners_may_do_everything() -> None:
    assert all(Role.OWNER in roles for roles in matrix().values())


def test_unknown_action_is_an_error_not_a_denial() -> None:
    with pytest.raises(KeyError, match="matrix.csv"):
        allowed(Actor(1, 1, Role.OWNER), "project.obliterate")


_CHECK = re.compile(r"""\b(?:authorize|allowed)\(\s*[\w.]+\s*,\s*["']([^"']+)["']""")


def _actions_used_in_code() -> dict[str, list[str]]:
    used: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        for action in _CHECK.findall(path.read_text()):
            used.setdefault(action, []).append(str(path.relative_to(SRC)))
    return used


def test_every_action_used_in_the_code_is_in_the_matrix() -> None:
    used = _actions_used_in_code()
    assert len(used) >= 10, f"the pattern found too few checks: {sorted(used)}"
    missing = {a: where for a, where in used.items() if a not in matrix()}
    assert missing == {}, "actions checked in code but absent from authz/matrix.csv"


def test_every_action_in_the_matrix_is_used() -> None:
    unused = sorted(set(matrix()) - set(_actions_used_in_code()))
    assert unused == [], "matrix rows no code checks (stale rules grant nothing)"
