"""model spending: who may generate with a connection, and its token budgets; two covering indexes
for counting a connection's tokens by day and month, per project and per user, from the index alone
(owner: model connections service)

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('model_connections') as batch:
        batch.add_column(sa.Column('generate_roles', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('user_daily_tokens', sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column('project_monthly_tokens', sa.BigInteger(), nullable=True))
    op.create_index('ix_generations_spend', 'generations', ['connection_id', 'created_at', 'user_id', 'finish_reason',
                                                            'prompt_tokens', 'completion_tokens'])
    op.create_index('ix_generations_spend_user', 'generations', ['connection_id', 'user_id', 'created_at',
                                                                 'finish_reason', 'prompt_tokens', 'completion_tokens'])


def downgrade() -> None:
    op.drop_index('ix_generations_spend_user', table_name='generations')
    op.drop_index('ix_generations_spend', table_name='generations')
    with op.batch_alter_table('model_connections') as batch:
        batch.drop_column('project_monthly_tokens')
        batch.drop_column('user_daily_tokens')
        batch.drop_column('generate_roles')
