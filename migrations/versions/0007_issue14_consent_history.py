"""consent history (append-only) and the profiling consent (PIPL Art. 24)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 15:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite has it): a batch copy would drop the table's AUTOINCREMENT, and
    # worker ids must never be reused.
    op.add_column('workers', sa.Column('personalized', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        'consent_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('worker_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('granted', sa.Boolean(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('key_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_consent_events_worker_id', 'consent_events', ['worker_id'])


def downgrade() -> None:
    op.drop_index('ix_consent_events_worker_id', table_name='consent_events')
    op.drop_table('consent_events')
    with op.batch_alter_table('workers', table_kwargs={'sqlite_autoincrement': True}) as batch:
        batch.drop_column('personalized')
