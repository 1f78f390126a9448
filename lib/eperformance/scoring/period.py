"""Scores of a period longer than a month: a quarter, a semester or a year (domain.md §7).

A longer period is the union of its months. Each assignment keeps exactly its own month's
measures (§2, measured with its own month's last day and closing time: the monthly code
path, :func:`measures_by_month` here or the SQL aggregates month by month), so the input
is one measures frame per month. Over the period:

* Nilai SKP = the weight-weighted mean of the capaian of all the period's assignments
  (pp-46-2011: its own figure, the plain mean of the assignment scores, over the same
  union); under permenpan-6-2022 the rating hasil kerja is the §3.1 weight rule over all
  of them, each rated by its own capaian;
* each behaviour aspect = the plain mean over all counted rows of the period's months;
* ratings, final figures and predikat by the scheme's rules, unchanged;
* the §5 reasons over the union: an entry pending in any month withholds the period.

The same per-month measures also give each month's own result (the monthly rules, exactly
what ``eperf score`` prints for that month) for the annual card's month-by-month table,
without measuring anything twice. Pure: no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from ..params import Permenpan6Config, SchemeConfig
from ..periods import Period
from .closing import month_closing_times_utc
from .common import (
    WITHHOLD,
    EmployeeScore,
    aspect_table,
    employees_in_scope,
    month_measures,
)
from .curve import CurveBreach, curve_breaches_for_scores
from .measures import DEFAULT_CAPAIAN_CAP, MEASURE_COLUMNS, compute_measures
from .rank import RankEntry, rank_within_units, unit_median
from .registry import get_scheme


@dataclass(frozen=True)
class MonthResult:
    """One month of an employee's period (a row of the annual card's month-by-month
    table), under the monthly rules: that month's predikat, main figure and missing-data
    reasons (§5, in their order)."""

    month: str
    predikat: str | None
    main_figure: float | None
    keterangan: tuple[str, ...]
    n_assignments: int
    pending_entries: int

    @property
    def complete(self) -> bool:
        return not self.keterangan


@dataclass(frozen=True)
class PeriodScores:
    """The scores of one period for the employees in scope under one scheme.

    * ``scores``: one :class:`EmployeeScore` per active employee (sorted by nip) with the
      period's figures; ``period`` is the canonical code (``2021-Q2``) and ``assignments``
      every assignment of every month of the period;
    * ``monthly``: month (``YYYY-MM``) -> that month's own scores (the monthly rules), for
      every month of the period; empty when not asked for (``with_months=False``) and for
      a one-month period (its ``scores`` are that month's);
    * ``org_results``: unit_code -> organisational result given for exactly this period
      (domain.md §7; a unit absent from it gets the scheme's default, Baik);
    * ``breaches``: the distribution-curve breaches (permenpan-6-2022; empty otherwise).
    """

    period: Period
    scheme: str
    scores: list[EmployeeScore]
    monthly: dict[str, list[EmployeeScore]] = field(default_factory=dict)
    org_results: dict[str, str] = field(default_factory=dict)
    breaches: list[CurveBreach] = field(default_factory=list)

    @property
    def by_nip(self) -> dict[str, EmployeeScore]:
        return {s.nip: s for s in self.scores}

    def month_results(self, nip: str) -> list[MonthResult]:
        """The month-by-month rows of one employee, in month order (one per month of the
        period; a month period gives its single row from ``scores``)."""
        months = self.monthly or {self.period.code: self.scores}
        out: list[MonthResult] = []
        for month in self.period.months:
            found = [s for s in months.get(month, ()) if s.nip == nip]
            if not found:
                continue
            s = found[0]
            out.append(MonthResult(
                month=month, predikat=s.predikat, main_figure=s.main_figure,
                keterangan=tuple(s.keterangan), n_assignments=len(s.assignments),
                pending_entries=s.pending_entries,
            ))
        return out

    def month_table(self) -> dict[str, list[MonthResult]]:
        """:meth:`month_results` of every employee, by nip (one pass over the months)."""
        months = self.monthly or {self.period.code: self.scores}
        out: dict[str, list[MonthResult]] = {s.nip: [] for s in self.scores}
        for month in self.period.months:
            for s in months.get(month, ()):
                out.setdefault(s.nip, []).append(MonthResult(
                    month=month, predikat=s.predikat, main_figure=s.main_figure,
                    keterangan=tuple(s.keterangan), n_assignments=len(s.assignments),
                    pending_entries=s.pending_entries,
                ))
        return out

    def ranks(self) -> dict[str | None, list[RankEntry]]:
        """Ranking within each unit by the period's rounded main figure (§2, §7)."""
        return rank_within_units((s.unit_code, s.nip, s.main_figure) for s in self.scores)

    def unit_medians(self) -> dict[str | None, float | None]:
        """Each unit's median of the period's main figure (unrounded)."""
        units: dict[str | None, list[float | None]] = {}
        for s in self.scores:
            units.setdefault(s.unit_code, []).append(s.main_figure)
        return {u: unit_median(f) for u, f in units.items()}


# --------------------------------------------------------------------------- inputs
def months_of(period: str | Period) -> tuple[str, ...]:
    """The months (``YYYY-MM``) of a period."""
    return Period.parse(period).months


def check_months(period: Period, measures_by_month: Mapping[str, pd.DataFrame]) -> None:
    """Every key of ``measures_by_month`` must be a month of ``period`` (a month absent
    from the mapping has no assignments); :class:`ValueError` otherwise."""
    extra = sorted(set(measures_by_month) - set(period.months))
    if extra:
        raise ValueError(f"measures given for {', '.join(extra)}, outside period {period}")


def union_measures(
    measures_by_month: Mapping[str, pd.DataFrame], emp: pd.DataFrame, months: Iterable[str]
) -> pd.DataFrame:
    """The period's assignments: each month's measures restricted to that month and the
    employees in scope (:func:`~.common.month_measures`), concatenated and sorted by nip
    then assignment_id (the order of the monthly frames, so a month's rows keep their
    order). ``period`` holds each row's own month."""
    parts = [month_measures(measures_by_month[m], emp, m)
             for m in months if m in measures_by_month]
    parts = [p for p in parts if len(p)]
    if not parts:
        return month_measures(_empty_measures(), emp, "")
    frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    return frame.sort_values(["nip", "assignment_id"], kind="mergesort").reset_index(drop=True)


def _empty_measures() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in MEASURE_COLUMNS})
    for c in ("weight", "ro", "to", "rk", "tk", "rb", "tb", "capaian", "pending_quantity"):
        frame[c] = frame[c].astype(float)
    for c in ("rw", "tw", "n_pending"):
        frame[c] = frame[c].astype("int64")
    for c in ("is_main", "innovation", "has_counted_entry", "rk_marked"):
        frame[c] = frame[c].astype(bool)
    return frame


def period_behaviour(behaviour: pd.DataFrame, months: Iterable[str]) -> pd.DataFrame:
    """The rating rows of the period's months (all rows when there is no ``period``
    column)."""
    if "period" not in behaviour.columns:
        return behaviour
    return behaviour.loc[behaviour["period"].astype(str).isin(list(months))]


def org_results_for(unit_results: pd.DataFrame | None, period: str | Period) -> dict[str, str]:
    """unit_code -> org_result of the rows given for exactly ``period`` (a quarter's result
    is not taken from its months, nor a month's from its year: §7); ``period`` text in the
    frame is compared in its canonical form (``2021-q2`` = ``2021-Q2``)."""
    if unit_results is None or not len(unit_results):
        return {}
    code = Period.parse(period).code
    u = unit_results
    if "period" in u.columns:
        canon = {v: _canonical(v) for v in u["period"].astype(str).unique()}
        u = u.loc[u["period"].astype(str).map(canon) == code]
    return {str(k): str(v) for k, v in zip(u["unit_code"], u["org_result"], strict=True)}


def _canonical(text: str) -> str | None:
    try:
        return Period.parse(text.strip()).code
    except ValueError:
        return None


# --------------------------------------------------------------------------- scoring
def score_period(
    period: str | Period,
    measures_by_month: Mapping[str, pd.DataFrame],
    behaviour: pd.DataFrame,
    employees: pd.DataFrame,
    scheme_cfg: SchemeConfig,
    *,
    unit_results: pd.DataFrame | None = None,
    use_360: bool = False,
    pending_at_closing: str = WITHHOLD,
    with_months: bool = True,
) -> PeriodScores:
    """Score ``period`` (any kind) for every active employee of ``employees``.

    * ``measures_by_month``: month (``YYYY-MM``) -> that month's measures frame
      (:func:`~.measures.finish_measures`/:func:`~.measures.compute_measures` with the
      month's own closing time, or :func:`measures_by_month`); a month of the period
      missing from it has no assignments; a key outside the period is a ValueError;
    * ``behaviour``: rating rows with a ``period`` column (rows of other months ignored);
    * ``employees``: as for the monthly ``score_period`` (nip, position_type, active,
      unit_code);
    * ``unit_results``: unit_code, period, org_result (only the rows of exactly this period
      count) for the curve;
    * ``with_months``: also score each month on its own (the annual card's table).

    For a one-month period the scores equal the monthly ``registry.score_period``.
    """
    p = Period.parse(period)
    check_months(p, measures_by_month)
    scheme = get_scheme(scheme_cfg.name)
    emp = employees_in_scope(employees)
    roles = scheme.counted_roles(use_360)
    scored = scheme.score_assignments(union_measures(measures_by_month, emp, p.months),
                                      scheme_cfg)
    if p.is_month:
        aspects = aspect_table(behaviour, emp, scheme.name, roles, p.code)
    else:
        aspects = aspect_table(period_behaviour(behaviour, p.months), emp, scheme.name, roles)
    scores = scheme.assemble_scores(scored, emp, aspects, scheme_cfg, use_360, p.code,
                                    pending_at_closing)
    monthly: dict[str, list[EmployeeScore]] = {}
    if with_months and not p.is_month:
        month_of = scored["period"].astype(str).to_numpy()
        for m in p.months:
            # the monthly rules on that month's rows of the union (already scored: the
            # scheme's assignment figures are row by row), its own ratings
            rows = scored.loc[month_of == m].reset_index(drop=True)
            monthly[m] = scheme.assemble_scores(
                rows, emp, aspect_table(behaviour, emp, scheme.name, roles, m), scheme_cfg,
                use_360, m, pending_at_closing)
    org = org_results_for(unit_results, p)
    breaches = (curve_breaches_for_scores(scores, org, scheme_cfg)
                if isinstance(scheme_cfg, Permenpan6Config) else [])
    return PeriodScores(period=p, scheme=scheme.name, scores=scores, monthly=monthly,
                        org_results=org, breaches=breaches)


def measures_by_month(
    assignments: pd.DataFrame,
    activities: pd.DataFrame,
    verifications: pd.DataFrame,
    period: str | Period,
    closing_utc: Mapping[str, dt.datetime] | None = None,
    capaian_cap: float = DEFAULT_CAPAIAN_CAP,
    *,
    closing_day: int | None = None,
    timezone: str | None = None,
) -> dict[str, pd.DataFrame]:
    """The pure path from raw rows: each month of ``period`` measured on its own by
    :func:`~.measures.compute_measures`, with its own last day and closing time
    (``closing_utc`` month -> naive UTC, default from ``closing_day``/``timezone`` or the
    defaults of :mod:`.closing`)."""
    p = Period.parse(period)
    if closing_utc is None:
        kwargs: dict[str, object] = {}
        if closing_day is not None:
            kwargs["closing_day"] = closing_day
        if timezone is not None:
            kwargs["timezone"] = timezone
        closing_utc = month_closing_times_utc(p, **kwargs)  # type: ignore[arg-type]
    return {m: compute_measures(assignments, activities, verifications, m, closing_utc[m],
                                capaian_cap)
            for m in p.months}


__all__ = [
    "MonthResult", "PeriodScores", "check_months", "measures_by_month", "months_of",
    "org_results_for", "period_behaviour", "score_period", "union_measures",
]
