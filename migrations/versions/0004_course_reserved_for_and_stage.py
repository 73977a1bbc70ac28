"""courses: reserved_for (专班) and stage; training_records: stage

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 11:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('courses') as batch:
        batch.add_column(sa.Column('reserved_for', sa.JSON(), nullable=False, server_default='[]'))
        batch.add_column(sa.Column('stage', sa.String(length=16), nullable=True))
    with op.batch_alter_table('training_records') as batch:
        batch.add_column(sa.Column('stage', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('training_records') as batch:
        batch.drop_column('stage')
    with op.batch_alter_table('courses') as batch:
        batch.drop_column('stage')
        batch.drop_column('reserved_for')
