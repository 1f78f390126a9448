"""The explorer's data: a period's scores and recap computed once, then sliced per selection.

:class:`ExplorerData` holds one database engine and a small cache of :class:`PeriodData`
keyed by ``(period, scheme, use_360)``. The first selection of a period scores everyone
(:func:`~eperformance.scores.compute_scores`) and builds every recap frame
(:func:`~eperformance.unit_recap.recap_tables`); every later selection — a unit, a filter, an
employee — only slices those frames (:func:`select`), which is what keeps the explorer
responsive. The unit-level views are per unit as the regulation checks them (each unit on
its own employees), so slicing the whole organisation's frames by a unit's sub-tree gives
exactly the figures a run scoped to that unit gives.

The period selector offers the months with data and the quarters, semesters and years
that hold them (:func:`period_choices`, domain.md §7): a longer period is scored by
:func:`~eperformance.scores.compute_period_scores` (through
:func:`~eperformance.unit_recap.score_run`) and every recap view shows the period's figures,
ranks and curve, and the allowance, monthly, is not computed.

An employee's card is the card the batch renders: the same
:func:`~eperformance.card.card_from_context` on a :class:`~eperformance.card.CardsContext`
of the cached run (:meth:`ExplorerData.card`). For a month, the context of the run with
the employee's own rekap and six-month trend; for a quarter, a semester or a year, the
*Dokumen Evaluasi Kinerja*: the context the batch builds for a longer period
(:func:`~eperformance.card.context.context_from_period_run`: the period's ranks and
medians, the people, the angka kredit), made once per cached period.
:meth:`ExplorerData.period_rows` gives the same month-by-month figures as a frame.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select, union

from ..activity_rekap import compute_rekap
from ..card import CardRecord, CardsContext, card_from_context, context_from_run
from ..card.context import context_from_period_run
from ..db import queries as q
from ..db import schema as s
from ..db.engine import open_engine, require_current
from ..errors import EperfError
from ..home import resolve_db_url
from ..i18n import t
from ..periods import Period
from ..scores import PeriodRun, ScoreRequest, ScoreRun
from ..scoring.registry import SCHEME_REGISTRY
from ..tukin import TukinRequest, TukinRun, compute_tukin, fmt_percent
from ..tukin.amount import round_half_up
from ..tukin.card import card_summaries
from ..unit_recap import (
    NO_PREDIKAT,
    AnyRun,
    RecapTables,
    predikat_labels,
    recap_tables,
    score_run,
    scores_with_units,
)
from ..unit_recap import trend as trend_frame

ALL = ""  # the "whole organisation" value of the unit selector and the filters
TREND_MONTHS = 6
CACHE_SIZE = 4  # periods kept (each holds the whole organisation's frames)

EMPLOYEE_COLUMNS = ("nip", "name", "unit_code", "unit_name", "position", "position_type",
                    "grade", "supervisor_nip", "nilai_skp", "nilai_perilaku", "nilai_akhir",
                    "main_figure", "predikat", "keterangan")


@dataclass(frozen=True)
class PeriodKey:
    """What a period's scores depend on (the cache key)."""

    period: str
    scheme: str = "permenpan-6-2022"
    use_360: bool = False


@dataclass(frozen=True)
class Filters:
    """The explorer's employee filters; ``ALL`` (empty) means no filter."""

    unit: str = ALL
    search: str = ""
    position_type: str = ALL
    grade: str = ALL
    predikat: str = ALL  # a predikat label, or ``NO_PREDIKAT``


@dataclass
class PeriodData:
    """One period scored for the whole organisation, with every recap frame."""

    key: PeriodKey
    run: AnyRun  # a month's ScoreRun, or a quarter's, semester's or year's PeriodRun
    tables: RecapTables
    employees: pd.DataFrame  # EMPLOYEE_COLUMNS, one row per active employee, sorted by name
    labels: tuple[str, ...]  # the scheme's predikat labels, best first
    seconds: float  # how long the cold computation took
    _card_base: CardsContext | None = field(default=None, repr=False)
    # the month's allowance per employee (TUKIN_COLUMNS of tukin_employee_frame), or the
    # one-line reason it cannot be computed (an invalid profile, an unpriced status)
    tukin: pd.DataFrame | None = None
    tukin_error: str | None = None

    @property
    def provisional(self) -> bool:
        return self.run.provisional


@dataclass(frozen=True)
class Selection:
    """The frames of one selection (a unit with its sub-units, and the filters)."""

    units: pd.DataFrame  # unit recap rows of the sub-tree, with a ``breaches`` count
    breaches: pd.DataFrame
    supervisors: pd.DataFrame  # verification backlog of the scope's supervisors, with the
    # direct reports whose hasil kerja it withholds (withheld_reports)
    missing: pd.DataFrame  # employees without a predikat (filters applied)
    employees: pd.DataFrame  # employees in scope matching the filters
    own_counts: dict[str, int]  # predikat -> count among the unit's own employees
    own_unit: str | None  # the unit whose own employees own_counts counts (None: scope)
    org_result: str | None  # that unit's organisational result (permenpan-6-2022)
    tukin_units: pd.DataFrame | None = None  # per unit of the sub-tree: the allowance's totals
    tukin_largest: pd.DataFrame | None = None  # the largest deductions (filters applied)
    tukin_missing: pd.DataFrame | None = None  # without a class or attendance (filters applied)


class ExplorerData:
    """The database, the unit tree and a cache of scored periods.

    ``db_url``: a SQLAlchemy URL (default: ``DATABASE_URL``, the home's ``.env``, then the
    default SQLite file). ``now``: the clock of the computations (default: the current
    time)."""

    def __init__(self, db_url: str | None = None, *, engine: Engine | None = None,
                 home: Path | None = None, now: dt.datetime | None = None,
                 cache_size: int = CACHE_SIZE) -> None:
        self.engine = engine if engine is not None else open_engine(resolve_db_url(db_url))
        self.home = home
        self.now = now
        self.cache_size = cache_size
        self._cache: OrderedDict[PeriodKey, PeriodData] = OrderedDict()
        self._lock = threading.RLock()
        require_current(self.engine)
        with self.engine.connect() as conn:
            self.units = q.load_units(conn)
            self.tree = q.unit_tree(conn)
            self.months = _periods(conn)
        # the months newest first, then the longer periods that hold them (domain.md §7)
        self.periods = period_choices(self.months)
        self.unit_names: dict[str, str] = dict(zip(self.units["unit_code"],
                                                   self.units["name"], strict=True))
        self._subtrees: dict[str, tuple[str, ...]] = {}

    # ------------------------------------------------------------------ facts
    @staticmethod
    def schemes() -> tuple[str, ...]:
        return tuple(SCHEME_REGISTRY)

    def subtree(self, unit: str) -> tuple[str, ...]:
        """``unit`` and every unit below it."""
        if unit not in self._subtrees:
            self._subtrees[unit] = q.descendants(self.tree, unit)
        return self._subtrees[unit]

    def unit_options(self, lang: str = "id") -> list[tuple[str, str]]:
        """(label, code) pairs in tree order, indented by depth; the whole organisation
        first (code ``ALL``, labelled in ``lang``)."""
        from ..i18n import t

        children: dict[str | None, list[str]] = {}
        for code, parent in self.tree.items():
            children.setdefault(parent if parent in self.tree else None, []).append(code)
        out: list[tuple[str, str]] = [(t("x_all_units", lang), ALL)]

        def walk(code: str, depth: int) -> None:
            out.append((f"{'· ' * depth}{code} — {self.unit_names.get(code, '')}", code))
            for child in sorted(children.get(code, ())):
                walk(child, depth + 1)

        for root in sorted(children.get(None, ())):
            walk(root, 0)
        return out

    # ------------------------------------------------------------------ the cache
    def cached(self, key: PeriodKey) -> bool:
        return key in self._cache

    def period(self, key: PeriodKey) -> PeriodData:
        """The period's data, computed on first use (seconds for a large organisation),
        then served from the cache."""
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
            data = self._compute(key)
            self._cache[key] = data
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
            return data

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def _compute(self, key: PeriodKey) -> PeriodData:
        import time

        started = time.perf_counter()
        run = score_run(self.engine, ScoreRequest(period=key.period, scheme=key.scheme,
                                                  use_360=key.use_360),
                        home=self.home, now=self.now)
        tables = recap_tables(run, self.engine)
        employees = employee_frame(run, self.unit_names)
        tukin, tukin_error = None, None
        if isinstance(run, ScoreRun):
            try:
                tukin = tukin_employee_frame(compute_tukin(
                    self.engine, TukinRequest(period=key.period, scheme=key.scheme,
                                              use_360=key.use_360),
                    home=self.home, now=self.now, scores=run))
            except EperfError as exc:  # the scores are still worth showing
                tukin_error = exc.message
        else:  # the allowance is monthly (eperf tukin refuses a longer period too)
            tukin_error = t("x_tukin_monthly", "id")
        return PeriodData(key=key, run=run, tables=tables, employees=employees,
                          labels=predikat_labels(key.scheme),
                          seconds=time.perf_counter() - started, tukin=tukin,
                          tukin_error=tukin_error)

    # ------------------------------------------------------------------ selections
    def select(self, key: PeriodKey, filters: Filters) -> Selection:
        """Slice the period's frames for ``filters`` (no database access once cached)."""
        data = self.period(key)
        units = self.subtree(filters.unit) if filters.unit else None
        return select_frames(data, units, filters, own_unit=filters.unit or None)

    # ------------------------------------------------------------------ cards
    def period_rows(self, key: PeriodKey, nip: str) -> pd.DataFrame:
        """A longer period's figures of ``nip``: one row per month (as that month scores
        alone) then the period's own row (:data:`PERIOD_ROW_COLUMNS`). A month's key gives
        its one row. Unknown NIP: no rows."""
        return period_rows(self.period(key).run, nip)

    def card(self, key: PeriodKey, nip: str, lang: str = "id", run_id: str = "") -> CardRecord:
        """``nip``'s card exactly as the batch renders it.

        A month: the cached run, the card context's people, assignment titles and ranks,
        and the employee's own rekap and trend (a main figure does not depend on the
        scope, so the trend is scored on the employee alone, as
        :func:`~eperformance.card.build_card` does). A quarter, a semester or a year: the
        *Dokumen Evaluasi Kinerja* from the cached :class:`~eperformance.scores.PeriodRun`
        and the context the batch builds for it (made on the first card of the period,
        then reused: a card is only its assembly)."""
        data = self.period(key)
        if isinstance(data.run, PeriodRun):
            with self._lock:
                base = data._card_base
                if base is None:
                    base = context_from_period_run(self.engine, data.run)
                    data._card_base = base
            return card_from_context(base, nip, lang, run_id, now=self.now)
        with self._lock:
            base = data._card_base
            if base is None:
                base = context_from_run(self.engine, data.run, [nip], self.home, TREND_MONTHS)
                data._card_base = base
        if nip not in base.rekap.employees["nip"].values:
            rekap = compute_rekap(self.engine, key.period, [nip], data.run.settings)
            request = dataclasses.replace(data.run.request, unit=None, nip=nip)
            trend = trend_frame(self.engine, request, TREND_MONTHS, self.home,
                                current=data.run)
            ctx = dataclasses.replace(base, rekap=rekap, trend=trend)
        else:
            ctx = base
        if nip not in ctx.tukin and ctx.tukin_run is not None:  # the base was cut for
            ctx = dataclasses.replace(ctx, tukin={**ctx.tukin, **card_summaries(  # another
                ctx.tukin_run, [nip])})
        return card_from_context(ctx, nip, lang, run_id, now=self.now)


def _periods(conn: object) -> list[str]:
    """Every period with an assignment or a behaviour rating, newest first."""
    stmt = union(select(s.assignments.c.period), select(s.behaviour.c.period))
    rows = conn.execute(stmt).all()  # type: ignore[attr-defined]
    return sorted({str(r[0]) for r in rows if r[0]}, reverse=True)


def period_choices(months: Iterable[str]) -> list[str]:
    """The period selector's choices: the months (``YYYY-MM``) newest first, then, year by
    year (newest first), the quarters (newest first), the semesters and the year that hold
    at least one of those months."""
    found = sorted({Period.parse(m) for m in months if _is_month(m)}, reverse=True)
    longer: list[str] = []
    for year in sorted({p.year for p in found}, reverse=True):
        held = {p.number for p in found if p.year == year}
        for kind, count in (("quarter", 4), ("semester", 2), ("year", 1)):
            for n in range(count, 0, -1):
                period = Period(year, kind, n)  # type: ignore[arg-type]
                if held & set(period.month_numbers):
                    longer.append(period.code)
    return [p.code for p in found] + longer


def _is_month(text: str) -> bool:
    try:
        return Period.parse(text).is_month
    except ValueError:
        return False


PERIOD_ROW_COLUMNS = ("period", "nilai_skp", "nilai_perilaku", "nilai_akhir", "main_figure",
                      "predikat", "keterangan")


def period_rows(run: AnyRun, nip: str) -> pd.DataFrame:
    """``nip``'s month-by-month rows then the period's row (:data:`PERIOD_ROW_COLUMNS`)."""
    score = next((s for s in run.scores if s.nip == nip), None)
    if score is None:
        return pd.DataFrame(columns=list(PERIOD_ROW_COLUMNS))
    rows = []
    if isinstance(run, PeriodRun) and not run.period.is_month:
        rows = [{"period": r.month, "nilai_skp": r.nilai_skp, "nilai_perilaku": r.nilai_perilaku,
                 "nilai_akhir": r.nilai_akhir, "main_figure": r.main_figure,
                 "predikat": r.predikat, "keterangan": ";".join(r.keterangan)}
                for r in run.result.month_results(nip)]
    rows.append({"period": score.period, "nilai_skp": score.nilai_skp,
                 "nilai_perilaku": score.nilai_perilaku, "nilai_akhir": score.nilai_akhir,
                 "main_figure": score.main_figure, "predikat": score.predikat,
                 "keterangan": ";".join(score.keterangan)})
    return pd.DataFrame(rows, columns=list(PERIOD_ROW_COLUMNS))


def employee_frame(run: AnyRun, unit_names: dict[str, str]) -> pd.DataFrame:
    """One row per active employee: who they are and their scores (sorted by name)."""
    scores = scores_with_units(run).drop(columns=["unit_code", "supervisor_nip"],
                                         errors="ignore")
    people = run.employees[["nip", "name", "unit_code", "position", "position_type", "grade",
                            "supervisor_nip"]]
    frame = people.merge(scores, on="nip", how="left")
    frame["unit_name"] = frame["unit_code"].map(unit_names)
    frame["_search"] = (frame["name"].astype(str) + " " + frame["nip"].astype(str)).str.lower()
    frame = frame.sort_values(["name", "nip"], kind="stable").reset_index(drop=True)
    return frame[[*EMPLOYEE_COLUMNS, "_search"]]


def filter_employees(frame: pd.DataFrame, units: Iterable[str] | None,
                     filters: Filters) -> pd.DataFrame:
    """The rows of ``frame`` in ``units`` (``None``: all) matching the filters."""
    mask = pd.Series(True, index=frame.index)
    if units is not None:
        mask &= frame["unit_code"].isin(tuple(units))
    if filters.position_type:
        mask &= frame["position_type"] == filters.position_type
    if filters.grade:
        mask &= frame["grade"] == filters.grade
    if filters.predikat == NO_PREDIKAT:
        mask &= frame["predikat"].isna()
    elif filters.predikat:
        mask &= frame["predikat"] == filters.predikat
    needle = " ".join(filters.search.lower().split())
    if needle:
        digits = needle.replace(" ", "")
        by_text = frame["_search"].str.contains(needle, regex=False)
        by_nip = frame["nip"].str.contains(digits, regex=False) if digits.isdigit() \
            else by_text
        mask &= by_text | by_nip
    return frame[mask]


def select_frames(data: PeriodData, units: tuple[str, ...] | None, filters: Filters,
                  own_unit: str | None) -> Selection:
    """The frames of one selection (see :class:`Selection`)."""
    t = data.tables
    in_units = (lambda f: f[f["unit_code"].isin(units)]) if units is not None \
        else (lambda f: f)
    breaches = in_units(t.breaches).reset_index(drop=True)
    recap = in_units(t.units).copy()
    recap["breaches"] = recap["unit_code"].map(breaches["unit_code"].value_counts()) \
        .fillna(0).astype(int)
    scope = filter_employees(data.employees, units, Filters())
    supervised = set(scope["supervisor_nip"].dropna())
    if units is not None:
        supervisors = t.supervisors[t.supervisors["supervisor_nip"].isin(supervised)]
    else:
        supervisors = t.supervisors
    names = data.employees.set_index("nip")["name"]
    supervisors = supervisors.assign(name=supervisors["supervisor_nip"].map(names))
    supervisors = supervisors.sort_values(["pending_backlog", "supervisor_nip"],
                                          ascending=[False, True]).reset_index(drop=True)
    employees = filter_employees(data.employees, units, filters)
    missing = employees[employees["predikat"].isna()][
        ["nip", "name", "unit_code", "keterangan", "supervisor_nip"]].reset_index(drop=True)
    own = scope[scope["unit_code"] == own_unit] if own_unit else scope
    counts = own["predikat"].value_counts()
    own_counts = {label: int(counts.get(label, 0)) for label in data.labels}
    org_result = None
    if own_unit and data.key.scheme == "permenpan-6-2022":
        res = data.run.unit_results
        found = [str(v) for v in res.loc[res["unit_code"] == own_unit, "org_result"]] \
            if len(res) else []
        org_result = found[0] if found else \
            str(getattr(data.run.scheme_cfg, "default_org_result", "baik"))
    tukin_units = tukin_largest = tukin_missing = None
    if data.tukin is not None:
        people = data.employees.set_index("nip")
        tk = data.tukin.assign(name=data.tukin["nip"].map(people["name"]),
                               unit_code=data.tukin["nip"].map(people["unit_code"]))
        in_scope = tk[tk["nip"].isin(scope["nip"])]
        tukin_units = tukin_unit_totals(in_scope, recap)
        chosen = tk[tk["nip"].isin(employees["nip"])]
        tukin_largest = (chosen[chosen["deduction_percent"].fillna(0) > 0]
                         .sort_values(["deduction_percent", "nip"], ascending=[False, True])
                         .head(TUKIN_LARGEST).reset_index(drop=True))
        reasons = chosen["keterangan"].fillna("")
        tukin_missing = chosen[reasons.str.contains("kelas jabatan tidak ada")
                               | reasons.str.contains("presensi tidak ada")
                               ].reset_index(drop=True)
    return Selection(units=recap.reset_index(drop=True), breaches=breaches,
                     supervisors=supervisors, missing=missing,
                     employees=employees.reset_index(drop=True), own_counts=own_counts,
                     own_unit=own_unit, org_result=org_result, tukin_units=tukin_units,
                     tukin_largest=tukin_largest, tukin_missing=tukin_missing)


TUKIN_LARGEST = 20  # employees listed under the largest deductions


def tukin_employee_frame(run: TukinRun) -> pd.DataFrame:
    """``nip, job_class, employment, base, kinerja_percent, deduction_percent, tukin,
    keterangan`` per active employee (numbers as numbers, rounded as written)."""
    frame = pd.DataFrame(
        [(r.nip, r.job_class, r.employment,
          None if r.base is None else round_half_up(r.base),
          None if r.kinerja_percent is None else float(fmt_percent(r.kinerja_percent)),
          None if r.deduction_percent is None else float(fmt_percent(r.deduction_percent)),
          r.tukin, ";".join(r.keterangan)) for r in run.rows],
        columns=["nip", "job_class", "employment", "base", "kinerja_percent",
                 "deduction_percent", "tukin", "keterangan"])
    for col in ("job_class", "base", "tukin"):  # whole numbers, blank when missing
        frame[col] = frame[col].astype("Int64")
    return frame


def tukin_unit_totals(tukin: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Per unit (each unit's own employees): employees, paid, the payroll total, the mean
    deduction and how many have no class or no attendance."""
    reasons = tukin["keterangan"].fillna("")
    frame = tukin.assign(
        paid=tukin["tukin"].notna(),
        no_class=reasons.str.contains("kelas jabatan tidak ada"),
        no_attendance=reasons.str.contains("presensi tidak ada"))
    out = (frame.groupby("unit_code", sort=True)
           .agg(employees=("nip", "size"), paid=("paid", "sum"),
                total=("tukin", lambda s: int(s.dropna().sum())),
                mean_deduction=("deduction_percent", "mean"),
                no_class=("no_class", "sum"), no_attendance=("no_attendance", "sum"))
           .reset_index())
    names = dict(zip(units["unit_code"], units["unit_name"], strict=True)) \
        if "unit_name" in units.columns else {}
    out.insert(1, "unit_name", out["unit_code"].map(names))
    return out
