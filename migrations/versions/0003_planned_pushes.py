"""planned pushes

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 12:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'planned_pushes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_date', sa.Date(), nullable=False),
        sa.Column('worker_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_planned_pushes_course_id_courses'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_planned_pushes_worker_id_workers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_planned_pushes')),
        sa.UniqueConstraint('worker_id', 'course_id', name=op.f('uq_planned_pushes_worker_id')),
    )
    op.create_index('ix_planned_pushes_worker_day', 'planned_pushes', ['worker_id', 'plan_date'], unique=False)
    op.create_index(op.f('ix_planned_pushes_plan_date'), 'planned_pushes', ['plan_date'], unique=False)
    op.create_index(op.f('ix_planned_pushes_course_id'), 'planned_pushes', ['course_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_planned_pushes_course_id'), table_name='planned_pushes')
    op.drop_index(op.f('ix_planned_pushes_plan_date'), table_name='planned_pushes')
    op.drop_index('ix_planned_pushes_worker_day', table_name='planned_pushes')
    op.drop_table('planned_pushes')
