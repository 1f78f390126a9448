"""runs.run_key holds the SHA-256 of the run key

Up to 0002 the ledger wrote the run key's JSON text (~180 characters) into
``runs.run_key VARCHAR(64)``: SQLite ignores the length, PostgreSQL and MariaDB refused the
row, so only SQLite databases can hold such rows. This revision replaces each stored text
by its SHA-256 (64 hex digits), what the ledger writes from now on; the column is unchanged.
The downgrade cannot restore the text (it is still in each run's manifest.json) and leaves
the hashes in place.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""
from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_runs = sa.table('runs', sa.column('run_id', sa.String), sa.column('run_key', sa.String))


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(_runs.c.run_id, _runs.c.run_key)
                        .where(sa.func.length(_runs.c.run_key) != 64)).all()
    for run_id, key in rows:
        digest = hashlib.sha256(key.encode('utf-8')).hexdigest()
        conn.execute(_runs.update().where(_runs.c.run_id == run_id).values(run_key=digest))


def downgrade() -> None:
    pass
