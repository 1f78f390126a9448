"""The month's allowance per active employee (tukin.md §3). Pure: no I/O, no clock.

Every figure is computed exactly (:class:`fractions.Fraction` of the profile's numbers as
written) from the unrounded figures before it; only the paid amount is rounded, half up to
a multiple of ``rounding.to``; percents are written with 2 decimals (half away from zero)
and ``base`` in whole rupiah (half up).

1. ``base`` = ``amounts[job_class]`` x ``employment_percent[employment]`` / 100; no
   ``job_class``: no allowance (*kelas jabatan tidak ada*).
2. ``kinerja %``: basis ``predikat``: the profile's percent of the employee's predikat (no
   predikat: no allowance, the reason is the scoring's ``keterangan``); basis ``menit``:
   100 x V / R at most 100, 0 below ``floor_percent`` (V: verified minutes, R: working days
   x ``required_minutes_per_day``); no approved entry gives 0 with the informative reason
   *tidak ada aktivitas disetujui*.
3. ``D`` = the ledger's percents summed, at most ``cap_percent``; no ledger: no allowance
   (*presensi tidak ada*).
4. ``total``: base x (wk x kinerja% / 100 + wd) / 100 x (1 - D / 100); ``disiplin``: base x
   wk / 100 x kinerja% / 100 + max(0, base x wd / 100 x (1 - D / 100)).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from ..params import TukinProfile
from ..rounding import fmt_percent, round_half_up
from .ledger import Ledger

NO_CLASS = "kelas jabatan tidak ada"
NO_ATTENDANCE = "presensi tidak ada"
NO_APPROVED = "tidak ada aktivitas disetujui"
TUKIN_COLUMNS: tuple[str, ...] = (
    "nip", "period", "profile", "job_class", "employment", "base", "kinerja_percent",
    "deduction_percent", "tukin", "keterangan",
)
HUNDRED = Fraction(100)


@dataclass(frozen=True)
class KinerjaInput:
    """What the kinerja part rests on for one employee: the predikat (basis ``predikat``;
    ``keterangan`` the scoring's reasons when there is none), or the verified minutes V and
    the number of approved entries (basis ``menit``)."""

    predikat: str | None = None
    keterangan: tuple[str, ...] = ()
    minutes: float = 0.0
    approved_entries: int = 0


@dataclass(frozen=True)
class TukinRow:
    """The allowance of one employee for one month, with how it was reached."""

    nip: str
    period: str
    profile: str
    job_class: int | None
    employment: str
    base: Fraction | None
    kinerja_percent: Fraction | None
    deduction_percent: Fraction | None  # after the cap
    deduction_raw: Fraction | None  # before the cap
    tukin: int | None
    keterangan: tuple[str, ...]
    basis: str
    predikat: str | None = None
    verified_minutes: float | None = None  # basis menit: V
    required_minutes: float | None = None  # basis menit: R


def frac(x: float | int) -> Fraction:
    """A number of a profile (or a sum from the database) as the exact decimal written."""
    if isinstance(x, int):
        return Fraction(x)
    return Fraction(repr(float(x)))


SCALE = 10**6  # deductions are summed exactly in millionths of a percent


def deduction_sums(ledger: Ledger) -> dict[str, Fraction]:
    """nip -> the sum of its ledger's percents, exactly (before the cap).

    Each distinct percent is turned into whole millionths once (a profile's percents are
    written with at most 6 decimals), so the month is summed in integers, vectorised; a
    percent with more decimals falls back to exact fractions."""
    rows = ledger.rows
    if rows.empty:
        return {}
    exact = {p: frac(p) for p in rows["percent"].unique()}
    units = {p: f * SCALE for p, f in exact.items()}
    if all(u.denominator == 1 for u in units.values()):
        ints = rows["percent"].map({p: int(u) for p, u in units.items()}).astype("int64")
        totals = ints.groupby(rows["nip"].to_numpy(), sort=False).sum()
        return {str(n): Fraction(int(t), SCALE) for n, t in totals.items()}
    out: dict[str, Fraction] = {}
    counts = rows.groupby(["nip", "percent"], sort=False).size()
    for (nip, pct), n in counts.items():
        out[str(nip)] = out.get(str(nip), Fraction(0)) + exact[pct] * int(n)
    return out


def compute_amounts(
    employees: pd.DataFrame,
    ledger: Ledger,
    kinerja: Mapping[str, KinerjaInput],
    profile: TukinProfile,
    period: str,
    working_days: int,
) -> list[TukinRow]:
    """One :class:`TukinRow` per row of ``employees`` (``nip, job_class, employment``;
    the active employees in scope), sorted by NIP."""
    sums = deduction_sums(ledger)
    weights = profile.weights
    wk, wd = frac(weights.kinerja), frac(weights.disiplin)
    cap = frac(profile.deductions.cap_percent)
    step = profile.rounding.to
    basis = profile.kinerja.basis
    amounts = {k: frac(v) for k, v in profile.amounts.items()}
    emp_pct: dict[str, Fraction] = {k: frac(v) for k, v in profile.employment_percent.items()}
    pred_pct = {k: frac(v) for k, v in profile.kinerja.predikat_percent.items()}
    required = None
    floor = frac(profile.kinerja.floor_percent)
    if basis == "menit":
        assert profile.kinerja.required_minutes_per_day is not None
        required = frac(profile.kinerja.required_minutes_per_day) * working_days
    out: list[TukinRow] = []
    bases: dict[tuple[int, str], Fraction] = {}
    factors: dict[tuple[Fraction, Fraction], Fraction] = {}
    applies_total = profile.deductions.applies_to == "total"
    frame = employees.sort_values("nip", kind="stable")
    for nip, job_class, employment in zip(frame["nip"], frame["job_class"],
                                          frame["employment"], strict=True):
        nip = str(nip)
        employment = str(employment) if isinstance(employment, str) and employment else "pns"
        reasons: list[str] = []
        jc = None if job_class is None or pd.isna(job_class) else int(job_class)
        base = None
        if jc is None:
            reasons.append(NO_CLASS)
        else:
            key = (jc, employment)
            base = bases.get(key)
            if base is None:
                base = bases[key] = amounts[jc] * emp_pct[employment] / HUNDRED
        has_ledger = nip in ledger.with_attendance
        raw = sums.get(nip, Fraction(0)) if has_ledger else None
        d = None if raw is None else min(raw, cap)
        if not has_ledger:
            reasons.append(NO_ATTENDANCE)
        info = kinerja.get(nip, KinerjaInput())
        k_pct: Fraction | None
        v_min = r_min = None
        if basis == "predikat":
            if info.predikat is None:
                k_pct = None
                reasons.extend(info.keterangan or ("predikat tidak ada",))
            else:
                k_pct = pred_pct[info.predikat]
        else:
            assert required is not None
            v = frac(round(info.minutes, 6))  # sums differ in the last bits between engines
            v_min, r_min = float(info.minutes), float(required)
            ratio = min(HUNDRED, HUNDRED * v / required) if required > 0 else Fraction(0)
            k_pct = Fraction(0) if ratio < floor else ratio
            if info.approved_entries == 0:
                reasons.append(NO_APPROVED)
        amount = None
        if base is not None and k_pct is not None and d is not None:
            keep = 1 - d / HUNDRED
            if applies_total:
                factor = factors.get((base, k_pct))
                if factor is None:
                    factor = factors[(base, k_pct)] = base * (wk * k_pct / HUNDRED + wd) / HUNDRED
                value = factor * keep
            else:
                value = (base * wk / HUNDRED * k_pct / HUNDRED
                         + max(Fraction(0), base * wd / HUNDRED * keep))
            amount = round_half_up(value, step)
        out.append(TukinRow(
            nip=nip, period=period, profile=profile.name, job_class=jc,
            employment=employment, base=base, kinerja_percent=k_pct, deduction_percent=d,
            deduction_raw=raw, tukin=amount, keterangan=tuple(reasons), basis=basis,
            predikat=info.predikat if basis == "predikat" else None,
            verified_minutes=v_min, required_minutes=r_min,
        ))
    return out


def tukin_frame(rows: Sequence[TukinRow]) -> pd.DataFrame:
    """The ``eperf tukin`` CSV (tukin.md §4) as text columns, in :data:`TUKIN_COLUMNS`."""
    return pd.DataFrame(
        [(r.nip, r.period, r.profile, "" if r.job_class is None else str(r.job_class),
          r.employment, "" if r.base is None else str(round_half_up(r.base)),
          fmt_percent(r.kinerja_percent), fmt_percent(r.deduction_percent),
          "" if r.tukin is None else str(r.tukin), ";".join(r.keterangan))
         for r in rows],
        columns=list(TUKIN_COLUMNS),
    )


def ledger_frame(ledger: Ledger) -> pd.DataFrame:
    """The ``--days-out`` CSV (tukin.md §4) as text columns."""
    rows = ledger.rows
    pct = {p: fmt_percent(frac(p)) for p in rows["percent"].unique()}
    return pd.DataFrame({
        "nip": rows["nip"].astype(str),
        "date": [d.isoformat() for d in rows["date"]],
        "code": rows["code"].astype(str),
        "minutes": rows["minutes"].astype("string").fillna("").astype(object),
        "percent": rows["percent"].map(pct).astype(object),
    }, columns=["nip", "date", "code", "minutes", "percent"])
