"""worker sign-in (activation codes, sessions), pseudonymous ids, transfers, per-worker event ids,
ID masks that cannot be reversed and birth dates kept to the month

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 11:30:00
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

MASK_VISIBLE = 4  # workers.identity.MASK_VISIBLE at the time of writing (migrations do not import app code)


def upgrade() -> None:
    bind = op.get_bind()
    # Batch mode rebuilds the table on SQLite: keep AUTOINCREMENT, or deleted ids would be reused.
    with op.batch_alter_table('workers', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('public_id', sa.String(length=32), nullable=True))

    workers = sa.table('workers', sa.column('id', sa.Integer), sa.column('public_id', sa.String),
                       sa.column('birth_date', sa.Date), sa.column('national_id_masked', sa.String))
    # Existing profiles: a random app-facing id, a mask that shows only province and city, and the
    # birth date kept to its month (the old mask plus the clear date gave the number back).
    for wid, born, masked in bind.execute(sa.select(workers.c.id, workers.c.birth_date,
                                                    workers.c.national_id_masked)).all():
        values: dict[str, object] = {'public_id': 'w_' + secrets.token_urlsafe(16)}
        if born is not None:
            values['birth_date'] = born.replace(day=1)
        if masked:
            values['national_id_masked'] = masked[:MASK_VISIBLE] + '*' * (18 - MASK_VISIBLE)
        bind.execute(workers.update().where(workers.c.id == wid).values(**values))

    # Batch mode rebuilds the table on SQLite: keep AUTOINCREMENT, or deleted ids would be reused.
    with op.batch_alter_table('workers', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.alter_column('public_id', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_workers_public_id'), ['public_id'])

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint('uq_events_client_event_id', type_='unique')
        batch_op.create_unique_constraint('uq_events_worker_client_event', ['worker_id', 'client_event_id'])

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('national_id_hash', sa.String(length=64), nullable=True))

    op.create_table('activation_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('issued_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_activation_codes_worker_id_workers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activation_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_activation_codes_code_hash'))
    )
    with op.batch_alter_table('activation_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activation_codes_worker_id'), ['worker_id'], unique=False)

    op.create_table('worker_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('device_name', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.String(length=200), nullable=False),
    sa.Column('refresh_hash', sa.String(length=64), nullable=False),
    sa.Column('previous_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_worker_sessions_worker_id_workers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_worker_sessions')),
    sa.UniqueConstraint('public_id', name=op.f('uq_worker_sessions_public_id')),
    sa.UniqueConstraint('refresh_hash', name=op.f('uq_worker_sessions_refresh_hash'))
    )
    with op.batch_alter_table('worker_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_sessions_worker_id'), ['worker_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_worker_sessions_previous_hash'), ['previous_hash'], unique=False)

    op.create_table('transfer_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('from_center_id', sa.Integer(), nullable=False),
    sa.Column('to_center_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('from_approved_by', sa.Integer(), nullable=True),
    sa.Column('to_approved_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['from_center_id'], ['job_centers.id'], name=op.f('fk_transfer_requests_from_center_id_job_centers')),
    sa.ForeignKeyConstraint(['to_center_id'], ['job_centers.id'], name=op.f('fk_transfer_requests_to_center_id_job_centers')),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_transfer_requests_worker_id_workers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_requests'))
    )
    with op.batch_alter_table('transfer_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_requests_worker_id'), ['worker_id'], unique=False)


def downgrade() -> None:
    # Masks and birth days dropped by the upgrade cannot come back: they stay coarse.
    op.drop_table('transfer_requests')
    op.drop_table('worker_sessions')
    op.drop_table('activation_codes')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('national_id_hash')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint('uq_events_worker_client_event', type_='unique')
        batch_op.create_unique_constraint('uq_events_client_event_id', ['client_event_id'])
    # Batch mode rebuilds the table on SQLite: keep AUTOINCREMENT, or deleted ids would be reused.
    with op.batch_alter_table('workers', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_workers_public_id'), type_='unique')
        batch_op.drop_column('public_id')
