"""The period context of the cards: what every card of one period and scope needs,
computed once, and its cut per unit.

Recipe (one scoring run per period, however many cards): :func:`build_cards_context`
scores the period once for a scope (:func:`~eperformance.scores.compute_scores`), computes
the rekap capaian of the employees wanted (:func:`~eperformance.activity_rekap.compute_rekap`),
the ranks in each employee's own unit (:func:`~eperformance.unit_recap.ranks`) and the
six-month trend (:func:`~eperformance.unit_recap.trend`), and loads the names of people, units
and assignments. :func:`split_context` cuts it per group of employees (the batch writes
one slice per unit for its warm kernels). :mod:`.assemble` makes one card from it.
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
from ..scores import ScoreRequest, ScoreRun, compute_scores
from ..scoring.common import EmployeeScore
from ..tukin import TukinRequest, TukinRun, compute_tukin
from ..tukin.card import TukinSummary, card_summaries
from ..unit_recap import RankInfo, ranks, trend, trend_periods
from .record import Person, text_or_none

TREND_MONTHS = 6


@dataclass
class CardsContext:
    """What every card of one period and scope needs, computed once."""

    run: ScoreRun
    rekap: RekapResult
    ranks: dict[str, RankInfo]
    trend: pd.DataFrame
    people: dict[str, Person]
    assignment_info: dict[str, dict[str, Any]]
    trend_months: tuple[str, ...]
    tukin: dict[str, TukinSummary] = field(default_factory=dict)
    # the whole run (ledger and amounts): the batch writes tukin.csv from it; never sliced
    tukin_run: TukinRun | None = field(default=None, repr=False, compare=False)
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
    request = ScoreRequest(period=period, scheme=scheme, unit=unit or None, use_360=use_360)
    run = compute_scores(engine, request, home=home, now=now)
    return context_from_run(engine, run, nips, home, trend_months)


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


