"""Scheme ``pp-30-2019``: numeric rules of PP 30/2019 (domain.md §3.2).

* Nilai SKP: weight-weighted mean of the assignments' capaian (§2).
* Aspects orientasi_pelayanan, komitmen, inisiatif_kerja, kerja_sama, kepemimpinan (the
  last for managerial posts only); each counts the ``atasan`` rows, in 360° mode the
  atasan, rekan and bawahan rows. Nilai perilaku = mean of the aspects that apply.
* Nilai kinerja = 70% SKP + 30% perilaku (60/40 in 360° mode): the main figure.
* Predikat on the rounded nilai kinerja: Sangat Baik >= 110 when an innovation assignment
  of the month has a counted entry, otherwise Baik >= 90; Cukup >= 70; Kurang >= 50;
  Sangat Kurang below.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..params import Pp30Config
from ..rounding import round_array
from .common import (
    ALL_RATER_ROLES,
    SUPERVISOR_ROLES,
    WITHHOLD,
    AspectTable,
    EmployeeScore,
    aspect_table,
    assemble,
    employees_in_scope,
    month_measures,
    weighted_skp,
)

NAME = "pp-30-2019"

SANGAT_BAIK = "Sangat Baik"
BAIK = "Baik"
CUKUP = "Cukup"
KURANG = "Kurang"
SANGAT_KURANG = "Sangat Kurang"
PREDIKAT: tuple[str, ...] = (SANGAT_BAIK, BAIK, CUKUP, KURANG, SANGAT_KURANG)


def counted_roles(use_360: bool = False) -> frozenset[str]:
    """``atasan`` only; atasan, rekan and bawahan in 360° mode."""
    return ALL_RATER_ROLES if use_360 else SUPERVISOR_ROLES


def predikat(
    nilai_kinerja: pd.Series, innovation: pd.Series, cfg: Pp30Config
) -> pd.Series:
    """The predikat of the rounded nilai kinerja; None where it is missing."""
    r = round_array(nilai_kinerja)
    b = cfg.predikat_bands
    innov = innovation.reindex(nilai_kinerja.index).fillna(False).astype(bool).to_numpy()
    out = np.select(
        [(r >= b.sangat_baik) & innov, r >= b.baik, r >= b.cukup, r >= b.kurang],
        [SANGAT_BAIK, BAIK, CUKUP, KURANG],
        SANGAT_KURANG,
    ).astype(object)
    out[np.isnan(r)] = None
    return pd.Series(out, index=nilai_kinerja.index, dtype=object)


def score_assignments(measures: pd.DataFrame, cfg: Pp30Config) -> pd.DataFrame:
    """No per-assignment figures beyond the shared measures."""
    return measures.copy(deep=False)  # copy-on-write: a change to it never reaches the input


def score_employees(
    scored: pd.DataFrame, employees: pd.DataFrame, aspects: AspectTable, cfg: Pp30Config,
    use_360: bool,
) -> pd.DataFrame:
    """Per-employee figures, indexed by nip."""
    idx = employees.index
    skp = weighted_skp(scored).reindex(idx)
    perilaku = aspects.mean
    w = cfg.weights_360 if use_360 else cfg.weights
    nk = skp * (w.skp / 100.0) + perilaku * (w.perilaku / 100.0)
    innovation = (scored["innovation"] & scored["has_counted_entry"]).groupby(scored["nip"]).any()
    return pd.DataFrame(
        {
            "nilai_skp": skp,
            "nilai_perilaku": perilaku,
            "nilai_akhir": nk,
            "rating_hasil_kerja": None,
            "rating_perilaku": None,
            "predikat": predikat(nk, innovation, cfg),
            "main_figure": nk,
        },
        index=idx,
    )


def score_period(
    measures: pd.DataFrame,
    employees: pd.DataFrame,
    behaviour: pd.DataFrame,
    cfg: Pp30Config,
    use_360: bool,
    period: str,
    pending_at_closing: str = WITHHOLD,
) -> list[EmployeeScore]:
    """Score every active employee for ``period`` (``pending_at_closing``: domain.md §5)."""
    emp = employees_in_scope(employees)
    scored = score_assignments(month_measures(measures, emp, period), cfg)
    aspects = aspect_table(behaviour, emp, NAME, counted_roles(use_360), period)
    return assemble_scores(scored, emp, aspects, cfg, use_360, period, pending_at_closing)


def employee_figures(scored: pd.DataFrame, emp: pd.DataFrame, aspects: AspectTable,
                     cfg: Pp30Config, use_360: bool = False) -> pd.DataFrame:
    """The per-employee figures frame alone (indexed by nip), before §5's withholding."""
    return score_employees(scored, emp, aspects, cfg, use_360)


def assemble_scores(
    scored: pd.DataFrame,
    emp: pd.DataFrame,
    aspects: AspectTable,
    cfg: Pp30Config,
    use_360: bool,
    period: str,
    pending_at_closing: str = WITHHOLD,
    lazy_assignments: bool = False,
) -> list[EmployeeScore]:
    """The employees' records from already scored assignments (one month's, or the union of
    a longer period's months) and their aspect table (domain.md §3.2, §7)."""
    per_employee = score_employees(scored, emp, aspects, cfg, use_360)
    return assemble(
        employees=emp, period=period, scheme=NAME, scheme_version=cfg.version,
        per_employee=per_employee, aspects=aspects, scored_assignments=scored,
        use_360=use_360, pending_at_closing=pending_at_closing,
        lazy_assignments=lazy_assignments,
    )
