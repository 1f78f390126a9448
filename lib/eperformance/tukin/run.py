"""One call from the database to a month's allowance: the recipe ``eperf tukin``, the batch
and the card use. Reads, then the pure :mod:`.ledger` and :mod:`.amount`; writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from .. import __version__
from ..calendar import working_days
from ..db import queries as q
from ..db import tukin_queries as tq
from ..db.engine import require_current
from ..errors import NoDataError
from ..home import clock_now
from ..params import (
    SchemeConfig,
    Settings,
    TukinProfile,
    load_scheme,
    load_settings,
    load_tukin_profile,
)
from ..scores import ScoreRequest, ScoreRun, compute_scores
from ..scoring.closing import (
    closing_time,
    closing_time_utc,
    is_closed,
    parse_period,
    period_first_day,
    period_last_day,
)
from ..scoring.registry import get_scheme
from .amount import KinerjaInput, TukinRow, compute_amounts, ledger_frame, tukin_frame
from .ledger import AttendanceCollector, Ledger, build_ledger

PREDIKAT_LABELS: dict[str, tuple[str, ...]] = {
    "permenpan-6-2022": ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct",
                         "Sangat Kurang"),
    "pp-30-2019": ("Sangat Baik", "Baik", "Cukup", "Kurang", "Sangat Kurang"),
    "pp-46-2011": ("Sangat Baik", "Baik", "Cukup", "Kurang", "Buruk"),
}


@dataclass(frozen=True)
class TukinRequest:
    """What to compute: a month ``YYYY-MM``, a profile (None: the settings' default), the
    scheme and 360° mode the predikat comes from, and a unit (with its sub-units)."""

    period: str
    profile: str | None = None
    scheme: str = "permenpan-6-2022"
    unit: str | None = None
    use_360: bool = False
    nip: str | None = None  # one employee (the single card)


@dataclass
class TukinRun:
    """The allowance of one month and scope, with its ledger and provenance."""

    request: TukinRequest
    profile: TukinProfile
    scheme_cfg: SchemeConfig
    settings: Settings
    closing_time: dt.datetime
    provisional: bool
    computed_at: dt.datetime
    working_days: list[dt.date]
    employees: pd.DataFrame
    ledger: Ledger
    rows: list[TukinRow]
    data_fingerprint: str

    @property
    def frame(self) -> pd.DataFrame:
        """The ``eperf tukin`` CSV as text columns."""
        return tukin_frame(self.rows)

    @property
    def days_frame(self) -> pd.DataFrame:
        """The ``--days-out`` CSV as text columns."""
        return ledger_frame(self.ledger)

    def meta(self) -> dict[str, Any]:
        """The ``<out>.meta.json`` sidecar content."""
        paid = [r.tukin for r in self.rows if r.tukin is not None]
        return {
            "period": self.request.period,
            "scope": self.request.unit or "all",
            "profile": self.profile.name,
            "profile_version": self.profile.version,
            "profile_digest": self.profile.digest(),
            "basis": self.profile.kinerja.basis,
            "scheme": self.scheme_cfg.name,
            "scheme_version": self.scheme_cfg.version,
            "use_360": self.request.use_360,
            "working_days": len(self.working_days),
            "closing_time": self.closing_time.isoformat(),
            "provisional": self.provisional,
            "data_fingerprint": self.data_fingerprint,
            "computed_at": self.computed_at.isoformat(timespec="seconds"),
            "package_version": __version__,
            "employees": len(self.rows),
            "paid": len(paid),
            "total_rupiah": sum(paid),
        }


def data_digest(employees: pd.DataFrame, attendance: pd.DataFrame,
                minutes: pd.DataFrame | None, kinerja: dict[str, KinerjaInput]) -> str:
    """SHA-256 of every row the run read, written canonically (NIPs and statuses as text,
    dates as day numbers, times as seconds rounded to 6 decimals, sorted by nip and date)
    so that SQLite, PostgreSQL and MariaDB give the same digest for the same data; the
    predikat basis adds each employee's predikat and reasons as the scoring gave them.
    ``attendance`` is the prepared frame (:func:`~.ledger.prepare_attendance`)."""
    h = hashlib.sha256()

    def text(values: Any) -> None:
        items = values.tolist() if hasattr(values, "tolist") else list(values)
        h.update("\x1f".join("" if v is None else str(v) for v in items).encode())
        h.update(b"\x1e")

    def numbers(values: Any) -> None:
        arr = np.round(np.asarray(values, dtype="float64"), 6)
        h.update(np.nan_to_num(arr, nan=-1.0).tobytes())

    text(employees["nip"])
    text("" if v is None or pd.isna(v) else int(v) for v in employees["job_class"])
    text(employees["employment"])
    text(bool(v) for v in employees["active"])
    a = attendance.sort_values(["nip", "date"], kind="stable")
    text(a["nip"])
    numbers(a["date"].to_numpy().astype("datetime64[D]").astype("int64"))
    numbers(a["in_s"])
    numbers(a["out_s"])
    text(a["status"])
    if minutes is not None:
        text(minutes["nip"])
        numbers(minutes["minutes"])
        numbers(minutes["approved_entries"])
    else:
        people = sorted(kinerja)
        text(people)
        text(kinerja[n].predikat for n in people)
        text(";".join(kinerja[n].keterangan) for n in people)
    return h.hexdigest()


def profile_stamp(profile: TukinProfile) -> dict[str, str]:
    """Name, version and digest of a profile: what fingerprints and records carry."""
    return {"name": profile.name, "version": profile.version, "digest": profile.digest()}


def compute_tukin(
    engine: Engine,
    request: TukinRequest,
    *,
    home: Path | None = None,
    now: dt.datetime | None = None,
    scores: ScoreRun | None = None,
) -> TukinRun:
    """The allowance of ``request.period`` for its scope; our own errors for user mistakes
    (unknown profile or status, a profile lacking a predikat label, no data: exit 2).

    ``scores``: an already computed :class:`~eperformance.scores.ScoreRun` of the same
    month, scope, scheme and 360° mode (the batch has one), reused instead of scoring again.
    """
    parse_period(request.period)
    settings = load_settings(home)
    profile = load_tukin_profile(request.profile, home)
    scheme = get_scheme(request.scheme)
    scheme_cfg = load_scheme(scheme.name, home)
    profile.check_predikat(PREDIKAT_LABELS[scheme.name], scheme.name)
    now = now or clock_now()
    first, last = period_first_day(request.period), period_last_day(request.period)
    closing_utc = closing_time_utc(request.period, settings.closing_day, settings.timezone)
    days = working_days(request.period, settings)
    require_current(engine)
    with engine.connect() as conn:
        scope = q.resolve_scope(conn, request.unit, request.nip)
        collector = AttendanceCollector()
        for batch in tq.attendance_batches(conn, scope, first, last):
            collector.add(batch)
        attendance = collector.frame()
        has_score_data = q.period_has_data(conn, request.period, scope, first, last)
        if attendance.empty and not has_score_data:
            raise NoDataError(
                f"no data for {request.period}: nobody in scope has an attendance row, "
                "an assignment, an entry or a rating in that month",
                hint="check the period, or import that month's files first",
            )
        employees = q.load_employees(conn, scope, active_only=True)
        minutes = (tq.verified_minutes(conn, scope, first, last, closing_utc)
                   if profile.kinerja.basis == "menit" else None)
    kinerja: dict[str, KinerjaInput] = {}
    if minutes is not None:
        for nip, v, n in zip(minutes["nip"], minutes["minutes"], minutes["approved_entries"],
                             strict=True):
            kinerja[str(nip)] = KinerjaInput(minutes=float(v), approved_entries=int(n))
    else:
        if scores is None and has_score_data:
            scores = compute_scores(engine, ScoreRequest(
                period=request.period, scheme=scheme.name, unit=request.unit,
                nip=request.nip, use_360=request.use_360), home=home, now=now)
        if scores is not None:
            for sc in scores.scores:
                kinerja[sc.nip] = KinerjaInput(predikat=sc.predikat,
                                               keterangan=tuple(sc.keterangan))
        else:  # attendance but no assignment, entry or rating: nobody has a predikat
            kinerja = {str(n): KinerjaInput(keterangan=("belum ada penugasan",))
                       for n in employees["nip"]}
    ledger = build_ledger(attendance, days, settings.work_hours, profile,
                          nips=list(employees["nip"]))
    rows = compute_amounts(employees[["nip", "job_class", "employment"]], ledger, kinerja,
                           profile, request.period, len(days))
    fingerprint = data_digest(employees, attendance, minutes, kinerja)
    return TukinRun(
        request=request, profile=profile, scheme_cfg=scheme_cfg, settings=settings,
        closing_time=closing_time(request.period, settings.closing_day, settings.timezone),
        provisional=not is_closed(request.period, now, settings.closing_day, settings.timezone),
        computed_at=now.astimezone(dt.UTC), working_days=days, employees=employees,
        ledger=ledger, rows=rows, data_fingerprint=fingerprint,
    )
