"""run ledger

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('runs',
    sa.Column('run_id', sa.String(length=64), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('run_key', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('scheme', sa.String(length=32), nullable=False),
    sa.Column('scheme_version', sa.String(length=32), nullable=False),
    sa.Column('parameters', sa.Text(), nullable=False),
    sa.Column('username', sa.String(length=128), nullable=False),
    sa.Column('hostname', sa.String(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('cards_total', sa.Integer(), nullable=False),
    sa.Column('cards_ok', sa.Integer(), nullable=False),
    sa.Column('cards_failed', sa.Integer(), nullable=False),
    sa.Column('cards_skipped', sa.Integer(), nullable=False),
    sa.Column('data_fingerprint', sa.String(length=64), nullable=True),
    sa.Column('output_dir', sa.Text(), nullable=True),
    sa.Column('errors', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('run_id', name=op.f('pk_runs'))
    )
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_runs_run_key'), ['run_key'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_runs_run_key'))

    op.drop_table('runs')

