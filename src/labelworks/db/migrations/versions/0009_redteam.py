"""red teaming: taxonomies, sessions and turns with their labels
(owner: red-team service)

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'redteam_taxonomies',
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('harm_categories', sa.Text(), nullable=False),
        sa.Column('attack_techniques', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_redteam_taxonomies_project_id_projects'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('project_id', name=op.f('pk_redteam_taxonomies')),
    )
    op.create_table(
        'redteam_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('tester_id', sa.Integer(), nullable=True),
        sa.Column('connection_id', sa.Integer(), nullable=True),
        sa.Column('model_name', sa.String(length=80), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('reviewer_id', sa.Integer(), nullable=True),
        sa.Column('review_verdict', sa.String(length=20), nullable=True),
        sa.Column('review_note', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_redteam_sessions_project_id_projects'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tester_id'], ['users.id'], name=op.f('fk_redteam_sessions_tester_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['connection_id'], ['model_connections.id'],
                                name=op.f('fk_redteam_sessions_connection_id_model_connections'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_redteam_sessions_reviewer_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_redteam_sessions')),
    )
    op.create_index('ix_redteam_sessions_project', 'redteam_sessions', ['project_id', 'id'])
    op.create_table(
        'redteam_turns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('model_name', sa.String(length=80), nullable=True),
        sa.Column('generation_id', sa.Integer(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('attack_technique', sa.String(length=80), nullable=True),
        sa.Column('harm_category', sa.String(length=80), nullable=True),
        sa.Column('severity', sa.Integer(), nullable=True),
        sa.Column('model_failed', sa.Boolean(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('labeled_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['redteam_sessions.id'],
                                name=op.f('fk_redteam_turns_session_id_redteam_sessions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['generation_id'], ['generations.id'],
                                name=op.f('fk_redteam_turns_generation_id_generations'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_redteam_turns')),
        sa.UniqueConstraint('session_id', 'position', name=op.f('uq_redteam_turns_session_id')),
    )


def downgrade() -> None:
    op.drop_table('redteam_turns')
    op.drop_index('ix_redteam_sessions_project', table_name='redteam_sessions')
    op.drop_table('redteam_sessions')
    op.drop_table('redteam_taxonomies')
