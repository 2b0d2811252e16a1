"""review stages, review tasks, stage history and feedback (owner: review service)

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'),
                                   ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        'project_reviews',
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('mode', sa.String(length=20), nullable=False),
        sa.Column('percent', sa.Float(), nullable=True),
        sa.Column('threshold', sa.Float(), nullable=True),
        sa.Column('time_limit_s', sa.Integer(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('swept_at', sa.DateTime(), nullable=True),
        sa.Column('swept_workers', sa.Integer(), nullable=True),
        _fk('project_reviews', 'project_id', 'projects', 'CASCADE'),
        _fk('project_reviews', 'updated_by', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('project_id', name=op.f('pk_project_reviews')),
    )
    op.create_table(
        'review_tasks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('confidence', sa.Float(), nullable=True),
        sa.Column('reviewer_id', sa.Integer(), nullable=True),
        sa.Column('leased_at', sa.DateTime(), nullable=True),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('adjusted_annotation_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        _fk('review_tasks', 'project_id', 'projects', 'CASCADE'),
        _fk('review_tasks', 'item_id', 'items', 'CASCADE'),
        _fk('review_tasks', 'reviewer_id', 'users', 'SET NULL'),
        _fk('review_tasks', 'adjusted_annotation_id', 'annotations', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_tasks')),
        sa.UniqueConstraint('item_id', 'round', name='uq_review_tasks_item_round'),
    )
    op.create_index('ix_review_tasks_queue', 'review_tasks', ['project_id', 'status', 'id'])
    op.create_index('ix_review_tasks_item', 'review_tasks', ['project_id', 'item_id'])
    op.create_table(
        'review_feedback',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('annotation_id', sa.Integer(), nullable=False),
        sa.Column('annotator_id', sa.Integer(), nullable=False),
        sa.Column('reviewer_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.Column('resolved_by_annotation_id', sa.Integer(), nullable=True),
        _fk('review_feedback', 'project_id', 'projects', 'CASCADE'),
        _fk('review_feedback', 'item_id', 'items', 'CASCADE'),
        _fk('review_feedback', 'task_id', 'review_tasks', 'CASCADE'),
        _fk('review_feedback', 'annotation_id', 'annotations', 'CASCADE'),
        _fk('review_feedback', 'annotator_id', 'users', 'CASCADE'),
        _fk('review_feedback', 'reviewer_id', 'users', 'SET NULL'),
        _fk('review_feedback', 'resolved_by_annotation_id', 'annotations', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_feedback')),
    )
    op.create_index('ix_review_feedback_annotator', 'review_feedback', ['project_id', 'annotator_id', 'resolved_at'])
    op.create_index('ix_review_feedback_annotation', 'review_feedback', ['annotation_id'])
    op.create_index('ix_review_feedback_task', 'review_feedback', ['task_id'])
    op.create_table(
        'item_stages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=20), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        _fk('item_stages', 'project_id', 'projects', 'CASCADE'),
        _fk('item_stages', 'item_id', 'items', 'CASCADE'),
        _fk('item_stages', 'actor_id', 'users', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_item_stages')),
    )
    op.create_index('ix_item_stages_item', 'item_stages', ['project_id', 'item_id', 'id'])


def downgrade() -> None:
    op.drop_index('ix_item_stages_item', table_name='item_stages')
    op.drop_table('item_stages')
    op.drop_index('ix_review_feedback_task', table_name='review_feedback')
    op.drop_index('ix_review_feedback_annotation', table_name='review_feedback')
    op.drop_index('ix_review_feedback_annotator', table_name='review_feedback')
    op.drop_table('review_feedback')
    op.drop_index('ix_review_tasks_item', table_name='review_tasks')
    op.drop_index('ix_review_tasks_queue', table_name='review_tasks')
    op.drop_table('review_tasks')
    op.drop_table('project_reviews')
