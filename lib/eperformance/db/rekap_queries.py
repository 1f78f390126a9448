"""SQL for the *rekap capaian aktivitas* (see :mod:`eperformance.rekap` for the rules and
the frames' columns).

Every function takes a connection (or an engine), a period ``YYYY-MM`` and a scope: a list
of NIPs, or ``None`` for every *active* employee; they return pandas frames with bound
parameters only (SQLAlchemy Core; the same SQL on SQLite, PostgreSQL and MariaDB). An
entry's status is its latest decision up to the closing time, chosen in SQL with
``ROW_NUMBER() OVER (PARTITION BY activity_id ORDER BY decided_at DESC, verification_id
DESC)`` (:func:`eperformance.decisions.ranked_decisions`; ``verification_id`` by code
point on every engine). The light entry rows carry that status, and the counts by status
are made from those same rows (aggregating them again in SQL would evaluate the window
twice). Per-entry rows are fetched only where per-entry detail
is needed: the light entry rows behind the counts, minutes, waiting times and flags
(time arithmetic is not portable SQL), and the rejected/revision and late-decision lists.

:func:`compute_rekap` is the one call: queries, then the pure functions of
:mod:`eperformance.rekap`, giving a :class:`~eperformance.rekap.RekapResult`.

Entries of the month are the activities whose ``date`` lies in the period; the scope
applies to the entry's owner (``activities.nip``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import nullcontext

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    Subquery,
    and_,
    bindparam,
    func,
    literal,
    select,
    true,
    type_coerce,
)
from sqlalchemy.types import NullType

from .. import rekap
from ..decisions import (
    LATE_COLUMNS,
    REJECTED_COLUMNS,
    after_closing,
    is_latest,
    ranked_decisions,
    up_to_closing,
)
from ..params import Settings
from ..scoring.closing import period_first_day, period_last_day
from .queries import read_frame
from .schema import activities, activity_types, attendance, behaviour, employees, verifications

Nips = Sequence[str] | None


# --------------------------------------------------------------------------- helpers
def _frame(conn: Connection, stmt: Select, columns: Sequence[str]) -> pd.DataFrame:
    return read_frame(conn, stmt, columns)


def _raw(column: ColumnElement) -> ColumnElement:
    """``column`` as the driver returns it (no SQL change; skips SQLAlchemy's per-row
    parsing of SQLite's date/time text): the pure functions parse dates and times
    vectorised, whatever the driver gives (``date``/``time`` objects, text, timedeltas)."""
    return type_coerce(column, NullType()).label(column.key)


def _in_scope(column: ColumnElement, nips: Nips) -> ColumnElement[bool]:
    """``column`` is a NIP in scope: one of ``nips`` (bound, expanding), or an active
    employee's when ``nips`` is None."""
    if nips is None:
        return column.in_(select(employees.c.nip).where(employees.c.active == true()))
    return column.in_(bindparam("scope_nips", list(nips), expanding=True))


def _month_entries(nips: Nips, period: str) -> ColumnElement[bool]:
    return and_(
        activities.c.date >= period_first_day(period),
        activities.c.date <= period_last_day(period),
        _in_scope(activities.c.nip, nips),
    )


def latest_subquery(
    dialect: str, period: str, nips: Nips, closing_utc: dt.datetime
) -> Subquery:
    """Every decision up to the closing time on entries of the month with its rank ``rn``
    (1 = the latest), for the SQL dialect named ``dialect``
    (:func:`eperformance.decisions.ranked_decisions`)."""
    return ranked_decisions(
        verifications, dialect, closing_utc,
        ("verification_id", "status", "decided_at", "quality", "note"),
        where=[_month_entries(nips, period)],
        select_from=verifications.join(
            activities, activities.c.activity_id == verifications.c.activity_id),
    ).subquery("latest")


def _connection(bind: Connection | Engine) -> tuple[Connection, bool]:
    if isinstance(bind, Engine):
        return bind.connect(), True
    return bind, False


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
    conn: Connection, period: str, nips: Nips, closing_utc: dt.datetime
) -> pd.DataFrame:
    """One light row per entry of the month: ``activity_id, nip, date, start_time,
    end_time, activity_code, quantity, standard_minutes, status`` (status of the latest
    decision up to the closing time, ``pending`` without one)."""
    latest = latest_subquery(conn.dialect.name, period, nips, closing_utc)
    stmt = (
        select(
            activities.c.activity_id, activities.c.nip, _raw(activities.c.date),
            _raw(activities.c.start_time), _raw(activities.c.end_time),
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
        .where(_month_entries(nips, period))
    )
    cols = ["activity_id", "nip", "date", "start_time", "end_time", "activity_code",
            "quantity", "standard_minutes", "status"]
    return _frame(conn, stmt, cols)


def rejected_and_revision(
    conn: Connection, period: str, nips: Nips, closing_utc: dt.datetime
) -> pd.DataFrame:
    """Entries whose latest decision up to the closing time is rejected or revision
    (:data:`eperformance.decisions.REJECTED_COLUMNS`), sorted by nip, date, activity_id."""
    latest = latest_subquery(conn.dialect.name, period, nips, closing_utc)
    stmt = (
        select(
            activities.c.nip, activities.c.activity_id, activities.c.date,
            activities.c.activity_code, activities.c.description, latest.c.status,
            latest.c.decided_at, latest.c.quality, latest.c.note,
        )
        .select_from(activities.join(
            latest, is_latest(latest, activities.c.activity_id)))
        .where(_month_entries(nips, period), latest.c.status.in_(["rejected", "revision"]))
    )
    frame = _frame(conn, stmt, REJECTED_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame = frame.sort_values(["nip", "date", "activity_id"], kind="stable")
    out = frame.reset_index(drop=True)
    out["decided_at"] = pd.to_datetime(out["decided_at"]).astype("datetime64[ns]")
    out["quality"] = pd.to_numeric(out["quality"]).astype("float64")
    return out


def late_decisions(
    conn: Connection, period: str, nips: Nips, closing_utc: dt.datetime
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
        .where(_month_entries(nips, period),
               after_closing(verifications.c.decided_at, closing_utc))
    )
    frame = _frame(conn, stmt, LATE_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["decided_at"] = pd.to_datetime(frame["decided_at"]).astype("datetime64[ns]")
    frame["quality"] = pd.to_numeric(frame["quality"]).astype("float64")
    frame = frame.sort_values(["nip", "activity_id", "decided_at", "verification_id"],
                              kind="stable")
    return frame.reset_index(drop=True)


def attendance_rows(conn: Connection, period: str, nips: Nips) -> pd.DataFrame:
    """``nip, date, check_in, check_out`` of the month."""
    stmt = select(
        attendance.c.nip, _raw(attendance.c.date), _raw(attendance.c.check_in),
        _raw(attendance.c.check_out),
    ).where(
        attendance.c.date >= period_first_day(period),
        attendance.c.date <= period_last_day(period),
        _in_scope(attendance.c.nip, nips),
    )
    return _frame(conn, stmt, ["nip", "date", "check_in", "check_out"])


def supervisor_decisions(
    conn: Connection, period: str, nips: Nips, closing_utc: dt.datetime
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
        .where(_month_entries(nips, period),
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


# --------------------------------------------------------------------------- one call
def compute_rekap(
    bind: Connection | Engine, period: str, nips: list[str] | None, settings: Settings
) -> rekap.RekapResult:
    """The rekap of ``period`` for ``nips`` (None: every active employee), read in one
    transaction."""
    conn, owned = _connection(bind)
    try:
        with conn.begin() if owned else nullcontext():
            return _compute(conn, period, nips, settings)
    finally:
        if owned:
            conn.close()


def _compute(
    conn: Connection, period: str, nips: list[str] | None, settings: Settings
) -> rekap.RekapResult:
    closing_utc = rekap.closing_utc_of(period, settings)
    people = scope_employees(conn, nips)
    scope: list[str] = sorted(people["nip"]) if nips is None else sorted(set(nips))
    entries = rekap.prepare_entries(entry_rows(conn, period, nips, closing_utc))
    # the entries are fetched once, with their status; counting them again in SQL
    # would evaluate the latest-decision window a second time
    counts = rekap.status_counts(entries)
    att = attendance_rows(conn, period, nips)
    flags = rekap.entry_flags(entries, att, period, settings)
    supervisors = sorted({s for s in people["supervisor_nip"].dropna() if s})
    return rekap.RekapResult(
        period=period,
        closing_utc=closing_utc,
        employees=rekap.employee_rekap(
            scope, period, settings, counts, rekap.entry_minutes(entries, period, settings),
            rekap.attendance_summary(att, scope, period, settings), rekap.flag_counts(flags),
        ),
        rejected_and_revision=rejected_and_revision(conn, period, nips, closing_utc),
        late_decisions=late_decisions(conn, period, nips, closing_utc),
        entry_flags=flags,
        supervisors=rekap.supervisor_view(
            people, counts, entries, supervisor_decisions(conn, period, nips, closing_utc),
            supervisor_behaviour(conn, period, supervisors), period, settings,
        ),
    )
