"""closed months' cache: month_versions and month_cache

Each import bumps ``month_versions.version`` for every month whose scoring input it
touched; ``month_cache`` keeps a closed month's assignments, rating rows and entry
aggregates (docs/periods.md), used only while that version, the month's closing time and
the code key still match. Both tables are derived: dropping them loses nothing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('month_versions',
    sa.Column('period', sa.String(length=7), autoincrement=False, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('period', name=op.f('pk_month_versions'))
    )
    op.create_table('month_cache',
    sa.Column('period', sa.String(length=7), autoincrement=False, nullable=False),
    sa.Column('data_version', sa.Integer(), nullable=False),
    sa.Column('closing_utc', sa.DateTime(), nullable=False),
    sa.Column('code_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('payload', sa.LargeBinary().with_variant(mysql.LONGBLOB(), 'mysql', 'mariadb'),
              nullable=False),
    sa.PrimaryKeyConstraint('period', name=op.f('pk_month_cache'))
    )


def downgrade() -> None:
    op.drop_table('month_cache')
    op.drop_table('month_versions')
