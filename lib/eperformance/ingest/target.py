"""The database ``eperf ingest --check`` validates against, without changing anything.

A check never creates a database file nor upgrades a schema. A database with the current
schema is read as it is. A database that does not exist yet (a SQLite file not created)
or has no workbook schema yet is checked as if it were empty: an in-memory SQLite
database with the contract tables, where every valid row counts as inserted. A schema
that is behind the code cannot be read reliably: that is refused with a clear line.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from ..db.engine import current_revision, head_revision, open_engine
from ..db.schema import CONTRACT_TABLES, metadata
from ..errors import SchemaOutdated

EMPTY_NOTE = "{what}: checked as if it were empty (every valid row counts as inserted)"


def check_target(url: str) -> tuple[sa.Engine, str | None]:
    """The engine to check an import against, and a note when it stands in for ``url``."""
    if _missing_sqlite_file(url):
        return empty_engine(), EMPTY_NOTE.format(what="the database does not exist yet")
    engine = open_engine(url)
    try:
        current = current_revision(engine)
        if current == head_revision():
            return engine, None
        present = set(sa.inspect(engine).get_table_names())
    except BaseException:
        engine.dispose()
        raise
    if current is None and not present & set(CONTRACT_TABLES):
        engine.dispose()
        return empty_engine(), EMPTY_NOTE.format(what="the database has no workbook schema yet")
    engine.dispose()
    state = "has no workbook schema version" if current is None else f"is at revision {current}"
    raise SchemaOutdated(
        f"the database {state}; --check needs revision {head_revision()} and never "
        "changes the schema",
        hint="run: eperf db upgrade (an import without --check upgrades it too)",
    )


def empty_engine() -> sa.Engine:
    """An in-memory SQLite database with the contract tables, empty."""
    engine = sa.create_engine("sqlite://", poolclass=StaticPool)
    metadata.create_all(engine, tables=list(CONTRACT_TABLES.values()))
    return engine


def _missing_sqlite_file(url: str) -> bool:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return False  # open_engine reports it
    if parsed.get_backend_name() != "sqlite":
        return False
    db = parsed.database
    return bool(db) and db != ":memory:" and not str(db).startswith("file:") \
        and not Path(str(db)).exists()
