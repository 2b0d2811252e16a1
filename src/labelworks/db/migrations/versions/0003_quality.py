"""gold items, worker quality, qualification, routing and validation rules (owner: quality service)

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the per-item routing target; NULL: the project's default (workers per item, or K with routing on)
    with op.batch_alter_table('items') as batch:
        batch.add_column(sa.Column('wanted', sa.Integer(), nullable=True))
    op.create_table(
        'project_quality',
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('gold_rate', sa.Float(), nullable=False, server_default='0'),
        sa.Column('gold_key', sa.String(length=120), nullable=False, server_default='gold'),
        sa.Column('min_gold_answers', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('min_gold_accuracy', sa.Float(), nullable=False, server_default='0'),
        sa.Column('min_seconds', sa.Float(), nullable=False, server_default='0'),
        sa.Column('one_label_min_answers', sa.Integer(), nullable=False, server_default='10'),
        sa.Column('one_label_share', sa.Float(), nullable=False, server_default='0.95'),
        sa.Column('routing', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('initial_workers', sa.Integer(), nullable=False, server_default='1'),
        sa.Column('max_workers', sa.Integer(), nullable=False, server_default='3'),
        sa.Column('confidence_threshold', sa.Float(), nullable=False, server_default='0.7'),
        sa.Column('rules', sa.Text(), nullable=False, server_default='[]'),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_quality_project_id_projects'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_project_quality_updated_by_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('project_id', name=op.f('pk_project_quality')),
    )
    op.create_table(
        'gold_items',
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_gold_items_item_id_items'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_gold_items_project_id_projects'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_gold_items_created_by_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('item_id', name=op.f('pk_gold_items')),
    )
    op.create_index('ix_gold_items_project', 'gold_items', ['project_id', 'item_id'])
    op.create_table(
        'worker_pauses',
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('paused', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('paused_at', sa.DateTime(), nullable=False),
        sa.Column('resumed_at', sa.DateTime(), nullable=True),
        sa.Column('resumed_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_worker_pauses_project_id_projects'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_worker_pauses_user_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['resumed_by'], ['users.id'], name=op.f('fk_worker_pauses_resumed_by_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('project_id', 'user_id', name=op.f('pk_worker_pauses')),
    )
    op.create_table(
        'quality_notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('worker_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'],
                                name=op.f('fk_quality_notifications_project_id_projects'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['worker_id'], ['users.id'], name=op.f('fk_quality_notifications_worker_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_notifications')),
    )
    op.create_index('ix_quality_notifications_project', 'quality_notifications', ['project_id', 'id'])


def downgrade() -> None:
    op.drop_index('ix_quality_notifications_project', table_name='quality_notifications')
    op.drop_table('quality_notifications')
    op.drop_table('worker_pauses')
    op.drop_index('ix_gold_items_project', table_name='gold_items')
    op.drop_table('gold_items')
    op.drop_table('project_quality')
    with op.batch_alter_table('items') as batch:
        batch.drop_column('wanted')
