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
    text = [v for v in uniques if isinstance(v, str)]
    if len(text) == len(uniques) and text:
        # text (SQLite): parsed vectorised; "HH:MM" gets its seconds
        series = pd.Series(text, dtype="string").str.strip()
        series = series.where(series.str.count(":") != 1, series + ":00")
        series = series.where(series.str.len() > 0)
        distinct = pd.to_timedelta(series).dt.total_seconds().to_numpy(
            dtype="float64", na_value=np.nan)
    else:  # time (PostgreSQL) or timedelta (MariaDB) objects
        distinct = np.array([_one_time(v) for v in uniques], dtype="float64")
    distinct = np.append(distinct, np.nan)
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


def prepare_attendance(attendance: pd.DataFrame) -> pd.DataFrame:
    """The attendance rows typed once: ``nip`` (str), ``date`` (``datetime64[ns]``),
    ``in_s``/``out_s`` (float seconds after midnight, NaN when blank) and ``status``
    (blank -> ``hadir``); idempotent. The raw time columns are dropped."""
    if "in_s" in attendance.columns:
        return attendance
    status = attendance["status"].astype(object)
    distinct = {v: (v.strip() if isinstance(v, str) else "") or HADIR
                for v in pd.unique(status)}
    # equal NIPs share one string object (a month repeats each NIP some 22 times)
    nips = np.asarray(pd.Categorical(attendance["nip"].astype(object)), dtype=object)
    return pd.DataFrame({
        "nip": pd.Series(nips, dtype=object),
        "date": _dates(attendance["date"]),
        "in_s": time_seconds(attendance["check_in"]),
        "out_s": time_seconds(attendance["check_out"]),
        "status": pd.Series(status.map(distinct).to_numpy(dtype=object), dtype=object),
    })


class AttendanceCollector:
    """Builds the frame of :func:`prepare_attendance` from rows as the driver gives them
    (``nip, date, check_in, check_out, status``), chunk by chunk: each distinct NIP, date,
    time and status is converted once (a month repeats them all), so the drivers' values
    live for one chunk only and the month ends as a few compact arrays."""

    def __init__(self) -> None:
        self.nips: list[str] = []
        self.dates: list[np.datetime64] = []
        self.ins: list[float] = []
        self.outs: list[float] = []
        self.statuses: list[str] = []
        self._nip: dict[str, str] = {}
        self._date: dict[object, np.datetime64] = {}
        self._time: dict[object, float] = {None: np.nan, "": np.nan}
        self._status: dict[object, str] = {None: HADIR}

    def _day(self, value: object) -> np.datetime64:
        day = np.datetime64(pd.Timestamp(str(value)).normalize().to_datetime64(), "ns")
        self._date[value] = day
        return day

    def _seconds(self, value: object) -> float:
        seconds = float(_one_time(value))
        self._time[value] = seconds
        return seconds

    def _state(self, value: object) -> str:
        state = (value.strip() if isinstance(value, str) else "") or HADIR
        self._status[value] = state
        return state

    def add(self, rows: Sequence[Sequence[object]]) -> None:
        nip_of, date_of, time_of, status_of = self._nip, self._date, self._time, self._status
        for nip, day, cin, cout, status in rows:
            n = str(nip)
            self.nips.append(nip_of.setdefault(n, n))
            d = date_of.get(day)
            self.dates.append(d if d is not None else self._day(day))
            t = time_of.get(cin)
            self.ins.append(t if t is not None else self._seconds(cin))
            t = time_of.get(cout)
            self.outs.append(t if t is not None else self._seconds(cout))
            st = status_of.get(status)
            self.statuses.append(st if st is not None else self._state(status))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({
            "nip": pd.Series(self.nips, dtype=object),
            "date": np.array(self.dates, dtype="datetime64[ns]"),
            "in_s": np.array(self.ins, dtype="float64"),
            "out_s": np.array(self.outs, dtype="float64"),
            "status": pd.Series(self.statuses, dtype=object),
        })


def _dates(values: pd.Series) -> np.ndarray:
    """Dates (``date`` objects or ISO text) as ``datetime64[ns]`` at midnight; a month has
    at most 31 distinct ones: converted once each, then spread back."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = pd.to_datetime(pd.Series(uniques, dtype=object)).astype(
        "datetime64[ns]").dt.normalize().to_numpy()
    out = np.append(distinct, np.datetime64("NaT", "ns"))
    return out[codes]


def build_ledger(
    attendance: pd.DataFrame,
    working_days: Sequence[dt.date],
    hours: WorkHours,
    profile: TukinProfile,
    nips: Sequence[str] | None = None,
) -> Ledger:
    """The ledger of the month whose ``working_days`` are given.

    ``attendance``: ``nip, date, check_in, check_out, status`` of the month (rows outside
    it must not be passed), raw or through :func:`prepare_attendance`; ``nips``: keep only
    these employees (None: all in the frame).

    The month is laid out as a grid (employee x working day) of plain arrays filled at
    each row's position, so the cost is linear in the rows and nothing is joined.
    """
    a = prepare_attendance(attendance)
    if nips is not None:
        wanted = a["nip"].isin(list(nips)).to_numpy()
        if not wanted.all():  # (the usual month is read for these employees already)
            a = a[wanted]
    # sets and dicts of the few distinct values, not pandas' hash tables sized to the rows
    with_rows = frozenset(a["nip"].tolist())
    if not with_rows or not working_days:
        return Ledger(_empty(), with_rows)
    days = pd.DatetimeIndex(pd.to_datetime(list(working_days))).astype("datetime64[ns]")
    n_days = len(days)
    people = sorted(with_rows)
    day_idx = days.get_indexer(pd.DatetimeIndex(a["date"].to_numpy()))
    keep = day_idx >= 0  # rows on days off are ignored, whatever their status
    index = {n: i for i, n in enumerate(people)}
    kept_nips = a["nip"].to_numpy()[keep]
    who = np.fromiter((index[n] for n in kept_nips), dtype="int64", count=len(kept_nips))
    pos = who * n_days + day_idx[keep]
    kept_status = a["status"].to_numpy()[keep]
    names = sorted({str(x) for x in kept_status.tolist()})
    state = {n: i for i, n in enumerate(names)}
    status_codes = np.fromiter((state[str(x)] for x in kept_status), dtype="int16",
                               count=len(kept_status))
    leave = profile.deductions.leave
    unknown = sorted(x for x in names if x not in (HADIR, TK_STATUS) and x not in leave)
    if unknown:
        raise UsageError(
            f"attendance status {unknown[0]!r} on a working day is not priced by tukin "
            f"profile {profile.name!r} (deductions.leave)"
            + (f"; also: {', '.join(unknown[1:])}" if len(unknown) > 1 else ""),
            hint=f"add it under deductions.leave of params/tukin/{profile.name}.yaml, "
                 "or correct the attendance rows",
        )
    size = len(people) * n_days
    code = np.full(size, -1, dtype="int16")  # -1: no row on that working day (TK)
    code[pos] = status_codes
    in_s = np.full(size, np.nan)
    in_s[pos] = a["in_s"].to_numpy()[keep]
    out_s = np.full(size, np.nan)
    out_s[pos] = a["out_s"].to_numpy()[keep]
    st = np.array(names + [TK_STATUS], dtype=object)[code]  # code -1 -> the last: TK
    nip_of = np.array(people, dtype=object)
    grid_nip = np.repeat(np.arange(len(people), dtype="int32"), n_days)
    grid_day = np.tile(np.arange(n_days, dtype="int32"), len(people))
    ded = profile.deductions
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(mask: np.ndarray, codes: np.ndarray | str, minutes: np.ndarray | None,
            percent: np.ndarray | float) -> None:
        n = int(mask.sum())
        if not n:
            return
        parts.append((
            np.flatnonzero(mask),
            np.full(n, codes, dtype=object) if isinstance(codes, str) else codes,
            np.full(n, np.nan) if minutes is None else minutes.astype("float64"),
            np.full(n, percent, dtype="float64") if isinstance(percent, float)
            else percent.astype("float64"),
        ))

    # TK: no row, or tanpa_keterangan
    is_tk = st == TK_STATUS
    add(is_tk, "TK", None, float(ded.absent_per_day))
    # leave: the first free_days days of a status in the month carry 0
    is_leave = ~is_tk & (st != HADIR)
    if is_leave.any():
        idx = np.flatnonzero(is_leave)
        lv = pd.DataFrame({"who": grid_nip[idx], "status": st[idx]})
        nth = lv.groupby(["who", "status"], sort=False).cumcount().to_numpy()
        pct = lv["status"].map({k: v.percent for k, v in leave.items()}).to_numpy("float64")
        free = lv["status"].map({k: v.free_days for k, v in leave.items()}).to_numpy("int64")
        add(is_leave, st[idx], None, np.where(nth < free, 0.0, pct))
    # present days
    hadir = st == HADIR
    add(hadir & np.isnan(in_s), "TAM", None, float(ded.no_check_in))
    add(hadir & np.isnan(out_s), "TAP", None, float(ded.no_check_out))
    with np.errstate(invalid="ignore"):
        late_s = in_s - _seconds(hours.start)
        late = hadir & (late_s > 0)
    if late.any():
        mins = _whole_minutes(late_s[late])
        codes, pct = _band_codes(mins, ded.late, "TL")
        add(late, codes, mins, pct)
    del late_s, in_s
    friday = days.day_of_week.to_numpy()[grid_day] == FRIDAY
    end_s = np.where(friday, _seconds(hours.friday_end), _seconds(hours.end))
    with np.errstate(invalid="ignore"):
        early_s = end_s - out_s
        early = hadir & (early_s > 0)
    if early.any():
        mins = _whole_minutes(early_s[early])
        codes, pct = _band_codes(mins, ded.early, "PSW")
        add(early, codes, mins, pct)
    del early_s, end_s, out_s, friday, st
    if not parts:
        return Ledger(_empty(), with_rows)
    where = np.concatenate([p[0] for p in parts])
    del code
    rows = pd.DataFrame({
        "where": where,
        "code": np.concatenate([p[1] for p in parts]),
        "minutes": np.concatenate([p[2] for p in parts]),
        "percent": np.concatenate([p[3] for p in parts]),
    })
    # grid positions run by nip, then date: sort by position, then code by code point
    rows = rows.sort_values(["where", "code"], kind="stable")
    where = rows["where"].to_numpy()
    out = pd.DataFrame({
        "nip": nip_of[grid_nip[where]],
        "date": np.array(list(days.date), dtype=object)[grid_day[where]],
        "code": rows["code"].to_numpy(dtype=object),
        "minutes": pd.array(rows["minutes"].to_numpy(), dtype="Int64"),
        "percent": rows["percent"].to_numpy(dtype="float64"),
    })
    return Ledger(out, with_rows)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({
        "nip": pd.Series([], dtype=object), "date": pd.Series([], dtype=object),
        "code": pd.Series([], dtype=object), "minutes": pd.array([], dtype="Int64"),
        "percent": pd.Series([], dtype="float64"),
    })
