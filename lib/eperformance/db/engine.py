"""Engines, connection errors and schema migrations.

``open_engine`` turns every way a database can be out of reach (wrong host, refused login,
missing database, missing SQLite file) into ``DatabaseUnavailable`` (exit 5) with the URL's
password masked. ``upgrade`` applies the Alembic migrations; ``require_current`` is what
reporting commands call: they never change the schema.
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from ..errors import DatabaseUnavailable, SchemaOutdated, UsageError
from ..home import masked_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

URL_FORMS = ("use a SQLAlchemy URL: sqlite:///data/workbook.sqlite (relative to the project "
             "home), sqlite:////absolute/path.sqlite, "
             "postgresql+psycopg://user:password@host:5432/database or "
             "mysql+pymysql://user:password@host:3306/database?charset=utf8mb4")


def _reason(exc: Exception) -> str:
    """The first line of an error, without SQLAlchemy's background link."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.split(" (Background on this error")[0]


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def open_engine(url: str, *, create: bool = False) -> Engine:
    """Open and check a connection to ``url``.

    ``create``: for SQLite, create the file (and its folder) if missing; otherwise a missing
    SQLite file is reported as a missing database.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UsageError(f"invalid database URL {masked_url(url)!r}: not of the form "
                         "dialect+driver://user:password@host:port/database",
                         hint=URL_FORMS) from None
    except ValueError:  # SQLAlchemy reads the port as a number
        raise UsageError(f"invalid database URL {masked_url(url)!r}: the port is not a "
                         "number", hint=URL_FORMS) from None
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:" and not db.startswith("file:"):
            path = Path(db)
            if not path.exists():
                if not create:
                    raise DatabaseUnavailable(
                        f"database does not exist: {masked_url(url)}",
                        hint="import data first: eperf ingest PATH (or make demo)",
                    )
                path.parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except NoSuchModuleError:
        raise UsageError(f"unsupported database URL {masked_url(url)!r}: no SQLAlchemy "
                         f"dialect {parsed.drivername!r}", hint=URL_FORMS) from None
    except ImportError as exc:
        raise UsageError(f"the driver for {masked_url(url)} is not installed: {exc}",
                         hint=URL_FORMS) from None
    except (ArgumentError, ValueError, TypeError) as exc:
        raise UsageError(f"invalid database URL {masked_url(url)!r}: "
                         f"{_reason(exc).replace(url, masked_url(url))}",
                         hint=URL_FORMS) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseUnavailable(
            f"cannot connect to {masked_url(url)}: {reason}",
            hint="check the host, the login and that the database exists",
        ) from exc
    return engine


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


@functools.lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration shipped with the package (read once per process)."""
    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the migrations up to ``revision``; a login without the right to change the
    schema gets one clear line (exit 2), not a traceback."""
    try:
        command.upgrade(alembic_config(engine), revision)
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        raise UsageError(
            f"the database refused the schema upgrade: {reason}",
            hint="eperf db upgrade (and the first ingest) need a login that owns the schema "
                 "(docs/database.md)",
        ) from None


def require_current(engine: Engine) -> None:
    """Stop with a clear message when the schema is missing or behind the code."""
    current = current_revision(engine)
    if current != head_revision():
        state = "has no workbook schema" if current is None else f"is at revision {current}"
        raise SchemaOutdated(
            f"the database {state}; this version needs {head_revision()}",
            hint="run: eperf db upgrade",
        )
