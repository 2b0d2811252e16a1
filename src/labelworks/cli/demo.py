"""``demo``: a demo organisation, logins and three projects from data shipped in the package.

Idempotent: a second run finds what the first made and adds nothing twice.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from ..core.enums import Role
from ..core.errors import Conflict
from ..db.engine import Database
from ..services import accounts, imports, projects
from ..settings import Settings
from .context import DataDir, console, default_data_dir, fail_on_errors, open_db

DEMO = Path(__file__).resolve().parent.parent / "demo"
OWNER = "admin@labelworks.local"
ANNOTATORS = ("annotator1@labelworks.local", "annotator2@labelworks.local")
TEAM = "Demo annotators"

SMS_FULL = """Decide whether each text message is **spam** (unsolicited, a scam, mass marketing) or
**ham** (an ordinary message between people or a service you use).

- Messages asking for card numbers, passwords or fees are spam.
- A late train or a dinner plan is ham.
"""
NEWS_FULL = """Choose **every** topic the headline is about. A headline can have several topics
(a minister resigning over stadium funding is *politics* and *sport*)."""
SHAPES_FULL = "Pick the shape you see: circle, square or triangle. Colour does not matter."


def _password(data_dir: Path) -> str:
    path = data_dir / "demo-credentials.txt"
    if path.exists():
        for line in path.read_text().splitlines():
            if line.startswith("password:"):
                return line.split(":", 1)[1].strip()
    password = secrets.token_urlsafe(9)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(f"Labelworks demo logins (every user below)\npassword: {password}\n"
                 f"users: {OWNER}, {', '.join(ANNOTATORS)}\n")
    return password


def _user(db: Database, email: str, password: str, role: Role) -> accounts.UserInfo:
    try:
        return accounts.create_user(db, email, password, role)
    except Conflict:
        return accounts.find_user(db, email)


def _project(db: Database, settings: Settings, actor: accounts.Actor, team_id: int, data: projects.ProjectInput,
             source: Path) -> int:
    existing = {p.name: p.id for p in projects.list_projects(db, actor)}
    if data.name in existing:
        return existing[data.name]
    p = projects.create_project(db, actor, projects.ProjectInput(**{**data.__dict__, "team_ids": [team_id]}))
    if source.is_dir():
        imports.import_folder(db, actor, p.id, source, roots=settings.allowed_media_roots, media_dir=settings.media_dir)
    else:
        imports.import_file(db, actor, p.id, lambda: source.open("rb"), "manifest")
    return p.id


def demo(data_dir: DataDir = default_data_dir()) -> None:
    """Create (once) a demo organisation, logins and projects; print how to log in."""
    with fail_on_errors():
        settings, db = open_db(data_dir)
        password = _password(settings.data_dir)
        owner = _user(db, OWNER, password, Role.OWNER)
        actor = accounts.actor_for(owner)
        annotators = [_user(db, email, password, Role.ANNOTATOR) for email in ANNOTATORS]
        team = next((t for t in accounts.list_teams(db, actor) if t.name == TEAM), None)
        team_id = team.id if team else accounts.create_team(db, actor, TEAM).id
        for a in annotators:
            accounts.add_team_member(db, actor, team_id, a.id)
        ids = [
            _project(db, settings, actor, team_id, projects.ProjectInput(
                name="Demo: SMS spam or ham", task_type="text-classification", labels=["spam", "ham"],
                workers_per_item=2, short_instructions="Is this text message **spam** or **ham**?",
                full_instructions=SMS_FULL, examples=[
                    {"kind": "good", "text": "'Verify your bank details at this link' → spam",
                     "explanation": "asks for credentials"},
                    {"kind": "bad", "text": "'Running late, start without me' → spam",
                     "explanation": "an ordinary message between people is ham"}]), DEMO / "sms.manifest"),
            _project(db, settings, actor, team_id, projects.ProjectInput(
                name="Demo: news topics (multi-label)", task_type="text-classification",
                labels=["politics", "sport", "science", "business", "culture"], multi_label=True,
                short_instructions="Choose every topic of the headline.", full_instructions=NEWS_FULL, examples=[
                    {"kind": "good", "text": "'Football club sold to investment group' → sport, business",
                     "explanation": "both apply"},
                    {"kind": "bad", "text": "'Football club sold to investment group' → sport",
                     "explanation": "the sale is business news too"}]), DEMO / "news.manifest"),
            _project(db, settings, actor, team_id, projects.ProjectInput(
                name="Demo: shapes (image classification)", task_type="image-classification",
                labels=["circle", "square", "triangle"], short_instructions="Which shape is it?",
                full_instructions=SHAPES_FULL, examples=[
                    {"kind": "good", "text": "a red circle → circle", "explanation": "colour does not matter"},
                    {"kind": "bad", "text": "a red triangle → circle", "explanation": "count the corners"}]),
                DEMO / "images"),
        ]
    console.print("\n[bold]Labelworks demo[/] is ready.")
    console.print(f"  open      http://{settings.host}:{settings.port}")
    console.print(f"  manager   {OWNER}")
    console.print(f"  labelers  {', '.join(ANNOTATORS)}")
    console.print(f"  password  {password}   (kept in {settings.data_dir / 'demo-credentials.txt'})")
    console.print(f"  projects  {', '.join(str(i) for i in ids)}\n")
