"""text assists: per-assist options in the project's assist settings, and the item embedding index
(owner: assist service, embeddings service)

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('project_assist') as batch:
        batch.add_column(sa.Column('options', sa.Text(), nullable=False, server_default='{}'))
    op.create_table(
        'item_embeddings',
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('model', sa.String(length=80), nullable=False),
        sa.Column('dim', sa.Integer(), nullable=False),
        sa.Column('text_hash', sa.String(length=64), nullable=False),
        sa.Column('vector', sa.LargeBinary(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_item_embeddings_item_id_items'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_item_embeddings_project_id_projects'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('item_id', name=op.f('pk_item_embeddings')),
    )
    op.create_index('ix_item_embeddings_project', 'item_embeddings', ['project_id', 'item_id'])


def downgrade() -> None:
    op.drop_index('ix_item_embeddings_project', table_name='item_embeddings')
    op.drop_table('item_embeddings')
    with op.batch_alter_table('project_assist') as batch:
        batch.drop_column('options')
