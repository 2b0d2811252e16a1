"""consolidations, consolidation runs and the project's consolidation settings

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('projects') as batch:
        batch.add_column(sa.Column('consolidation_method', sa.String(length=80), nullable=True))
        batch.add_column(sa.Column('consolidation_params', sa.Text(), nullable=False, server_default='{}'))
    op.create_table(
        'consolidation_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=80), nullable=False),
        sa.Column('params', sa.Text(), nullable=False),
        sa.Column('state', sa.Text(), nullable=False),
        sa.Column('worker_quality', sa.Text(), nullable=False),
        sa.Column('iterations', sa.Integer(), nullable=False),
        sa.Column('items', sa.Integer(), nullable=False),
        sa.Column('answers', sa.Integer(), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_consolidation_runs_project_id_projects'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consolidation_runs')),
    )
    op.create_index('ix_consolidation_runs_project', 'consolidation_runs', ['project_id', 'id'])
    op.create_table(
        'consolidations',
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('confidence', sa.Float(), nullable=False),
        sa.Column('confidence_map', sa.Text(), nullable=False),
        sa.Column('object_confidence', sa.Text(), nullable=False),
        sa.Column('votes', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=80), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_consolidations_item_id_items'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_consolidations_project_id_projects'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['run_id'], ['consolidation_runs.id'],
                                name=op.f('fk_consolidations_run_id_consolidation_runs'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('item_id', name=op.f('pk_consolidations')),
    )
    op.create_index('ix_consolidations_confidence', 'consolidations', ['project_id', 'confidence'])


def downgrade() -> None:
    op.drop_index('ix_consolidations_confidence', table_name='consolidations')
    op.drop_table('consolidations')
    op.drop_index('ix_consolidation_runs_project', table_name='consolidation_runs')
    op.drop_table('consolidation_runs')
    with op.batch_alter_table('projects') as batch:
        batch.drop_column('consolidation_params')
        batch.drop_column('consolidation_method')
