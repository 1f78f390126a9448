"""initial contract tables and import log

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def _code(length: int) -> sa.types.TypeEngine:
    """Case-sensitive key: binary collation on MySQL/MariaDB."""
    variant = mysql.VARCHAR(charset="utf8mb4", collation="utf8mb4_bin", length=length)
    return sa.String(length=length).with_variant(variant, "mariadb").with_variant(variant, "mysql")


def _text() -> sa.types.TypeEngine:
    variant = mysql.TEXT(charset="utf8mb4", collation="utf8mb4_bin")
    return sa.Text().with_variant(variant, "mariadb").with_variant(variant, "mysql")


def upgrade() -> None:
    op.create_table('activities',
    sa.Column('activity_id', _code(64), autoincrement=False, nullable=False),
    sa.Column('nip', _code(18), autoincrement=False, nullable=False),
    sa.Column('date', sa.Date(), autoincrement=False, nullable=False),
    sa.Column('start_time', sa.Time(), autoincrement=False, nullable=False),
    sa.Column('end_time', sa.Time(), autoincrement=False, nullable=False),
    sa.Column('activity_code', _code(64), autoincrement=False, nullable=False),
    sa.Column('assignment_id', _code(64), autoincrement=False, nullable=True),
    sa.Column('quantity', sa.Double(), autoincrement=False, nullable=False),
    sa.Column('description', _text(), autoincrement=False, nullable=True),
    sa.Column('evidence_url', _text(), autoincrement=False, nullable=True),
    sa.Column('cost', sa.Double(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('activity_id', name=op.f('pk_activities'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activities_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_nip_date'), ['nip', 'date'], unique=False)

    op.create_table('activity_types',
    sa.Column('activity_code', _code(64), autoincrement=False, nullable=False),
    sa.Column('name', _text(), autoincrement=False, nullable=False),
    sa.Column('output_unit', _text(), autoincrement=False, nullable=False),
    sa.Column('standard_minutes', sa.Double(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('activity_code', name=op.f('pk_activity_types'))
    )
    op.create_table('assignments',
    sa.Column('assignment_id', _code(64), autoincrement=False, nullable=False),
    sa.Column('nip', _code(18), autoincrement=False, nullable=False),
    sa.Column('assigned_by_nip', _code(18), autoincrement=False, nullable=False),
    sa.Column('period', sa.String(length=7), autoincrement=False, nullable=False),
    sa.Column('activity_code', _code(64), autoincrement=False, nullable=False),
    sa.Column('title', _text(), autoincrement=False, nullable=False),
    sa.Column('target_quantity', sa.Double(), autoincrement=False, nullable=False),
    sa.Column('target_quality', sa.Double(), autoincrement=False, nullable=False),
    sa.Column('start_date', sa.Date(), autoincrement=False, nullable=False),
    sa.Column('due_date', sa.Date(), autoincrement=False, nullable=False),
    sa.Column('target_cost', sa.Double(), autoincrement=False, nullable=True),
    sa.Column('weight', sa.Double(), autoincrement=False, nullable=False),
    sa.Column('is_main', sa.Boolean(), autoincrement=False, nullable=False),
    sa.Column('innovation', sa.Boolean(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('assignment_id', name=op.f('pk_assignments'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_period_nip'), ['period', 'nip'], unique=False)

    op.create_table('attendance',
    sa.Column('nip', _code(18), autoincrement=False, nullable=False),
    sa.Column('date', sa.Date(), autoincrement=False, nullable=False),
    sa.Column('check_in', sa.Time(), autoincrement=False, nullable=True),
    sa.Column('check_out', sa.Time(), autoincrement=False, nullable=True),
    sa.PrimaryKeyConstraint('nip', 'date', name=op.f('pk_attendance'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_date'), ['date'], unique=False)

    op.create_table('behaviour',
    sa.Column('nip', _code(18), autoincrement=False, nullable=False),
    sa.Column('period', sa.String(length=7), autoincrement=False, nullable=False),
    sa.Column('assessor_nip', _code(18), autoincrement=False, nullable=False),
    sa.Column('aspect', sa.String(length=32), autoincrement=False, nullable=False),
    sa.Column('assessor_role', sa.String(length=32), autoincrement=False, nullable=False),
    sa.Column('score', sa.Double(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('nip', 'period', 'assessor_nip', 'aspect', name=op.f('pk_behaviour'))
    )
    with op.batch_alter_table('behaviour', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_behaviour_period'), ['period'], unique=False)

    op.create_table('employees',
    sa.Column('nip', _code(18), autoincrement=False, nullable=False),
    sa.Column('name', _text(), autoincrement=False, nullable=False),
    sa.Column('gender', sa.String(length=32), autoincrement=False, nullable=False),
    sa.Column('unit_code', _code(64), autoincrement=False, nullable=False),
    sa.Column('position', _text(), autoincrement=False, nullable=False),
    sa.Column('position_type', sa.String(length=32), autoincrement=False, nullable=False),
    sa.Column('grade', sa.String(length=8), autoincrement=False, nullable=False),
    sa.Column('supervisor_nip', _code(18), autoincrement=False, nullable=True),
    sa.Column('employment', sa.String(length=32), autoincrement=False, nullable=False),
    sa.Column('active', sa.Boolean(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('nip', name=op.f('pk_employees'))
    )
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employees_supervisor_nip'), ['supervisor_nip'], unique=False)
        batch_op.create_index(batch_op.f('ix_employees_unit_code'), ['unit_code'], unique=False)

    op.create_table('import_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('import_id', sa.String(length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=False),
    sa.Column('username', sa.String(length=128), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('file', sa.String(length=255), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('inserted', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_log'))
    )
    with op.batch_alter_table('import_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_log_import_id'), ['import_id'], unique=False)

    op.create_table('unit_results',
    sa.Column('unit_code', _code(64), autoincrement=False, nullable=False),
    sa.Column('period', sa.String(length=7), autoincrement=False, nullable=False),
    sa.Column('org_result', sa.String(length=32), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('unit_code', 'period', name=op.f('pk_unit_results'))
    )
    with op.batch_alter_table('unit_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_results_period'), ['period'], unique=False)

    op.create_table('units',
    sa.Column('unit_code', _code(64), autoincrement=False, nullable=False),
    sa.Column('name', _text(), autoincrement=False, nullable=False),
    sa.Column('parent_code', _code(64), autoincrement=False, nullable=True),
    sa.PrimaryKeyConstraint('unit_code', name=op.f('pk_units'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_parent_code'), ['parent_code'], unique=False)

    op.create_table('verifications',
    sa.Column('verification_id', _code(64), autoincrement=False, nullable=False),
    sa.Column('activity_id', _code(64), autoincrement=False, nullable=False),
    sa.Column('verifier_nip', _code(18), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=32), autoincrement=False, nullable=False),
    sa.Column('decided_at', sa.DateTime(), autoincrement=False, nullable=False),
    sa.Column('quality', sa.Double(), autoincrement=False, nullable=True),
    sa.Column('note', _text(), autoincrement=False, nullable=True),
    sa.PrimaryKeyConstraint('verification_id', name=op.f('pk_verifications'))
    )
    with op.batch_alter_table('verifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verifications_activity_id'), ['activity_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('verifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verifications_activity_id'))

    op.drop_table('verifications')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_parent_code'))

    op.drop_table('units')
    with op.batch_alter_table('unit_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_results_period'))

    op.drop_table('unit_results')
    with op.batch_alter_table('import_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_log_import_id'))

    op.drop_table('import_log')
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employees_unit_code'))
        batch_op.drop_index(batch_op.f('ix_employees_supervisor_nip'))

    op.drop_table('employees')
    with op.batch_alter_table('behaviour', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_behaviour_period'))

    op.drop_table('behaviour')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_date'))

    op.drop_table('attendance')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_period_nip'))

    op.drop_table('assignments')
    op.drop_table('activity_types')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activities_nip_date'))
        batch_op.drop_index(batch_op.f('ix_activities_assignment_id'))

    op.drop_table('activities')
