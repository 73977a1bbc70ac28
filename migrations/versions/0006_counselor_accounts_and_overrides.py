"""counselor accounts, enrolment overrides, the person in the audit trail

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 11:30:00
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
        'counselor_accounts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('display_name', sa.String(length=64), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('job_center_id', sa.Integer(), nullable=True),
        sa.Column('password_hash', sa.String(length=256), nullable=False),
        sa.Column('failed_attempts', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('session_epoch', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['job_center_id'], ['job_centers.id'],
                                name=op.f('fk_counselor_accounts_job_center_id_job_centers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_counselor_accounts')),
        sa.UniqueConstraint('username', name=op.f('uq_counselor_accounts_username')),
    )
    with op.batch_alter_table('training_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('override_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('override_codes', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('override_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_training_records_override_by_counselor_accounts'),
                                    'counselor_accounts', ['override_by'], ['id'])
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_log_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_user_id'))
        batch_op.drop_column('user_id')
    with op.batch_alter_table('training_records', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_training_records_override_by_counselor_accounts'),
                                 type_='foreignkey')
        batch_op.drop_column('override_by')
        batch_op.drop_column('override_codes')
        batch_op.drop_column('override_reason')
    op.drop_table('counselor_accounts')
