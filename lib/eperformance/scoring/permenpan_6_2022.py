"""Scheme ``permenpan-6-2022``: current rules of PermenPAN-RB 6/2022 (domain.md §3.1).

* Each assignment is rated by its capaian (rounded): >= 110 Di Atas, >= 90 Sesuai, else
  Di Bawah.
* Rating hasil kerja: Di Atas when Di Atas assignments carry more than half of the total
  weight (exactly half is not enough) and no main assignment is Di Bawah; Di Bawah when
  Di Bawah assignments carry more than half; otherwise Sesuai.
* The seven BerAKHLAK values: mean over the atasan, rekan and bawahan rows (§4); rounded,
  >= 90 Di Atas, >= 70 Sesuai, else Di Bawah. Nilai perilaku = mean of the seven.
* Rating perilaku: Di Bawah with at least 2 values Di Bawah; Di Atas with at least 4 Di Atas
  and none Di Bawah; otherwise Sesuai.
* Predikat from the matrix :data:`PREDIKAT_MATRIX`. Main figure: Nilai SKP.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..params import Permenpan6Config
from ..rounding import round_array
from .common import (
    ALL_RATER_ROLES,
    WITHHOLD,
    AspectTable,
    EmployeeScore,
    aspect_table,
    assemble,
    employees_in_scope,
    month_measures,
    more_than_half,
    weighted_skp,
)

NAME = "permenpan-6-2022"

DI_ATAS = "Di Atas Ekspektasi"
SESUAI = "Sesuai Ekspektasi"
DI_BAWAH = "Di Bawah Ekspektasi"
RATINGS: tuple[str, ...] = (DI_ATAS, SESUAI, DI_BAWAH)

SANGAT_BAIK = "Sangat Baik"
BAIK = "Baik"
BUTUH_PERBAIKAN = "Butuh Perbaikan"
KURANG = "Kurang/Misconduct"
SANGAT_KURANG = "Sangat Kurang"
PREDIKAT: tuple[str, ...] = (SANGAT_BAIK, BAIK, BUTUH_PERBAIKAN, KURANG, SANGAT_KURANG)

# (rating hasil kerja, rating perilaku) -> predikat kinerja.
PREDIKAT_MATRIX: dict[tuple[str, str], str] = {
    (DI_ATAS, DI_BAWAH): KURANG,
    (DI_ATAS, SESUAI): BAIK,
    (DI_ATAS, DI_ATAS): SANGAT_BAIK,
    (SESUAI, DI_BAWAH): KURANG,
    (SESUAI, SESUAI): BAIK,
    (SESUAI, DI_ATAS): BAIK,
    (DI_BAWAH, DI_BAWAH): SANGAT_KURANG,
    (DI_BAWAH, SESUAI): BUTUH_PERBAIKAN,
    (DI_BAWAH, DI_ATAS): BUTUH_PERBAIKAN,
}


def counted_roles(use_360: bool = False) -> frozenset[str]:
    """Supervisors, peers and subordinates, whatever ``use_360`` says (§3.1)."""
    return ALL_RATER_ROLES


def band(values: pd.Series | np.ndarray, di_atas: float, sesuai: float) -> np.ndarray:
    """Rounded values -> Di Atas (>= di_atas), Sesuai (>= sesuai), Di Bawah; None for NaN."""
    r = round_array(values)
    out = np.select([r >= di_atas, r >= sesuai], [DI_ATAS, SESUAI], DI_BAWAH).astype(object)
    out[np.isnan(r)] = None
    return out


def score_assignments(measures: pd.DataFrame, cfg: Permenpan6Config) -> pd.DataFrame:
    """The measures frame plus ``rating``: the capaian band of each assignment."""
    out = measures.copy(deep=False)  # new columns only (copy-on-write: the input stays)
    b = cfg.assignment_bands
    out["rating"] = band(out["capaian"], b.di_atas, b.sesuai)
    return out


def rating_hasil_kerja(scored: pd.DataFrame) -> pd.Series:
    """Per nip (only those with assignments): the rating hasil kerja."""
    nip = scored["nip"]
    w = scored["weight"]
    total = w.groupby(nip).sum()
    atas = w.where(scored["rating"] == DI_ATAS, 0.0).groupby(nip).sum()
    bawah = w.where(scored["rating"] == DI_BAWAH, 0.0).groupby(nip).sum()
    main_bawah = (scored["is_main"] & (scored["rating"] == DI_BAWAH)).groupby(nip).any()
    result = np.select(
        [more_than_half(atas, total) & ~main_bawah.to_numpy(), more_than_half(bawah, total)],
        [DI_ATAS, DI_BAWAH],
        SESUAI,
    )
    return pd.Series(result, index=total.index, dtype=object)


def rating_perilaku(value_ratings: pd.DataFrame, complete: pd.Series,
                    cfg: Permenpan6Config) -> pd.Series:
    """Per nip: the rating perilaku from the seven value bands; None unless all rated."""
    n_bawah = (value_ratings == DI_BAWAH).sum(axis=1)
    n_atas = (value_ratings == DI_ATAS).sum(axis=1)
    c = cfg.rating_perilaku
    result = np.select(
        [n_bawah >= c.di_bawah_min, (n_atas >= c.di_atas_min) & (n_bawah == 0)],
        [DI_BAWAH, DI_ATAS],
        SESUAI,
    ).astype(object)
    result[~complete.to_numpy()] = None
    return pd.Series(result, index=value_ratings.index, dtype=object)


def predikat(hasil_kerja: pd.Series, perilaku: pd.Series) -> pd.Series:
    """The predikat matrix, element-wise; None where either rating is missing."""
    pairs = zip(hasil_kerja.tolist(), perilaku.tolist(), strict=True)
    return pd.Series([PREDIKAT_MATRIX.get((h, p)) for h, p in pairs],
                     index=hasil_kerja.index, dtype=object)


def score_employees(
    scored: pd.DataFrame, employees: pd.DataFrame, aspects: AspectTable, cfg: Permenpan6Config
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-employee figures (indexed by nip) and the value bands (nip x value)."""
    idx = employees.index
    skp = weighted_skp(scored).reindex(idx)
    rhk = rating_hasil_kerja(scored).reindex(idx)
    vb = cfg.value_bands
    value_ratings = pd.DataFrame(
        {a: band(aspects.scores[a], vb.di_atas, vb.sesuai) for a in aspects.aspects}, index=idx
    )
    complete = aspects.all_rated
    rp = rating_perilaku(value_ratings, complete, cfg)
    frame = pd.DataFrame(
        {
            "nilai_skp": skp,
            "nilai_perilaku": aspects.mean,
            "nilai_akhir": np.nan,
            "rating_hasil_kerja": rhk,
            "rating_perilaku": rp,
            "predikat": predikat(rhk, rp),
            "main_figure": skp,
        },
        index=idx,
    )
    return frame, value_ratings


def score_period(
    measures: pd.DataFrame,
    employees: pd.DataFrame,
    behaviour: pd.DataFrame,
    cfg: Permenpan6Config,
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
                     cfg: Permenpan6Config, use_360: bool = False) -> pd.DataFrame:
    """The per-employee figures frame alone (indexed by nip), before §5's withholding."""
    return score_employees(scored, emp, aspects, cfg)[0]


def assemble_scores(
    scored: pd.DataFrame,
    emp: pd.DataFrame,
    aspects: AspectTable,
    cfg: Permenpan6Config,
    use_360: bool,
    period: str,
    pending_at_closing: str = WITHHOLD,
    lazy_assignments: bool = False,
) -> list[EmployeeScore]:
    """The employees' records from already scored assignments (:func:`score_assignments`
    of the period's measures: one month's, or the union of a longer period's months) and
    their aspect table (domain.md §3.1, §7)."""
    per_employee, value_ratings = score_employees(scored, emp, aspects, cfg)
    return assemble(
        employees=emp, period=period, scheme=NAME, scheme_version=cfg.version,
        per_employee=per_employee, aspects=aspects, scored_assignments=scored,
        aspect_ratings=value_ratings, use_360=use_360, pending_at_closing=pending_at_closing,
        lazy_assignments=lazy_assignments,
    )
