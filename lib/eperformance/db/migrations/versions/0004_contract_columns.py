"""contract columns: employees.job_class, employees.functional_level, attendance.status

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

Only the contract tables are touched. Stored attendance rows get the contract's default
status, ``hadir``; the two employee columns are optional and start blank.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_class', sa.Integer(), autoincrement=False,
                                      nullable=True))
        batch_op.add_column(sa.Column('functional_level', sa.String(length=32),
                                      autoincrement=False, nullable=True))

    # NOT NULL with the contract's default for the rows already stored, then no default
    # in the database (ingest writes every column).
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=32), autoincrement=False,
                                      nullable=False, server_default='hadir'))
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=32),
                              existing_nullable=False, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_column('status')

    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_column('functional_level')
        batch_op.drop_column('job_class')
