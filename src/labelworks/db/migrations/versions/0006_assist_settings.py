"""per-project assist settings: enabled assists and the HTTP model backend (owner: assist service)

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'project_assist',
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('enabled', sa.Text(), nullable=True),
        sa.Column('backend_url', sa.String(length=2000), nullable=True),
        sa.Column('backend_assists', sa.Text(), nullable=False, server_default='[]'),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_assist_project_id_projects'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_project_assist_updated_by_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('project_id', name=op.f('pk_project_assist')),
    )


def downgrade() -> None:
    op.drop_table('project_assist')
