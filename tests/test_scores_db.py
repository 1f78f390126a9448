"""Scores from the database: SQL aggregates equal the pure in-memory path on every engine,
and the `eperf score` command writes exactly the data contract's output."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from eperformance.db import queries as q
from eperformance.db.engine import open_engine, upgrade
from eperformance.demo import generate_demo
from eperformance.ingest import run_ingest
from eperformance.params import load_scheme, load_settings
from eperformance.scores import ScoreRequest, compute_scores
from eperformance.scoring import measures as m
from eperformance.scoring.closing import closing_time_utc, period_first_day, period_last_day
from eperformance.scoring.common import scores_frame
from eperformance.scoring.registry import get_scheme

PERIOD = "2021-01"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate_demo(out, employees=30, months=2, seed=11)
    return out


def _loaded(url: str, demo_dir: Path):  # type: ignore[no-untyped-def]
    engine = open_engine(url, create=True)
    upgrade(engine)
    report = run_ingest(demo_dir, engine)
    assert report.exit_code == 0
    return engine


def _pure_scores(engine, scheme: str, period: str):  # type: ignore[no-untyped-def]
    """The in-memory path: raw rows from the database, aggregated in pandas."""
    settings = load_settings()
    cfg = load_scheme(scheme)
    closing = closing_time_utc(period, settings.closing_day, settings.timezone)
    with engine.connect() as conn:
        scope = q.resolve_scope(conn)
        employees = q.load_employees(conn, scope, active_only=True)
        assignments = q.load_assignments(conn, period, scope)
        entries = q.load_period_entries(conn, period, scope, period_first_day(period),
                                        period_last_day(period))
        decisions = q.load_period_verifications(conn, period, scope)
        behaviour = q.load_behaviour(conn, period, scope)
    measures = m.compute_measures(assignments, entries, decisions, period, closing,
                                  cfg.capaian_cap)
    return get_scheme(scheme).score_period(measures, employees, behaviour, cfg, False, period)


@pytest.mark.parametrize("scheme", ["permenpan-6-2022", "pp-46-2011"])
def test_sql_aggregates_equal_the_pure_path(any_db_url: str, demo_dir: Path, scheme: str) -> None:
    engine = _loaded(any_db_url, demo_dir)
    try:
        run = compute_scores(engine, ScoreRequest(period=PERIOD, scheme=scheme))
        pure = scores_frame(_pure_scores(engine, scheme, PERIOD))
        pd.testing.assert_frame_equal(run.scores_frame, pure, check_exact=False, rtol=1e-12)
        assert run.scores_frame["predikat"].notna().sum() > 0 or scheme != "permenpan-6-2022"
    finally:
        engine.dispose()


def test_read_frame_shares_equal_strings(tmp_path: Path, demo_dir: Path) -> None:
    """A month's entries repeat NIPs, dates and statuses hundreds of thousands of times:
    ``read_frame`` keeps one object per distinct string (the memory of a 10,000-employee
    batch depends on it) and the frame's values and types are those of the rows."""
    from sqlalchemy import select

    from eperformance.db import schema as s

    engine = _loaded(f"sqlite:///{tmp_path / 'w.sqlite'}", demo_dir)
    try:
        stmt = select(s.activities).order_by(s.activities.c.activity_id)
        with engine.connect() as conn:
            frame = q.read_frame(conn, stmt)
            rows = [tuple(r) for r in conn.execute(stmt)]
    finally:
        engine.dispose()
    assert len(rows) > 100
    plain = pd.DataFrame.from_records(rows, columns=list(frame.columns))
    pd.testing.assert_frame_equal(frame, plain)
    if getattr(frame["nip"].dtype, "storage", "python") != "python":
        pytest.skip("strings stored by pyarrow: pandas keeps no Python objects to share")
    nips = frame["nip"].tolist()
    assert len({id(v) for v in nips}) == len(set(nips)) < len(nips)
    first = {v: v for v in reversed(frame["activity_code"].tolist())}
    assert all(v is first[v] for v in frame["activity_code"])


def _eperf(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, EPERF_HOME=str(home))
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "eperformance.cli", *args],
                          capture_output=True, text=True, env=env)


def test_eperf_score_writes_the_contract(home: Path, demo_dir: Path) -> None:
    assert _eperf(home, "ingest", str(demo_dir)).returncode == 0
    out, aout = home / "scores.csv", home / "assignments.csv"
    res = _eperf(home, "score", "--period", PERIOD, "--out", str(out),
                 "--assignments-out", str(aout))
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["nip", "period", "scheme", "nilai_skp", "nilai_perilaku",
                             "nilai_akhir", "rating_hasil_kerja", "rating_perilaku",
                             "predikat", "keterangan"]
    nips = [r["nip"] for r in rows]
    assert nips == sorted(nips) and all(len(n) == 18 and n.isdigit() for n in nips)
    for r in rows:
        for col in ("nilai_skp", "nilai_perilaku"):
            v = r[col]
            assert v == "" or (v.replace(".", "", 1).lstrip("-").isdigit()
                               and len(v.split(".")[1]) == 2)
        assert r["nilai_akhir"] == ""  # permenpan has no final number
        if r["predikat"] == "":
            assert r["keterangan"] != ""
    meta = json.loads((home / "scores.csv.meta.json").read_text())
    assert meta["scheme"] == "permenpan-6-2022" and meta["scheme_version"]
    assert meta["provisional"] is False and len(meta["data_fingerprint"]) == 64
    arows = list(csv.DictReader(aout.open(encoding="utf-8")))
    assert list(arows[0])[:3] == ["nip", "assignment_id", "ro"]
    assert all(r["kuantitas"] == "" and r["rating"] for r in arows)


def test_eperf_score_user_errors(home: Path, demo_dir: Path) -> None:
    assert _eperf(home, "ingest", str(demo_dir)).returncode == 0
    out = str(home / "s.csv")
    cases = [
        (["--period", "2030-01"], "no data for 2030-01"),
        (["--period", "2021-13"], "invalid period"),
        (["--period", PERIOD, "--unit", "NOPE"], "unknown unit"),
        (["--period", PERIOD, "--scheme", "nope"], "unknown scheme"),
    ]
    for args, message in cases:
        res = _eperf(home, "score", *args, "--out", out)
        assert res.returncode == 2, (args, res.stderr)
        assert message in res.stderr and "Traceback" not in res.stderr
    assert not Path(out).exists()
