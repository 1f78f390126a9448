"""SQL for the *rekap capaian aktivitas* (:mod:`eperformance.activity_rekap` has the rules,
the frames' columns and :func:`~eperformance.activity_rekap.compute_rekap`, the one call).

Every function takes a connection, the month's first and last day (:data:`Days`) and a
scope: a list of NIPs, or ``None`` for every *active* employee; they return pandas frames
with bound parameters only (SQLAlchemy Core; the same SQL on SQLite, PostgreSQL and
MariaDB). An entry's status is its latest decision up to the closing time, chosen in SQL
by :func:`eperformance.decisions.ranked_decisions` (``ROW_NUMBER() OVER (PARTITION BY
activity_id ORDER BY decided_at DESC, verification_id DESC)``, ``verification_id`` by code
point on every engine). The light entry rows carry that status, and the counts by status
are made from those same rows (aggregating them again in SQL would evaluate the window
twice). Per-entry rows are fetched only where per-entry detail is needed: the light entry
rows behind the counts, minutes, waiting times and flags (time arithmetic is not portable
SQL), and the rejected/revision and late-decision lists.

Entries of the month are the activities whose ``date`` lies in the month; the scope
applies to the entry's owner (``activities.nip``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Subquery,
    and_,
    bindparam,
    func,
    literal,
    select,
    true,
)

from ..decisions import (
    LATE_COLUMNS,
    REJECTED_COLUMNS,
    after_closing,
    is_latest,
    ranked_decisions,
    up_to_closing,
)
from .queries import driver_value, read_frame
from .schema import activities, activity_types, attendance, behaviour, employees, verifications

Nips = Sequence[str] | None
#: The first and the last day of the month (the entries' dates are compared with them).
Days = tuple[dt.date, dt.date]


# --------------------------------------------------------------------------- helpers
def _frame(conn: Connection, stmt: Select, columns: Sequence[str]) -> pd.DataFrame:
    return read_frame(conn, stmt, columns)


def _in_scope(column: ColumnElement, nips: Nips) -> ColumnElement[bool]:
    """``column`` is a NIP in scope: one of ``nips`` (bound, expanding), or an active
    employee's when ``nips`` is None."""
    if nips is None:
        return column.in_(select(employees.c.nip).where(employees.c.active == true()))
    return column.in_(bindparam("scope_nips", list(nips), expanding=True))


def _month_entries(nips: Nips, days: Days) -> ColumnElement[bool]:
    return and_(
        activities.c.date >= days[0],
        activities.c.date <= days[1],
        _in_scope(activities.c.nip, nips),
    )


def latest_subquery(
    dialect: str, days: Days, nips: Nips, closing_utc: dt.datetime
) -> Subquery:
    """Every decision up to the closing time on entries of the month with its rank ``rn``
    (1 = the latest), for the SQL dialect named ``dialect``
    (:func:`eperformance.decisions.ranked_decisions`)."""
    return ranked_decisions(
        verifications, dialect, closing_utc,
        ("verification_id", "status", "decided_at", "quality", "note"),
        where=[_month_entries(nips, days)],
        select_from=verifications.join(
            activities, activities.c.activity_id == verifications.c.activity_id),
    ).subquery("latest")


# --------------------------------------------------------------------------- queries
def scope_employees(conn: Connection, nips: Nips) -> pd.DataFrame:
    """``nip, supervisor_nip`` of the employees in scope (sorted by NIP). Given NIPs that
    are not in the database are kept (with a blank supervisor)."""
    stmt = (select(employees.c.nip, employees.c.supervisor_nip)
            .where(_in_scope(employees.c.nip, nips)).order_by(employees.c.nip))
    found = _frame(conn, stmt, ["nip", "supervisor_nip"])
    if nips is not None:
        missing = sorted(set(nips) - set(found["nip"]))
        if missing:
            extra = pd.DataFrame({"nip": missing, "supervisor_nip": [None] * len(missing)})
            found = pd.concat([found, extra], ignore_index=True).sort_values("nip")
    return found.reset_index(drop=True)


def entry_rows(
    conn: Connection, days: Days, nips: Nips, closing_utc: dt.datetime
) -> pd.DataFrame:
    """One light row per entry of the month: ``activity_id, nip, date, start_time,
    end_time, activity_code, quantity, standard_minutes, status`` (status of the latest
    decision up to the closing time, ``pending`` without one)."""
    latest = latest_subquery(conn.dialect.name, days, nips, closing_utc)
    stmt = (
        select(
            activities.c.activity_id, activities.c.nip, driver_value(activities.c.date),
            driver_value(activities.c.start_time), driver_value(activities.c.end_time),
            activities.c.activity_code, activities.c.quantity,
            activity_types.c.standard_minutes,
            func.coalesce(latest.c.status, literal("pending")).label("status"),
        )
        .select_from(
            activities
            .outerjoin(activity_types,
                       activity_types.c.activity_code == activities.c.activity_code)
            .outerjoin(latest, is_latest(latest, activities.c.activity_id))
        )
        .where(_month_entries(nips, days))
    )
    cols = ["activity_id", "nip", "date", "start_time", "end_time", "activity_code",
            "quantity", "standard_minutes", "status"]
    return _frame(conn, stmt, cols)


def rejected_and_revision(
    conn: Connection, days: Days, nips: Nips, closing_utc: dt.datetime
) -> pd.DataFrame:
    """Entries whose latest decision up to the closing time is rejected or revision
    (:data:`eperformance.decisions.REJECTED_COLUMNS`), sorted by nip, date, activity_id."""
    latest = latest_subquery(conn.dialect.name, days, nips, closing_utc)
    stmt = (
        select(
            activities.c.nip, activities.c.activity_id, activities.c.date,
            activities.c.activity_code, activities.c.description, latest.c.status,
            latest.c.decided_at, latest.c.quality, latest.c.note,
        )
        .select_from(activities.join(
            latest, is_latest(latest, activities.c.activity_id)))
        .where(_month_entries(nips, days), latest.c.status.in_(["rejected", "revision"]))
    )
    frame = _frame(conn, stmt, REJECTED_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame = frame.sort_values(["nip", "date", "activity_id"], kind="stable")
    out = frame.reset_index(drop=True)
    out["decided_at"] = pd.to_datetime(out["decided_at"]).astype("datetime64[ns]")
    out["quality"] = pd.to_numeric(out["quality"]).astype("float64")
    return out


def late_decisions(
    conn: Connection, days: Days, nips: Nips, closing_utc: dt.datetime
) -> pd.DataFrame:
    """Decisions after the closing time on entries of the month
    (:data:`eperformance.decisions.LATE_COLUMNS`)."""
    stmt = (
        select(
            activities.c.nip, activities.c.activity_id, activities.c.date,
            activities.c.activity_code, activities.c.description,
            verifications.c.verification_id, verifications.c.verifier_nip,
            verifications.c.status, verifications.c.decided_at, verifications.c.quality,
            verifications.c.note,
        )
        .select_from(verifications.join(
            activities, activities.c.activity_id == verifications.c.activity_id))
        .where(_month_entries(nips, days),
               after_closing(verifications.c.decided_at, closing_utc))
    )
    frame = _frame(conn, stmt, LATE_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["decided_at"] = pd.to_datetime(frame["decided_at"]).astype("datetime64[ns]")
    frame["quality"] = pd.to_numeric(frame["quality"]).astype("float64")
    frame = frame.sort_values(["nip", "activity_id", "decided_at", "verification_id"],
                              kind="stable")
    return frame.reset_index(drop=True)


def attendance_rows(conn: Connection, days: Days, nips: Nips) -> pd.DataFrame:
    """``nip, date, check_in, check_out`` of the month."""
    stmt = select(
        attendance.c.nip, driver_value(attendance.c.date), driver_value(attendance.c.check_in),
        driver_value(attendance.c.check_out),
    ).where(
        attendance.c.date >= days[0],
        attendance.c.date <= days[1],
        _in_scope(attendance.c.nip, nips),
    )
    return _frame(conn, stmt, ["nip", "date", "check_in", "check_out"])


def supervisor_decisions(
    conn: Connection, days: Days, nips: Nips, closing_utc: dt.datetime
) -> pd.DataFrame:
    """``verification_id, activity_id, verifier_nip, status, decided_at, quality, note``
    of the decisions up to the closing time on entries of the month made by the entry
    owner's supervisor (``verifier_nip`` = ``employees.supervisor_nip``)."""
    stmt = (
        select(
            verifications.c.verification_id, verifications.c.activity_id,
            verifications.c.verifier_nip, verifications.c.status,
            verifications.c.decided_at, verifications.c.quality, verifications.c.note,
        )
        .select_from(
            verifications
            .join(activities, activities.c.activity_id == verifications.c.activity_id)
            .join(employees, and_(employees.c.nip == activities.c.nip,
                                  employees.c.supervisor_nip == verifications.c.verifier_nip))
        )
        .where(_month_entries(nips, days),
               up_to_closing(verifications.c.decided_at, closing_utc))
    )
    cols = ["verification_id", "activity_id", "verifier_nip", "status", "decided_at",
            "quality", "note"]
    return _frame(conn, stmt, cols)


def supervisor_behaviour(conn: Connection, period: str, assessors: Sequence[str]) -> pd.DataFrame:
    """The period's behaviour rows given as ``atasan`` by ``assessors``:
    ``nip, assessor_nip, assessor_role, score``."""
    stmt = select(
        behaviour.c.nip, behaviour.c.assessor_nip, behaviour.c.assessor_role,
        behaviour.c.score,
    ).where(
        behaviour.c.period == period,
        behaviour.c.assessor_role == "atasan",
        behaviour.c.assessor_nip.in_(bindparam("assessors", list(assessors), expanding=True)),
    )
    return _frame(conn, stmt, ["nip", "assessor_nip", "assessor_role", "score"])
