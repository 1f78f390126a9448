"""File exports → workbook database, with every contract rule checked (data-contract.md).

``run_ingest`` reads a folder of CSV files or one XLSX workbook, checks that the rejects
file can be written, checks each table in the contract's dependency order, and loads the
valid rows in one transaction (insert new keys, update changed ones, leave identical
ones); every rejected row goes to the rejects file with the reason in plain words, written
before the transaction commits. A whole-import failure raises ``ImportFailed`` before
anything is written. With ``check=True`` everything runs the same way (counts, rejects
file) but the transaction is rolled back: nothing is loaded and no import is logged.
"""

from __future__ import annotations

import gc
import getpass
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
import sqlalchemy.exc

from .. import contract as c
from ..db import month_cache
from ..db.schema import CONTRACT_TABLES, import_log
from ..errors import ImportFailed
from . import dbio
from .readers import RawTable, read_source
from .report import ImportReport, Reject, TableCounts, write_rejects
from .target import check_target
from .validate import Checked, Context, check_table, key_part

__all__ = ["ImportReport", "Reject", "TableCounts", "check_target", "run_ingest"]


@dataclass
class TablePlan:
    """What to write for one table, and its counts."""

    spec: c.TableSpec
    counts: TableCounts
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    # what the closed months' cache must forget (db/month_cache.py): the months, or the
    # assignment / entry ids whose months, this table's inserts and changes touch
    touched: set[str] = field(default_factory=set)


# table -> the column naming what a written row touches, and what that value is
_TOUCHES = {"assignments": ("period", "month"), "behaviour": ("period", "month"),
            "activities": ("assignment_id", "assignment"),
            "verifications": ("activity_id", "activity")}


def run_ingest(
    path: Path,
    engine: sa.Engine,
    rejects: Path | None = None,
    *,
    username: str | None = None,
    check: bool = False,
) -> ImportReport:
    """Import ``path`` (a folder of CSV files or an XLSX workbook) into ``engine``'s database.

    The schema must be current (the caller runs ``upgrade``). Rejected rows are written to
    ``rejects`` (default: ``rejects.csv`` in the folder, ``<workbook>.rejects.csv`` beside a
    workbook); with no rejected row an old rejects file there is removed. A rejects path
    that cannot be written fails the import before anything is loaded. ``check``: validate
    and report exactly as an import would, but load nothing (``eperf ingest --check``).
    """
    started = _utcnow()
    paused = gc.isenabled()
    gc.disable()  # millions of small objects: the cyclic collector only slows this down
    try:
        return _run(path, engine, rejects, username, started, check)
    except sa.exc.DBAPIError as exc:
        # The transaction was rolled back: nothing was loaded. One line, no rows echoed.
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else \
            type(exc).__name__
        raise ImportFailed(
            f"the database refused the import, nothing was loaded: {reason}",
            hint="ingest needs INSERT and UPDATE on the data tables (docs/database.md)",
        ) from None
    finally:
        if paused:
            gc.enable()


def _run(path: Path, engine: sa.Engine, rejects: Path | None, username: str | None,
         started: datetime, check: bool) -> ImportReport:
    source = read_source(Path(path), rejects)
    target = Path(rejects) if rejects is not None else source.default_rejects
    require_writable(target)
    report = ImportReport(source=source.path, import_id=uuid.uuid4().hex,
                          warnings=list(source.warnings), checked_only=check)
    user = username or _user()
    with engine.connect() as conn, conn.begin() as transaction:
        ctx = Context(conn)
        plans = []
        for raw in source.tables:
            plan = plan_table(raw, ctx)
            if not check:
                load_table(conn, plan)
            plans.append(plan)
            report.tables.append(plan.counts)
            report.rejects.extend(plan.rejects)
        if not check:
            report.months_changed = forget_months(conn, plans)
        finished = _utcnow()
        if report.tables and not check:
            conn.execute(import_log.insert(), [
                {
                    "import_id": report.import_id, "started_at": started,
                    "finished_at": finished, "username": user[:128],
                    "source": str(source.path), "file": t.file[:255], "table_name": t.table,
                    "rows_read": t.read, "inserted": t.inserted, "updated": t.updated,
                    "unchanged": t.unchanged, "rejected": t.rejected,
                }
                for t in report.tables
            ])
        # before the commit: rejected rows are never loaded around without their report
        _write_rejects(target, report)
        if check:
            transaction.rollback()
    return report


def require_writable(target: Path) -> None:
    """Fail the import (``ImportFailed``) unless the rejects file ``target`` can be written.

    Its folder may be missing (it is created when rejects are written), but the nearest
    existing folder above it must take a new file; ``target`` itself must not be a folder.
    """
    words = f"cannot write the rejects file {target}"
    hint = "give --rejects a file path in a folder you can write to; nothing was loaded"
    if target.is_dir():
        raise ImportFailed(f"{words}: it is a folder", hint=hint)
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise ImportFailed(f"{words}: {folder} is not a folder", hint=hint)
    try:
        fd, probe = tempfile.mkstemp(prefix=".eperf-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ImportFailed(f"{words}: {exc.strerror or exc}", hint=hint) from None


def _write_rejects(target: Path, report: ImportReport) -> None:
    try:
        if report.rejects:
            write_rejects(target, report.rejects)
            report.rejects_path = target
        else:
            target.unlink(missing_ok=True)
    except OSError as exc:
        raise ImportFailed(f"cannot write the rejects file {target}: {exc.strerror or exc}; "
                           "nothing was loaded") from None


def plan_table(raw: RawTable, ctx: Context) -> TablePlan:
    """Check ``raw`` and work out its inserts and updates (nothing is written here)."""
    spec = raw.spec
    checked = check_table(raw, ctx)
    counts = TableCounts(spec.name, raw.file, read=raw.read)
    plan = TablePlan(spec, counts, rejects=_rejects(checked))
    counts.rejected = len(plan.rejects)

    ok = checked.ok
    new = checked.frame.loc[ok]
    new.index = np.asarray(checked.keys[ok], dtype=object)
    table = CONTRACT_TABLES[spec.name]
    key_tuples = list(zip(*(new[k].to_numpy(object) for k in spec.key), strict=False))
    stored = dbio.fetch_rows(ctx.conn, table, spec.key, key_tuples)
    exists, changed = dbio.compare(spec, new, stored, _stored_keys)
    counts.inserted = int((~exists).sum())
    counts.updated = int(changed.sum())
    counts.unchanged = int((exists & ~changed).sum())
    cols = list(spec.column_names)
    plan.inserts = _records(new, cols, ~exists)
    plan.updates = _records(new, cols, changed)
    if spec.name in _TOUCHES:
        col = _TOUCHES[spec.name][0]
        written = ~exists | changed
        plan.touched = {str(v) for v in new[col].to_numpy(object)[written] if v is not None}
        if changed.any() and len(stored):
            was = pd.Index(_stored_keys(stored, spec), dtype=object) \
                .isin(new.index[changed])
            plan.touched |= {str(v) for v in stored[col].to_numpy(object)[was]
                             if v is not None}
    ctx.register(checked)
    return plan


def forget_months(conn: sa.Connection, plans: list[TablePlan]) -> list[str]:
    """Bump the version of every month whose scoring input ``plans`` wrote (after they
    were loaded, inside the import's transaction): the closed months' cache then reads
    those months afresh. Returns the months, sorted."""
    months: set[str] = set()
    assignments: set[str] = set()
    activities: set[str] = set()
    for plan in plans:
        kind = _TOUCHES.get(plan.spec.name, ("", ""))[1]
        if kind == "month":
            months |= plan.touched
        elif kind == "assignment":
            assignments |= plan.touched
        elif kind == "activity":
            activities |= plan.touched
    # an entry written by this import: its (new) assignment is among those touched already,
    # so its decisions need no lookup (a year's import: two million fewer)
    for plan in plans:
        if plan.spec.name == "activities":
            activities -= {str(r["activity_id"]) for r in (*plan.inserts, *plan.updates)}
    months |= month_cache.months_of_assignments(conn, assignments)
    months |= month_cache.months_of_activities(conn, activities)
    return month_cache.bump(conn, months)


def _records(frame: Any, cols: list[str], mask: np.ndarray) -> list[dict[str, Any]]:
    """Rows of ``frame`` where ``mask`` as plain dicts of Python values (fast)."""
    if not mask.any():
        return []
    arrays = [frame[col].to_numpy(object)[mask].tolist() for col in cols]
    return [dict(zip(cols, row, strict=True)) for row in zip(*arrays, strict=True)]


def load_table(conn: sa.Connection, plan: TablePlan) -> None:
    """Write one table's inserts and updates (inside the import's transaction)."""
    table = CONTRACT_TABLES[plan.spec.name]
    if plan.inserts:
        dbio.insert_rows(conn, table, plan.inserts)
    if plan.updates:
        dbio.update_rows(conn, table, plan.spec, plan.updates)


def _stored_keys(frame: Any, spec: c.TableSpec) -> np.ndarray:
    parts = [frame[k].to_numpy(object) for k in spec.key]
    if len(parts) == 1:
        return parts[0]
    return np.array(["|".join(key_part(p) for p in vals) for vals in zip(*parts, strict=False)],
                    dtype=object)


def _rejects(checked: Checked) -> list[Reject]:
    raw = checked.raw
    spec = raw.spec
    out = [
        Reject(raw.file, m.line, _raw_key(spec, m.values), m.reason, m.values)
        for m in raw.malformed
    ]
    for i in np.flatnonzero(~checked.ok):
        values = raw.original(i)
        out.append(Reject(raw.file, int(raw.lines[i]), _raw_key(spec, values),
                          str(checked.reasons[i]), values))
    out.sort(key=lambda r: r.line)
    return out


def _raw_key(spec: c.TableSpec, values: dict[str, str]) -> str:
    parts = []
    for k in spec.key:
        text = values.get(k, "")
        parts.append("".join(text.split()) if spec.column(k).kind == "nip" else text.strip())
    return "|".join(parts)


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
