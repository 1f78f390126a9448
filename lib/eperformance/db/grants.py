"""The privileges each kind of workbook login needs, as GRANT statements (docs/database.md).

Three kinds of login, from least to most:

* ``Access.REPORT`` — `score`, `rekap`, `card`, `batch`, the explorer: SELECT on the
  contract tables, ``import_log`` and ``alembic_version``; SELECT, INSERT, UPDATE on the
  ``runs`` ledger (batches record their runs there); SELECT on the closed months' cache
  (``month_versions``, ``month_cache``).
* ``Access.INGEST`` — the above, plus INSERT, UPDATE, DELETE on the contract tables,
  INSERT on ``import_log`` (on PostgreSQL also USAGE on its id sequence), INSERT, UPDATE on
  ``month_versions`` and INSERT, UPDATE, DELETE on ``month_cache``.
* ``Access.OWNER`` — `eperf db upgrade`: creates and alters tables (DDL), so it owns them.

``grant_statements`` renders them for PostgreSQL or MariaDB/MySQL; the login itself is
created by the server's administrator (``CREATE ROLE … LOGIN PASSWORD …`` /
``CREATE USER … IDENTIFIED BY …``). SQLite has no logins: file permissions decide.
"""

from __future__ import annotations

from enum import Enum

from .schema import CONTRACT_TABLES

ENGINES = ("postgresql", "mariadb")
VERSION_TABLE = "alembic_version"
IMPORT_LOG_SEQUENCE = "import_log_id_seq"  # PostgreSQL: SERIAL behind import_log.id


class Access(Enum):
    REPORT = "report"
    INGEST = "ingest"
    OWNER = "owner"


def table_privileges(access: Access) -> dict[str, tuple[str, ...]]:
    """Table name -> privileges, for ``REPORT`` and ``INGEST`` (``OWNER`` has them all)."""
    if access is Access.OWNER:
        raise ValueError("the owner has every privilege: see grant_statements")
    writes = access is Access.INGEST
    contract: tuple[str, ...] = ("SELECT", "INSERT", "UPDATE", "DELETE") if writes \
        else ("SELECT",)
    privs: dict[str, tuple[str, ...]] = {name: contract for name in CONTRACT_TABLES}
    privs["import_log"] = ("SELECT", "INSERT") if writes else ("SELECT",)
    privs[VERSION_TABLE] = ("SELECT",)
    privs["runs"] = ("SELECT", "INSERT", "UPDATE")
    # the closed months' cache (db/month_cache.py): imports bump the versions; only a login
    # that may write the data may write its derived copy (a report login could otherwise
    # change everyone's scores through it), every login reads it
    privs["month_versions"] = ("SELECT", "INSERT", "UPDATE") if writes else ("SELECT",)
    privs["month_cache"] = ("SELECT", "INSERT", "UPDATE", "DELETE") if writes \
        else ("SELECT",)
    return privs


def grant_statements(engine: str, access: Access, user: str, *, database: str,
                     host: str = "%") -> list[str]:
    """The GRANT statements giving ``user`` ``access`` to the workbook in ``database``.

    ``engine``: ``postgresql`` (run them connected to ``database``) or ``mariadb`` /
    ``mysql`` (``host`` is the login's host part). Names are quoted, not escaped: they
    must be plain identifiers.
    """
    for name in (user, database, host):
        if not name or any(ch in name for ch in "\"'`;\\ \n"):
            raise ValueError(f"not a plain name: {name!r}")
    if engine == "postgresql":
        return _postgresql(access, user, database)
    if engine in ("mariadb", "mysql"):
        return _mariadb(access, f"'{user}'@'{host}'", database)
    raise ValueError(f"no logins to grant on {engine!r}: use postgresql or mariadb")


def _postgresql(access: Access, user: str, database: str) -> list[str]:
    if access is Access.OWNER:
        return [f'ALTER DATABASE "{database}" OWNER TO "{user}"',
                f'GRANT ALL ON SCHEMA public TO "{user}"']
    out = [f'GRANT CONNECT ON DATABASE "{database}" TO "{user}"',
           f'GRANT USAGE ON SCHEMA public TO "{user}"']
    by_privs: dict[tuple[str, ...], list[str]] = {}
    for table, privs in table_privileges(access).items():
        by_privs.setdefault(privs, []).append(table)
    for privs, tables in by_privs.items():
        out.append(f"GRANT {', '.join(privs)} ON TABLE {', '.join(tables)} TO \"{user}\"")
    if access is Access.INGEST:
        out.append(f'GRANT USAGE ON SEQUENCE {IMPORT_LOG_SEQUENCE} TO "{user}"')
    return out


def _mariadb(access: Access, login: str, database: str) -> list[str]:
    if access is Access.OWNER:
        return [f"GRANT ALL PRIVILEGES ON `{database}`.* TO {login}"]
    return [f"GRANT {', '.join(privs)} ON `{database}`.`{table}` TO {login}"
            for table, privs in table_privileges(access).items()]
