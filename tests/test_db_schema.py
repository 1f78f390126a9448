"""The migrations produce the schema the code expects, on every engine."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from eperformance import contract
from eperformance.db.engine import head_revision, open_engine, require_current, upgrade
from eperformance.db.schema import metadata
from eperformance.errors import SchemaOutdated


def test_migrations_match_metadata(any_db_url: str) -> None:
    engine = open_engine(any_db_url, create=True)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
        cols = {c["name"] for c in inspect(engine).get_columns("assignments")}
        assert cols == set(contract.ASSIGNMENTS.column_names)
        require_current(engine)
    finally:
        engine.dispose()


def test_reporting_refuses_an_outdated_schema(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = open_engine(f"sqlite:///{tmp_path / 'x.sqlite'}", create=True)
    try:
        require_current(engine)
    except SchemaOutdated as exc:
        assert "eperf db upgrade" in (exc.hint or "")
        assert head_revision() in exc.message
    else:  # pragma: no cover
        raise AssertionError("an empty database must be refused")
