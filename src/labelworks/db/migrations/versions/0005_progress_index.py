"""progress counts read items.wanted (adaptive routing's per-item target) from the state index

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('items') as batch:
        batch.drop_index('ix_items_state')
        batch.create_index('ix_items_state', ['project_id', 'done', 'taken', 'wanted'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('items') as batch:
        batch.drop_index('ix_items_state')
        batch.create_index('ix_items_state', ['project_id', 'done', 'taken'], unique=False)
