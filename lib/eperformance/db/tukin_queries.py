"""SQL for the tunjangan kinerja (tukin.md): the month's attendance rows and the verified
minutes per employee, with bound parameters only (the same SQL on SQLite, PostgreSQL and
MariaDB).

* :func:`attendance_rows`: ``nip, date, check_in, check_out, status`` of the month for the
  active employees in scope (the ledger needs each day: lateness bands are per day);
* :func:`verified_minutes`: per active employee in scope, aggregated in SQL, V = the sum of
  quantity x the activity type's ``standard_minutes`` over the entries dated in the month
  whose latest decision up to the closing time is approved, and how many such entries
  there are. "Latest" is by ``decided_at``, a tie to the greater ``verification_id``
  (code point order; ``COLLATE "C"`` on PostgreSQL), as everywhere else: the rule is
  :mod:`eperformance.decisions`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Connection, and_, func, select, true

from ..decisions import is_latest, ranked_decisions
from . import schema as s
from .queries import Scope, driver_value, read_frame

ATTENDANCE_COLUMNS = ["nip", "date", "check_in", "check_out", "status"]
MINUTES_COLUMNS = ["nip", "minutes", "approved_entries"]


def _active_in_scope(scope: Scope, nip_col: ColumnElement[str]) -> ColumnElement[bool]:
    e = s.employees
    return nip_col.in_(
        select(e.c.nip).where(e.c.active == true(), scope.employee_filter(e.c.nip)))


def attendance_rows(conn: Connection, scope: Scope, first: dt.date,
                    last: dt.date) -> pd.DataFrame:
    """The month's attendance rows of the active employees in scope (in no set order: the
    ledger lays them out itself)."""
    a = s.attendance
    stmt = (
        select(a.c.nip, driver_value(a.c.date), driver_value(a.c.check_in),
               driver_value(a.c.check_out), a.c.status)
        .where(a.c.date >= first, a.c.date <= last, _active_in_scope(scope, a.c.nip))
    )
    return read_frame(conn, stmt, ATTENDANCE_COLUMNS)


def attendance_batches(conn: Connection, scope: Scope, first: dt.date, last: dt.date,
                       chunk: int = 10_000) -> Iterator[Sequence[Any]]:
    """:func:`attendance_rows` as the driver returns them, ``chunk`` rows at a time, for a
    caller that types them as they come (the tukin ledger's
    :class:`~eperformance.tukin.ledger.AttendanceCollector`), so that the drivers' text
    never piles up: a month of 220,000 rows stays a few MB of arrays."""
    a = s.attendance
    stmt = (
        select(a.c.nip, driver_value(a.c.date), driver_value(a.c.check_in),
               driver_value(a.c.check_out), a.c.status)
        .where(a.c.date >= first, a.c.date <= last, _active_in_scope(scope, a.c.nip))
    )
    result = conn.execute(stmt)
    while rows := result.fetchmany(chunk):
        yield rows


def verified_minutes(conn: Connection, scope: Scope, first: dt.date, last: dt.date,
                     closing_utc: dt.datetime) -> pd.DataFrame:
    """``nip, minutes, approved_entries`` of the active employees in scope that have at
    least one approved entry dated in the month (others are absent)."""
    v, a, t = s.verifications, s.activities, s.activity_types
    month = and_(a.c.date >= first, a.c.date <= last, _active_in_scope(scope, a.c.nip))
    ranked = ranked_decisions(v, conn.dialect.name, closing_utc, ("status",), where=[month],
                              select_from=v.join(a, a.c.activity_id == v.c.activity_id)
                              ).subquery("latest")
    minutes = func.coalesce(a.c.quantity * t.c.standard_minutes, 0)
    stmt = (
        select(a.c.nip, func.sum(minutes).label("minutes"),
               func.count(a.c.activity_id).label("approved_entries"))
        .select_from(
            a.join(ranked, is_latest(ranked, a.c.activity_id))
            .outerjoin(t, t.c.activity_code == a.c.activity_code))
        .where(month, ranked.c.status == "approved")
        .group_by(a.c.nip)
        .order_by(a.c.nip)
    )
    frame = read_frame(conn, stmt, MINUTES_COLUMNS)
    frame["minutes"] = pd.to_numeric(frame["minutes"]).astype("float64")
    frame["approved_entries"] = pd.to_numeric(frame["approved_entries"]).astype("int64")
    return frame
