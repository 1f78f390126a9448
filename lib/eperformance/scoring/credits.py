"""Angka kredit of functional posts (domain.md §7; PermenPAN-RB 1/2023, Perban BKN 3/2023).

For an active employee whose post is ``fungsional`` with a ``functional_level``, under
``permenpan-6-2022`` only::

    angka_kredit = predikat percent / 100 * the level's annual coefficient * months / 12

with the percents and coefficients from the scheme's YAML (``angka_kredit``), ``months``
the number of months of the period (1, 3, 6, 12). None without a predikat. Written with 3
decimals, half away from zero (the rounding rule of §2 at 3 places); the percent, the
coefficient and the months with 2 decimals like every number of ``eperf score``. Under the
other schemes there are no rows (the ``--credits-out`` file holds its header only).

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from ..contract import FUNCTIONAL_LEVELS, FUNCTIONAL_POST
from ..errors import SettingsError
from ..params import SCHEMES_DIR, AngkaKredit, Permenpan6Config, SchemeConfig
from ..periods import Period
from ..rounding import fmt2, round_half_away
from .common import EmployeeScore

CREDIT_COLUMNS: tuple[str, ...] = (
    "nip", "period", "functional_level", "predikat", "percent", "coefficient", "months",
    "angka_kredit",
)
CREDIT_DECIMALS = 3


@dataclass(frozen=True)
class CreditRow:
    """The angka kredit of one functional employee for one period (unrounded figures;
    ``predikat``, ``percent`` and ``angka_kredit`` are ``None`` without a predikat)."""

    nip: str
    period: str
    functional_level: str
    predikat: str | None
    percent: float | None
    coefficient: float
    months: int
    angka_kredit: float | None

    @property
    def written(self) -> str:
        """``angka_kredit`` as written (3 decimals), ``""`` when there is none."""
        return fmt3(self.angka_kredit)


def fmt3(x: float | None) -> str:
    """An angka kredit as written: 3 decimals, half away from zero; ``""`` for none."""
    if x is None or x != x:
        return ""
    return f"{round_half_away(float(x), CREDIT_DECIMALS):.{CREDIT_DECIMALS}f}"


def credit_settings(scheme_cfg: SchemeConfig) -> AngkaKredit | None:
    """The scheme's angka kredit settings: ``None`` for a scheme without angka kredit
    (pp-30-2019, pp-46-2011); :class:`SettingsError` when the permenpan-6-2022 file gives
    no ``angka_kredit`` block (there are no defaults in code)."""
    if not isinstance(scheme_cfg, Permenpan6Config):
        return None
    if scheme_cfg.angka_kredit is None:
        raise SettingsError(
            f"{SCHEMES_DIR / (scheme_cfg.name + '.yaml')}: key 'angka_kredit': required key "
            "missing (angka kredit needs its predikat percents and level coefficients)",
            hint="copy the 'angka_kredit' block of the shipped params/schemes file",
        )
    return scheme_cfg.angka_kredit


def angka_kredit(predikat: str | None, functional_level: str, months: int,
                 cfg: AngkaKredit) -> float | None:
    """``percent / 100 * coefficient * months / 12`` (unrounded); ``None`` without a
    predikat. An unknown level or predikat label is a :class:`ValueError` (a bug: the
    import and the scheme only know the contract's)."""
    coefficient = _coefficient(functional_level, cfg)
    if predikat is None:
        return None
    try:
        percent = cfg.predikat_percent[predikat]
    except KeyError:
        raise ValueError(f"no angka kredit percent for predikat {predikat!r}") from None
    return percent / 100.0 * coefficient * months / 12.0


def _coefficient(level: str, cfg: AngkaKredit) -> float:
    try:
        return float(cfg.coefficients[level])
    except KeyError:
        raise ValueError(f"unknown functional level {level!r}; one of "
                         f"{', '.join(FUNCTIONAL_LEVELS)}") from None


def credit_row(score: EmployeeScore, functional_level: str, period: str | Period,
               cfg: AngkaKredit) -> CreditRow:
    """The angka kredit of one scored employee for ``period`` (the period's predikat)."""
    p = Period.parse(period)
    predikat = score.predikat
    percent = cfg.predikat_percent.get(predikat) if predikat is not None else None
    return CreditRow(
        nip=score.nip, period=p.code, functional_level=functional_level,
        predikat=predikat, percent=None if percent is None else float(percent),
        coefficient=_coefficient(functional_level, cfg), months=p.n_months,
        angka_kredit=angka_kredit(predikat, functional_level, p.n_months, cfg),
    )


def functional_levels(employees: pd.DataFrame) -> dict[str, str]:
    """nip -> functional_level of the employees whose post is ``fungsional`` with a level
    given (blank, NaN or ``None`` level: not a functional employee for angka kredit)."""
    if "functional_level" not in employees.columns or not len(employees):
        return {}
    e = employees
    if "position_type" in e.columns:
        e = e.loc[e["position_type"].astype(object) == FUNCTIONAL_POST]
    out: dict[str, str] = {}
    for nip, level in zip(e["nip"].astype(str), e["functional_level"], strict=True):
        if isinstance(level, str) and level.strip():
            out[nip] = level.strip()
    return out


def credit_rows(scores: Iterable[EmployeeScore], employees: pd.DataFrame,
                period: str | Period, scheme_cfg: SchemeConfig) -> list[CreditRow]:
    """One row per scored employee (the active employees in scope) whose post is
    ``fungsional`` with a ``functional_level`` (columns of ``employees``: nip,
    position_type, functional_level), sorted by NIP; no rows under a scheme without angka
    kredit."""
    cfg = credit_settings(scheme_cfg)
    if cfg is None:
        return []
    levels = functional_levels(employees)
    rows = [credit_row(s, levels[s.nip], period, cfg) for s in scores if s.nip in levels]
    return sorted(rows, key=lambda r: r.nip)


def credits_frame(rows: Iterable[CreditRow]) -> pd.DataFrame:
    """The ``--credits-out`` file's rows AS WRITTEN (data-contract.md): text columns in
    :data:`CREDIT_COLUMNS` order, sorted by NIP; percent, coefficient and months with 2
    decimals, angka_kredit with 3; predikat, percent and angka_kredit blank without a
    predikat. Write it with ``to_csv(index=False)``; an empty frame still has the header."""
    data = [
        {
            "nip": r.nip, "period": r.period, "functional_level": r.functional_level,
            "predikat": r.predikat or "", "percent": fmt2(r.percent),
            "coefficient": fmt2(r.coefficient), "months": fmt2(float(r.months)),
            "angka_kredit": fmt3(r.angka_kredit),
        }
        for r in sorted(rows, key=lambda r: r.nip)
    ]
    return pd.DataFrame(data, columns=list(CREDIT_COLUMNS), dtype=object)


def credits_out(scores: Iterable[EmployeeScore], employees: pd.DataFrame,
                period: str | Period, scheme_cfg: SchemeConfig) -> pd.DataFrame:
    """:func:`credit_rows` then :func:`credits_frame`: the CLI's one call."""
    return credits_frame(credit_rows(scores, employees, period, scheme_cfg))


__all__ = [
    "CREDIT_COLUMNS", "CreditRow", "angka_kredit", "credit_row", "credit_rows",
    "credit_settings", "credits_frame", "credits_out", "fmt3", "functional_levels",
]
