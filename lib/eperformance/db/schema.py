"""SQLAlchemy 2 schema of the workbook database.

The contract tables mirror ``eperformance.contract`` column for column (same names), so a
row read from a file and a row read from the database compare directly. Conventions:

* timestamps are stored as naive UTC ``DateTime`` values, whole seconds;
* keys and codes are case-sensitive everywhere (binary collation on MySQL/MariaDB);
* no database-level foreign keys: ingest checks every reference itself (cascading rejects),
  so that one bad row never aborts the whole transaction.

The migrations under ``db/migrations`` are the authority for deployed databases; a test
checks that they produce exactly this metadata.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Time,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.types import TypeEngine

from .. import contract as c

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


def _code(length: int) -> TypeEngine:
    """A case-sensitive key: binary collation on MySQL/MariaDB, default elsewhere."""
    return String(length).with_variant(
        mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
    )


def _sql_type(col: c.Column) -> TypeEngine:
    kind = col.kind
    if kind == "code":
        return _code(64)
    if kind == "nip":
        return _code(18)
    if kind == "text":
        return Text().with_variant(mysql.TEXT(charset="utf8mb4", collation="utf8mb4_bin"),
                                   "mysql", "mariadb")
    if kind == "enum":
        return String(32)
    if kind == "bool":
        return Boolean(create_constraint=False)
    if kind == "date":
        return Date()
    if kind == "time":
        return Time()
    if kind == "timestamp":
        return DateTime()
    if kind == "number":
        return Integer() if col.integer else Double()
    if kind == "period":
        return String(7)
    if kind == "grade":
        return String(8)
    raise ValueError(f"unknown column kind {kind!r}")


def _contract_table(spec: c.TableSpec, *indexes: tuple[str, ...]) -> Table:
    cols = [
        Column(
            col.name,
            _sql_type(col),
            primary_key=col.name in spec.key,
            nullable=col.name not in spec.key and col.optional and col.default is None,
            autoincrement=False,
        )
        for col in spec.columns
    ]
    table = Table(spec.name, metadata, *cols)
    for idx in indexes:
        Index(None, *(table.c[n] for n in idx))
    return table


units = _contract_table(c.UNITS, ("parent_code",))
employees = _contract_table(c.EMPLOYEES, ("unit_code",), ("supervisor_nip",))
activity_types = _contract_table(c.ACTIVITY_TYPES)
assignments = _contract_table(c.ASSIGNMENTS, ("period", "nip"))
activities = _contract_table(c.ACTIVITIES, ("assignment_id",), ("nip", "date"))
verifications = _contract_table(c.VERIFICATIONS, ("activity_id",))
behaviour = _contract_table(c.BEHAVIOUR, ("period",))
attendance = _contract_table(c.ATTENDANCE, ("date",))
unit_results = _contract_table(c.UNIT_RESULTS, ("period",))

CONTRACT_TABLES: dict[str, Table] = {
    spec.name: metadata.tables[spec.name] for spec in c.TABLES
}

# One row per (import run, table): who, when, what file, and the reconciliation counts.
import_log = Table(
    "import_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("import_id", String(32), nullable=False, index=True),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=False),
    Column("username", String(128), nullable=False),
    Column("source", Text, nullable=False),
    Column("file", String(255), nullable=False),
    Column("table_name", String(64), nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("inserted", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
)

# The run ledger: one row per batch run (and per single card run).
runs = Table(
    "runs",
    metadata,
    Column("run_id", String(64), primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),  # batch | card
    Column("run_key", String(64), nullable=False, index=True),
    Column("period", String(7), nullable=False),
    Column("scope", String(64), nullable=False),
    Column("scheme", String(32), nullable=False),
    Column("scheme_version", String(32), nullable=False),
    Column("parameters", Text, nullable=False),  # JSON
    Column("username", String(128), nullable=False),
    Column("hostname", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),
    Column("status", String(16), nullable=False),  # running | ok | partial | failed | crashed
    Column("cards_total", Integer, nullable=False, default=0),
    Column("cards_ok", Integer, nullable=False, default=0),
    Column("cards_failed", Integer, nullable=False, default=0),
    Column("cards_skipped", Integer, nullable=False, default=0),
    Column("data_fingerprint", String(64), nullable=True),
    Column("output_dir", Text, nullable=True),
    Column("errors", Text, nullable=True),  # JSON list of {nip, cell, ename, evalue}
)


# The closed months' cache (docs/periods.md "Closed months, computed once"): each import
# bumps the version of every month whose scoring input it touched (same transaction), and
# a cached month is used only while its version, closing time and code key still match.
month_versions = Table(
    "month_versions",
    metadata,
    Column("period", String(7), primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
    Column("changed_at", DateTime, nullable=False),
)

month_cache = Table(
    "month_cache",
    metadata,
    Column("period", String(7), primary_key=True, autoincrement=False),
    Column("data_version", Integer, nullable=False),
    Column("closing_utc", DateTime, nullable=False),
    Column("code_key", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("payload", LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb"),
           nullable=False),
)
