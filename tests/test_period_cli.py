"""`eperf score`, `eperf rekap` and `eperf tukin` for periods longer than a month (domain.md
§7), end to end on a tiny demo (three months, functional levels, a unit result given for
the year only): the numbers equal the library's, a month stays as it was, and the same
files come out of SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from eperformance.activity_rekap import compute_rekap
from eperformance.cli import main
from eperformance.contract import FUNCTIONAL_LEVELS
from eperformance.db.engine import open_engine, upgrade
from eperformance.demo import generate_demo
from eperformance.export import (
    NUMBER_COLUMNS_ASSIGNMENTS,
    NUMBER_COLUMNS_SCORES,
    csv_text,
    formatted,
)
from eperformance.ingest import run_ingest
from eperformance.params import load_settings
from eperformance.scores import ScoreRequest, compute_period_scores, compute_scores
from eperformance.unit_recap import credits_frame, recap_tables, score_run
from eperformance.xlsx import COLUMNS, recap_workbook

QUARTER = "2021-Q2"
MONTHS = ("2021-04", "2021-05", "2021-06")
YEAR_RESULT = "butuh_perbaikan"  # given for the year 2021 only, for UNIT below


@dataclass
class PeriodDemo:
    folder: Path
    unit: str  # the unit with the most employees: its result is given for the year only
    functional: int  # functional employees with a level


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def period_demo(tmp_path_factory: pytest.TempPathFactory) -> PeriodDemo:
    folder = tmp_path_factory.mktemp("period-demo")
    generate_demo(folder, employees=24, months=3, start="2021-04", seed=7)
    fields, employees = _rows(folder / "employees.csv")
    if "functional_level" not in fields:
        fields.append("functional_level")
    n = 0
    for e in employees:  # every functional post gets a level (the demo may give some)
        if e["position_type"] == "fungsional" and not e.get("functional_level"):
            e["functional_level"] = FUNCTIONAL_LEVELS[n % len(FUNCTIONAL_LEVELS)]
        n += e["position_type"] == "fungsional"
        e.setdefault("functional_level", "")
    _write(folder / "employees.csv", fields, employees)
    sizes = pd.Series([e["unit_code"] for e in employees if e["active"] != "false"])
    unit = str(sizes.value_counts().sort_index(kind="stable").idxmax())
    fields, results = _rows(folder / "unit_results.csv")
    results = [r for r in results if not (r["unit_code"] == unit and r["period"] == "2021")]
    results.append({"unit_code": unit, "period": "2021", "org_result": YEAR_RESULT})
    _write(folder / "unit_results.csv", fields, results)
    return PeriodDemo(folder=folder, unit=unit, functional=n)


def _load(url: str, demo: PeriodDemo) -> None:
    engine = open_engine(url, create=True)
    upgrade(engine)
    report = run_ingest(demo.folder, engine)
    engine.dispose()
    assert report.exit_code == 0, report.table()


def _eperf(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def _outputs(url: str, out: Path, period: str = QUARTER) -> dict[str, bytes]:
    """score (with assignments and credits) and rekap of ``period``: every file but the
    sidecars (which hold the time of the computation)."""
    out.mkdir(parents=True, exist_ok=True)
    code, output = _eperf("score", "--period", period, "--db", url,
                          "--out", str(out / "scores.csv"),
                          "--assignments-out", str(out / "assignments.csv"),
                          "--credits-out", str(out / "credits.csv"))
    assert code == 0, output
    code, output = _eperf("rekap", "--period", period, "--db", url, "--out",
                          str(out / "rekap"))
    assert code == 0, output
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.endswith("json")}


@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory: pytest.TempPathFactory, period_demo: PeriodDemo
              ) -> Iterator[str]:
    root = tmp_path_factory.mktemp("period-sqlite")
    url = f"sqlite:///{root / 'wb.sqlite'}"
    _load(url, period_demo)
    yield url


@pytest.fixture(scope="module")
def sqlite_outputs(sqlite_db: str, tmp_path_factory: pytest.TempPathFactory
                   ) -> dict[str, bytes]:
    return _outputs(sqlite_db, tmp_path_factory.mktemp("period-out"))


# --------------------------------------------------------------------------- score
def test_score_quarter_equals_compute_period_scores(
        home: Path, sqlite_db: str, sqlite_outputs: dict[str, bytes],
        period_demo: PeriodDemo) -> None:
    engine = open_engine(sqlite_db)
    try:
        run = compute_period_scores(engine, ScoreRequest(period="2021-q2"))
    finally:
        engine.dispose()
    assert sqlite_outputs["scores.csv"].decode() == csv_text(
        formatted(run.scores_frame, NUMBER_COLUMNS_SCORES))
    assert sqlite_outputs["assignments.csv"].decode() == csv_text(
        formatted(run.assignments_frame, NUMBER_COLUMNS_ASSIGNMENTS))
    assert sqlite_outputs["credits.csv"].decode() == csv_text(run.credits_frame)
    scores = pd.read_csv(io.BytesIO(sqlite_outputs["scores.csv"]), dtype=str)
    assert set(scores["period"]) == {QUARTER}  # canonical, upper case
    # every month's assignments of the quarter
    assignments = pd.read_csv(io.BytesIO(sqlite_outputs["assignments.csv"]), dtype=str)
    months = {m: set(f["assignment_id"]) for m, f in run.measures_by_month.items()}
    assert all(months[m] for m in MONTHS)
    assert set(assignments["assignment_id"]) == set().union(*months.values())
    # the credits: one row per functional employee with a level, months 3
    credits = pd.read_csv(io.BytesIO(sqlite_outputs["credits.csv"]), dtype=str,
                          keep_default_na=False)
    assert list(credits.columns) == ["nip", "period", "functional_level", "predikat",
                                     "percent", "coefficient", "months", "angka_kredit"]
    assert len(credits) == period_demo.functional > 0
    assert set(credits["months"]) == {"3.00"} and set(credits["period"]) == {QUARTER}
    with_predikat = credits[credits["predikat"] != ""]
    assert len(with_predikat) > 0
    for r in with_predikat.itertuples():
        expected = float(r.percent) / 100 * float(r.coefficient) * 3 / 12
        assert float(r.angka_kredit) == pytest.approx(expected, abs=5e-4)
        assert len(r.angka_kredit.split(".")[1]) == 3


def test_score_month_is_as_before_and_credits_for_months_and_other_schemes(
        home: Path, sqlite_db: str, tmp_path: Path) -> None:
    code, output = _eperf("score", "--period", "2021-05", "--db", sqlite_db,
                          "--out", str(tmp_path / "m.csv"),
                          "--assignments-out", str(tmp_path / "ma.csv"),
                          "--credits-out", str(tmp_path / "mc.csv"))
    assert code == 0, output
    engine = open_engine(sqlite_db)
    try:
        month = compute_scores(engine, ScoreRequest(period="2021-05"))
    finally:
        engine.dispose()
    # the monthly path, byte for byte
    assert (tmp_path / "m.csv").read_text() == csv_text(
        formatted(month.scores_frame, NUMBER_COLUMNS_SCORES))
    assert (tmp_path / "ma.csv").read_text() == csv_text(
        formatted(month.assignments_frame, NUMBER_COLUMNS_ASSIGNMENTS))
    credits = pd.read_csv(tmp_path / "mc.csv", dtype=str, keep_default_na=False)
    assert set(credits["months"]) == {"1.00"} and set(credits["period"]) == {"2021-05"}
    code, output = _eperf("score", "--period", "2021-S1", "--scheme", "pp-46-2011",
                          "--db", sqlite_db, "--out", str(tmp_path / "s.csv"),
                          "--credits-out", str(tmp_path / "sc.csv"))
    assert code == 0, output
    assert (tmp_path / "sc.csv").read_text() == (
        "nip,period,functional_level,predikat,percent,coefficient,months,angka_kredit\n")
    assert "2021-S1" in output
    code, output = _eperf("score", "--period", "2021-Q5", "--db", sqlite_db,
                          "--out", str(tmp_path / "x.csv"))
    assert code == 2 and "YYYY-Qn" in output


def test_score_help_names_the_forms() -> None:
    code, output = _eperf("score", "--help")
    assert code == 0
    flat = " ".join(output.split())
    assert "YYYY-MM" in flat and "YYYY-Qn" in flat and "YYYY-Sn" in flat
    assert "--credits-out" in flat


# --------------------------------------------------------------------------- rekap
def _csv(files: dict[str, bytes], name: str) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(files[name]), dtype=str, keep_default_na=False)


def test_rekap_quarter_ranks_median_and_curve_per_period(
        home: Path, sqlite_db: str, sqlite_outputs: dict[str, bytes],
        period_demo: PeriodDemo, tmp_path: Path) -> None:
    engine = open_engine(sqlite_db)
    try:
        run = compute_period_scores(engine, ScoreRequest(period=QUARTER))
        year = compute_period_scores(engine, ScoreRequest(period="2021"))
        month_rekaps = [compute_rekap(engine, m, None, load_settings()) for m in MONTHS]
        quarter_rekap = compute_rekap(engine, QUARTER, None, load_settings())
    finally:
        engine.dispose()
    # ranks "k / n" in the own unit by the quarter's main figure, and the quarter's median
    ranks = _csv(sqlite_outputs, "rekap/peringkat.csv")
    expected = {e.nip: e for entries in run.result.ranks().values() for e in entries}
    medians = run.result.unit_medians()
    assert len(ranks) == len(run.scores)
    for r in ranks.itertuples():
        e = expected[r.nip]
        assert r.rank_label == ("" if e.rank is None else f"{e.rank} / {e.of}")
        median = medians[r.unit_code]
        assert r.unit_median == ("" if median is None else f"{median:.2f}") or \
            float(r.unit_median) == pytest.approx(median, abs=0.005)
    figures = [s.main_figure for s in run.scores
               if s.unit_code == period_demo.unit and s.main_figure is not None]
    assert medians[period_demo.unit] == pytest.approx(statistics.median(figures))
    # the curve: the unit's result is given for the year, so the quarter uses the default
    breaches = _csv(sqlite_outputs, "rekap/pelanggaran_kurva.csv")
    assert "butuh_perbaikan" not in set(breaches["org_result"])
    assert run.result.org_results == {}
    assert year.result.org_results[period_demo.unit] == YEAR_RESULT
    year_rows = [b for b in year.result.breaches if b.unit_code == period_demo.unit]
    assert year_rows and {b.org_result for b in year_rows} == {YEAR_RESULT}
    # predikat shares of the quarter
    units = _csv(sqlite_outputs, "rekap/rekap_unit.csv")
    row = units[units["unit_code"] == period_demo.unit].iloc[0]
    in_unit = [s for s in run.scores if s.unit_code == period_demo.unit]
    assert int(row["headcount"]) == len(in_unit)
    assert int(row["Baik"]) == sum(s.predikat == "Baik" for s in in_unit)
    # the activity rekap: each month's entries judged at that month's closing time
    q = quarter_rekap.employees.set_index("nip")
    for col in ("entries", "approved", "rejected", "revision", "pending", "working_days",
                "days_present", "flag_overlap", "flag_no_check_in"):
        total = sum(r.employees.set_index("nip")[col] for r in month_rekaps)
        assert (q[col] == total).all(), col
    assert (q["expected_minutes"] == sum(r.employees.set_index("nip")["expected_minutes"]
                                         for r in month_rekaps)).all()
    worst = pd.concat([r.employees.set_index("nip")["pending_wait_max_days"]
                       for r in month_rekaps], axis=1).max(axis=1)
    pd.testing.assert_series_equal(q["pending_wait_max_days"], worst, check_names=False)
    late = pd.concat([r.late_decisions for r in month_rekaps], ignore_index=True)
    assert sorted(late["verification_id"]) == sorted(
        quarter_rekap.late_decisions["verification_id"])
    assert len(late) > 0  # decisions after a month's closing: listed, counted nowhere
    assert set(quarter_rekap.employees["period"]) == {QUARTER}
    # a month's folder: the eight files as before, and the ranks
    code, output = _eperf("rekap", "--period", "2021-05", "--db", sqlite_db, "--out",
                          str(tmp_path / "m"))
    assert code == 0, output
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == sorted(
        [f"{n}.csv" for n in ("rekap_pegawai", "rekap_unit", "atasan", "pelanggaran_kurva",
                              "entri_ditolak_revisi", "keputusan_terlambat", "tanda_entri",
                              "data_belum_lengkap", "peringkat")] + ["meta.json"])


# --------------------------------------------------------------------------- tukin
def test_tukin_refuses_a_longer_period(home: Path, sqlite_db: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["tukin", "--period", QUARTER, "--db", sqlite_db,
                                       "--out", str(tmp_path / "t.csv")])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("eperf: error")]
    assert lines == ["eperf: error: eperf tukin takes a month (YYYY-MM), not the quarter "
                     "2021-Q2"]
    assert not (tmp_path / "t.csv").exists()


# --------------------------------------------------------------------------- recap.xlsx
def _sheet_rows(ws) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]


@pytest.mark.parametrize("period", [QUARTER, "2021-06"])
def test_recap_workbook_has_the_angka_kredit_group(home: Path, sqlite_db: str,
                                                    period: str) -> None:
    engine = open_engine(sqlite_db)
    try:
        run = score_run(engine, ScoreRequest(period=period))
        wb = load_workbook(io.BytesIO(recap_workbook(run, recap_tables(run, engine), "id")))
        other = score_run(engine, ScoreRequest(period=period, scheme="pp-46-2011"))
        wb46 = load_workbook(io.BytesIO(recap_workbook(other, recap_tables(other, engine))))
    finally:
        engine.dispose()
    group = ["Jenjang jabatan fungsional", "Persentase predikat (AK)", "Koefisien tahunan",
             "Bulan (AK)", "Angka kredit"]
    header = [c.value for c in wb["Pegawai"][1]]
    start = header.index(group[0])
    assert header[start:start + 5] == group and header.index("Sementara") < start
    written = {r.nip: r for r in credits_frame(run).itertuples()}
    rows = _sheet_rows(wb["Pegawai"])
    months = 3 if period == QUARTER else 1
    for row in rows:
        r = written.get(row["NIP"])
        if r is None:
            assert row["Angka kredit"] is None and row["Jenjang jabatan fungsional"] is None
            continue
        assert row["Jenjang jabatan fungsional"] == r.functional_level
        assert row["Bulan (AK)"] == months
        assert row["Angka kredit"] == (float(r.angka_kredit) if r.angka_kredit else None)
    cell = wb["Pegawai"].cell(2, start + 5)
    assert cell.number_format == "#,##0.000"
    dictionary = {r["Kolom"] for r in _sheet_rows(wb["Kamus data"]) if r["Lembar"] == "Pegawai"}
    assert set(group) <= dictionary
    assert ("Per bulan" in wb.sheetnames) == (period == QUARTER)
    if period == QUARTER:
        by_month = _sheet_rows(wb["Per bulan"])
        assert {r["Bulan"] for r in by_month} == set(MONTHS)
        assert {r["Bulan"] for r in _sheet_rows(wb["Penugasan"])} == set(MONTHS)
    assert group[0] not in [c.value for c in wb46["Pegawai"][1]]  # no angka kredit there
    assert all(COLUMNS[k].id in group for k in ("functional_level", "angka_kredit"))


# --------------------------------------------------------------------------- engines
@pytest.mark.parametrize("server", ["postgresql", "mariadb"])
def test_same_files_on_every_engine(server: str, request: pytest.FixtureRequest,
                                    home: Path, period_demo: PeriodDemo,
                                    sqlite_outputs: dict[str, bytes], tmp_path: Path) -> None:
    url = str(request.getfixturevalue("pg_url" if server == "postgresql" else "mysql_url"))
    _load(url, period_demo)
    got = _outputs(url, tmp_path / "out")
    assert sorted(got) == sorted(sqlite_outputs)
    for name, data in sqlite_outputs.items():
        assert got[name] == data, f"{name} differs on {server}"
