"""A longer period from the database (domain.md §7): the SQL path, month by month with each
month's own closing time, equals the pure path on SQLite, PostgreSQL and MariaDB, and each
month's row equals that month scored alone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from eperformance.db import queries as q
from eperformance.db.engine import open_engine, upgrade
from eperformance.demo import generate_demo
from eperformance.errors import NoDataError, UsageError
from eperformance.ingest import run_ingest
from eperformance.params import load_scheme, load_settings
from eperformance.periods import Period
from eperformance.scores import ScoreRequest, compute_period_scores, compute_scores
from eperformance.scoring import measures as m
from eperformance.scoring.closing import closing_time_utc
from eperformance.scoring.common import scores_frame
from eperformance.scoring.period import score_period


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate_demo(out, employees=30, months=2, seed=11)
    return out


def _loaded(url: str, demo_dir: Path):  # type: ignore[no-untyped-def]
    engine = open_engine(url, create=True)
    upgrade(engine)
    assert run_ingest(demo_dir, engine).exit_code == 0
    return engine


def _pure(engine, scheme: str, period: str):  # type: ignore[no-untyped-def]
    """Raw rows month by month, aggregated in pandas with each month's closing time."""
    settings = load_settings()
    cfg = load_scheme(scheme)
    p = Period.parse(period)
    measures = {}
    with engine.connect() as conn:
        scope = q.resolve_scope(conn)
        employees = q.load_employees(conn, scope, active_only=True)
        behaviour = pd.concat([q.load_behaviour(conn, mo, scope) for mo in p.months])
        for mo in p.months:
            mp = Period.parse(mo)
            assignments = q.load_assignments(conn, mo, scope)
            entries = q.load_period_entries(conn, mo, scope, mp.first_day, mp.last_day)
            decisions = q.load_period_verifications(conn, mo, scope)
            closing = closing_time_utc(mo, settings.closing_day, settings.timezone)
            measures[mo] = m.compute_measures(assignments, entries, decisions, mo, closing,
                                              cfg.capaian_cap)
    return score_period(p, measures, behaviour, employees, cfg,
                        pending_at_closing=settings.pending_at_closing)


@pytest.mark.parametrize("scheme", ["permenpan-6-2022", "pp-46-2011"])
def test_period_sql_equals_pure_path(any_db_url: str, demo_dir: Path, scheme: str) -> None:
    engine = _loaded(any_db_url, demo_dir)
    try:
        run = compute_period_scores(engine, ScoreRequest(period="2021-q1", scheme=scheme),
                                    now=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
        pure = _pure(engine, scheme, "2021-Q1")
        pd.testing.assert_frame_equal(run.scores_frame, scores_frame(pure.scores),
                                      check_exact=False, rtol=1e-12)
        assert set(run.scores_frame["period"]) == {"2021-Q1"}
        assert not run.provisional and run.meta()["months"] == ["2021-01", "2021-02",
                                                                  "2021-03"]
        # the demo has January and February: their assignments make the quarter's
        months = set()
        for s in run.scores:
            for a in s.assignments:
                months.add(a.assignment_id)
        assert len(run.assignments_frame) == len(months) > 0
        # each month's row is that month scored alone (SQL path of eperf score)
        for k, mo in enumerate(("2021-01", "2021-02")):
            alone = compute_scores(engine, ScoreRequest(period=mo, scheme=scheme))
            for s in alone.scores:
                row = run.result.month_results(s.nip)[k]
                assert row.month == mo and row.predikat == s.predikat
                assert row.keterangan == tuple(s.keterangan)
                assert (row.main_figure is None) == (s.main_figure is None)
                if s.main_figure is not None:
                    assert row.main_figure == pytest.approx(s.main_figure, rel=1e-12)
        credits = run.credits_frame
        assert list(credits.columns)[-1] == "angka_kredit"
        if scheme != "permenpan-6-2022":
            assert credits.empty
    finally:
        engine.dispose()


def test_a_month_period_equals_compute_scores(tmp_path: Path, demo_dir: Path) -> None:
    engine = _loaded(f"sqlite:///{tmp_path / 'w.sqlite'}", demo_dir)
    try:
        run = compute_period_scores(engine, ScoreRequest(period="2021-02"))
        alone = compute_scores(engine, ScoreRequest(period="2021-02"))
        assert run.scores == alone.scores
        assert run.provisional == alone.provisional
        assert run.closing_time == alone.closing_time
        with pytest.raises(NoDataError, match="no data for 2021-Q3"):
            compute_period_scores(engine, ScoreRequest(period="2021-Q3"))
        with pytest.raises(UsageError, match="expected YYYY-MM, YYYY-Qn"):
            compute_period_scores(engine, ScoreRequest(period="2021-Q5"))
    finally:
        engine.dispose()
