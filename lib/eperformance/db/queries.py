"""Data access for scoring: scope resolution and period frames, with bound parameters.

What SQL can aggregate is aggregated in SQL: :func:`entry_aggregates` returns one row per
assignment of the month (never one row per entry), computed with a window function over the
verifications (latest decision up to the closing time) and a running sum of quantities
(the date that completes the target). The pure path in ``scoring.measures`` computes the
same frame from raw rows; a test checks both agree.
"""

from __future__ import annotations

import datetime as dt
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
)
from sqlalchemy.sql import ColumnElement, Select

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


def _frame(conn: Connection, stmt: Select[Any]) -> pd.DataFrame:
    result = conn.execute(stmt)
    return pd.DataFrame(result.all(), columns=list(result.keys()))


def load_units(conn: Connection) -> pd.DataFrame:
    return _frame(conn, select(s.units).order_by(s.units.c.unit_code))


def load_employees(conn: Connection, scope: Scope, *, active_only: bool = False) -> pd.DataFrame:
    e = s.employees
    stmt = select(e).where(scope.employee_filter(e.c.nip))
    if active_only:
        stmt = stmt.where(e.c.active.is_(True))
    return _frame(conn, stmt.order_by(e.c.nip))


def load_assignments(conn: Connection, period: str, scope: Scope) -> pd.DataFrame:
    a = s.assignments
    stmt = (select(a).where(a.c.period == period, scope.employee_filter(a.c.nip))
            .order_by(a.c.nip, a.c.assignment_id))
    return _frame(conn, stmt)


def load_behaviour(conn: Connection, period: str, scope: Scope) -> pd.DataFrame:
    b = s.behaviour
    stmt = (select(b).where(b.c.period == period, scope.employee_filter(b.c.nip))
            .order_by(b.c.nip, b.c.aspect, b.c.assessor_nip))
    return _frame(conn, stmt)


def load_unit_results(conn: Connection, period: str) -> pd.DataFrame:
    u = s.unit_results
    return _frame(conn, select(u).where(u.c.period == period).order_by(u.c.unit_code))


def load_period_entries(conn: Connection, period: str, scope: Scope,
                        first: dt.date, last: dt.date) -> pd.DataFrame:
    """Raw entries linked to the month's assignments (the pure path and tests)."""
    a, g = s.activities, s.assignments
    stmt = (select(a).join(g, g.c.assignment_id == a.c.assignment_id)
            .where(g.c.period == period, scope.employee_filter(g.c.nip)))
    return _frame(conn, stmt)


def load_period_verifications(conn: Connection, period: str, scope: Scope) -> pd.DataFrame:
    """Raw decisions on entries linked to the month's assignments (the pure path and tests)."""
    v, a, g = s.verifications, s.activities, s.assignments
    stmt = (select(v).join(a, a.c.activity_id == v.c.activity_id)
            .join(g, g.c.assignment_id == a.c.assignment_id)
            .where(g.c.period == period, scope.employee_filter(g.c.nip)))
    return _frame(conn, stmt)


def _text_order(conn: Connection, col: Any) -> Any:
    """Order a key column by code point on every engine."""
    return col.collate("C") if conn.dialect.name == "postgresql" else col


def _round10(conn: Connection, col: Any) -> Any:
    """``col`` rounded to 10 decimals (the cumulative-quantity comparison of domain.md)."""
    if conn.dialect.name == "sqlite":
        return func.round(col, 10)
    return cast(col, Numeric(38, 10))


def entry_aggregates(conn: Connection, period: str, scope: Scope, closing_utc: dt.datetime,
                     last_day: dt.date) -> pd.DataFrame:
    """Per assignment of ``period`` in scope, aggregated in SQL over its counted entries.

    Columns (the aggregate frame of ``scoring.measures``): ``assignment_id, nip, ro,
    rk_num, rk_den, rb, rw_date, has_counted_entry``. Assignments without a counted entry
    are absent (the scoring fills them in).
    """
    v, a, g = s.verifications, s.activities, s.assignments
    in_month = and_(g.c.period == period, scope.employee_filter(g.c.nip))
    # Latest decision per entry up to the closing time: decided_at, then verification_id.
    ranked = (
        select(
            v.c.activity_id,
            v.c.status,
            v.c.quality,
            func.row_number().over(
                partition_by=v.c.activity_id,
                order_by=(v.c.decided_at.desc(), _text_order(conn, v.c.verification_id).desc()),
            ).label("rn"),
        )
        .join(a, a.c.activity_id == v.c.activity_id)
        .join(g, g.c.assignment_id == a.c.assignment_id)
        .where(in_month, v.c.decided_at <= closing_utc)
        .cte("ranked")
    )
    counted = (
        select(
            g.c.assignment_id,
            g.c.nip,
            g.c.target_quantity,
            a.c.date,
            a.c.quantity,
            a.c.cost,
            ranked.c.quality,
            func.sum(a.c.quantity).over(
                partition_by=g.c.assignment_id,
                order_by=(a.c.date, _text_order(conn, a.c.activity_id)),
                rows=(None, 0),
            ).label("cum_qty"),
        )
        .join(a, a.c.assignment_id == g.c.assignment_id)
        .join(ranked, and_(ranked.c.activity_id == a.c.activity_id, ranked.c.rn == 1))
        .where(
            in_month,
            ranked.c.status == "approved",
            a.c.date >= g.c.start_date,
            a.c.date <= last_day,
        )
        .cte("counted")
    )
    marked = counted.c.quality.is_not(None)
    stmt = (
        select(
            counted.c.assignment_id,
            counted.c.nip,
            func.sum(counted.c.quantity).label("ro"),
            func.sum(case((marked, counted.c.quality * counted.c.quantity))).label("rk_num"),
            func.sum(case((marked, counted.c.quantity))).label("rk_den"),
            func.sum(counted.c.cost).label("rb"),
            func.min(case((_round10(conn, counted.c.cum_qty)
                           >= _round10(conn, counted.c.target_quantity), counted.c.date)))
            .label("rw_date"),
        )
        .group_by(counted.c.assignment_id, counted.c.nip)
    )
    df = _frame(conn, stmt)
    df["has_counted_entry"] = True
    for col in ("ro", "rk_num", "rk_den", "rb"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    df["rk_num"] = df["rk_num"].where(df["rk_den"].notna())
    df["rw_date"] = pd.to_datetime(df["rw_date"]).dt.date
    return df.sort_values("assignment_id", kind="stable").reset_index(drop=True)


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
    "Scope", "descendants", "entry_aggregates", "load_assignments", "load_behaviour",
    "load_employees", "load_period_entries", "load_period_verifications", "load_unit_results",
    "load_units", "period_has_data", "resolve_scope", "unit_tree",
]
