"""The attendance ledger of a month (tukin.md §2). Pure: no I/O, no clock.

For every employee with at least one attendance row dated in the month, and every working
day *d* of the month (``calendar.working_days``), in date order:

* no row, or status ``tanpa_keterangan`` -> ``TK`` with ``absent_per_day``;
* a leave status (any status but ``hadir`` and ``tanpa_keterangan``) -> a row coded with
  the status, the profile's percent for it, 0 for the first ``free_days`` days of that
  status in the month; check times are ignored. A status the profile does not list stops
  the run (:class:`~eperformance.errors.UsageError`, exit 2) naming it;
* ``hadir`` (blank status too): no ``check_in`` -> ``TAM``; else lateness in seconds
  (``check_in`` - start), rounded **up** to whole minutes, gives ``TL<k>`` of the first
  band whose ``up_to_minutes`` is >= the minutes; no ``check_out`` -> ``TAP``; else the
  early departure (day's end - ``check_out``) gives ``PSW<k>`` likewise.

Rows dated on days off are ignored (an unknown status there too). An employee with no row
at all in the month has no ledger ("presensi tidak ada"): :func:`build_ledger` returns
which NIPs have one.

The ledger frame (:data:`LEDGER_COLUMNS`): ``nip`` (str), ``date`` (``datetime.date``),
``code`` (str), ``minutes`` (nullable Int64: TL/PSW rows only), ``percent`` (float, as
charged), sorted by nip, date, then code by code point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..params import TukinBand, TukinProfile, WorkHours

LEDGER_COLUMNS: tuple[str, ...] = ("nip", "date", "code", "minutes", "percent")
HADIR = "hadir"
TK_STATUS = "tanpa_keterangan"
FRIDAY = 4


@dataclass(frozen=True)
class Ledger:
    """The month's ledger and the NIPs that have one (at least one attendance row)."""

    rows: pd.DataFrame  # LEDGER_COLUMNS
    with_attendance: frozenset[str]


def time_seconds(values: pd.Series) -> np.ndarray:
    """Times of day (``time``, ``HH:MM[:SS[.ffffff]]`` text or timedelta, as the drivers
    give them) as float seconds after midnight; NaN when blank. A day has at most 86,400
    distinct times: the distinct values are converted once, then spread back."""
    if values.empty:
        return np.empty(0, dtype="float64")
    if pd.api.types.is_timedelta64_dtype(values):
        return values.dt.total_seconds().to_numpy(dtype="float64", na_value=np.nan)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = np.array([_one_time(v) for v in uniques] + [np.nan], dtype="float64")
    return distinct[codes]  # code -1 (blank) -> NaN


def _one_time(value: object) -> float:
    if isinstance(value, dt.time):
        return _seconds(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, pd.Timedelta):
        return float(value.total_seconds())
    text = str(value).strip()
    if not text:
        return np.nan
    parts = text.split(":")
    hours, minutes = int(parts[0]), int(parts[1])
    seconds = float(parts[2]) if len(parts) > 2 else 0.0
    return hours * 3600 + minutes * 60 + seconds


def _seconds(t: dt.time) -> float:
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6


def _band_codes(minutes: np.ndarray, bands: Sequence[TukinBand], prefix: str
                ) -> tuple[np.ndarray, np.ndarray]:
    """Band position (1-based) code and percent of each whole-minute value."""
    edges = np.array([b.up_to_minutes if b.up_to_minutes is not None else np.inf
                      for b in bands], dtype="float64")
    idx = np.searchsorted(edges, minutes, side="left")  # first edge >= minutes
    codes = np.array([f"{prefix}{k + 1}" for k in range(len(bands))], dtype=object)
    percents = np.array([b.percent for b in bands], dtype="float64")
    return codes[idx], percents[idx]


def _whole_minutes(seconds: np.ndarray) -> np.ndarray:
    """Positive seconds rounded up to whole minutes (07:30:01 is 1 minute late)."""
    whole = np.ceil(np.round(seconds, 6) / 60.0)
    return whole


def build_ledger(
    attendance: pd.DataFrame,
    working_days: Sequence[dt.date],
    hours: WorkHours,
    profile: TukinProfile,
    nips: Sequence[str] | None = None,
) -> Ledger:
    """The ledger of the month whose ``working_days`` are given.

    ``attendance``: ``nip, date, check_in, check_out, status`` of the month (rows outside
    it must not be passed); ``nips``: keep only these employees (None: all in the frame).
    """
    a = attendance
    if nips is not None:
        a = a[a["nip"].isin(list(nips))]
    with_rows = frozenset(a["nip"].unique().tolist())
    if not with_rows or not working_days:
        return Ledger(_empty(), with_rows)
    days = pd.DatetimeIndex(pd.to_datetime(list(working_days))).astype("datetime64[ns]")
    dates = pd.to_datetime(a["date"]).astype("datetime64[ns]").dt.normalize()
    on_working = dates.isin(days).to_numpy()
    a = a.loc[on_working]
    dates = dates[on_working]
    status = a["status"].astype(object).where(a["status"].notna(), HADIR)
    status = status.map(lambda s: s.strip() if isinstance(s, str) else s).replace("", HADIR)

    # the grid: every employee with rows x every working day
    people = sorted(with_rows)
    n_days = len(days)
    grid_nip = np.repeat(np.array(people, dtype=object), n_days)
    grid_day = np.tile(days.to_numpy(), len(people))
    grid = pd.DataFrame({"nip": grid_nip, "date": grid_day})
    found = pd.DataFrame({
        "nip": a["nip"].to_numpy(dtype=object),
        "date": dates.to_numpy(),
        "status": status.to_numpy(dtype=object),
        "in_s": time_seconds(a["check_in"]),
        "out_s": time_seconds(a["check_out"]),
    })
    day = grid.merge(found, on=["nip", "date"], how="left", sort=False)
    st = day["status"].fillna(TK_STATUS).to_numpy(dtype=object)

    leave = profile.deductions.leave
    unknown = sorted({s for s in np.unique(st.astype(str))
                      if s not in (HADIR, TK_STATUS) and s not in leave})
    if unknown:
        raise UsageError(
            f"attendance status {unknown[0]!r} on a working day is not priced by tukin "
            f"profile {profile.name!r} (deductions.leave)"
            + (f"; also: {', '.join(unknown[1:])}" if len(unknown) > 1 else ""),
            hint=f"add it under deductions.leave of params/tukin/{profile.name}.yaml, "
                 "or correct the attendance rows",
        )
    ded = profile.deductions
    parts: list[pd.DataFrame] = []

    # TK: no row, or tanpa_keterangan
    is_tk = st == TK_STATUS
    parts.append(_part(day, is_tk, "TK", None, ded.absent_per_day))

    # leave statuses: the first free_days days of a status carry 0
    is_leave = ~is_tk & (st != HADIR)
    if is_leave.any():
        lv = day.loc[is_leave, ["nip", "date", "status"]].copy()
        nth = lv.groupby(["nip", "status"], sort=False).cumcount().to_numpy()
        pct = lv["status"].map({k: v.percent for k, v in leave.items()}).to_numpy("float64")
        free = lv["status"].map({k: v.free_days for k, v in leave.items()}).to_numpy("int64")
        parts.append(pd.DataFrame({
            "nip": lv["nip"].to_numpy(), "date": lv["date"].to_numpy(),
            "code": lv["status"].to_numpy(dtype=object), "minutes": np.nan,
            "percent": np.where(nth < free, 0.0, pct),
        }))

    # present days
    is_hadir = st == HADIR
    in_s = day["in_s"].to_numpy("float64")
    out_s = day["out_s"].to_numpy("float64")
    parts.append(_part(day, is_hadir & np.isnan(in_s), "TAM", None, ded.no_check_in))
    parts.append(_part(day, is_hadir & np.isnan(out_s), "TAP", None, ded.no_check_out))
    late_s = in_s - _seconds(hours.start)
    late = is_hadir & ~np.isnan(in_s) & (late_s > 0)
    if late.any():
        mins = _whole_minutes(late_s[late])
        codes, pct = _band_codes(mins, ded.late, "TL")
        parts.append(_rows(day, late, codes, mins, pct))
    friday = pd.DatetimeIndex(day["date"]).day_of_week.to_numpy() == FRIDAY
    end_s = np.where(friday, _seconds(hours.friday_end), _seconds(hours.end))
    early_s = end_s - out_s
    early = is_hadir & ~np.isnan(out_s) & (early_s > 0)
    if early.any():
        mins = _whole_minutes(early_s[early])
        codes, pct = _band_codes(mins, ded.early, "PSW")
        parts.append(_rows(day, early, codes, mins, pct))

    rows = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(
        len(p) for p in parts) else _empty()
    if len(rows):
        rows = rows.sort_values(["nip", "date", "code"], kind="stable").reset_index(drop=True)
        rows["date"] = pd.DatetimeIndex(rows["date"]).date
        rows["minutes"] = pd.array(rows["minutes"].to_numpy(), dtype="Int64")
        rows["percent"] = rows["percent"].astype("float64")
    return Ledger(rows[list(LEDGER_COLUMNS)], with_rows)


def _part(day: pd.DataFrame, mask: np.ndarray, code: str, minutes: float | None,
          percent: float) -> pd.DataFrame:
    n = int(mask.sum())
    return pd.DataFrame({
        "nip": day["nip"].to_numpy()[mask], "date": day["date"].to_numpy()[mask],
        "code": np.full(n, code, dtype=object),
        "minutes": np.full(n, np.nan if minutes is None else minutes, dtype="float64"),
        "percent": np.full(n, percent, dtype="float64"),
    })


def _rows(day: pd.DataFrame, mask: np.ndarray, codes: np.ndarray, minutes: np.ndarray,
          percents: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({
        "nip": day["nip"].to_numpy()[mask], "date": day["date"].to_numpy()[mask],
        "code": codes, "minutes": minutes.astype("float64"), "percent": percents,
    })


def _empty() -> pd.DataFrame:
    return pd.DataFrame({
        "nip": pd.Series([], dtype=object), "date": pd.Series([], dtype=object),
        "code": pd.Series([], dtype=object), "minutes": pd.array([], dtype="Int64"),
        "percent": pd.Series([], dtype="float64"),
    })
