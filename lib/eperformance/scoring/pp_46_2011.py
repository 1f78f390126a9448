"""Scheme ``pp-46-2011``: the four-aspect formula of PP 46/2011, Perka BKN 1/2013
(domain.md §3.3).

Per assignment: kuantitas ``100*RO/TO``; kualitas ``100*RK/TK``; waktu from the time
efficiency ``e = 100 - 100*RW/TW``: if ``e <= 24`` (e rounded), ``100*(1.76*TW - RW)/TW``,
else ``76 - (100*(1.76*TW - RW)/TW - 100)``; biaya the same with RB/TB, only with a cost
target. Score (nilai) = mean of the three (four) aspects; ``RO = 0`` scores 0 while its
aspects are still shown. Nothing is capped or floored.

Nilai SKP = plain mean of the assignment scores. Behaviour: orientasi_pelayanan,
integritas, komitmen, disiplin, kerja_sama, kepemimpinan (managerial only), ``atasan`` rows
only. Nilai prestasi kerja = 60% SKP + 40% perilaku (main figure); sebutan strictly above
90/75/60/50 (rounded), else Buruk.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..params import Pp46Config
from ..rounding import round_array
from .common import (
    SUPERVISOR_ROLES,
    WITHHOLD,
    AspectTable,
    EmployeeScore,
    aspect_table,
    assemble,
    employees_in_scope,
    month_measures,
)

NAME = "pp-46-2011"

SANGAT_BAIK = "Sangat Baik"
BAIK = "Baik"
CUKUP = "Cukup"
KURANG = "Kurang"
BURUK = "Buruk"
SEBUTAN: tuple[str, ...] = (SANGAT_BAIK, BAIK, CUKUP, KURANG, BURUK)


def counted_roles(use_360: bool = False) -> frozenset[str]:
    """``atasan`` only, whatever ``use_360`` says."""
    return SUPERVISOR_ROLES


def efficiency_score(
    realised: pd.Series | np.ndarray, target: pd.Series | np.ndarray, cfg: Pp46Config
) -> np.ndarray:
    """The waktu/biaya formula for realised R and target T (NaN where T is NaN)."""
    r = np.asarray(realised, dtype=float)
    t = np.asarray(target, dtype=float)
    c = cfg.efficiency
    with np.errstate(divide="ignore", invalid="ignore"):
        e = 100.0 - 100.0 * r / t
        first = 100.0 * (c.factor * t - r) / t
    second = c.base - (first - 100.0)
    return np.where(round_array(e) <= c.threshold, first, second)


def score_assignments(measures: pd.DataFrame, cfg: Pp46Config) -> pd.DataFrame:
    """The measures frame plus kuantitas, kualitas, waktu, biaya (NaN without a cost
    target) and nilai."""
    out = measures.copy(deep=False)  # new columns only (copy-on-write: the input stays)
    out["kuantitas"] = 100.0 * out["ro"] / out["to"]
    out["kualitas"] = 100.0 * out["rk"] / out["tk"]
    out["waktu"] = efficiency_score(out["rw"], out["tw"], cfg)
    has_cost = out["tb"].notna().to_numpy()
    out["biaya"] = np.where(has_cost, efficiency_score(out["rb"], out["tb"], cfg), np.nan)
    total = out["kuantitas"] + out["kualitas"] + out["waktu"] + out["biaya"].fillna(0.0)
    mean = total / np.where(has_cost, 4.0, 3.0)
    out["nilai"] = np.where(out["ro"].to_numpy() == 0, 0.0, mean)
    return out


def sebutan(values: pd.Series, cfg: Pp46Config) -> pd.Series:
    """Sebutan of rounded figures: > 90 Sangat Baik, > 75 Baik, > 60 Cukup, > 50 Kurang,
    else Buruk; None where the figure is missing."""
    r = round_array(values)
    b = cfg.sebutan_bands
    out = np.select(
        [r > b.sangat_baik, r > b.baik, r > b.cukup, r > b.kurang],
        [SANGAT_BAIK, BAIK, CUKUP, KURANG],
        BURUK,
    ).astype(object)
    out[np.isnan(r)] = None
    return pd.Series(out, index=values.index, dtype=object)


def score_employees(
    scored: pd.DataFrame, employees: pd.DataFrame, aspects: AspectTable, cfg: Pp46Config
) -> pd.DataFrame:
    """Per-employee figures, indexed by nip."""
    idx = employees.index
    skp = scored.groupby("nip")["nilai"].mean().reindex(idx)
    perilaku = aspects.mean
    w = cfg.weights
    npk = skp * (w.skp / 100.0) + perilaku * (w.perilaku / 100.0)
    return pd.DataFrame(
        {
            "nilai_skp": skp,
            "nilai_perilaku": perilaku,
            "nilai_akhir": npk,
            "rating_hasil_kerja": None,
            "rating_perilaku": None,
            "predikat": sebutan(npk, cfg),
            "main_figure": npk,
        },
        index=idx,
    )


def score_period(
    measures: pd.DataFrame,
    employees: pd.DataFrame,
    behaviour: pd.DataFrame,
    cfg: Pp46Config,
    use_360: bool,
    period: str,
    pending_at_closing: str = WITHHOLD,
) -> list[EmployeeScore]:
    """Score every active employee for ``period`` (``use_360`` changes nothing here;
    ``pending_at_closing``: domain.md §5)."""
    emp = employees_in_scope(employees)
    scored = score_assignments(month_measures(measures, emp, period), cfg)
    aspects = aspect_table(behaviour, emp, NAME, counted_roles(use_360), period)
    return assemble_scores(scored, emp, aspects, cfg, use_360, period, pending_at_closing)


def employee_figures(scored: pd.DataFrame, emp: pd.DataFrame, aspects: AspectTable,
                     cfg: Pp46Config, use_360: bool = False) -> pd.DataFrame:
    """The per-employee figures frame alone (indexed by nip), before §5's withholding."""
    return score_employees(scored, emp, aspects, cfg)


def assemble_scores(
    scored: pd.DataFrame,
    emp: pd.DataFrame,
    aspects: AspectTable,
    cfg: Pp46Config,
    use_360: bool,
    period: str,
    pending_at_closing: str = WITHHOLD,
    lazy_assignments: bool = False,
) -> list[EmployeeScore]:
    """The employees' records from already scored assignments (one month's, or the union of
    a longer period's months: Nilai SKP the plain mean over all of them) and their aspect
    table (domain.md §3.3, §7)."""
    per_employee = score_employees(scored, emp, aspects, cfg)
    return assemble(
        employees=emp, period=period, scheme=NAME, scheme_version=cfg.version,
        per_employee=per_employee, aspects=aspects, scored_assignments=scored,
        use_360=use_360, pending_at_closing=pending_at_closing,
        lazy_assignments=lazy_assignments,
    )
