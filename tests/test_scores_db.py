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


# --------------------------------------------------------------------------- §5 on every engine
PENDING_PERIOD = "2021-06"  # closing time 2021-07-05 23:59:59 Asia/Jakarta
S5 = "197001011995031001"  # supervisor of the four below; no assignment of their own
A5 = "199001012015031001"  # an entry with no decision at all: withheld
B5 = "199002022015032002"  # an entry decided only after the closing time: withheld
C5 = "198503032010031001"  # entries rejected and returned for revision: decided, scored
D5 = "198804042012041001"  # undecided entries before the start or for no assignment: scored
BERAKHLAK5 = ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal",
              "adaptif", "kolaboratif")


def _write_pending_fixture(folder: Path) -> None:
    def write(name: str, header: str, rows: list[str]) -> None:
        (folder / name).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")

    folder.mkdir()
    write("units.csv", "unit_code,name,parent_code", ["U1,Unit Satu,"])
    write("employees.csv", "nip,name,gender,unit_code,position,position_type,grade,supervisor_nip",
          [f"{S5},Siti Atasan,P,U1,Kepala Subbagian,pengawas,III/d,",
           *(f"{n},Pegawai {k},L,U1,Analis,pelaksana,III/a,{S5}"
             for k, n in enumerate((A5, B5, C5, D5)))])
    write("activity_types.csv", "activity_code,name,output_unit,standard_minutes",
          ["LAP,Laporan,laporan,60"])
    write("assignments.csv", "assignment_id,nip,assigned_by_nip,period,activity_code,title,"
          "target_quantity,start_date,due_date",
          [f"T{k},{n},{S5},{PENDING_PERIOD},LAP,Laporan {k},2,{start},2021-06-30"
           for k, (n, start) in enumerate(((A5, "2021-06-01"), (B5, "2021-06-01"),
                                           (C5, "2021-06-01"), (D5, "2021-06-10")))])
    acts = [("EA1", A5, "02", "T0"), ("EA2", A5, "03", "T0"), ("EB1", B5, "02", "T1"),
            ("EB2", B5, "28", "T1"), ("EC1", C5, "02", "T2"), ("EC2", C5, "03", "T2"),
            ("EC3", C5, "04", "T2"), ("ED1", D5, "14", "T3"), ("ED2", D5, "05", "T3"),
            ("ED3", D5, "15", "")]
    write("activities.csv", "activity_id,nip,date,start_time,end_time,activity_code,"
          "assignment_id,quantity",
          [f"{i},{n},2021-06-{d},08:00,09:00,LAP,{a},{2 if i == 'EA2' else 1}"
           for i, n, d, a in acts])
    decisions = [("V1", "EA1", "approved", "2021-06-03T10:00:00+07:00"),
                 ("V2", "EB1", "approved", "2021-06-03T10:00:00+07:00"),
                 ("V3", "EB2", "approved", "2021-07-06T00:00:00+07:00"),  # after closing
                 ("V4", "EC1", "approved", "2021-06-03T10:00:00+07:00"),
                 ("V5", "EC2", "rejected", "2021-06-04T10:00:00+07:00"),
                 ("V6", "EC3", "revision", "2021-07-05T23:59:59+07:00"),  # at closing
                 ("V7", "ED1", "approved", "2021-06-15T10:00:00+07:00")]
    write("verifications.csv", "verification_id,activity_id,verifier_nip,status,decided_at",
          [f"{v},{e},{S5},{st},{at}" for v, e, st, at in decisions])
    write("behaviour.csv", "nip,period,assessor_nip,aspect,assessor_role,score",
          [f"{n},{PENDING_PERIOD},{S5},{a},atasan,80" for n in (A5, B5, C5, D5)
           for a in BERAKHLAK5])


def test_eperf_score_withholds_work_awaiting_verification(
        any_db_url: str, home: Path, tmp_path: Path) -> None:
    """`eperf score` and `eperf rekap` on every engine (domain.md §5): no decision, or only
    a decision after the closing time, withholds; rejected/revision, undecided entries
    before the assignment's start or for no assignment do not; `not_done` scores them."""
    folder = tmp_path / "pending"
    _write_pending_fixture(folder)
    db = ("--db", any_db_url)
    assert _eperf(home, "db", "upgrade", *db).returncode == 0
    res = _eperf(home, "ingest", str(folder), *db)
    assert res.returncode == 0, res.stdout + res.stderr
    out, aout = tmp_path / "s.csv", tmp_path / "a.csv"
    res = _eperf(home, "score", "--period", PENDING_PERIOD, "--out", str(out),
                 "--assignments-out", str(aout), *db)
    assert res.returncode == 0, res.stderr
    rows = {r["nip"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    for nip in (A5, B5):
        r = rows[nip]
        assert r["keterangan"] == "verifikasi belum selesai", nip
        assert (r["nilai_skp"], r["rating_hasil_kerja"], r["predikat"]) == ("", "", ""), nip
        assert r["nilai_perilaku"] == "80.00" and r["rating_perilaku"], nip
    for nip in (C5, D5):
        assert rows[nip]["keterangan"] == "" and rows[nip]["predikat"], nip
    assert rows[C5]["nilai_skp"] == "50.00"  # only the approved entry counts
    assert rows[S5]["keterangan"] == "belum ada penugasan;perilaku belum dinilai"
    ro = {r["nip"]: r["ro"] for r in csv.DictReader(aout.open(encoding="utf-8"))}
    assert ro[A5] == "1.00" and ro[B5] == "1.00"  # assignment rows show what was approved

    recap = tmp_path / "recap"
    res = _eperf(home, "rekap", "--period", PENDING_PERIOD, "--out", str(recap), *db)
    assert res.returncode == 0, res.stderr
    missing = {r["nip"]: r for r in csv.DictReader(
        (recap / "data_belum_lengkap.csv").open(encoding="utf-8"))}
    assert set(missing) == {A5, B5, S5}
    assert missing[A5]["supervisor_nip"] == S5 and missing[A5]["pending_entries"] == "1"
    assert missing[A5]["pending_quantity"] == "2.00" and missing[B5]["pending_entries"] == "1"
    sup = {r["supervisor_nip"]: r for r in csv.DictReader(
        (recap / "atasan.csv").open(encoding="utf-8"))}
    assert sup[S5]["withheld_reports"] == "2" and sup[S5]["withheld_entries"] == "2"
    unit = next(csv.DictReader((recap / "rekap_unit.csv").open(encoding="utf-8")))
    assert unit["verification_pending"] == "2"

    settings = home / "params" / "settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "pending_at_closing: withhold", "pending_at_closing: not_done"), encoding="utf-8")
    res = _eperf(home, "score", "--period", PENDING_PERIOD, "--out", str(out), *db)
    assert res.returncode == 0, res.stderr
    rows = {r["nip"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows[A5]["keterangan"] == "" and rows[A5]["nilai_skp"] == "50.00"
    assert rows[B5]["nilai_skp"] == "50.00" and rows[B5]["predikat"]
