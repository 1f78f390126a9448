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

import numpy as np
import pandas as pd

from ..params import Permenpan6Config, SchemeConfig
from ..periods import Period
from .closing import month_closing_times_utc
from .common import (
    PENDING_MODES,
    WITHHOLD,
    AspectTable,
    EmployeeScore,
    aspect_table,
    employees_in_scope,
    keterangan,
    month_measures,
    opt,
    pending_per_employee,
)
from .curve import CurveBreach, curve_breaches_for_scores
from .measures import DEFAULT_CAPAIAN_CAP, MEASURE_COLUMNS, compute_measures
from .rank import RankEntry, rank_within_units, unit_median
from .registry import Scheme, get_scheme


@dataclass(frozen=True, slots=True)
class MonthResult:
    """One month of an employee's period (a row of the annual card's month-by-month
    table), exactly as that month scores alone (the monthly rules, §5's withholding
    included): its figures, predikat, main figure and missing-data reasons in their order.
    """

    month: str
    nilai_skp: float | None
    nilai_perilaku: float | None
    nilai_akhir: float | None
    predikat: str | None
    main_figure: float | None
    keterangan: tuple[str, ...]
    n_assignments: int
    pending_entries: int

    @property
    def complete(self) -> bool:
        return not self.keterangan

    @classmethod
    def of(cls, month: str, s: EmployeeScore) -> MonthResult:
        """The row of a monthly :class:`EmployeeScore`."""
        return cls(month=month, nilai_skp=s.nilai_skp, nilai_perilaku=s.nilai_perilaku,
                   nilai_akhir=s.nilai_akhir, predikat=s.predikat, main_figure=s.main_figure,
                   keterangan=tuple(s.keterangan), n_assignments=len(s.assignments),
                   pending_entries=s.pending_entries)


@dataclass(frozen=True)
class PeriodScores:
    """The scores of one period for the employees in scope under one scheme.

    * ``scores``: one :class:`EmployeeScore` per active employee (sorted by nip) with the
      period's figures; ``period`` is the canonical code (``2021-Q2``) and ``assignments``
      every assignment of every month of the period;
    * ``months``: nip -> one :class:`MonthResult` per month of the period, in order (the
      annual card's table); for a one-month period, the row of ``scores``; empty when not
      asked for (``with_months=False``);
    * ``org_results``: unit_code -> organisational result given for exactly this period
      (domain.md §7; a unit absent from it gets the scheme's default, Baik);
    * ``breaches``: the distribution-curve breaches (permenpan-6-2022; empty otherwise).
    """

    period: Period
    scheme: str
    scores: list[EmployeeScore]
    months: dict[str, list[MonthResult]] = field(default_factory=dict)
    org_results: dict[str, str] = field(default_factory=dict)
    breaches: list[CurveBreach] = field(default_factory=list)

    @property
    def by_nip(self) -> dict[str, EmployeeScore]:
        return {s.nip: s for s in self.scores}

    def month_results(self, nip: str) -> list[MonthResult]:
        """The month-by-month rows of one employee, in month order."""
        return self.months.get(nip, [])

    def ranks(self) -> dict[str | None, list[RankEntry]]:
        """Ranking within each unit by the period's rounded main figure (§2, §7)."""
        return rank_within_units((s.unit_code, s.nip, s.main_figure) for s in self.scores)

    def unit_medians(self) -> dict[str | None, float | None]:
        """Each unit's median of the period's main figure (unrounded)."""
        units: dict[str | None, list[float | None]] = {}
        for s in self.scores:
            units.setdefault(s.unit_code, []).append(s.main_figure)
        return {u: unit_median(f) for u, f in units.items()}


def month_results(
    scheme: Scheme,
    month: str,
    scored: pd.DataFrame,
    emp: pd.DataFrame,
    aspects: AspectTable,
    cfg: SchemeConfig,
    use_360: bool = False,
    pending_at_closing: str = WITHHOLD,
) -> list[MonthResult]:
    """One :class:`MonthResult` per employee of ``emp`` (in its order) for one month, from
    that month's scored assignments and aspect table: the figures of
    :func:`~.common.assemble` without building the full records (no assignment or aspect
    records), so a year's twelve months cost little."""
    if pending_at_closing not in PENDING_MODES:
        raise ValueError(f"pending_at_closing must be one of {PENDING_MODES}, "
                         f"not {pending_at_closing!r}")
    idx = emp.index
    pe = scheme.employee_figures(scored, emp, aspects, cfg, use_360).reindex(idx)
    n_pending, _ = pending_per_employee(scored, idx)
    withheld = ((n_pending > 0) & (pending_at_closing == WITHHOLD)).tolist()
    n_asg = scored.groupby(scored["nip"].astype(str)).size().reindex(idx, fill_value=0)
    rated = aspects.all_rated.to_numpy().tolist()
    cols = {f: pe[f].tolist() for f in ("nilai_skp", "nilai_perilaku", "nilai_akhir",
                                        "predikat", "main_figure")}
    out: list[MonthResult] = []
    for i, (n, pending) in enumerate(zip(n_asg.tolist(), n_pending.tolist(), strict=True)):
        w = withheld[i]
        pred = cols["predikat"][i]
        out.append(MonthResult(
            month=month,
            nilai_skp=None if w else opt(cols["nilai_skp"][i]),
            nilai_perilaku=opt(cols["nilai_perilaku"][i]),
            nilai_akhir=None if w else opt(cols["nilai_akhir"][i]),
            predikat=None if w or not isinstance(pred, str) else pred,
            main_figure=None if w else opt(cols["main_figure"][i]),
            keterangan=tuple(keterangan(n > 0, bool(rated[i]), w)),
            n_assignments=int(n),
            pending_entries=int(pending),
        ))
    return out


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
    order). ``period`` holds each row's own month.

    The months are put together first, then restricted and sorted once: the same rows in
    the same order as month by month (the sort is stable)."""
    parts = []
    for m in months:
        frame = measures_by_month.get(m)
        if frame is None or not len(frame):
            continue
        if "period" in frame.columns:
            mine = (frame["period"].astype(str) == m).to_numpy()
            if not mine.all():
                frame = frame.loc[mine]
        if len(frame):
            parts.append(frame)
    if not parts:
        return month_measures(_empty_measures(), emp, "")
    if any(list(p.columns) != list(parts[0].columns) for p in parts[1:]):
        m = pd.concat(parts, ignore_index=True)  # uneven months: aligned by pandas
        m = m.loc[m["nip"].astype(str).isin(emp.index).to_numpy()].copy()
        m["nip"] = m["nip"].astype(str)
        m["assignment_id"] = m["assignment_id"].astype(str)
        return m.sort_values(["nip", "assignment_id"], kind="mergesort").reset_index(drop=True)
    # Column by column: the sort order from the two keys, then each column joined and put
    # in that order alone (a year's union is never held twice, beside the months' frames).
    nip = pd.concat([p["nip"].astype(str) for p in parts], ignore_index=True)
    aid = pd.concat([p["assignment_id"].astype(str) for p in parts], ignore_index=True)
    keys = pd.DataFrame({"nip": nip, "assignment_id": aid})
    keep = nip.isin(emp.index).to_numpy()
    if not keep.all():
        keys = keys.loc[keep]
    order = keys.sort_values(["nip", "assignment_id"], kind="mergesort").index.to_numpy()
    out: dict[str, pd.Series] = {}
    for col in parts[0].columns:
        joined = nip if col == "nip" else aid if col == "assignment_id" else \
            pd.concat([p[col] for p in parts], ignore_index=True)
        out[col] = joined.take(order).reset_index(drop=True)
    union = pd.DataFrame(out, copy=False)
    union.columns.name = parts[0].columns.name
    return union


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
    period = behaviour["period"]
    if not isinstance(period.dtype, pd.CategoricalDtype):
        period = period.astype(str)
    keep = period.isin(list(months)).to_numpy()
    return behaviour if keep.all() else behaviour.loc[keep]


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
_NONE = np.array([], dtype="int64")


def _positions_by_month(frame: pd.DataFrame) -> dict[str, np.ndarray | slice] | None:
    """Month -> the (ascending) row positions of ``frame`` in that month: a slice when the
    month's rows are one run (a period's rating rows are read month by month), else an
    array (``None`` without a ``period`` column)."""
    if "period" not in frame.columns:
        return None
    column = frame["period"]
    categorical = isinstance(column.dtype, pd.CategoricalDtype)
    values = column.cat.codes.to_numpy() if categorical else column.to_numpy(dtype=object)
    if len(values) and (bool((values >= 0).all()) if categorical
                        else not pd.isna(values).any()):
        starts = np.concatenate(([0], np.flatnonzero(values[1:] != values[:-1]) + 1))
        firsts = [str(v) for v in (column.cat.categories[values[starts]] if categorical
                                   else values[starts])]
        if len(set(firsts)) == len(firsts):  # each month one run: no sort, no copy
            ends = [*starts[1:].tolist(), len(values)]
            return {m: slice(int(a), int(e))
                    for m, a, e in zip(firsts, starts.tolist(), ends, strict=True)}
    codes, months = pd.factorize(frame["period"].astype(str), sort=False)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(months) + 1))
    return {str(m): order[bounds[i]:bounds[i + 1]] for i, m in enumerate(months)}


def _rows(frame: pd.DataFrame, where: np.ndarray | slice) -> pd.DataFrame:
    return frame.iloc[where] if isinstance(where, slice) else frame.take(where)


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
    * ``with_months``: also each month's own result (the annual card's table,
      :class:`MonthResult` per employee and month).

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
    # a longer period's assignment records are built when read (a card, --assignments-out)
    scores = scheme.assemble_scores(scored, emp, aspects, scheme_cfg, use_360, p.code,
                                    pending_at_closing, lazy_assignments=not p.is_month)
    months: dict[str, list[MonthResult]] = {}
    if with_months and p.is_month:
        months = {s.nip: [MonthResult.of(p.code, s)] for s in scores}
    elif with_months:
        months = {nip: [] for nip in emp.index}
        # each month's rows of the union (already scored: the scheme's assignment figures
        # are row by row) and its own ratings, split once; in nip order within a month
        rows_of = _positions_by_month(scored) or {}
        ratings_of = _positions_by_month(behaviour)
        for m in p.months:
            rows = _rows(scored, rows_of.get(m, _NONE)).reset_index(drop=True)
            ratings = _rows(behaviour, ratings_of.get(m, _NONE)) if ratings_of is not None \
                else behaviour
            table = aspect_table(ratings, emp, scheme.name, roles, m)
            for nip, row in zip(emp.index, month_results(
                    scheme, m, rows, emp, table, scheme_cfg, use_360, pending_at_closing),
                    strict=True):
                months[nip].append(row)
    org = org_results_for(unit_results, p)
    breaches = (curve_breaches_for_scores(scores, org, scheme_cfg)
                if isinstance(scheme_cfg, Permenpan6Config) else [])
    return PeriodScores(period=p, scheme=scheme.name, scores=scores, months=months,
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
    "MonthResult", "PeriodScores", "check_months", "measures_by_month", "month_results",
    "months_of",
    "org_results_for", "period_behaviour", "score_period", "union_measures",
]
