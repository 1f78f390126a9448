"""Data access for scoring: scope resolution and period frames, with bound parameters.

What SQL can aggregate is aggregated in SQL: :func:`entry_aggregates` returns one row per
assignment of the month (never one row per entry), computed with a window function over the
verifications (the latest decision up to the closing time, built by
:func:`eperformance.decisions.ranked_decisions`) and a running sum of quantities (the date
that completes the target). The pure path in ``scoring.measures`` computes the
same frame from raw rows; a test checks both agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    Numeric,
    and_,
    case,
    cast,
    func,
    select,
    true,
    type_coerce,
)
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.types import NullType

from ..decisions import is_latest, latest_decision_id, ranked_decisions, up_to_closing
from ..errors import UsageError
from ..nip import normalize_nip
from . import schema as s


@dataclass(frozen=True)
class Scope:
    """Who a run covers: everyone, a unit with its sub-units, or one employee."""

    kind: str  # "all" | "unit" | "nip"
    unit: str | None = None
    units: tuple[str, ...] = ()  # the unit and all its descendants (kind "unit")
    nip: str | None = None

    @property
    def label(self) -> str:
        """The scope folder name of the Interfaces section: ``all`` or the unit code."""
        if self.kind == "unit":
            assert self.unit is not None
            return self.unit
        return "all" if self.kind == "all" else "single"

    def employee_filter(self, nip_col: Any) -> ColumnElement[bool]:
        """A WHERE clause keeping rows whose employee ``nip_col`` is in scope."""
        if self.kind == "all":
            return true()
        if self.kind == "nip":
            return nip_col == self.nip  # type: ignore[no-any-return]
        sub = select(s.employees.c.nip).where(s.employees.c.unit_code.in_(self.units))
        return nip_col.in_(sub)  # type: ignore[no-any-return]


def unit_tree(conn: Connection) -> dict[str, str | None]:
    """unit_code -> parent_code for every unit."""
    rows = conn.execute(select(s.units.c.unit_code, s.units.c.parent_code)).all()
    return {r.unit_code: r.parent_code for r in rows}


def descendants(tree: dict[str, str | None], root: str) -> tuple[str, ...]:
    """``root`` and every unit below it, sorted by code point."""
    children: dict[str, list[str]] = {}
    for code, parent in tree.items():
        if parent is not None:
            children.setdefault(parent, []).append(code)
    out, stack, seen = [], [root], set()
    while stack:
        code = stack.pop()
        if code in seen:
            continue
        seen.add(code)
        out.append(code)
        stack.extend(children.get(code, ()))
    return tuple(sorted(out))


def resolve_scope(conn: Connection, unit: str | None = None, nip: str | int | None = None) -> Scope:
    """Check the unit or NIP exists and return the scope; unknown ones are a usage error."""
    if unit and nip:
        raise UsageError("give either a unit or a NIP, not both")
    if nip is not None and str(nip).strip():
        code = normalize_nip(str(nip))
        found = conn.execute(select(s.employees.c.nip).where(s.employees.c.nip == code)).first()
        if not found:
            raise UsageError(f"unknown NIP {code!r}", hint="check the NIP (18 digits)")
        return Scope("nip", nip=code)
    if unit:
        tree = unit_tree(conn)
        if unit not in tree:
            known = ", ".join(sorted(tree)[:12])
            raise UsageError(f"unknown unit {unit!r}", hint=f"known units include: {known}")
        return Scope("unit", unit=unit, units=descendants(tree, unit))
    return Scope("all")


def read_frame(conn: Connection, stmt: Select[Any],
               columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The rows of ``stmt`` as a frame (column names from the query unless given)."""
    result = conn.execute(stmt)
    names = list(columns) if columns is not None else list(result.keys())
    # Plain tuples: pandas probes Row objects attribute by attribute, which is slow.
    # Equal strings share one object: the driver makes a new ``str`` for every value, and a
    # month's entries repeat the same NIPs, dates, codes and statuses hundreds of thousands
    # of times (at 10,000 employees this halves the memory of scoring and the rekap).
    pool: dict[str, str] = {}
    same = pool.setdefault
    rows = [tuple([same(v, v) if type(v) is str else v for v in r]) for r in result]
    return pd.DataFrame.from_records(rows, columns=names)



def load_units(conn: Connection) -> pd.DataFrame:
    return read_frame(conn, select(s.units).order_by(s.units.c.unit_code))


def load_employees(conn: Connection, scope: Scope, *, active_only: bool = False) -> pd.DataFrame:
    e = s.employees
    stmt = select(e).where(scope.employee_filter(e.c.nip))
    if active_only:
        stmt = stmt.where(e.c.active.is_(True))
    return read_frame(conn, stmt.order_by(e.c.nip))


def load_assignments(conn: Connection, period: str, scope: Scope) -> pd.DataFrame:
    a = s.assignments
    stmt = (select(a).where(a.c.period == period, scope.employee_filter(a.c.nip))
            .order_by(a.c.nip, a.c.assignment_id))
    return read_frame(conn, stmt)


def load_behaviour(conn: Connection, period: str, scope: Scope) -> pd.DataFrame:
    b = s.behaviour
    stmt = (select(b).where(b.c.period == period, scope.employee_filter(b.c.nip))
            .order_by(b.c.nip, b.c.aspect, b.c.assessor_nip))
    return read_frame(conn, stmt)


def load_unit_results(conn: Connection, period: str) -> pd.DataFrame:
    u = s.unit_results
    return read_frame(conn, select(u).where(u.c.period == period).order_by(u.c.unit_code))


def load_period_entries(conn: Connection, period: str, scope: Scope,
                        first: dt.date, last: dt.date) -> pd.DataFrame:
    """Raw entries linked to the month's assignments (the pure path and tests)."""
    a, g = s.activities, s.assignments
    stmt = (select(a).join(g, g.c.assignment_id == a.c.assignment_id)
            .where(g.c.period == period, scope.employee_filter(g.c.nip)))
    return read_frame(conn, stmt)


def load_period_verifications(conn: Connection, period: str, scope: Scope) -> pd.DataFrame:
    """Raw decisions on entries linked to the month's assignments (the pure path and tests)."""
    v, a, g = s.verifications, s.activities, s.assignments
    stmt = (select(v).join(a, a.c.activity_id == v.c.activity_id)
            .join(g, g.c.assignment_id == a.c.assignment_id)
            .where(g.c.period == period, scope.employee_filter(g.c.nip)))
    return read_frame(conn, stmt)


def driver_value(column: ColumnElement) -> ColumnElement:
    """``column`` as the driver returns it (no SQL change; skips SQLAlchemy's per-row
    parsing of SQLite's date/time text): the pure functions parse dates and times
    vectorised, whatever the driver gives (``date``/``time`` objects, text, timedeltas)."""
    return type_coerce(column, NullType()).label(column.key)



def _round10(conn: Connection, col: Any) -> Any:
    """``col`` rounded to 10 decimals (the cumulative-quantity comparison of domain.md)."""
    if conn.dialect.name == "sqlite":
        return func.round(col, 10)
    return cast(col, Numeric(38, 10))


def entry_aggregates(conn: Connection, period: str, scope: Scope, closing_utc: dt.datetime,
                     last_day: dt.date) -> pd.DataFrame:
    """Per assignment of ``period`` in scope, aggregated in SQL over its counted entries.

    Columns (the aggregate frame of ``scoring.measures``): ``assignment_id, nip, ro,
    rk_num, rk_den, rb, rw_date, has_counted_entry, n_pending, pending_quantity``.
    Assignments with neither a counted entry nor an entry awaiting verification are absent
    (the scoring fills them in); one with only entries awaiting verification has
    ``has_counted_entry`` false and blank sums.

    Three steps, all in the database: the latest decision per entry up to the closing time
    (``ROW_NUMBER`` over the verifications of a bounded time slice on PostgreSQL and
    MariaDB; on SQLite one seek per entry, :func:`_daily_counted_sqlite`), the counted entries
    summed per assignment and day, and a running sum over those days that finds the day
    the target is reached (entries of one day cannot change that day, quantities being
    non-negative, so the order by ``activity_id`` within a day is not needed). A second
    statement counts per assignment the entries that would count but have no decision up
    to the closing time (domain.md §5, :func:`pending_aggregates`).
    """
    g = s.assignments
    in_month = and_(g.c.period == period, scope.employee_filter(g.c.nip))
    earliest = conn.execute(select(func.min(g.c.start_date)).where(in_month)).scalar()
    if earliest is None:
        return pd.DataFrame(columns=["assignment_id", "nip", "ro", "rk_num", "rk_den", "rb",
                                     "rw_date", "has_counted_entry", "n_pending",
                                     "pending_quantity"])
    if isinstance(earliest, str):
        earliest = dt.date.fromisoformat(earliest)
    if conn.dialect.name == "sqlite":
        daily = _daily_counted_sqlite(conn, in_month, closing_utc, last_day)
    else:
        daily = _daily_counted_ranked(conn, in_month, earliest, closing_utc, last_day)
    cum = select(
        daily,
        func.sum(daily.c.qty).over(
            partition_by=daily.c.assignment_id, order_by=daily.c.date, rows=(None, 0)
        ).label("cum_qty"),
    ).cte("cum")
    stmt = (
        select(
            cum.c.assignment_id,
            cum.c.nip,
            func.sum(cum.c.qty).label("ro"),
            func.sum(cum.c.rk_num).label("rk_num"),
            func.sum(cum.c.rk_den).label("rk_den"),
            func.sum(cum.c.cost).label("rb"),
            func.min(case((_round10(conn, cum.c.cum_qty)
                           >= _round10(conn, cum.c.target_quantity), cum.c.date)))
            .label("rw_date"),
        )
        .group_by(cum.c.assignment_id, cum.c.nip)
    )
    df = read_frame(conn, stmt)
    df["has_counted_entry"] = True
    for col in ("ro", "rk_num", "rk_den", "rb"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    df["rk_num"] = df["rk_num"].where(df["rk_den"].notna())
    df["rw_date"] = pd.to_datetime(df["rw_date"]).dt.date
    waiting = pending_aggregates(conn, period, scope, closing_utc, last_day)
    df = df.merge(waiting, on=["assignment_id", "nip"], how="outer")
    df["has_counted_entry"] = df["has_counted_entry"].astype(object).fillna(False).astype(bool)
    df["n_pending"] = df["n_pending"].fillna(0).astype("int64")
    df["pending_quantity"] = df["pending_quantity"].fillna(0.0).astype(float)
    return df.sort_values("assignment_id", kind="stable").reset_index(drop=True)


def _daily_counted_ranked(conn: Connection, in_month: ColumnElement[bool], earliest: dt.date,
                          closing_utc: dt.datetime, last_day: dt.date) -> Any:
    """The counted entries summed per assignment and day (the ``daily`` CTE), the latest
    decisions ranked over a time slice of the verifications (PostgreSQL, MariaDB: a hash
    join of two sets)."""
    v, a, g = s.verifications, s.activities, s.assignments
    # A decision is never dated before its entry (import rule), and a counted entry never
    # before its assignment's start: older decisions cannot be a counted entry's latest.
    # One day of margin covers the time zone (entry dates are Jakarta dates).
    lower = dt.datetime.combine(earliest, dt.time()) - dt.timedelta(days=1)
    ranked = ranked_decisions(v, conn.dialect.name, closing_utc, ("status", "quality"),
                              where=[v.c.decided_at >= lower]).cte("ranked")
    marked = ranked.c.quality.is_not(None)
    return (
        select(
            g.c.assignment_id,
            g.c.nip,
            g.c.target_quantity,
            a.c.date,
            func.sum(a.c.quantity).label("qty"),
            func.sum(case((marked, ranked.c.quality * a.c.quantity))).label("rk_num"),
            func.sum(case((marked, a.c.quantity))).label("rk_den"),
            func.sum(a.c.cost).label("cost"),
        )
        .join(a, a.c.assignment_id == g.c.assignment_id)
        .join(ranked, is_latest(ranked, a.c.activity_id))
        .where(
            in_month,
            ranked.c.status == "approved",
            a.c.date >= g.c.start_date,
            a.c.date <= last_day,
        )
        .group_by(g.c.assignment_id, g.c.nip, g.c.target_quantity, a.c.date)
        .cte("daily")
    )


def _daily_counted_sqlite(conn: Connection, in_month: ColumnElement[bool],
                          closing_utc: dt.datetime, last_day: dt.date) -> Any:
    """The ``daily`` CTE of :func:`_daily_counted_ranked` on SQLite: each entry of the
    month finds its latest decision by one seek on ``verifications(activity_id)``
    (:func:`~eperformance.decisions.latest_decision_id`), then that decision by its key.
    Ranking a time slice of the whole table costs SQLite a scan and a sort of every
    decision of the slice, other months' entries included (measured on 5,000 employees x
    12 months: 1.1 s of CPU a month against 0.7 s)."""
    v, a, g = s.verifications, s.activities, s.assignments
    entries = (
        select(
            g.c.assignment_id,
            g.c.nip,
            g.c.target_quantity,
            a.c.date,
            a.c.quantity,
            a.c.cost,
            latest_decision_id(v, conn.dialect.name, closing_utc, a.c.activity_id)
            .label("vid"),
        )
        .join(a, a.c.assignment_id == g.c.assignment_id)
        .where(in_month, a.c.date >= g.c.start_date, a.c.date <= last_day)
        .cte("entries")
    )
    e = entries.c
    marked = v.c.quality.is_not(None)
    return (
        select(
            e.assignment_id,
            e.nip,
            e.target_quantity,
            e.date,
            func.sum(e.quantity).label("qty"),
            func.sum(case((marked, v.c.quality * e.quantity))).label("rk_num"),
            func.sum(case((marked, e.quantity))).label("rk_den"),
            func.sum(e.cost).label("cost"),
        )
        .select_from(entries)
        .join(v, v.c.verification_id == e.vid)
        .where(v.c.status == "approved")
        .group_by(e.assignment_id, e.nip, e.target_quantity, e.date)
        .cte("daily")
    )


def pending_aggregates(conn: Connection, period: str, scope: Scope,
                       closing_utc: dt.datetime, last_day: dt.date) -> pd.DataFrame:
    """Per assignment of ``period`` in scope: ``assignment_id, nip, n_pending,
    pending_quantity`` over the entries awaiting verification at the closing time (domain.md
    §5): ``assignment_id`` is the assignment, dated from its ``start_date`` to ``last_day``,
    and no decision at all up to the closing time (a decision made later leaves the entry
    pending; a rejection or a revision is a decision). Only assignments with such entries
    have a row."""
    v, a, g = s.verifications, s.activities, s.assignments
    decided = (
        select(v.c.activity_id)
        .where(v.c.activity_id == a.c.activity_id, up_to_closing(v.c.decided_at, closing_utc))
        .exists()
    )
    stmt = (
        select(
            g.c.assignment_id,
            g.c.nip,
            func.count(a.c.activity_id).label("n_pending"),
            func.sum(a.c.quantity).label("pending_quantity"),
        )
        .join(a, a.c.assignment_id == g.c.assignment_id)
        .where(
            g.c.period == period,
            scope.employee_filter(g.c.nip),
            a.c.date >= g.c.start_date,
            a.c.date <= last_day,
            ~decided,
        )
        .group_by(g.c.assignment_id, g.c.nip)
    )
    df = read_frame(conn, stmt, ["assignment_id", "nip", "n_pending", "pending_quantity"])
    df["n_pending"] = pd.to_numeric(df["n_pending"]).astype("int64")
    df["pending_quantity"] = pd.to_numeric(df["pending_quantity"], errors="coerce") \
        .fillna(0.0).astype(float)
    return df


def period_has_data(conn: Connection, period: str, scope: Scope,
                    first: dt.date, last: dt.date) -> bool:
    """Does anyone in scope have an assignment, an entry or a rating in the period?"""
    checks = [
        select(s.assignments.c.assignment_id).where(
            s.assignments.c.period == period, scope.employee_filter(s.assignments.c.nip)),
        select(s.activities.c.activity_id).where(
            s.activities.c.date.between(first, last), scope.employee_filter(s.activities.c.nip)),
        select(s.behaviour.c.nip).where(
            s.behaviour.c.period == period, scope.employee_filter(s.behaviour.c.nip)),
    ]
    return any(conn.execute(q.limit(1)).first() is not None for q in checks)


__all__ = [
    "Scope", "descendants", "driver_value", "entry_aggregates", "load_assignments",
    "load_behaviour", "load_employees", "load_period_entries", "load_period_verifications",
    "load_unit_results", "load_units", "pending_aggregates", "period_has_data",
    "resolve_scope", "unit_tree",
]


# --------------------------------------------------------------------------- longer periods
# domain.md §7: a quarter, semester or year is the union of its months. One query over the
# period's months for the assignments and the ratings; the entries are aggregated month by
# month, each with its own last day and closing time (``entry_aggregates``, so the
# latest-decision rule lives in one place).


def months_entry_aggregates(
    conn: Connection,
    closings: dict[str, dt.datetime],
    last_days: dict[str, dt.date],
    scope: Scope,
) -> dict[str, pd.DataFrame]:
    """Month -> the aggregate frame of :func:`entry_aggregates` for that month, with the
    month's own closing time (naive UTC, ``closings``) and last day (``last_days``).

    Each month's statements read only that month's assignments and the decisions of its
    own time slice, so the months together read the period's rows once.
    """
    return {month: entry_aggregates(conn, month, scope, closing, last_days[month])
            for month, closing in closings.items()}


def months_have_data(conn: Connection, months: Sequence[str], scope: Scope,
                     first: dt.date, last: dt.date) -> bool:
    """Does anyone in scope have an assignment, an entry or a rating in any of ``months``
    (entries dated from ``first`` to ``last``)?"""
    checks = [
        select(s.assignments.c.assignment_id).where(
            s.assignments.c.period.in_(list(months)),
            scope.employee_filter(s.assignments.c.nip)),
        select(s.activities.c.activity_id).where(
            s.activities.c.date.between(first, last), scope.employee_filter(s.activities.c.nip)),
        select(s.behaviour.c.nip).where(
            s.behaviour.c.period.in_(list(months)), scope.employee_filter(s.behaviour.c.nip)),
    ]
    return any(conn.execute(q.limit(1)).first() is not None for q in checks)


__all__ += [
    "months_entry_aggregates",
    "months_have_data",
]
