"""The period context of the cards: what every card of one period and scope needs,
computed once, and its cut per unit.

Recipe (one scoring run per period, however many cards): :func:`build_cards_context`
scores the period once for a scope (:func:`~eperformance.scores.compute_scores`), computes
the rekap capaian of the employees wanted (:func:`~eperformance.activity_rekap.compute_rekap`),
the ranks in each employee's own unit (:func:`~eperformance.unit_recap.ranks`) and the
six-month trend (:func:`~eperformance.unit_recap.trend`), and loads the names of people, units
and assignments. :func:`split_context` cuts it per group of employees (the batch writes
one slice per unit for its warm kernels). :mod:`.assemble` makes one card from it.

A quarter, a semester or a year (domain.md §7) is scored once too
(:func:`~eperformance.scores.compute_period_scores`: the period's figures and each month
as it scores alone); its context holds that :class:`~eperformance.scores.PeriodRun`, the
ranks and medians of the period, and no monthly detail (no rekap, trend or allowance: the
*Dokumen Evaluasi Kinerja* shows the months instead). Both kinds carry the angka kredit
of the functional employees (:mod:`eperformance.scoring.credits`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from ..activity_rekap import RekapResult, compute_rekap
from ..db import queries as q
from ..db import schema as s
from ..periods import Period
from ..scores import PeriodRun, ScoreRequest, ScoreRun, compute_period_scores, compute_scores
from ..scoring.common import EmployeeScore
from ..scoring.credits import CreditRow, credit_rows
from ..scoring.period import PeriodScores
from ..tukin import TukinRequest, TukinRun, compute_tukin
from ..tukin.card import TukinSummary, card_summaries
from ..unit_recap import RankInfo, ranks, trend, trend_periods
from .record import Person, text_or_none

TREND_MONTHS = 6


@dataclass
class CardsContext:
    """What every card of one period and scope needs, computed once. ``run`` is a month's
    :class:`ScoreRun`, or a longer period's :class:`PeriodRun` (:attr:`period_run`)."""

    run: ScoreRun | PeriodRun
    rekap: RekapResult
    ranks: dict[str, RankInfo]
    trend: pd.DataFrame
    people: dict[str, Person]
    assignment_info: dict[str, dict[str, Any]]
    trend_months: tuple[str, ...]
    tukin: dict[str, TukinSummary] = field(default_factory=dict)
    # the whole run (ledger and amounts): the batch writes tukin.csv from it; never sliced
    tukin_run: TukinRun | None = field(default=None, repr=False, compare=False)
    credits: dict[str, CreditRow] = field(default_factory=dict)  # functional employees
    scores: dict[str, EmployeeScore] = field(init=False)
    # frame name -> nip -> that employee's rows as dicts (built on first use)
    _rows: dict[str, dict[str, list[dict[str, Any]]]] = field(
        init=False, default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.scores = {sc.nip: sc for sc in self.run.scores}

    def rows(self, name: str, nip: str) -> list[dict[str, Any]]:
        """``nip``'s rows of one of the context's frames (``employees``, ``rekap``,
        ``rejected``, ``late``, ``trend``), as dicts, in frame order. Each frame is
        grouped once, so a card reads its rows without scanning the frames."""
        groups = self._rows.get(name)
        if groups is None:
            frame = {"employees": self.run.employees, "rekap": self.rekap.employees,
                     "rejected": self.rekap.rejected_and_revision,
                     "late": self.rekap.late_decisions, "trend": self.trend,
                     "flags": self.rekap.entry_flags}[name]
            groups = {}
            if len(frame) and "nip" in frame.columns:
                for record in frame.to_dict("records"):
                    groups.setdefault(str(record["nip"]), []).append(record)
            self._rows[name] = groups
        return groups.get(nip, [])

    @property
    def nips(self) -> list[str]:
        """The employees a card can be made for (active, in scope), sorted."""
        return sorted(self.scores)

    @property
    def period_run(self) -> PeriodRun | None:
        """The scores of a quarter, semester or year; ``None`` for a month."""
        return self.run if isinstance(self.run, PeriodRun) else None

    @property
    def month_run(self) -> ScoreRun | None:
        """The scores of a month; ``None`` for a longer period."""
        return self.run if isinstance(self.run, ScoreRun) else None


def build_cards_context(
    engine: Engine,
    period: str,
    scheme: str = "permenpan-6-2022",
    use_360: bool = False,
    unit: str | None = None,
    *,
    nips: Iterable[str] | None = None,
    home: Path | None = None,
    now: dt.datetime | None = None,
    trend_months: int = TREND_MONTHS,
) -> CardsContext:
    """Score ``period`` once for ``unit`` (``None``/``''``: everyone) and gather the rekap,
    ranks and trend for ``nips`` (default: every active employee in scope).

    Ranks are within each employee's own unit, so a scope must hold whole units (a unit
    scope holds its sub-units too). Raises :class:`~eperformance.errors.NoDataError` when
    nobody in scope has data in the period."""
    p = Period.parse(period)
    request = ScoreRequest(period=p.code, scheme=scheme, unit=unit or None, use_360=use_360)
    if not p.is_month:
        return context_from_period_run(
            engine, compute_period_scores(engine, request, home=home, now=now), nips)
    run = compute_scores(engine, request, home=home, now=now)
    return context_from_run(engine, run, nips, home, trend_months)


def context_from_period_run(engine: Engine, run: PeriodRun,
                            nips: Iterable[str] | None = None) -> CardsContext:
    """The context of a quarter, semester or year already scored: the period's ranks
    and unit medians, the people and the angka kredit; no rekap, trend or allowance."""
    with engine.connect() as conn:
        people = _people(conn)
    wanted = set(nips) if nips is not None else None
    return CardsContext(
        run=run, rekap=_no_rekap(run), ranks=period_ranks(run.result),
        trend=pd.DataFrame(), people=people, assignment_info={}, trend_months=(),
        credits=_credits(run, wanted),
    )


def period_ranks(result: PeriodScores) -> dict[str, RankInfo]:
    """nip -> rank within the employee's own unit by the period's rounded main figure,
    and that unit's median of it (domain.md §7: ranks and medians per period)."""
    medians = result.unit_medians()
    out: dict[str, RankInfo] = {}
    for unit, entries in result.ranks().items():
        tied: dict[int, int] = {}
        for e in entries:
            if e.rank is not None:
                tied[e.rank] = tied.get(e.rank, 0) + 1
        for e in entries:
            last = None if e.rank is None else e.rank + tied[e.rank] - 1
            out[e.nip] = RankInfo(e.nip, unit, e.rank, e.of, medians.get(unit), last)
    return out


def _no_rekap(run: PeriodRun) -> RekapResult:
    """A longer period's context has no rekap capaian (each month's card has its own)."""
    empty = pd.DataFrame()
    return RekapResult(period=run.period.code,
                       closing_utc=run.closing_time.astimezone(dt.UTC).replace(tzinfo=None),
                       employees=empty, rejected_and_revision=empty, late_decisions=empty,
                       entry_flags=empty, supervisors=empty)


def _credits(run: ScoreRun | PeriodRun, wanted: set[str] | None) -> dict[str, CreditRow]:
    """The angka kredit of the functional employees scored (permenpan-6-2022 only)."""
    scores = [sc for sc in run.scores if wanted is None or sc.nip in wanted]
    return {r.nip: r for r in credit_rows(scores, run.employees, run.request.period,
                                          run.scheme_cfg)}


def context_from_run(engine: Engine, run: ScoreRun, nips: Iterable[str] | None,
                     home: Path | None, trend_months: int = TREND_MONTHS) -> CardsContext:
    """The context of an existing scoring run (the explorer's cached one) for ``nips``
    (default: everyone scored): rekap, trend, ranks, people, assignment titles, tukin."""
    wanted = sorted(nips) if nips is not None else sorted(sc.nip for sc in run.scores)
    rekap = compute_rekap(engine, run.request.period, wanted, run.settings)
    # The trend of one employee is scored on that employee alone (a main figure does not
    # depend on the scope); for many, on the run's scope.
    trend_request = run.request if len(wanted) != 1 else dataclasses.replace(
        run.request, unit=None, nip=wanted[0])
    trend_frame = trend(engine, trend_request, trend_months, home, current=run)
    with engine.connect() as conn:
        people = _people(conn)
        info = _assignment_info(conn, run)
    tukin_run = compute_tukin(engine, TukinRequest(
        period=run.request.period, scheme=run.request.scheme, unit=run.request.unit,
        nip=run.request.nip, use_360=run.request.use_360), home=home,
        now=run.computed_at, scores=run)
    return CardsContext(
        run=run, rekap=rekap, ranks=ranks(run), trend=trend_frame, people=people,
        assignment_info=info,
        trend_months=tuple(trend_periods(run.request.period, trend_months)),
        tukin=card_summaries(tukin_run, wanted), tukin_run=tukin_run,
        credits=_credits(run, set(wanted)),
    )


def split_context(ctx: CardsContext, groups: Mapping[str, Iterable[str]]
                  ) -> dict[str, CardsContext]:
    """``ctx`` cut into one smaller context per group of NIPs (``group -> nips``).

    A slice holds only what the cards of its NIPs read (their scores, rows, trend, ranks,
    people and assignment titles, the run's settings); every card made from a slice equals
    the card made from the whole context. The batch writes one slice per unit, so a warm
    kernel holds one unit's data at a time, however large the organisation."""
    run, rekap = ctx.run, ctx.rekap
    positions = {
        "employees": _positions(run.employees),
        "rekap": _positions(rekap.employees),
        "rejected": _positions(rekap.rejected_and_revision),
        "late": _positions(rekap.late_decisions),
        "flags": _positions(rekap.entry_flags),
        "trend": _positions(ctx.trend),
    }
    supervisor = {str(n): text_or_none(v) for n, v in zip(run.employees["nip"],
                                                    run.employees["supervisor_nip"],
                                                    strict=True)}

    def cut(frame: pd.DataFrame, name: str, nips: list[str]) -> pd.DataFrame:
        rows = [i for n in nips for i in positions[name].get(n, ())]
        return frame.iloc[sorted(rows)]

    out: dict[str, CardsContext] = {}
    for group, members in groups.items():
        nips = sorted(n for n in members if n in ctx.scores)
        scores = [ctx.scores[n] for n in nips]
        part_run: ScoreRun | PeriodRun
        if isinstance(run, PeriodRun):
            part_run = dataclasses.replace(
                run, employees=cut(run.employees, "employees", nips), measures_by_month={},
                behaviour=run.behaviour.iloc[0:0], unit_results=run.unit_results.iloc[0:0],
                result=dataclasses.replace(
                    run.result, scores=scores, breaches=[],
                    months={n: run.result.months[n] for n in nips
                            if n in run.result.months}),
                extra={})
        else:
            part_run = dataclasses.replace(
                run, employees=cut(run.employees, "employees", nips),
                measures=run.measures.iloc[0:0], behaviour=run.behaviour.iloc[0:0],
                unit_results=run.unit_results.iloc[0:0], scores=scores, extra={})
        part_rekap = dataclasses.replace(
            rekap, employees=cut(rekap.employees, "rekap", nips),
            rejected_and_revision=cut(rekap.rejected_and_revision, "rejected", nips),
            late_decisions=cut(rekap.late_decisions, "late", nips),
            entry_flags=cut(rekap.entry_flags, "flags", nips),
            supervisors=rekap.supervisors.iloc[0:0])
        people_wanted = set(nips) | {sup for n in nips if (sup := supervisor.get(n))}
        assignment_ids = {a.assignment_id for sc in scores for a in sc.assignments}
        out[group] = CardsContext(
            run=part_run, rekap=part_rekap,
            ranks={n: ctx.ranks[n] for n in nips if n in ctx.ranks},
            trend=cut(ctx.trend, "trend", nips) if len(ctx.trend) else ctx.trend,
            people={n: p for n in sorted(people_wanted) if (p := ctx.people.get(n))},
            assignment_info={k: info for k in sorted(assignment_ids)
                             if (info := ctx.assignment_info.get(k)) is not None},
            trend_months=ctx.trend_months,
            tukin={n: ctx.tukin[n] for n in nips if n in ctx.tukin},
            credits={n: ctx.credits[n] for n in nips if n in ctx.credits},
        )
    return out


def _positions(frame: pd.DataFrame) -> dict[str, list[int]]:
    """NIP -> row positions of ``frame`` (empty when it has no rows or no ``nip``)."""
    if not len(frame) or "nip" not in frame.columns:
        return {}
    out: dict[str, list[int]] = {}
    for i, nip in enumerate(frame["nip"].astype(str)):
        out.setdefault(nip, []).append(i)
    return out


def _people(conn: Any) -> dict[str, Person]:
    units = q.load_units(conn)
    names = dict(zip(units["unit_code"], units["name"], strict=True))
    e = q.load_employees(conn, q.Scope("all"))
    out: dict[str, Person] = {}
    for row in e.itertuples(index=False):
        unit = text_or_none(row.unit_code)
        out[str(row.nip)] = Person(
            nip=str(row.nip), name=str(row.name), position=text_or_none(row.position),
            position_type=text_or_none(row.position_type), grade=text_or_none(row.grade),
            unit_code=unit, unit_name=names.get(unit) if unit else None,
        )
    return out


def _assignment_info(conn: Any, run: ScoreRun) -> dict[str, dict[str, Any]]:
    a = q.load_assignments(conn, run.request.period, run.scope)
    types = conn.execute(select(s.activity_types.c.activity_code,
                                s.activity_types.c.output_unit)).all()
    units = {r.activity_code: r.output_unit for r in types}
    return {
        str(r.assignment_id): {"title": str(r.title),
                               "activity_code": text_or_none(r.activity_code),
                               "output_unit": units.get(r.activity_code)}
        for r in a.itertuples(index=False)
    }


