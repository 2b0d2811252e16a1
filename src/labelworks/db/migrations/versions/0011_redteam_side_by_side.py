"""red teaming side by side: a session's target models (one column each), the reply's column, and the
state/heartbeat of a reply being written (owner: red-team service)

Existing sessions get their one model as slot 0 and their replies slot 0.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'redteam_session_models',
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('slot', sa.Integer(), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=True),
        sa.Column('model_name', sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['redteam_sessions.id'],
                                name=op.f('fk_redteam_session_models_session_id_redteam_sessions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['connection_id'], ['model_connections.id'],
                                name=op.f('fk_redteam_session_models_connection_id_model_connections'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('session_id', 'slot', name=op.f('pk_redteam_session_models')),
    )
    with op.batch_alter_table('redteam_turns') as batch:
        batch.add_column(sa.Column('slot', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('state', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))
    op.execute("INSERT INTO redteam_session_models (session_id, slot, connection_id, model_name) "
               "SELECT id, 0, connection_id, model_name FROM redteam_sessions")
    op.execute("UPDATE redteam_turns SET slot = 0 WHERE role = 'assistant'")


def downgrade() -> None:
    with op.batch_alter_table('redteam_turns') as batch:
        batch.drop_column('heartbeat_at')
        batch.drop_column('state')
        batch.drop_column('slot')
    op.drop_table('redteam_session_models')
