"""The unit recap as the recap notebook shows it (``notebooks/20-rekap-unit.ipynb``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from ..db import queries as q
from ..runparams import RekapUnitParams, new_run_id
from ..scores import PeriodRun, ScoreRequest, ScoreRun
from ..unit_recap import RecapTables, recap_tables, score_run


@dataclass
class RecapView:
    """The unit recap as the recap notebook shows it: the scores, every recap table and the
    names it is headed with (:mod:`eperformance.render` displays it)."""

    params: RekapUnitParams
    run: ScoreRun | PeriodRun  # a month's, or a quarter's, semester's or year's
    tables: RecapTables
    unit_name: str | None
    run_id: str
    generated_at: dt.datetime


def build_recap_view(engine: Engine, params: RekapUnitParams, *, run_id: str | None = None,
                     now: dt.datetime | None = None, home: Path | None = None,
                     clock: dt.datetime | None = None) -> RecapView:
    """Score the period for the unit (or everyone) and build every recap table.

    ``now`` stamps the view (``generated_at``, a new run id) and is the scoring's
    reference time unless ``clock`` is given (a batch's shared clock)."""
    run = score_run(engine, ScoreRequest(period=params.period, scheme=params.scheme,
                                         unit=params.unit or None, use_360=params.use_360),
                    home=home, now=clock or now)
    tables = recap_tables(run, engine)
    unit_name = None
    if params.unit:
        with engine.connect() as conn:
            units = q.load_units(conn)
        match = units.loc[units["unit_code"] == params.unit, "name"]
        unit_name = str(match.iloc[0]) if len(match) else None
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return RecapView(params=params, run=run, tables=tables, unit_name=unit_name,
                     run_id=run_id or params.run_id or new_run_id(now), generated_at=now)


