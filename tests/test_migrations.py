"""The migrations build exactly the schema the models describe (several contexts add tables at once)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import labelworks.db.models  # noqa: F401  (registers every table)
from labelworks.db.base import Base
from labelworks.db.engine import Database
from labelworks.db.migrate import alembic_config, upgrade

EXPRESSION_INDEXES = {"ix_items_next"}


def test_one_head_and_a_linear_history() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, script.get_heads()
    revisions = list(script.walk_revisions())
    assert all(len(r._versioned_down_revisions) <= 1 for r in revisions)


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'schema.db'}")
    try:
        upgrade(db)
        with db.engine.connect() as conn:
            diff: list[Any] = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        db.dispose()
    # alembic cannot compare an expression index (priority DESC): that one is checked by its name only
    diff = [d for d in diff if not (d[0] in ("add_index", "remove_index") and d[1].name in EXPRESSION_INDEXES)]
    assert diff == [], "\n".join(map(str, diff))
