"""Test data built through the services, as a user of the product would build it.

``Factory(db)`` makes organisations, users of every role (each with an API token), teams,
projects of every task type and items. Users get no password unless one is asked for: an
argon2 hash costs ~0.1 s, and only the login tests need one.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from labelworks.core.actor import Actor
from labelworks.core.enums import Role
from labelworks.db.engine import Database
from labelworks.db.models import Item
from labelworks.plugins.manager import get_registry
from labelworks.services import accounts, imports, projects

__all__ = ["Factory", "UserHandle", "OrgUsers", "PASSWORD", "LABELS", "wait_for_job"]

PASSWORD = "correct-horse-battery"
LABELS = ("cat", "dog", "bird")
_seq = itertools.count(1)


@dataclass(frozen=True)
class UserHandle:
    """A user with an API token; ``headers`` authenticate an API call as them."""

    info: accounts.UserInfo
    token: str
    password: str | None = None

    @property
    def id(self) -> int:
        return self.info.id

    @property
    def email(self) -> str:
        return self.info.email

    @property
    def org_id(self) -> int:
        return self.info.org_id

    @property
    def actor(self) -> Actor:
        return accounts.actor_for(self.info)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class OrgUsers:
    """One organisation with a user of each role."""

    org_id: int
    owner: UserHandle
    admin: UserHandle
    manager: UserHandle
    reviewer: UserHandle
    annotator: UserHandle

    def by_role(self, role: Role | str) -> UserHandle:
        return getattr(self, Role(role).value)  # type: ignore[no-any-return]


class Factory:
    def __init__(self, db: Database) -> None:
        self.db = db

    def org(self, name: str | None = None) -> int:
        return accounts.ensure_org(self.db, name or f"Org {next(_seq)}")

    def user(self, role: Role | str = Role.ANNOTATOR, *, org_id: int | None = None, email: str | None = None,
             password: str | None = None) -> UserHandle:
        n = next(_seq)
        email = email or f"{Role(role).value}-{n}@example.org"
        info = accounts.create_user(self.db, email, password, role, org_id=org_id)
        return UserHandle(info, accounts.create_token(self.db, info.id, "tests"), password)

    def org_users(self, name: str | None = None, *, password: str | None = None) -> OrgUsers:
        org_id = self.org(name)
        by_role = {role.value: self.user(role, org_id=org_id, password=password) for role in Role}
        return OrgUsers(org_id=org_id, **by_role)

    def annotators(self, n: int, org_id: int) -> list[UserHandle]:
        return [self.user(Role.ANNOTATOR, org_id=org_id) for _ in range(n)]

    def team(self, by: UserHandle, members: Sequence[UserHandle] = (), name: str | None = None) -> accounts.TeamInfo:
        team = accounts.create_team(self.db, by.actor, name or f"Team {next(_seq)}")
        for member in members:
            accounts.add_team_member(self.db, by.actor, team.id, member.id)
        return team

    def project(self, by: UserHandle, task_type: str = "text-classification", *,
                labels: Any = LABELS, **fields: Any) -> projects.ProjectInfo:
        name = fields.pop("name", f"Project {next(_seq)}")
        label_value = list(labels) if isinstance(labels, tuple) else labels
        return projects.create_project(self.db, by.actor, projects.ProjectInput(
            name=name, task_type=task_type, labels=label_value, **fields))

    def projects_of_each_type(self, by: UserHandle) -> dict[tuple[str, bool], projects.ProjectInfo]:
        """One project per (task type, multi-label) the registry offers."""
        out = {}
        for name, tt in sorted(get_registry().task_types.items()):
            for multi in (False, True) if tt.supports_multi_label else (False,):
                out[(name, multi)] = self.project(by, name, multi_label=multi)
        return out

    def items(self, by: UserHandle, project_id: int, n: int = 3,
              rows: Sequence[dict[str, Any]] | None = None) -> list[int]:
        """Import ``rows`` (default: ``n`` text rows) and return the project's item ids in order."""
        if rows is None:
            rows = [{"source": f"item {i}"} for i in range(n)]
        imports.import_rows(self.db, by.actor, project_id, list(rows))
        return self.item_ids(project_id)

    def item_ids(self, project_id: int) -> list[int]:
        with self.db.read() as s:
            return list(s.scalars(select(Item.id).where(Item.project_id == project_id).order_by(Item.id)))


def wait_for_job(client: Any, job_id: int, headers: dict[str, str], timeout: float = 30) -> dict[str, Any]:
    """Poll ``GET /api/v1/jobs/{id}`` until the job is done or failed; returns its last state."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(f"/api/v1/jobs/{job_id}", headers=headers)
        assert r.status_code == 200, r.text
        job: dict[str, Any] = r.json()
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} is still {job['status']} after {timeout} s"
        time.sleep(0.05)
