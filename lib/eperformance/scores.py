"""One call from the database to a month's scores: the recipe every front end uses.

``compute_scores`` resolves the scope, loads the period's frames (entries aggregated in
SQL), finishes the measures, scores them under the chosen scheme and returns a
:class:`ScoreRun` with everything needed to write ``eperf score`` outputs, the recap and
the cards. It never writes files.

``compute_period_scores`` does the same for any period (a month, quarter, semester or
year: domain.md §7) and returns a :class:`PeriodRun`: each month measured once with its
own closing time, the period scored over the union, each month's own result beside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from . import __version__
from .db import month_cache
from .db import queries as q
from .db.engine import require_current
from .errors import NoDataError
from .framecodec import CodedFrame, code_frame, join_coded
from .home import clock_now
from .params import SchemeConfig, Settings, load_scheme, load_settings
from .periods import Period
from .scoring import measures as m
from .scoring.closing import (
    closing_time,
    closing_time_utc,
    is_closed,
    month_closing_times_utc,
    parse_period,
    period_closing_time,
    period_first_day,
    period_is_closed,
    period_last_day,
)
from .scoring.common import EmployeeScore, assignments_frame, scores_frame
from .scoring.credits import credits_out
from .scoring.period import PeriodScores
from .scoring.period import score_period as score_any_period
from .scoring.registry import get_scheme


@dataclass(frozen=True)
class ScoreRequest:
    """What to score. ``unit``: a unit code (with its sub-units); ``nip``: one employee."""

    period: str
    scheme: str = "permenpan-6-2022"
    unit: str | None = None
    nip: str | None = None
    use_360: bool = False
    # closed months from the cache (db/month_cache.py) when settings allow; False: read
    # every month afresh (``eperf score --no-cache``)
    use_cache: bool = True


@dataclass
class ScoreRun:
    """The scores of one period and scope, with the provenance written beside them."""

    request: ScoreRequest
    scope: q.Scope
    scheme_cfg: SchemeConfig
    settings: Settings
    closing_time: dt.datetime  # aware, settings' time zone
    provisional: bool
    computed_at: dt.datetime  # aware UTC
    employees: pd.DataFrame  # active employees in scope
    measures: pd.DataFrame
    behaviour: pd.DataFrame
    unit_results: pd.DataFrame
    scores: list[EmployeeScore]
    data_fingerprint: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def scores_frame(self) -> pd.DataFrame:
        return scores_frame(self.scores)

    @property
    def assignments_frame(self) -> pd.DataFrame:
        return assignments_frame(self.scores)

    def meta(self) -> dict[str, Any]:
        """The ``<out>.meta.json`` sidecar content."""
        return {
            "period": self.request.period,
            "scope": self.scope.label if self.scope.kind != "nip" else self.scope.nip,
            "scheme": self.scheme_cfg.name,
            "scheme_version": self.scheme_cfg.version,
            "scheme_settings": self.scheme_cfg.model_dump(mode="json"),
            "settings": self.settings.model_dump(mode="json"),
            "use_360": self.request.use_360,
            "closing_time": self.closing_time.isoformat(),
            "provisional": self.provisional,
            "data_fingerprint": self.data_fingerprint,
            "computed_at": self.computed_at.isoformat(timespec="seconds"),
            "package_version": __version__,
            "employees": len(self.scores),
        }


def _column_bytes(values: pd.Series) -> bytes:
    """A column's values as bytes: numbers as their little-endian 8-byte binary (missing
    ones one NaN), any other value as ``str`` (a missing one empty) joined by the unit
    separator, UTF-8: the same bytes for the same values whatever the engine handed over
    (``str`` or a string dtype, ``date`` objects, ``float`` or ``numpy.float64``)."""
    kind = values.dtype.kind
    if kind == "f":
        arr = values.to_numpy(dtype="<f8")
        return b"f" + np.where(np.isnan(arr), np.nan, arr).astype("<f8").tobytes()
    if kind in "iub":
        return kind.encode() + values.to_numpy().astype("<i8").tobytes()
    return _column_text(values).encode("utf-8", "surrogatepass")


def _column_text(values: pd.Series) -> str:
    """The values of a column of text, dates or mixed objects, joined (see above)."""
    if isinstance(values.dtype, pd.StringDtype):
        return "\x1f".join(values.to_numpy(dtype=object, na_value=""))
    obj = values.to_numpy(dtype=object)
    try:
        return "\x1f".join(obj)  # all str: the common case, at C speed
    except TypeError:
        return "\x1f".join(["" if v is None or v is pd.NA or (type(v) is float and v != v)
                             else v if type(v) is str else str(v) for v in obj])


def frame_digest(*frames: pd.DataFrame) -> str:
    """SHA-256 of the frames' content: per frame its column names, its row count, then
    each column's values (:func:`_column_bytes`), in order.

    Column by column (never a CSV line per row): a year's million rating rows are hashed in
    a fraction of a second, and nothing the size of the frame is held as text at once
    beyond one column."""
    h = hashlib.sha256()
    for frame in frames:
        h.update("\x1f".join(map(str, frame.columns)).encode())
        h.update(f"\x1d{len(frame)}\x1d".encode())
        for name in frame.columns:
            h.update(_column_bytes(frame[name]))
            h.update(b"\x1d")
        h.update(b"\x1e")
    return h.hexdigest()


def compute_scores(
    engine: Engine,
    request: ScoreRequest,
    *,
    home: Path | None = None,
    now: dt.datetime | None = None,
) -> ScoreRun:
    """Score ``request.period`` for its scope; raises our own errors for user mistakes."""
    parse_period(request.period)
    scheme = get_scheme(request.scheme)
    scheme_cfg = load_scheme(scheme.name, home)
    settings = load_settings(home)
    now = now or clock_now()
    first, last = period_first_day(request.period), period_last_day(request.period)
    closing_utc = closing_time_utc(request.period, settings.closing_day, settings.timezone)
    require_current(engine)
    keep = (request.use_cache and settings.month_cache and not request.unit
            and not request.nip
            and is_closed(request.period, now, settings.closing_day, settings.timezone))
    # read before the frames (see _read_months)
    version = month_cache.current_version(engine, request.period) if keep else -1
    with engine.connect() as conn:
        scope = q.resolve_scope(conn, request.unit, request.nip)
        keep = keep and scope.kind == "all" and version >= 0
        if not q.period_has_data(conn, request.period, scope, first, last):
            raise NoDataError(
                f"no data for {request.period}: nobody in scope has an assignment, "
                "an entry or a rating in that month",
                hint="check the period, or import that month's files first",
            )
        employees = q.load_employees(conn, scope, active_only=True)
        assignments = q.load_assignments(conn, request.period, scope)
        behaviour = q.load_behaviour(conn, request.period, scope)
        aggregates = q.entry_aggregates(conn, request.period, scope, closing_utc, last)
        unit_results = q.load_unit_results(conn, request.period)
    measures = m.finish_measures(assignments, aggregates, request.period,
                                 scheme_cfg.capaian_cap)
    scores = scheme.score_period(measures, employees, behaviour, scheme_cfg,
                                 request.use_360, request.period, settings.pending_at_closing)
    fingerprint = frame_digest(employees, assignments, aggregates, behaviour, unit_results)
    if keep:  # the month as a longer period will read it: computed once, reused
        frames = {"assignments": assignments, "aggregates": aggregates,
                  "behaviour": behaviour}
        month_cache.store(engine, request.period, version, closing_utc, frames,
                          _month_digest(frames))
    return ScoreRun(
        request=request,
        scope=scope,
        scheme_cfg=scheme_cfg,
        settings=settings,
        closing_time=closing_time(request.period, settings.closing_day, settings.timezone),
        provisional=not is_closed(request.period, now, settings.closing_day, settings.timezone),
        computed_at=now.astimezone(dt.UTC),
        employees=employees,
        measures=measures,
        behaviour=behaviour,
        unit_results=unit_results,
        scores=scores,
        data_fingerprint=fingerprint,
    )


# --------------------------------------------------------------------------- any period (§7)
@dataclass
class PeriodRun:
    """The scores of one period of any kind (domain.md §7) and scope, with provenance.

    ``result`` holds the period's scores, each month's own scores, the unit results of
    exactly that period and the curve breaches; ``measures_by_month`` every month's
    measures frame (computed once). ``closing_time`` is that of the period's last month;
    the period is provisional until then.
    """

    request: ScoreRequest
    period: Period
    scope: q.Scope
    scheme_cfg: SchemeConfig
    settings: Settings
    closing_time: dt.datetime  # aware, settings' time zone: the last month's
    provisional: bool
    computed_at: dt.datetime  # aware UTC
    employees: pd.DataFrame  # active employees in scope
    measures_by_month: dict[str, pd.DataFrame]
    behaviour: pd.DataFrame
    unit_results: pd.DataFrame
    result: PeriodScores
    data_fingerprint: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def scores(self) -> list[EmployeeScore]:
        return self.result.scores

    @property
    def scores_frame(self) -> pd.DataFrame:
        return scores_frame(self.result.scores)

    @property
    def assignments_frame(self) -> pd.DataFrame:
        """Every assignment of every month of the period (data-contract.md)."""
        return assignments_frame(self.result.scores)

    @property
    def credits_frame(self) -> pd.DataFrame:
        """The ``--credits-out`` rows as written (header only under pp-30/pp-46)."""
        return credits_out(self.result.scores, self.employees, self.period, self.scheme_cfg)

    def meta(self) -> dict[str, Any]:
        """The ``<out>.meta.json`` sidecar content (that of :class:`ScoreRun`, with the
        period's kind and months)."""
        return {
            "period": self.period.code,
            "period_kind": self.period.kind,
            "months": list(self.period.months),
            "scope": self.scope.label if self.scope.kind != "nip" else self.scope.nip,
            "scheme": self.scheme_cfg.name,
            "scheme_version": self.scheme_cfg.version,
            "scheme_settings": self.scheme_cfg.model_dump(mode="json"),
            "settings": self.settings.model_dump(mode="json"),
            "use_360": self.request.use_360,
            "closing_time": self.closing_time.isoformat(),
            "provisional": self.provisional,
            "data_fingerprint": self.data_fingerprint,
            "computed_at": self.computed_at.isoformat(timespec="seconds"),
            "package_version": __version__,
            "employees": len(self.result.scores),
            "months_from_cache": list(self.extra.get("months_from_cache", [])),
        }


def _rows_by_month(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Month -> the rows of ``frame`` whose ``period`` is that month, in their order."""
    if frame.empty:
        return {}
    return {str(k): g for k, g in frame.groupby(frame["period"].astype(str), sort=False)}


# the text columns of a longer period's rating rows kept as categories (PeriodRun.behaviour)
BEHAVIOUR_CATEGORIES = ("nip", "period", "assessor_nip", "aspect", "assessor_role")


@dataclass
class _Months:
    """Each month's three scoring frames (``assignments``, ``aggregates``, ``behaviour``)
    in scope, their digests, and the closed months read afresh for the whole organisation
    (to keep in the cache)."""

    frames: dict[str, dict[str, Any]]  # frames; a cached month's rating rows coded
    digests: dict[str, str]
    versions: dict[str, int]
    to_keep: list[str]
    from_cache: list[str]


def _month_digest(frames: dict[str, pd.DataFrame]) -> str:
    return frame_digest(*(frames[k] for k in month_cache.FRAMES))


def _period_fingerprint(employees: pd.DataFrame, unit_results: pd.DataFrame,
                        digests: dict[str, str]) -> str:
    """The period's data fingerprint: its employees and unit results, then each month's
    frames by their digest (so a month read from the cache or afresh fingerprints the
    same)."""
    h = hashlib.sha256(b"period-v2\x1e")
    h.update(frame_digest(employees, unit_results).encode())
    for month, digest in digests.items():
        h.update(f"\x1e{month}\x1f{digest}".encode())
    return h.hexdigest()


def _read_months(conn: Any, period: Period, scope: q.Scope,
                 closings: dict[str, dt.datetime], last_days: dict[str, dt.date],
                 cacheable: list[str], versions: dict[str, int],
                 cached: dict[str, tuple[dict[str, Any], str]]) -> _Months:
    """Every month's frames: those of ``cached`` (closed months the cache holds still
    valid, db/month_cache.py), the others read from the data tables month by month."""
    fresh = [mo for mo in period.months if mo not in cached]
    frames: dict[str, dict[str, Any]] = {}
    digests: dict[str, str] = {}
    for mo, (got, digest) in cached.items():
        frames[mo], digests[mo] = got, digest
    if fresh:
        # month by month, exactly the monthly run's reads: a frame's dtypes then never
        # depend on which other months were read with it (an all-blank column)
        aggregates = q.months_entry_aggregates(
            conn, {mo: closings[mo] for mo in fresh}, last_days, scope)
        for mo in fresh:
            got = {"assignments": q.load_assignments(conn, mo, scope),
                   "aggregates": aggregates.pop(mo),
                   "behaviour": q.load_behaviour(conn, mo, scope)}
            frames[mo], digests[mo] = got, _month_digest(got)
    frames = {mo: frames[mo] for mo in period.months}
    digests = {mo: digests[mo] for mo in period.months}
    to_keep = [mo for mo in cacheable if mo not in cached and versions.get(mo, -1) >= 0]
    return _Months(frames=frames, digests=digests, versions=versions, to_keep=to_keep,
                   from_cache=sorted(cached))


def compute_period_scores(
    engine: Engine,
    request: ScoreRequest,
    *,
    home: Path | None = None,
    now: dt.datetime | None = None,
    with_months: bool = True,
) -> PeriodRun:
    """Score ``request.period`` (``YYYY-MM``, ``YYYY-Qn``, ``YYYY-Sn`` or ``YYYY``) for its
    scope; raises our own errors for user mistakes (an invalid period names the accepted
    forms; no data in any month of the period: :class:`NoDataError`).

    Assignments and ratings of all the period's months are read in one query each; the
    entries are aggregated in SQL month by month, each month with its own last day and
    closing time, and each month's measures are finished once and reused for the period
    and for the month-by-month results (``with_months``).
    """
    period = Period.parse(request.period)
    scheme = get_scheme(request.scheme)
    scheme_cfg = load_scheme(scheme.name, home)
    settings = load_settings(home)
    now = now or clock_now()
    closings = month_closing_times_utc(period, settings.closing_day, settings.timezone)
    last_days = {p.code: p.last_day for p in period.month_periods}
    require_current(engine)
    # The cache holds the whole organisation's months: a unit or one employee reads afresh
    # (exactly as before: its frames' dtypes are inferred from its own rows).
    whole = not request.unit and not (request.nip is not None and str(request.nip).strip())
    cacheable = [mo for mo in period.months
                 if whole and request.use_cache and settings.month_cache
                 and period_is_closed(Period.parse(mo), now, settings.closing_day,
                                      settings.timezone)]
    # The versions first, before any other read (on MariaDB a connection's snapshot starts
    # at its first read): an import committed after this point makes what is read below
    # newer than the version it is kept under, so it is never reused (read afresh instead).
    # (of the assignments, only what the measures read: a year's titles are not built)
    # (of the assignments, only what the measures read: a year's titles are not built; the
    # rating rows joined for the period straight from their codes)
    versions, cached = month_cache.lookup(engine, {mo: closings[mo] for mo in cacheable},
                                          only={"assignments": m.ASSIGNMENT_INPUTS},
                                          coded=("behaviour",))
    with engine.connect() as conn:
        scope = q.resolve_scope(conn, request.unit, request.nip)
        if not q.months_have_data(conn, period.months, scope, period.first_day,
                                  period.last_day):
            raise NoDataError(
                f"no data for {period.code}: nobody in scope has an assignment, "
                f"an entry or a rating in {'that month' if period.is_month else 'that period'}",
                hint="check the period, or import that period's files first",
            )
        employees = q.load_employees(conn, scope, active_only=True)
        months = _read_months(conn, period, scope, closings, last_days, cacheable,
                              versions, cached)
        unit_results = q.load_unit_results(conn, period.code)
    if whole:
        for month in months.to_keep:
            month_cache.store(engine, month, months.versions[month], closings[month],
                              months.frames[month], months.digests[month])
    # each month's measures; its assignments and aggregates let go once measured
    measures = {}
    for mo in period.months:
        frames = months.frames[mo]
        measures[mo] = m.finish_measures(frames.pop("assignments"), frames.pop("aggregates"),
                                         mo, scheme_cfg.capaian_cap)
    # the period's rating rows in month order, their text as categories (a year's million
    # rows: a small code per row instead of a string pointer), built once from the months'
    # codes whether cached or read afresh
    pieces = [months.frames[mo].pop("behaviour") for mo in period.months]
    behaviour = join_coded([p if isinstance(p, CodedFrame) else code_frame(p) for p in pieces],
                           categorical=BEHAVIOUR_CATEGORIES)
    del pieces
    result = score_any_period(
        period, measures, behaviour, employees, scheme_cfg, unit_results=unit_results,
        use_360=request.use_360, pending_at_closing=settings.pending_at_closing,
        with_months=with_months)
    fingerprint = _period_fingerprint(employees, unit_results, months.digests)
    return PeriodRun(
        request=request,
        period=period,
        scope=scope,
        scheme_cfg=scheme_cfg,
        settings=settings,
        closing_time=period_closing_time(period, settings.closing_day, settings.timezone),
        provisional=not period_is_closed(period, now, settings.closing_day,
                                         settings.timezone),
        computed_at=now.astimezone(dt.UTC),
        employees=employees,
        measures_by_month=measures,
        behaviour=behaviour,
        unit_results=unit_results,
        result=result,
        data_fingerprint=fingerprint,
        extra={"months_from_cache": months.from_cache},
    )
