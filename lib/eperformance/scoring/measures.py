"""Measures shared by every scheme, per assignment of a month (domain.md §2).

The computation is split in two so that a SQL implementation can replace the first half:

1. :func:`aggregate_entries` (replaceable by a SQL query) reduces the month's entries and
   decisions to **one row per assignment** (the *aggregate frame*);
2. :func:`finish_measures` joins that frame to the month's assignments and derives the
   measures RO, TO, RK, TK, RW, TW, RB, TB and capaian (the *measures frame*).

Input frames (data-contract column names; dates may be :class:`datetime.date` or pandas
Timestamps; keys are compared as text):

* ``assignments``: assignment_id, nip, period, activity_code, target_quantity,
  target_quality, start_date, due_date, target_cost (NaN/None = blank), weight, is_main,
  innovation.
* ``activities``: activity_id, nip, date, start_time, end_time, activity_code,
  assignment_id (NaN/None = none), quantity (blank = 1), cost (blank = 0).
* ``verifications``: verification_id, activity_id, verifier_nip, status, decided_at (naive
  UTC datetime), quality (NaN = no mark).

**Aggregate frame** (output of :func:`aggregate_entries`, input of :func:`finish_measures`),
one row per assignment of the month that has at least one *counted entry* or one entry
awaiting verification; assignments of the month without either may be absent or present
with ``has_counted_entry`` false and zeros:

============== ========= ==================================================================
column         type      meaning
============== ========= ==================================================================
assignment_id  str       the assignment
nip            str       its employee
ro             float     sum of the counted entries' quantity (RO)
rk_num         float     sum of ``quality * quantity`` over counted entries whose latest
                         decision has a mark
rk_den         float     sum of ``quantity`` over those same marked entries
rb             float     sum of the counted entries' cost (blank cost = 0) (RB)
rw_date        datetime  date of the counted entry that brings the cumulative quantity
               (NaT)     (entries ordered by date, then activity_id as text) to
                         ``target_quantity``; NaT when RO < TO
has_counted_entry bool   at least one counted entry (even with quantity 0)
n_counted      int       number of counted entries (optional column)
n_pending      int       number of entries awaiting verification: entries whose
                         ``assignment_id`` is the assignment, dated from its start to the
                         last day of the period, with no decision up to the closing time
                         (domain.md §5; optional column, 0 when absent)
pending_quantity float   sum of those entries' quantity (optional column, 0 when absent)
============== ========= ==================================================================

A *counted entry* of assignment *a* is an activity whose ``assignment_id`` is *a*, dated
from ``a.start_date`` to the last day of the period, whose latest decision made up to the
closing time is ``approved``. "Latest" is the greatest ``decided_at``; a tie goes to the
greater ``verification_id`` compared as text (Unicode code points): the rule and its
pandas and SQL forms are :mod:`eperformance.decisions`. The cumulative
quantity reaches TO when, rounded to 10 decimals, it is at least TO rounded to 10 decimals
(so that ``0.1 + 0.2`` reaches 0.3). Quantities are never negative, so the order among the
entries of one day never changes ``rw_date``: it is the first day whose end-of-day
cumulative quantity reaches TO.

**Measures frame** (output of :func:`finish_measures`), one row per assignment of the
month, sorted by nip then assignment_id: assignment_id, nip, period, activity_code,
weight, is_main, innovation, start_date, due_date (Timestamps), ro, to, rk, tk, rw, tw
(int days), rb, tb (NaN = no cost target), capaian, rk_marked (bool: RK comes from marks),
rw_date, has_counted_entry, n_counted (nullable Int64: NA when the aggregate frame has
no such column), n_pending (int), pending_quantity (float).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..decisions import as_text, latest_decisions
from .closing import closing_time_utc, period_last_day

DEFAULT_CAPAIAN_CAP = 120.0

AGGREGATE_COLUMNS: tuple[str, ...] = (
    "assignment_id", "nip", "ro", "rk_num", "rk_den", "rb", "rw_date", "has_counted_entry",
    "n_counted", "n_pending", "pending_quantity",
)
# the assignment columns finish_measures reads (the others, such as the title, do not change
# a measure: a caller may leave them out)
ASSIGNMENT_INPUTS: tuple[str, ...] = (
    "assignment_id", "nip", "period", "activity_code", "weight", "is_main", "innovation",
    "start_date", "due_date", "target_quantity", "target_quality", "target_cost",
)
MEASURE_COLUMNS: tuple[str, ...] = (
    "assignment_id", "nip", "period", "activity_code", "weight", "is_main", "innovation",
    "start_date", "due_date", "ro", "to", "rk", "tk", "rw", "tw", "rb", "tb", "capaian",
    "rk_marked", "rw_date", "has_counted_entry", "n_counted", "n_pending", "pending_quantity",
)


@dataclass(frozen=True)
class AssignmentMeasures:
    """The measures of one assignment (one row of the measures frame)."""

    assignment_id: str
    nip: str
    period: str
    ro: float
    to: float
    rk: float
    tk: float
    rw: int
    tw: int
    rb: float
    tb: float | None
    capaian: float
    weight: float
    is_main: bool
    innovation: bool
    rk_marked: bool
    has_counted_entry: bool


# --------------------------------------------------------------------------- helpers
def _dates(values: pd.Series) -> pd.Series:
    """Dates or Timestamps (or ISO strings) -> datetime64[ns] at midnight."""
    return pd.to_datetime(values).dt.normalize().astype("datetime64[ns]")


def _month_assignments(assignments: pd.DataFrame, period: str) -> pd.DataFrame:
    a = assignments.loc[assignments["period"].astype(str) == period].copy()
    a["assignment_id"] = as_text(a["assignment_id"])
    a["nip"] = as_text(a["nip"])
    return a


@dataclass(frozen=True)
class _Window:
    """The entries that would count for one of the month's assignments, dates aside from
    their decisions: ``assignment_id`` is the assignment, dated from its ``start_date`` to
    the last day of the period. ``rows`` index ``activities``; ``pos`` is the row number of
    the assignment in the period's assignments (as :func:`_month_assignments` orders them)."""

    assignments: pd.Index
    target: np.ndarray
    rows: np.ndarray
    pos: np.ndarray
    date: np.ndarray
    activity_id: np.ndarray


def _window(assignments: pd.DataFrame, activities: pd.DataFrame, period: str) -> _Window:
    a = _month_assignments(assignments, period).drop_duplicates("assignment_id")
    a_index = pd.Index(a["assignment_id"].to_numpy(dtype=object), dtype=object)
    start = _dates(a["start_date"]).to_numpy(dtype="datetime64[ns]")
    # Work on plain arrays, narrowing one index array step by step.
    has_asg = activities["assignment_id"].notna().to_numpy()
    pos_all = np.full(len(activities), -1)
    pos_all[has_asg] = a_index.get_indexer(
        as_text(activities["assignment_id"].loc[has_asg]).to_numpy(dtype=object)
    )
    rows = np.flatnonzero(pos_all >= 0)
    pos = pos_all[rows]
    date = _dates(activities["date"].iloc[rows]).to_numpy(dtype="datetime64[ns]")
    last = np.datetime64(period_last_day(period), "ns")
    in_dates = (date >= start[pos]) & (date <= last)
    rows, pos, date = rows[in_dates], pos[in_dates], date[in_dates]
    act = as_text(activities["activity_id"].iloc[rows]).to_numpy(dtype=object)
    return _Window(a_index, a["target_quantity"].to_numpy(dtype=float), rows, pos, date, act)


def _number(activities: pd.DataFrame, col: str, default: float) -> np.ndarray:
    if col not in activities:
        return np.full(len(activities), default)
    values = pd.to_numeric(activities[col], errors="coerce")
    return values.fillna(default).to_numpy(dtype=float)


def _counted(w: _Window, activities: pd.DataFrame, latest: pd.DataFrame) -> pd.DataFrame:
    approved = latest.loc[latest["status"] == "approved"]
    dpos = pd.Index(approved["activity_id"].to_numpy(dtype=object), dtype=object).get_indexer(
        w.activity_id
    )
    ok = dpos >= 0
    rows, pos, dpos = w.rows[ok], w.pos[ok], dpos[ok]
    return pd.DataFrame(
        {
            "activity_id": w.activity_id[ok],
            "assignment_id": w.assignments.to_numpy()[pos],
            "date": w.date[ok],
            "quantity": _number(activities, "quantity", 1.0)[rows],
            "cost": _number(activities, "cost", 0.0)[rows],
            "quality": approved["quality"].to_numpy(dtype=float)[dpos],
            "target_quantity": w.target[pos],
            "pos": pos,
        }
    )


def _pending(w: _Window, activities: pd.DataFrame, latest: pd.DataFrame) -> pd.DataFrame:
    decided = pd.Index(latest["activity_id"].to_numpy(dtype=object), dtype=object)
    waiting = decided.get_indexer(w.activity_id) < 0
    rows, pos = w.rows[waiting], w.pos[waiting]
    return pd.DataFrame(
        {
            "activity_id": w.activity_id[waiting],
            "assignment_id": w.assignments.to_numpy()[pos],
            "date": w.date[waiting],
            "quantity": _number(activities, "quantity", 1.0)[rows],
            "pos": pos,
        }
    )


def counted_entries(
    assignments: pd.DataFrame,
    activities: pd.DataFrame,
    verifications: pd.DataFrame,
    period: str,
    closing_utc: dt.datetime,
) -> pd.DataFrame:
    """The counted entries of the month's assignments (domain.md §2), with their latest
    decision's mark: columns activity_id, assignment_id, date, quantity, cost, quality,
    target_quantity, and ``pos`` (row number of the assignment in the period's
    assignments, as :func:`_month_assignments` orders them)."""
    return _counted(_window(assignments, activities, period), activities,
                    latest_decisions(verifications, closing_utc))


def pending_entries(
    assignments: pd.DataFrame,
    activities: pd.DataFrame,
    verifications: pd.DataFrame,
    period: str,
    closing_utc: dt.datetime,
) -> pd.DataFrame:
    """The entries that would count for one of the month's assignments but have no
    decision up to the closing time (domain.md §5, work still awaiting verification; a
    decision made after the closing time leaves the entry pending, a rejection or a
    revision does not): columns activity_id, assignment_id, date, quantity, ``pos``."""
    return _pending(_window(assignments, activities, period), activities,
                    latest_decisions(verifications, closing_utc))


# --------------------------------------------------------------------------- step 1
def aggregate_entries(
    assignments: pd.DataFrame,
    activities: pd.DataFrame,
    verifications: pd.DataFrame,
    period: str,
    closing_utc: dt.datetime | None = None,
) -> pd.DataFrame:
    """Reduce the month's counted entries to the aggregate frame (module docstring).

    ``closing_utc`` is the month's closing time as naive UTC (default: the 5th of the next
    month, 23:59:59 Asia/Jakarta; pass ``closing_time_utc(period, settings.closing_day,
    settings.timezone)``). Every month assignment gets a row. Vectorised: no string sort
    of the entries (RW only needs the order of dates: entries of one day share the date
    whichever of them completes the target).
    """
    if closing_utc is None:
        closing_utc = closing_time_utc(period)
    a = _month_assignments(assignments, period).drop_duplicates("assignment_id")
    n = len(a)
    window = _window(assignments, activities, period)
    latest = latest_decisions(verifications, closing_utc)
    e = _counted(window, activities, latest)
    waiting = _pending(window, activities, latest)
    pos = e["pos"].to_numpy()
    qty = e["quantity"].to_numpy()
    quality = e["quality"].to_numpy()
    marked = ~np.isnan(quality)

    def total(weights: np.ndarray) -> np.ndarray:
        return np.bincount(pos, weights=weights, minlength=n).astype(float)

    n_counted = np.bincount(pos, minlength=n)
    out = pd.DataFrame(
        {
            "assignment_id": a["assignment_id"].to_numpy(),
            "nip": a["nip"].to_numpy(),
            "ro": total(qty),
            "rk_num": total(np.where(marked, np.nan_to_num(quality) * qty, 0.0)),
            "rk_den": total(np.where(marked, qty, 0.0)),
            "rb": total(e["cost"].to_numpy()),
        }
    )
    # RW: cumulative quantity by day; the first day it reaches TO (rounded to 10 places).
    daily = (
        pd.DataFrame({"pos": pos, "date": e["date"].to_numpy(), "q": qty})
        .groupby(["pos", "date"], sort=True)["q"]
        .sum()
        .reset_index()
    )
    cum = daily.groupby("pos", sort=False)["q"].cumsum().to_numpy()
    target = e["target_quantity"].to_numpy()
    to = np.full(n, np.nan)
    to[pos] = target
    reached = daily.loc[np.round(cum, 10) >= np.round(to[daily["pos"].to_numpy()], 10)]
    first = reached.drop_duplicates("pos", keep="first")
    rw = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    rw[first["pos"].to_numpy()] = first["date"].to_numpy()
    out["rw_date"] = rw
    out["has_counted_entry"] = n_counted > 0
    out["n_counted"] = n_counted.astype("int64")
    wpos = waiting["pos"].to_numpy()
    out["n_pending"] = np.bincount(wpos, minlength=n).astype("int64")
    out["pending_quantity"] = np.bincount(
        wpos, weights=waiting["quantity"].to_numpy(), minlength=n).astype(float)
    return out[list(AGGREGATE_COLUMNS)]


# --------------------------------------------------------------------------- step 2
def finish_measures(
    assignments: pd.DataFrame,
    aggregates: pd.DataFrame,
    period: str,
    capaian_cap: float = DEFAULT_CAPAIAN_CAP,
) -> pd.DataFrame:
    """Join the aggregate frame to the month's assignments and derive the measures frame.

    Assignments without an aggregate row have RO = RB = 0, RK = TK, RW to the last day of
    the period. Columns in :data:`MEASURE_COLUMNS`.
    """
    a = _month_assignments(assignments, period)
    g = aggregates.copy()
    g["assignment_id"] = as_text(g["assignment_id"])
    keep = [c for c in AGGREGATE_COLUMNS if c in g.columns and c != "nip"]
    m = a.merge(g[keep], on="assignment_id", how="left")
    if "has_counted_entry" not in m:
        m["has_counted_entry"] = m["n_counted"] > 0 if "n_counted" in m else m["ro"].notna()
    # n_counted is optional in the aggregate frame: unknown (NA) when a row lacks it.
    n_counted = (
        m["n_counted"].astype("Int64").where(m["assignment_id"].isin(g["assignment_id"]), 0)
        if "n_counted" in m
        else pd.Series(pd.NA, index=m.index, dtype="Int64").where(m["ro"].notna(), 0)
    )

    start = _dates(m["start_date"])
    due = _dates(m["due_date"])
    last = pd.Timestamp(period_last_day(period))
    ro = m["ro"].fillna(0.0).astype(float)
    rk_num = m["rk_num"].fillna(0.0).astype(float)
    rk_den = m["rk_den"].fillna(0.0).astype(float)
    to = m["target_quantity"].astype(float)
    tk = pd.to_numeric(m["target_quality"], errors="coerce").fillna(100.0).astype(float)
    tb = pd.to_numeric(m["target_cost"], errors="coerce").astype(float)
    rw_date = _dates(m["rw_date"])
    rk_marked = rk_den > 0

    out = pd.DataFrame(
        {
            "assignment_id": m["assignment_id"],
            "nip": m["nip"],
            "period": period,
            "activity_code": m["activity_code"] if "activity_code" in m else None,
            "weight": pd.to_numeric(m["weight"], errors="coerce").fillna(1.0).astype(float),
            "is_main": m["is_main"].astype(object).where(m["is_main"].notna(), True).astype(bool),
            "innovation": m["innovation"]
            .astype(object)
            .where(m["innovation"].notna(), False)
            .astype(bool),
            "start_date": start,
            "due_date": due,
            "ro": ro,
            "to": to,
            "rk": np.where(rk_marked, rk_num / rk_den.where(rk_marked, 1.0), tk),
            "tk": tk,
            "rw": ((rw_date.fillna(last) - start).dt.days + 1).astype("int64"),
            "tw": ((due - start).dt.days + 1).astype("int64"),
            "rb": m["rb"].fillna(0.0).astype(float),
            "tb": tb,
            "capaian": np.minimum(100.0 * ro / to, float(capaian_cap)),
            "rk_marked": rk_marked.astype(bool),
            "rw_date": rw_date,
            "has_counted_entry": m["has_counted_entry"].astype(object).fillna(False).astype(bool),
            "n_counted": n_counted.astype("Int64"),
            "n_pending": _pending_column(m, "n_pending").astype("int64"),
            "pending_quantity": _pending_column(m, "pending_quantity").astype(float),
        }
    )
    out = out.sort_values(["nip", "assignment_id"], kind="mergesort").reset_index(drop=True)
    return out[list(MEASURE_COLUMNS)]


def _pending_column(m: pd.DataFrame, name: str) -> pd.Series:
    """``n_pending``/``pending_quantity`` of the joined frame; 0 where absent (an aggregate
    frame without the column, or an assignment without a row)."""
    if name not in m:
        return pd.Series(0, index=m.index)
    return pd.to_numeric(m[name], errors="coerce").fillna(0)


def compute_measures(
    assignments: pd.DataFrame,
    activities: pd.DataFrame,
    verifications: pd.DataFrame,
    period: str,
    closing_utc: dt.datetime | None = None,
    capaian_cap: float = DEFAULT_CAPAIAN_CAP,
) -> pd.DataFrame:
    """:func:`aggregate_entries` then :func:`finish_measures`: the measures frame."""
    agg = aggregate_entries(assignments, activities, verifications, period, closing_utc)
    return finish_measures(assignments, agg, period, capaian_cap)


def measures_records(measures: pd.DataFrame) -> list[AssignmentMeasures]:
    """The measures frame as typed records (TB ``None`` when blank)."""
    out: list[AssignmentMeasures] = []
    for r in measures.itertuples(index=False):
        tb = float(r.tb)
        out.append(
            AssignmentMeasures(
                assignment_id=str(r.assignment_id), nip=str(r.nip), period=str(r.period),
                ro=float(r.ro), to=float(r.to), rk=float(r.rk), tk=float(r.tk), rw=int(r.rw),
                tw=int(r.tw), rb=float(r.rb), tb=None if np.isnan(tb) else tb,
                capaian=float(r.capaian), weight=float(r.weight), is_main=bool(r.is_main),
                innovation=bool(r.innovation), rk_marked=bool(r.rk_marked),
                has_counted_entry=bool(r.has_counted_entry),
            )
        )
    return out
