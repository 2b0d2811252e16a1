"""model connections and generations: the chat models a project names, every call they answered
(owner: model connections service)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'model_connections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('base_url', sa.String(length=2000), nullable=True),
        sa.Column('model', sa.String(length=200), nullable=False),
        sa.Column('api_key_sealed', sa.Text(), nullable=True),
        sa.Column('params', sa.Text(), nullable=False),
        sa.Column('concurrency', sa.Integer(), nullable=False),
        sa.Column('timeout_s', sa.Float(), nullable=False),
        sa.Column('max_retries', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_model_connections_project_id_projects'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_model_connections_created_by_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_model_connections')),
        sa.UniqueConstraint('project_id', 'name', name=op.f('uq_model_connections_project_id')),
    )
    op.create_table(
        'generations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=True),
        sa.Column('model_name', sa.String(length=80), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('messages', sa.Text(), nullable=False),
        sa.Column('params', sa.Text(), nullable=False),
        sa.Column('response_text', sa.Text(), nullable=False),
        sa.Column('finish_reason', sa.String(length=40), nullable=True),
        sa.Column('latency_ms', sa.Integer(), nullable=True),
        sa.Column('first_token_ms', sa.Integer(), nullable=True),
        sa.Column('prompt_tokens', sa.Integer(), nullable=True),
        sa.Column('completion_tokens', sa.Integer(), nullable=True),
        sa.Column('tokens_counted', sa.Integer(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_generations_project_id_projects'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['connection_id'], ['model_connections.id'],
                                name=op.f('fk_generations_connection_id_model_connections'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_generations_item_id_items'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_generations_user_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_generations')),
    )
    op.create_index('ix_generations_project', 'generations', ['project_id', 'id'])
    op.create_index('ix_generations_item', 'generations', ['item_id'])


def downgrade() -> None:
    op.drop_index('ix_generations_item', table_name='generations')
    op.drop_index('ix_generations_project', table_name='generations')
    op.drop_table('generations')
    op.drop_table('model_connections')
