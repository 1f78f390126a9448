"""The allowance as the personal card shows it: the amount and how it was reached, so an
employee can check their own pay (tukin.md §4). Plain frozen records (JSON-able through
the card's ``content()``, so the card's fingerprint covers the profile and its version).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from .amount import TukinRow, fmt_percent, frac, round_half_up
from .run import TukinRun


@dataclass(frozen=True)
class TukinDay:
    """One deduction of the ledger: a working day, its code, minutes (TL/PSW) and the
    percent charged (0 on a free leave day)."""

    date: dt.date
    code: str
    minutes: int | None
    percent: str  # written with 2 decimals, as in tukin_days.csv


@dataclass(frozen=True)
class TukinCode:
    """The deductions of one code over the month: days and percent."""

    code: str
    days: int
    percent: str


@dataclass(frozen=True)
class TukinDayLine:
    """The deductions of one working day together (what the card lists)."""

    date: dt.date
    items: tuple[TukinDay, ...]
    percent: str  # their sum, 2 decimals


@dataclass(frozen=True)
class TukinSummary:
    """Everything the card's allowance section shows."""

    profile: str
    profile_version: str
    profile_digest: str
    basis: str  # predikat | menit
    applies_to: str  # total | disiplin
    job_class: int | None
    employment: str
    class_amount: int | None  # amounts[job_class]
    employment_percent: str
    base: int | None  # rounded half up
    weight_kinerja: str
    weight_disiplin: str
    predikat: str | None
    verified_minutes: float | None
    required_minutes: float | None
    kinerja_percent: str  # "" when missing
    deduction_raw: str
    deduction_percent: str
    cap_percent: str
    kinerja_part: int | None  # rupiah, rounded for display only
    disiplin_part: int | None
    tukin: int | None
    keterangan: tuple[str, ...]
    by_code: tuple[TukinCode, ...]
    days: tuple[TukinDay, ...]

    @property
    def day_lines(self) -> tuple[TukinDayLine, ...]:
        """The ledger grouped by date, in date order."""
        groups: dict[dt.date, list[TukinDay]] = {}
        for d in self.days:
            groups.setdefault(d.date, []).append(d)
        return tuple(
            TukinDayLine(date=day, items=tuple(items),
                         percent=fmt_percent(sum((Fraction(i.percent) for i in items),
                                                 Fraction(0))))
            for day, items in groups.items())

    @property
    def charged_days(self) -> int:
        """Working days with a deduction above 0."""
        return len({d.date for d in self.days if d.percent != "0.00"})

    @property
    def paid(self) -> bool:
        return self.tukin is not None


def _r(x: Fraction | None) -> int | None:
    return None if x is None else round_half_up(x)


def card_summaries(run: TukinRun, nips: list[str] | None = None) -> dict[str, TukinSummary]:
    """nip -> :class:`TukinSummary` for the run's employees (or ``nips`` of them)."""
    profile = run.profile
    wanted = set(nips) if nips is not None else None
    days: dict[str, list[TukinDay]] = {}
    rows = run.ledger.rows
    if len(rows):
        pct = {p: fmt_percent(frac(p)) for p in rows["percent"].unique()}
        sel = rows if wanted is None else rows[rows["nip"].isin(wanted)]
        for nip, day, code, minutes, p in zip(sel["nip"], sel["date"], sel["code"],
                                              sel["minutes"], sel["percent"], strict=True):
            days.setdefault(str(nip), []).append(TukinDay(
                date=day, code=str(code), minutes=None if pd.isna(minutes) else int(minutes),
                percent=pct[p]))
    stamp = profile.digest()
    wk, wd = frac(profile.weights.kinerja), frac(profile.weights.disiplin)
    out: dict[str, TukinSummary] = {}
    for row in run.rows:
        if wanted is not None and row.nip not in wanted:
            continue
        out[row.nip] = _summary(row, days.get(row.nip, []), run, stamp, wk, wd)
    return out


def _summary(row: TukinRow, days: list[TukinDay], run: TukinRun, stamp: str,
             wk: Fraction, wd: Fraction) -> TukinSummary:
    profile = run.profile
    hundred = Fraction(100)
    k_part = d_part = None
    if row.base is not None and row.kinerja_percent is not None and \
            row.deduction_percent is not None:
        keep = 1 - row.deduction_percent / hundred
        kinerja = row.base * wk / hundred * row.kinerja_percent / hundred
        disiplin = row.base * wd / hundred
        if profile.deductions.applies_to == "total":
            k_part, d_part = kinerja * keep, disiplin * keep
        else:
            k_part, d_part = kinerja, max(Fraction(0), disiplin * keep)
    counts: dict[str, tuple[int, Fraction]] = {}
    for d in days:
        n, total = counts.get(d.code, (0, Fraction(0)))
        counts[d.code] = (n + 1, total + Fraction(d.percent))
    by_code = tuple(TukinCode(code=c, days=n, percent=fmt_percent(p))
                    for c, (n, p) in sorted(counts.items()))
    jc = row.job_class
    return TukinSummary(
        profile=profile.name, profile_version=profile.version, profile_digest=stamp,
        basis=profile.kinerja.basis, applies_to=profile.deductions.applies_to,
        job_class=jc, employment=row.employment,
        class_amount=None if jc is None else round_half_up(frac(profile.amounts[jc])),
        employment_percent=fmt_percent(frac(profile.employment_percent[
            row.employment if row.employment in profile.employment_percent else "pns"])),
        base=_r(row.base), weight_kinerja=fmt_percent(wk), weight_disiplin=fmt_percent(wd),
        predikat=row.predikat, verified_minutes=row.verified_minutes,
        required_minutes=row.required_minutes,
        kinerja_percent=fmt_percent(row.kinerja_percent),
        deduction_raw=fmt_percent(row.deduction_raw),
        deduction_percent=fmt_percent(row.deduction_percent),
        cap_percent=fmt_percent(frac(profile.deductions.cap_percent)),
        kinerja_part=_r(k_part), disiplin_part=_r(d_part), tukin=row.tukin,
        keterangan=row.keterangan, by_code=by_code, days=tuple(days),
    )
