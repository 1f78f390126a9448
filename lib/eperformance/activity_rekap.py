"""*Rekap capaian aktivitas*: per employee and month, entries by status, working minutes,
waiting time, attendance and entry flags (domain.md §1, step 5, and "Presensi").

The *activity* rekap, per employee (``eperf rekap``'s ``rekap_pegawai.csv`` and entry
lists, the card's verification and attendance sections); the *unit* recap, per unit, is
:mod:`eperformance.unit_recap`.

Pure functions on pandas frames of **one period** whose scope is already applied: no I/O,
no clock. :func:`compute_rekap` feeds them from the database through
:mod:`eperformance.db.activity_rekap_queries` (aggregating in SQL what SQL can) and
:func:`rekap_from_frames` computes everything from raw frames (the reference the database
path is tested against).

Rules (where the domain text was silent, the choice made here):

* **Entries of the month** are the activities whose ``date`` lies in the period.
* **A longer period** (a quarter, semester or year, domain.md §7) is its months read one
  by one, each with its own last day and closing time (the monthly queries, month by
  month), then counted together: an entry's status, a decision's lateness and a
  supervisor's counted decisions are judged at the closing time of the entry's own month;
  working days, expected minutes and attendance cover every month.
* **Status** of an entry is that of its latest decision up to the closing time
  (``decided_at`` ≤ closing, compared as naive UTC; latest by ``decided_at``, a tie goes to
  the greater ``verification_id`` compared as text by code point); ``pending`` when it has
  no decision up to the closing time (the rule: :mod:`eperformance.decisions`). Later
  decisions are listed in :func:`late_decisions` and counted nowhere.
* **Minutes**: ``logged_minutes`` is the sum of ``end_time − start_time`` of all entries;
  ``approved_minutes`` the same over approved entries; ``standard_minutes_earned`` the sum
  of approved ``quantity × standard_minutes`` of the activity type; ``expected_minutes`` the
  month's working days × ``hours_per_day`` × 60 (:mod:`eperformance.calendar`).
* **Waiting time** of a pending entry: whole calendar days from its ``date`` to the date of
  the closing time (in the settings' time zone), e.g. an entry of 31 March waits 5 days at
  the closing time 5 April 23:59:59. Median and maximum over the employee's pending entries;
  blank when nothing is pending.
* **Attendance** counts working days only: ``days_present`` = working days with a check-in
  recorded (a check-in on a weekend or holiday is not counted; so ``days_present +
  working_days_absent = working_days``); ``working_days_absent`` = working days without a
  check-in (no row, or a row with a blank ``check_in``). On the present days: a late
  arrival is a check-in after the work start (strictly), its minutes the difference; an
  early departure is a check-out before that day's work end (strictly; Friday's end on
  Fridays), its minutes the difference. A blank ``check_out`` is not an early departure.
* **Entry flags** (:func:`entry_flags`, one row per entry and kind; an entry may carry
  several kinds; the per-employee ``flag_*`` columns count flagged entries per kind):
  ``overlap`` — two entries of one employee on the same date overlap in time (touching,
  one ending when the next starts, is no overlap); every entry of an overlapping chain is
  flagged. ``outside_hours`` — the entry is on a non-working day, starts before the work
  start or ends after that day's work end. ``no_check_in`` — no check-in is recorded on the
  entry's date (any day, also non-working days). ``too_long`` / ``too_short`` — the logged
  duration is more than ``too_long_factor`` (or less than ``too_short_factor``) times
  ``standard_minutes × quantity`` (ratios compared after rounding to 10 decimals, so
  exactly 3× is not flagged); an entry with quantity 0 gets no duration flag.

Frames (these become the CSV columns of ``eperf rekap``):

``employees`` (:data:`EMPLOYEE_COLUMNS`, one row per NIP given, sorted by NIP):
  ``nip, period, entries, approved, rejected, revision, pending, approved_quantity,
  pending_quantity, logged_minutes, approved_minutes, standard_minutes_earned,
  expected_minutes, pending_wait_median_days, pending_wait_max_days, working_days,
  days_present, working_days_absent, late_arrivals, late_minutes, early_departures,
  early_minutes, flag_overlap, flag_outside_hours, flag_no_check_in, flag_too_long,
  flag_too_short``
``rejected_and_revision`` (:data:`REJECTED_COLUMNS`): entries whose status is rejected or
  revision: ``nip, activity_id, date, activity_code, description, status, decided_at,
  quality, note`` (the latest decision's; ``decided_at`` naive UTC).
``late_decisions`` (:data:`LATE_COLUMNS`): decisions after the closing time on entries of
  the month: ``nip, activity_id, date, activity_code, description, verification_id,
  verifier_nip, status, decided_at, quality, note``.
``entry_flags`` (:data:`FLAG_COLUMNS`): ``nip, activity_id, date, flag, detail``.
``supervisors`` (:data:`SUPERVISOR_COLUMNS`, the leniency view, one row per
  ``supervisor_nip`` of the employees given): ``supervisor_nip, direct_reports,
  pending_backlog, decisions, decision_delay_median_days, quality_mean, behaviour_ratings,
  behaviour_score_mean``; see :func:`supervisor_view`.

Input frames (column names of the data contract):

* ``employees``: ``nip, supervisor_nip``;
* ``entries``: ``activity_id, nip, date, start_time, end_time, activity_code, quantity,
  standard_minutes`` (the activity type's), and ``description`` where the rejected list
  is built from it;
* ``decisions``: ``verification_id, activity_id, verifier_nip, status, decided_at, quality,
  note`` (``decided_at`` naive UTC);
* ``attendance``: ``nip, date, check_in, check_out``;
* ``behaviour``: the period's rows, ``nip, assessor_nip, assessor_role, score``.

Dates may be ``datetime.date`` objects or ``YYYY-MM-DD`` text; times ``datetime.time``,
``HH:MM[:SS]`` text or timedeltas; everything is vectorised (no per-row Python loops), so a
month of a million entries stays feasible.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from . import calendar as wcal
from .db import activity_rekap_queries as q
from .decisions import (
    LATE_COLUMNS,
    REJECTED_COLUMNS,
    STATUSES,
    after_closing,
    latest_decisions,
    up_to_closing,
)
from .params import Settings
from .periods import Period
from .scoring.closing import (
    closing_time,
    closing_time_utc,
    period_first_day,
    period_last_day,
)

FLAG_KINDS: tuple[str, ...] = ("overlap", "outside_hours", "no_check_in", "too_long", "too_short")

COUNT_COLUMNS: tuple[str, ...] = (
    "entries", "approved", "rejected", "revision", "pending",
    "approved_quantity", "pending_quantity", "standard_minutes_earned",
)
MINUTE_COLUMNS: tuple[str, ...] = (
    "logged_minutes", "approved_minutes", "pending_wait_median_days", "pending_wait_max_days",
)
ATTENDANCE_COLUMNS: tuple[str, ...] = (
    "working_days", "days_present", "working_days_absent", "late_arrivals", "late_minutes",
    "early_departures", "early_minutes",
)
EMPLOYEE_COLUMNS: tuple[str, ...] = (
    "nip", "period", "entries", "approved", "rejected", "revision", "pending",
    "approved_quantity", "pending_quantity", "logged_minutes", "approved_minutes",
    "standard_minutes_earned", "expected_minutes", "pending_wait_median_days",
    "pending_wait_max_days", *ATTENDANCE_COLUMNS, *(f"flag_{k}" for k in FLAG_KINDS),
)
FLAG_COLUMNS: tuple[str, ...] = ("nip", "activity_id", "date", "flag", "detail")
SUPERVISOR_COLUMNS: tuple[str, ...] = (
    "supervisor_nip", "direct_reports", "pending_backlog", "decisions",
    "decision_delay_median_days", "quality_mean", "behaviour_ratings", "behaviour_score_mean",
)
_INT_COLUMNS = frozenset({
    "entries", "approved", "rejected", "revision", "pending", "working_days", "days_present",
    "working_days_absent", "late_arrivals", "early_departures",
    *(f"flag_{k}" for k in FLAG_KINDS),
    "direct_reports", "pending_backlog", "decisions", "behaviour_ratings",
})


@dataclass(frozen=True)
class RekapFrames:
    """Raw input frames of one period, scope applied (columns: module docstring)."""

    employees: pd.DataFrame
    entries: pd.DataFrame
    decisions: pd.DataFrame
    attendance: pd.DataFrame
    behaviour: pd.DataFrame


@dataclass(frozen=True)
class RekapResult:
    """The rekap of one period: the per-employee frame and its detail frames."""

    period: str
    closing_utc: dt.datetime
    employees: pd.DataFrame
    rejected_and_revision: pd.DataFrame
    late_decisions: pd.DataFrame
    entry_flags: pd.DataFrame
    supervisors: pd.DataFrame


# --------------------------------------------------------------------------- helpers
def closing_utc_of(period: str, settings: Settings) -> dt.datetime:
    """The closing time of ``period`` as naive UTC (domain.md §2); for a longer period
    (domain.md §7), that of its last month."""
    return closing_time_utc(Period.parse(period).last_month, settings.closing_day,
                            settings.timezone)


def _dates(values: pd.Series) -> pd.Series:
    """Dates as ``datetime64[ns]`` at midnight."""
    return pd.to_datetime(values).astype("datetime64[ns]").dt.normalize()


def _timestamps(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).astype("datetime64[ns]")


def _minutes(values: pd.Series) -> pd.Series:
    """Times of day (``time``, text or timedelta) as float minutes after midnight; NaN when
    blank. A day has at most 86,400 distinct times: the distinct values are converted, then
    spread back (fast on a million rows)."""
    if values.empty:
        return pd.Series(np.nan, index=values.index, dtype="float64")
    if pd.api.types.is_timedelta64_dtype(values):
        return (values.dt.total_seconds() / 60.0).astype("float64")
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series(uniques).astype("string").str.strip()
    text = text.where(text.str.len() > 0)
    text = text.where(text.str.count(":") != 1, text + ":00")  # HH:MM -> HH:MM:00
    distinct = (pd.to_timedelta(text, errors="raise").dt.total_seconds() / 60.0).to_numpy(
        dtype="float64", na_value=np.nan)
    distinct = np.append(distinct, np.nan)  # code -1 (blank) -> NaN
    return pd.Series(distinct[codes], index=values.index, dtype="float64")


_HHMM = np.array([f"{m // 60:02d}:{m % 60:02d}" for m in range(24 * 60)], dtype=object)


def _hhmm(minutes: pd.Series) -> pd.Series:
    """Float minutes after midnight as ``HH:MM`` text (seconds dropped), by table look-up."""
    m = np.clip(np.floor(minutes.to_numpy(dtype="float64")), 0, 24 * 60 - 1).astype("int64")
    return pd.Series(_HHMM[m], index=minutes.index, dtype=object)


def _time_minutes(t: dt.time) -> float:
    return t.hour * 60 + t.minute + t.second / 60.0


def _working_dates(period: str, settings: Settings) -> pd.DatetimeIndex:
    """The working days of the period (of each of its months, for a longer period)."""
    days = [d for m in Period.parse(period).months for d in wcal.working_days(m, settings)]
    return pd.DatetimeIndex(pd.to_datetime(days)).astype("datetime64[ns]")


def _expected_minutes(period: str, settings: Settings) -> float:
    """Expected working minutes of the period: the sum over its months."""
    return float(sum(wcal.expected_minutes(m, settings) for m in Period.parse(period).months))


def _day_end_minutes(dates: pd.Series, settings: Settings) -> pd.Series:
    hours = settings.work_hours
    friday = dates.dt.day_of_week == wcal.FRIDAY
    return pd.Series(
        np.where(friday, _time_minutes(hours.friday_end), _time_minutes(hours.end)),
        index=dates.index, dtype="float64",
    )


def prepare_entries(entries: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``entries`` with typed columns and ``start_min``/``end_min``/
    ``duration`` (float minutes); idempotent."""
    if "duration" in entries.columns:
        return entries
    e = entries.copy()
    e["date"] = _dates(e["date"])
    e["start_min"] = _minutes(e["start_time"])
    e["end_min"] = _minutes(e["end_time"])
    e["duration"] = e["end_min"] - e["start_min"]
    e["quantity"] = pd.to_numeric(e["quantity"]).astype("float64")
    e["standard_minutes"] = pd.to_numeric(e["standard_minutes"]).astype("float64")
    return e


def _prepare_decisions(decisions: pd.DataFrame) -> pd.DataFrame:
    d = decisions.copy()
    d["decided_at"] = _timestamps(d["decided_at"])
    d["quality"] = pd.to_numeric(d["quality"]).astype("float64")
    return d


def _prepare_attendance(attendance: pd.DataFrame) -> pd.DataFrame:
    a = attendance.copy()
    a["date"] = _dates(a["date"])
    a["in_min"] = _minutes(a["check_in"])
    a["out_min"] = _minutes(a["check_out"])
    return a


def _per_nip(frame: pd.DataFrame, nips: list[str], columns: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` (indexed by nip) reindexed on ``nips``; counts filled with 0."""
    out = frame.reindex(pd.Index(nips, name="nip"))
    for col in columns:
        if col not in out.columns:
            out[col] = np.nan
        if col in _INT_COLUMNS:
            out[col] = out[col].fillna(0).astype("int64")
        elif col in ("approved_quantity", "pending_quantity", "standard_minutes_earned",
                     "logged_minutes", "approved_minutes", "late_minutes", "early_minutes"):
            out[col] = out[col].fillna(0.0).astype("float64")
        else:
            out[col] = out[col].astype("float64")
    return out[list(columns)]


def _nips(employees: pd.DataFrame) -> list[str]:
    return sorted(set(employees["nip"].astype(str)))


# --------------------------------------------------------------------------- status
_LATEST_COLUMNS = ("status", "decided_at", "quality", "note")


def entry_status(entries: pd.DataFrame, latest: pd.DataFrame) -> pd.DataFrame:
    """``entries`` (prepared) with ``status`` (``pending`` without a decision) and the
    latest decision's ``verification_id, decided_at, quality, note``."""
    e = prepare_entries(entries)
    cols = ["activity_id", "verification_id", "status", "decided_at", "quality", "note"]
    e = e.drop(columns=[c for c in cols[1:] if c in e.columns]).merge(
        latest[cols], on="activity_id", how="left")
    e["status"] = e["status"].fillna("pending")
    return e


def status_counts(entries: pd.DataFrame) -> pd.DataFrame:
    """Per ``nip`` (index): ``entries, approved, rejected, revision, pending,
    approved_quantity, pending_quantity, standard_minutes_earned`` from entries with a
    ``status`` column (the database path fetches the entries with their status once and
    counts them here)."""
    e = prepare_entries(entries)
    approved = e["status"] == "approved"
    pending = e["status"] == "pending"
    frame = pd.DataFrame({
        "nip": e["nip"],
        "entries": 1,
        **{s: (e["status"] == s).astype("int64") for s in STATUSES},
        "approved_quantity": e["quantity"].where(approved, 0.0),
        "pending_quantity": e["quantity"].where(pending, 0.0),
        "standard_minutes_earned": (e["quantity"] * e["standard_minutes"]).where(approved, 0.0),
    })
    return frame.groupby("nip").sum()


def _pending_wait_days(entries: pd.DataFrame, settings: Settings) -> pd.Series:
    """Whole days from each pending entry's date to the date of its own month's closing
    time (the period's, for a month; each month's, for a longer period: domain.md §7)."""
    if entries.empty:
        return pd.Series(dtype="float64", index=entries.index)
    months = entries["date"].dt.strftime("%Y-%m")
    closing = {mo: pd.Timestamp(closing_time(mo, settings.closing_day, settings.timezone).date())
               for mo in months.unique()}
    return (months.map(closing).astype("datetime64[ns]") - entries["date"]
            ).dt.days.astype("float64")


def entry_minutes(entries: pd.DataFrame, period: str, settings: Settings) -> pd.DataFrame:
    """Per ``nip`` (index): ``logged_minutes, approved_minutes, pending_wait_median_days,
    pending_wait_max_days`` from entries with a ``status`` column."""
    e = prepare_entries(entries)
    frame = pd.DataFrame({
        "nip": e["nip"],
        "logged_minutes": e["duration"],
        "approved_minutes": e["duration"].where(e["status"] == "approved", 0.0),
    })
    out = frame.groupby("nip").sum()
    pending = e[e["status"] == "pending"]
    wait = pd.DataFrame({"nip": pending["nip"],
                         "days": _pending_wait_days(pending, settings)})
    agg = wait.groupby("nip")["days"].agg(["median", "max"])
    out["pending_wait_median_days"] = agg["median"]
    out["pending_wait_max_days"] = agg["max"]
    return out


# --------------------------------------------------------------------------- attendance
def attendance_summary(
    attendance: pd.DataFrame, nips: list[str], period: str, settings: Settings
) -> pd.DataFrame:
    """Per ``nip`` (index, every NIP of ``nips``): ``working_days, days_present,
    working_days_absent, late_arrivals, late_minutes, early_departures, early_minutes``
    (rules in the module docstring)."""
    working = _working_dates(period, settings)
    a = _prepare_attendance(attendance)
    a = a[a["date"].isin(working) & a["in_min"].notna() & a["nip"].isin(nips)]
    start = _time_minutes(settings.work_hours.start)
    late = (a["in_min"] - start).clip(lower=0.0)
    early = (_day_end_minutes(a["date"], settings) - a["out_min"]).clip(lower=0.0).fillna(0.0)
    frame = pd.DataFrame({
        "nip": a["nip"],
        "days_present": 1,
        "late_arrivals": (late > 0).astype("int64"),
        "late_minutes": late,
        "early_departures": (early > 0).astype("int64"),
        "early_minutes": early,
    })
    out = _per_nip(frame.groupby("nip").sum(), nips, ATTENDANCE_COLUMNS)
    out["working_days"] = len(working)
    out["working_days_absent"] = len(working) - out["days_present"]
    return out


# --------------------------------------------------------------------------- flags
def _flag_rows(e: pd.DataFrame, mask: pd.Series, flag: str) -> pd.DataFrame:
    """The rows of ``e`` under ``mask`` as flag rows (``_pos`` keeps ``e``'s order)."""
    rows = e.loc[mask, ["nip", "activity_id", "date"]].copy()
    rows["_pos"] = rows.index.to_numpy()
    rows["flag"] = flag
    return rows


def entry_flags(
    entries: pd.DataFrame, attendance: pd.DataFrame, period: str, settings: Settings
) -> pd.DataFrame:
    """One row per flagged entry and flag kind: ``nip, activity_id, date, flag, detail``,
    sorted by nip, date, start time, end time, activity_id, then flag kind in the order of
    :data:`FLAG_KINDS` (kinds and rules in the module docstring)."""
    e = prepare_entries(entries)
    e = e.sort_values(["nip", "date", "start_min", "end_min", "activity_id"],
                      kind="stable").reset_index(drop=True)
    parts: list[pd.DataFrame] = []

    # overlap: sweep per employee-day (e is sorted by nip, date, start); a new chain starts
    # where an entry starts at or after the latest end so far on that day; every entry of
    # a chain of two or more overlaps at least one other entry of it.
    new_day = (e["nip"] != e["nip"].shift()) | (e["date"] != e["date"].shift())
    day = new_day.cumsum()
    prev_end = e["end_min"].groupby(day).cummax().groupby(day).shift()
    chain = (prev_end.isna() | (e["start_min"] >= prev_end)).cumsum()
    chain_size = chain.map(chain.value_counts())
    rows = _flag_rows(e, chain_size >= 2, "overlap")
    if len(rows):
        sub = chain[rows.index]
        span_start = e["start_min"].groupby(chain).min()[sub].to_numpy()
        span_end = e["end_min"].groupby(chain).max()[sub].to_numpy()
        rows["detail"] = (chain_size[rows.index].astype(str) + " entries overlap between "
                          + _hhmm(pd.Series(span_start, index=rows.index)) + " and "
                          + _hhmm(pd.Series(span_end, index=rows.index)))
    parts.append(rows)

    # outside_hours
    working = _working_dates(period, settings)
    start = _time_minutes(settings.work_hours.start)
    day_end = _day_end_minutes(e["date"], settings)
    off_day = ~e["date"].isin(working)
    early = e["start_min"] < start
    late = e["end_min"] > day_end
    rows = _flag_rows(e, off_day | early | late, "outside_hours")
    if len(rows):
        i = rows.index
        empty = pd.Series("", index=i, dtype=object)
        rows["detail"] = (
            empty.where(~off_day[i], "non-working day; ")
            + empty.where(~early[i], "starts " + _hhmm(e["start_min"][i]) + " before "
                          + settings.work_hours.start.strftime("%H:%M") + "; ")
            + empty.where(~late[i], "ends " + _hhmm(e["end_min"][i]) + " after "
                          + _hhmm(day_end[i]) + "; ")
        ).str.removesuffix("; ")
    parts.append(rows)

    # no_check_in
    a = _prepare_attendance(attendance)
    checked = a.loc[a["in_min"].notna(), ["nip", "date"]].drop_duplicates()
    checked["_in"] = True
    has_in = e[["nip", "date"]].merge(checked, on=["nip", "date"], how="left")["_in"]
    rows = _flag_rows(e, pd.Series(has_in.isna().to_numpy(), index=e.index), "no_check_in")
    rows["detail"] = "no check-in recorded on this date"
    parts.append(rows)

    # too_long / too_short
    standard = e["standard_minutes"] * e["quantity"]
    measurable = e["quantity"] > 0
    ratio = (e["duration"] / standard.where(measurable)).round(10)
    factors = settings.entry_flags
    for kind, mask in (
        ("too_long", measurable & (ratio > round(factors.too_long_factor, 10))),
        ("too_short", measurable & (ratio < round(factors.too_short_factor, 10))),
    ):
        rows = _flag_rows(e, mask, kind)
        if len(rows):
            i = rows.index
            rows["detail"] = ("logged " + e["duration"][i].round(2).astype(str)
                              + " min, standard " + standard[i].round(2).astype(str)
                              + " min (" + ratio[i].round(2).astype(str) + "x)")
        parts.append(rows)

    out = pd.concat(parts, ignore_index=True)
    if "detail" not in out.columns:
        out["detail"] = pd.Series(dtype=object)
    out["_kind"] = out["flag"].map({k: i for i, k in enumerate(FLAG_KINDS)})
    out = out.sort_values(["_pos", "_kind"], kind="stable")
    out["detail"] = out["detail"].astype(str)
    return out[list(FLAG_COLUMNS)].reset_index(drop=True)


def flag_counts(flags: pd.DataFrame) -> pd.DataFrame:
    """Per ``nip`` (index): ``flag_<kind>`` = number of entries flagged with that kind."""
    counts = pd.crosstab(flags["nip"], flags["flag"]) if len(flags) else pd.DataFrame()
    counts = counts.reindex(columns=list(FLAG_KINDS), fill_value=0)
    counts.columns = [f"flag_{k}" for k in FLAG_KINDS]
    counts.index.name = "nip"
    return counts


# --------------------------------------------------------------------------- details
def rejected_and_revision_entries(entries: pd.DataFrame) -> pd.DataFrame:
    """Entries whose status is rejected or revision, with their latest decision:
    :data:`REJECTED_COLUMNS`, sorted by nip, date, activity_id."""
    e = prepare_entries(entries)
    e = e[e["status"].isin(["rejected", "revision"])]
    if "description" not in e.columns:
        e = e.assign(description=None)
    e = e.sort_values(["nip", "date", "activity_id"], kind="stable")
    out = e[list(REJECTED_COLUMNS)].reset_index(drop=True)
    out["decided_at"] = _timestamps(out["decided_at"])
    out["quality"] = pd.to_numeric(out["quality"]).astype("float64")
    return out


def late_decisions(
    entries: pd.DataFrame, decisions: pd.DataFrame, closing_utc: dt.datetime
) -> pd.DataFrame:
    """Decisions made after ``closing_utc`` on entries of the month (listed, counted
    nowhere): :data:`LATE_COLUMNS`, sorted by nip, activity_id, decided_at,
    verification_id."""
    e = prepare_entries(entries)[["activity_id", "nip", "date", "activity_code",
                                  "description"]]
    d = _prepare_decisions(decisions)
    d = d[after_closing(d["decided_at"], closing_utc)]
    out = d.merge(e, on="activity_id", how="inner")
    out = out.sort_values(["nip", "activity_id", "decided_at", "verification_id"],
                          kind="stable")
    return out[list(LATE_COLUMNS)].reset_index(drop=True)


# --------------------------------------------------------------------------- supervisors
def supervisor_view(
    employees: pd.DataFrame,
    counts: pd.DataFrame,
    entries: pd.DataFrame,
    decisions: pd.DataFrame,
    behaviour: pd.DataFrame,
    period: str,
    settings: Settings,
) -> pd.DataFrame:
    """The leniency view, one row per ``supervisor_nip`` of ``employees`` (sorted):

    * ``direct_reports``: employees given whose supervisor it is;
    * ``pending_backlog``: their entries of the month still pending at the closing time
      (from ``counts``, the :func:`status_counts` frame);
    * ``decisions``, ``decision_delay_median_days``: the decisions the supervisor made
      (``verifier_nip`` = the supervisor) up to the closing time on those entries (every
      decision, not only the latest); the delay is the ``decided_at`` date in the settings'
      time zone minus the entry's date, in days; blank without decisions;
    * ``quality_mean``: mean quality mark of those decisions (blank marks left out);
    * ``behaviour_ratings``, ``behaviour_score_mean``: the period's behaviour rows with
      ``assessor_nip`` = the supervisor and ``assessor_role`` = ``atasan`` (whoever is
      rated).
    """
    emp = employees[["nip", "supervisor_nip"]].dropna(subset=["supervisor_nip"])
    emp = emp[emp["supervisor_nip"].astype(str).str.len() > 0]
    sups = sorted(set(emp["supervisor_nip"].astype(str)))
    index = pd.Index(sups, name="supervisor_nip")
    out = pd.DataFrame(index=index)
    out["direct_reports"] = emp.groupby("supervisor_nip").size()
    pend = emp.merge(counts["pending"].rename("pending_backlog"), left_on="nip",
                     right_index=True, how="left")
    out["pending_backlog"] = pend.groupby("supervisor_nip")["pending_backlog"].sum()

    closing_utc = closing_utc_of(period, settings)
    e = prepare_entries(entries)[["activity_id", "nip", "date"]]
    d = _prepare_decisions(decisions)
    d = d[up_to_closing(d["decided_at"], closing_utc)]
    d = d.merge(e, on="activity_id", how="inner").merge(emp, on="nip", how="inner")
    d = d[d["verifier_nip"] == d["supervisor_nip"]]
    local = (d["decided_at"].dt.tz_localize("UTC").dt.tz_convert(settings.timezone)
             .dt.tz_localize(None).dt.normalize())
    d = d.assign(delay=(local - d["date"]).dt.days.astype("float64"))
    g = d.groupby("supervisor_nip")
    out["decisions"] = g.size()
    out["decision_delay_median_days"] = g["delay"].median()
    out["quality_mean"] = g["quality"].mean()

    b = behaviour[(behaviour["assessor_role"] == "atasan")
                  & behaviour["assessor_nip"].isin(sups)]
    bg = pd.DataFrame({"assessor_nip": b["assessor_nip"],
                       "score": pd.to_numeric(b["score"]).astype("float64")}
                      ).groupby("assessor_nip")["score"]
    out["behaviour_ratings"] = bg.size()
    out["behaviour_score_mean"] = bg.mean()
    out = _per_nip(out.rename_axis("nip"), sups, SUPERVISOR_COLUMNS[1:])
    return out.rename_axis("supervisor_nip").reset_index()[list(SUPERVISOR_COLUMNS)]


# --------------------------------------------------------------------------- assembly
def employee_rekap(
    nips: list[str],
    period: str,
    settings: Settings,
    counts: pd.DataFrame,
    minutes: pd.DataFrame,
    attendance: pd.DataFrame,
    flags: pd.DataFrame,
) -> pd.DataFrame:
    """The per-employee frame (:data:`EMPLOYEE_COLUMNS`) from the per-nip parts:
    :func:`status_counts`, :func:`entry_minutes`, :func:`attendance_summary` and
    :func:`flag_counts`."""
    nips = sorted(set(nips))
    parts = [
        _per_nip(counts, nips, COUNT_COLUMNS),
        _per_nip(minutes, nips, MINUTE_COLUMNS),
        _per_nip(attendance, nips, ATTENDANCE_COLUMNS),
        _per_nip(flags, nips, tuple(f"flag_{k}" for k in FLAG_KINDS)),
    ]
    out = pd.concat(parts, axis=1)
    out["expected_minutes"] = _expected_minutes(period, settings)
    out = out.reset_index()
    out["period"] = period
    return out[list(EMPLOYEE_COLUMNS)]


def rekap_from_frames(frames: RekapFrames, period: str, settings: Settings) -> RekapResult:
    """The whole rekap from raw frames (the reference computation).

    ``frames.entries`` may hold entries of any date: only those dated in ``period`` are
    the period's. ``frames.employees`` gives the NIPs (one output row each). For a longer
    period (domain.md §7) each month's entries are judged at that month's own closing
    time: their status, the late decisions and the supervisors' decisions counted;
    ``frames.behaviour`` then holds the rows of every month of the period.
    """
    p = Period.parse(period)
    nips = _nips(frames.employees)
    e = prepare_entries(frames.entries)
    e = e[e["date"].between(pd.Timestamp(p.first_day), pd.Timestamp(p.last_day))
          & e["nip"].isin(nips)]
    month_of = e["date"].dt.strftime("%Y-%m")
    judged, late, decisions = [], [], []
    for m in p.months:
        closing = closing_utc_of(m, settings)
        em = e[month_of == m]
        judged.append(entry_status(em, latest_decisions(frames.decisions, closing,
                                                        _LATEST_COLUMNS)))
        late.append(late_decisions(em, frames.decisions, closing))
        d = _prepare_decisions(frames.decisions)
        decisions.append(d[up_to_closing(d["decided_at"], closing)
                           & d["activity_id"].isin(em["activity_id"])])
    status = _concat(judged)
    return _assemble(
        p.code, frames.employees, nips, status, frames.attendance,
        rejected_and_revision_entries(status),
        _sorted_late(_concat(late)), _concat(decisions), frames.behaviour, settings)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames one under the other (the first one when there is only one: a month's
    frames stay exactly as the monthly code made them)."""
    if len(frames) == 1:
        return frames[0]
    full = [f for f in frames if len(f)]
    return pd.concat(full, ignore_index=True) if full else frames[0]


def _sorted_late(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["nip", "activity_id", "decided_at", "verification_id"],
                             kind="stable").reset_index(drop=True)


def _assemble(
    period: str, people: pd.DataFrame, scope: list[str], entries: pd.DataFrame,
    attendance: pd.DataFrame, rejected: pd.DataFrame, late: pd.DataFrame,
    decisions: pd.DataFrame, behaviour: pd.DataFrame, settings: Settings,
) -> RekapResult:
    """The rekap from the period's entries with their status, attendance, lists, the
    supervisors' decisions (already up to each entry's closing time) and ratings."""
    counts = status_counts(entries)
    att = attendance[attendance["nip"].isin(scope)]
    flags = entry_flags(entries, att, period, settings)
    return RekapResult(
        period=period,
        closing_utc=closing_utc_of(period, settings),
        employees=employee_rekap(
            scope, period, settings, counts, entry_minutes(entries, period, settings),
            attendance_summary(att, scope, period, settings), flag_counts(flags),
        ),
        rejected_and_revision=rejected,
        late_decisions=late,
        entry_flags=flags,
        supervisors=supervisor_view(people, counts, entries, decisions, behaviour, period,
                                    settings),
    )


# --------------------------------------------------------------------------- from the database
def _connection(bind: Connection | Engine) -> tuple[Connection, bool]:
    if isinstance(bind, Engine):
        return bind.connect(), True
    return bind, False


def compute_rekap(
    bind: Connection | Engine, period: str, nips: list[str] | None, settings: Settings
) -> RekapResult:
    """The rekap of ``period`` for ``nips`` (None: every active employee), read in one
    transaction. ``period``: a month, or a quarter, semester or year (domain.md §7), whose
    months are each read with their own last day and closing time and then counted
    together: entries, minutes and flags over all the period's entries, attendance over
    all its working days, waiting times to each entry's own month's closing day."""
    conn, owned = _connection(bind)
    try:
        with conn.begin() if owned else nullcontext():
            return _compute(conn, period, nips, settings)
    finally:
        if owned:
            conn.close()


def _compute(
    conn: Connection, period: str, nips: list[str] | None, settings: Settings
) -> RekapResult:
    p = Period.parse(period)
    people = q.scope_employees(conn, nips)
    scope: list[str] = sorted(people["nip"]) if nips is None else sorted(set(nips))
    supervisors = sorted({s for s in people["supervisor_nip"].dropna() if s})
    entries, rejected, late, decisions, behaviour = [], [], [], [], []
    for m in p.months:
        closing = closing_utc_of(m, settings)
        days = (period_first_day(m), period_last_day(m))
        # the entries are fetched once, with their status; counting them again in SQL
        # would evaluate the latest-decision window a second time
        entries.append(prepare_entries(q.entry_rows(conn, days, nips, closing)))
        rejected.append(q.rejected_and_revision(conn, days, nips, closing))
        late.append(q.late_decisions(conn, days, nips, closing))
        decisions.append(q.supervisor_decisions(conn, days, nips, closing))
        behaviour.append(q.supervisor_behaviour(conn, m, supervisors))
    rejected_frame = _concat(rejected)
    if not p.is_month:  # each month's list is sorted; the period's is sorted the same way
        rejected_frame = rejected_frame.sort_values(["nip", "date", "activity_id"],
                                                    kind="stable").reset_index(drop=True)
    late_frame = _concat(late) if p.is_month else _sorted_late(_concat(late))
    att = q.attendance_rows(conn, (p.first_day, p.last_day), nips)
    return _assemble(p.code, people, scope, _concat(entries), att, rejected_frame,
                     late_frame, _concat(decisions), _concat(behaviour), settings)
