"""Ingest: the contract's newer columns and rules (employment cpns, job_class,
functional_level, attendance status, longer unit_results periods, unit codes that could
name a folder, NUL characters), on tiny explicit fixtures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from eperformance.db.engine import alembic_config, open_engine, upgrade
from eperformance.ingest import run_ingest
from eperformance.nip import make_nip
from test_ingest import ANI, BUDI, KIKI, rows_of, write_folder

CPNS = make_nip(date(1998, 7, 7), 2023, 1, "L", 5)  # a pns-shaped NIP

EMP = ("nip,name,gender,unit_code,position,position_type,grade,supervisor_nip,employment,"
       "active,job_class,functional_level")


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    eng = open_engine(f"sqlite:///{tmp_path / 'wb.sqlite'}", create=True)
    upgrade(eng)
    return eng


def write_files(folder: Path, files: dict[str, list[str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in files.items():
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def base(engine: Engine, tmp_path: Path) -> None:
    report = run_ingest(write_folder(tmp_path / "base"), engine)
    assert report.exit_code == 0, report.rejects


# --------------------------------------------------------------------------- employees


def test_new_employee_columns_accepted_and_stored(tmp_path: Path, engine: Engine) -> None:
    base(engine, tmp_path)
    folder = write_files(tmp_path / "in", {"employees": [
        EMP,
        f"{CPNS},Cici,L,U1,Calon,pelaksana,II/a,{ANI},CPNS,,1,",
        f"{KIKI},Kiki,P,U1,Analis,fungsional,IX,{ANI},pppk,true,17,Ahli_Muda",
    ]})
    report = run_ingest(folder, engine)
    assert report.rejects == [], report.rejects
    emp = {r["nip"]: r for r in rows_of(engine, "employees")}
    assert (emp[CPNS]["employment"], emp[CPNS]["job_class"]) == ("cpns", 1)
    assert emp[CPNS]["functional_level"] is None
    assert emp[KIKI]["functional_level"] == "ahli_muda" and emp[KIKI]["job_class"] == 17
    assert emp[BUDI]["job_class"] is None and emp[BUDI]["functional_level"] is None


@pytest.mark.parametrize(("row", "words"), [
    (f"{KIKI},Kiki,P,U1,Analis,fungsional,IX,{ANI},cpns,,,",
     "appointment month (digits 13-14) is 21"),  # cpns follows the pns NIP rules
    (f"{CPNS},Cici,L,U1,Calon,pelaksana,II/a,{ANI},honorer,,,",
     "employment 'honorer' is not one of cpns, pns, pppk"),
    (f"{CPNS},Cici,L,U1,Calon,pelaksana,II/a,{ANI},,,0,", "job_class '0' must be between 1"),
    (f"{CPNS},Cici,L,U1,Calon,pelaksana,II/a,{ANI},,,18,", "job_class '18' must be between"),
    (f"{CPNS},Cici,L,U1,Calon,pelaksana,II/a,{ANI},,,7.5,", "job_class '7.5' is not a whole"),
    (f"{CPNS},Cici,L,U1,Calon,pelaksana,II/a,{ANI},,,,mahir",
     "functional_level mahir is only for fungsional posts, not pelaksana"),
    (f"{CPNS},Cici,L,U1,Calon,fungsional,II/a,{ANI},,,,guru",
     "functional_level 'guru' is not one of pemula"),
])
def test_new_employee_columns_rejected(tmp_path: Path, engine: Engine, row: str,
                                       words: str) -> None:
    base(engine, tmp_path)
    report = run_ingest(write_files(tmp_path / "in", {"employees": [EMP, row]}), engine)
    assert report.exit_code == 3 and len(report.rejects) == 1
    assert words in report.rejects[0].reason, report.rejects[0].reason


# --------------------------------------------------------------------------- attendance


def test_attendance_status(tmp_path: Path, engine: Engine) -> None:
    base(engine, tmp_path)
    folder = write_files(tmp_path / "in", {"attendance": [
        "nip,date,check_in,check_out,status",
        f"{BUDI},2024-05-06,,,CUTI_SAKIT",
        f"{BUDI},2024-05-07,08:00,16:00,",
        f"{BUDI},2024-05-08,,,libur",
    ]})
    report = run_ingest(folder, engine)
    assert [r.line for r in report.rejects] == [4]
    assert "status 'libur' is not one of hadir, dinas_luar" in report.rejects[0].reason
    status = {r["date"]: r["status"] for r in rows_of(engine, "attendance")}
    assert status[date(2024, 5, 6)] == "cuti_sakit"
    assert status[date(2024, 5, 7)] == "hadir"  # blank: the default
    assert status[date(2024, 5, 2)] == "hadir"  # the base file has no status column


# --------------------------------------------------------------------------- unit_results


def test_unit_results_longer_periods(tmp_path: Path, engine: Engine) -> None:
    base(engine, tmp_path)
    folder = write_files(tmp_path / "in", {"unit_results": [
        "unit_code,period,org_result",
        "U1,2024-q2,baik", "U1,2024-S1,istimewa", "U1,2024,kurang",
        "U1,2024-Q5,baik", "U1,2024-S3,baik", "U1,24,baik", "U1,2024-Q,baik",
    ]})
    report = run_ingest(folder, engine)
    assert [r.line for r in report.rejects] == [5, 6, 7, 8]
    assert all("is not a period (YYYY-MM, YYYY-Qn, YYYY-Sn or YYYY)" in r.reason
               for r in report.rejects)
    periods = {r["period"] for r in rows_of(engine, "unit_results")}
    assert periods == {"2024-05", "2024-Q2", "2024-S1", "2024"}
    # a longer period is for unit_results only
    bad = write_files(tmp_path / "b", {"behaviour": [
        "nip,period,assessor_nip,aspect,assessor_role,score",
        f"{BUDI},2024-Q2,{ANI},akuntabel,atasan,80"]})
    assert "is not a period (YYYY-MM)" in run_ingest(bad, engine).rejects[0].reason


# --------------------------------------------------------------------------- codes


@pytest.mark.parametrize(("code", "words"), [
    (".", "may not consist of dots only"),
    ("..", "may not consist of dots only"),
    ("...", "may not consist of dots only"),
    ("all", "is reserved"),
    ("single", "is reserved"),
    ("latest", "is reserved"),
    ("a/b", "is not a valid code"),
    ("..\\\\x", "is not a valid code"),
    ("ünit", "is not a valid code"),
])
def test_unit_codes_that_could_name_a_folder(tmp_path: Path, engine: Engine, code: str,
                                             words: str) -> None:
    folder = write_files(tmp_path / "in", {"units": ["unit_code,name,parent_code",
                                                     "ROOT,Root,", f'"{code}",Biro,ROOT']})
    report = run_ingest(folder, engine)
    assert report.exit_code == 3 and len(report.rejects) == 1
    assert words in report.rejects[0].reason, report.rejects[0].reason
    assert report.rejects[0].line == 3


def test_codes_with_dots_accepted(tmp_path: Path, engine: Engine) -> None:
    folder = write_files(tmp_path / "in", {"units": [
        "unit_code,name,parent_code", "ROOT,Root,", ".a,Biro,ROOT", "a..b,Biro,ROOT",
        "b.,Biro,ROOT"]})
    assert run_ingest(folder, engine).rejects == []


# --------------------------------------------------------------------------- migration


def test_migration_gives_stored_attendance_the_default_status(any_db_url: str,
                                                              tmp_path: Path) -> None:
    from alembic import command

    eng = open_engine(any_db_url, create=True)
    try:
        command.upgrade(alembic_config(eng), "0002")
        with eng.begin() as conn:
            conn.execute(text("INSERT INTO attendance (nip, date) VALUES (:n, :d)"),
                         {"n": BUDI, "d": date(2024, 5, 2)})
        upgrade(eng)
        with eng.connect() as conn:
            assert conn.execute(text("SELECT status FROM attendance")).scalar_one() == "hadir"
        cols = {c["name"]: c for c in inspect(eng).get_columns("attendance")}
        assert cols["status"]["nullable"] is False and cols["status"]["default"] is None
        emp = {c["name"] for c in inspect(eng).get_columns("employees")}
        assert {"job_class", "functional_level"} <= emp
        command.downgrade(alembic_config(eng), "0002")
        assert "status" not in {c["name"] for c in inspect(eng).get_columns("attendance")}
    finally:
        eng.dispose()

