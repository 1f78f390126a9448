"""Ingest: absent columns keep stored values, unknown columns are named, on every engine.

A column missing from a file's header is *not given* (data-contract.md, "Absent columns and
upserts"): a row that updates a stored key keeps the stored value of every absent column,
while a blank cell in a present column sets blank or the default. Checks see the merged
row, and the counts compare it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from eperformance.db.engine import open_engine, upgrade
from eperformance.ingest import run_ingest
from test_ingest import ANI, BUDI, KIKI, TOP, rows_of, write_folder


def eperf(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command line as a user runs it: a fresh process, our home, no DATABASE_URL."""
    env = dict(os.environ, EPERF_HOME=str(home))
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "eperformance.cli", *args],
                          capture_output=True, text=True, env=env)


def write_files(folder: Path, files: dict[str, list[str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in files.items():
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def loaded(any_db_url: str, tmp_path: Path) -> Iterator[Engine]:
    """The base fixture of test_ingest, loaded into a fresh database on each engine."""
    eng = open_engine(any_db_url, create=True)
    upgrade(eng)
    assert run_ingest(write_folder(tmp_path / "base"), eng).exit_code == 0
    yield eng
    eng.dispose()


def employees(engine: Engine) -> dict[str, dict]:
    return {r["nip"]: r for r in rows_of(engine, "employees")}


def test_misspelt_column_keeps_every_supervisor(loaded: Engine, any_db_url: str,
                                                home: Path, tmp_path: Path) -> None:
    before = employees(loaded)
    folder = write_files(tmp_path / "in", {"employees": [
        "nip,name,gender,unit_code,position,position_type,grade,supervisr_nip,employment,active",
        f"{TOP},Top,L,ROOT,Dirjen,jpt,IV/e,,pns,true",
        f"{ANI},Ani,P,U1,Kepala Biro,administrator,IV/a,{TOP},pns,true",
        f"{BUDI},Budi,L,U1,Staf,pelaksana,III/a,{ANI},,",
        f"{KIKI},Kiki,P,U1,Analis,fungsional,IX,{ANI},pppk,ya",
    ]})
    res = eperf(home, "ingest", str(folder), "--db", any_db_url)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "4 rows read: 0 inserted, 0 updated, 4 unchanged, 0 rejected" in res.stdout
    warnings = [line for line in res.stderr.splitlines() if "unknown column" in line]
    assert warnings == ["warning: employees.csv: unknown columns ignored: supervisr_nip"]
    assert employees(loaded) == before  # nobody lost a supervisor

    # a present column with a blank cell does set blank
    blank = write_files(tmp_path / "blank", {"employees": [
        "nip,name,gender,unit_code,position,position_type,grade,supervisor_nip",
        f"{BUDI},Budi,L,U1,Staf,pelaksana,III/a,",
    ]})
    res = eperf(home, "ingest", str(blank), "--db", any_db_url)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 rows read: 0 inserted, 1 updated, 0 unchanged, 0 rejected" in res.stdout
    after = employees(loaded)
    assert after[BUDI]["supervisor_nip"] is None
    assert after[KIKI]["supervisor_nip"] == ANI


def test_absent_columns_keep_stored_values_new_rows_take_defaults(loaded: Engine,
                                                                  tmp_path: Path) -> None:
    new = BUDI[:15] + "009"
    folder = write_files(tmp_path / "in", {"employees": [
        "nip,name,gender,unit_code,position,position_type,grade",
        f"{KIKI},Kiki Baru,P,U1,Analis,fungsional,IX",  # stored pppk, active ya
        f"{BUDI},Budi,L,U1,Staf,pelaksana,III/a",  # unchanged once merged
        f"{new},Nina,P,U1,Staf,pelaksana,III/a",  # new: the defaults
    ]})
    report = run_ingest(folder, loaded)
    assert report.rejects == [], report.rejects  # KIKI's NIP checked as the stored pppk
    c = report.counts("employees")
    assert (c.read, c.inserted, c.updated, c.unchanged, c.rejected) == (3, 1, 1, 1, 0)
    emp = employees(loaded)
    assert emp[KIKI]["name"] == "Kiki Baru"
    assert (emp[KIKI]["employment"], emp[KIKI]["active"]) == ("pppk", True)
    assert emp[KIKI]["supervisor_nip"] == ANI and emp[BUDI]["supervisor_nip"] == ANI
    assert (emp[new]["employment"], emp[new]["active"], emp[new]["supervisor_nip"]) == \
        ("pns", True, None)


def test_checks_see_the_merged_row(loaded: Engine, tmp_path: Path) -> None:
    folder = write_files(tmp_path / "in", {
        # stored 07:30-16:00: a check-out before the stored check-in is rejected
        "attendance": ["nip,date,check_out", f"{BUDI},2024-05-02,07:00",
                       f"{BUDI},2024-05-09,12:00"],
        # A1 keeps its stored assignment S1 (BUDI's): moving it to ANI is rejected
        "activities": ["activity_id,nip,date,start_time,end_time,activity_code",
                       f"A1,{ANI},2024-05-02,08:00,10:00,AT1",
                       f"A3,{BUDI},2024-05-03,13:00,15:00,AT2"],
    })
    report = run_ingest(folder, loaded)
    reasons = {r.key: r.reason for r in report.rejects}
    assert reasons == {
        f"{BUDI}|2024-05-02": "check_out 07:00 is before check_in 07:30",
        "A1": f"assignment_id S1 is an assignment of NIP {BUDI}, not of this entry's NIP {ANI}",
    }
    att = {r["date"].isoformat(): r for r in rows_of(loaded, "attendance")
           if r["nip"] == BUDI}
    assert att["2024-05-09"]["check_in"] is None and att["2024-05-09"]["status"] == "hadir"
    acts = {r["activity_id"]: r for r in rows_of(loaded, "activities")}
    assert acts["A3"]["end_time"] == time(15) and acts["A3"]["cost"] == 0.0
    assert acts["A1"]["nip"] == BUDI and acts["A1"]["description"] == " menyusun draf "
    for t in report.tables:
        assert t.balanced, t


def test_unit_parent_kept_and_cycle_checked_on_merged_rows(loaded: Engine,
                                                           tmp_path: Path) -> None:
    # ROOT gets U2 as parent while U2's stored... U2 is new and its parent_code is U1,
    # U1's stored parent is ROOT: the file's U1 row has no parent column, so the cycle
    # ROOT -> U2 -> U1 -> ROOT runs through U1's stored parent.
    first = write_files(tmp_path / "a", {"units": ["unit_code,name", "U1,Biro Satu Baru"]})
    assert run_ingest(first, loaded).exit_code == 0
    units = {r["unit_code"]: r for r in rows_of(loaded, "units")}
    assert units["U1"]["parent_code"] == "ROOT" and units["U1"]["name"] == "Biro Satu Baru"
    cyc = write_files(tmp_path / "b", {"units": ["unit_code,name,parent_code",
                                                 "ROOT,Kementerian,U2", "U2,Dua,U1"]})
    report = run_ingest(cyc, loaded)
    assert sorted(r.key for r in report.rejects) == ["ROOT", "U2"]
    assert all(r.reason.startswith("unit parent cycle: ") for r in report.rejects)


def test_stored_functional_level_checked_against_a_new_post(loaded: Engine,
                                                            tmp_path: Path) -> None:
    """A stored functional_level with a post that is no longer fungsional (and no
    functional_level column) rejects the row: the effective row is checked."""
    run_ingest(write_files(tmp_path / "a", {"employees": [
        "nip,name,gender,unit_code,position,position_type,grade,employment,functional_level",
        f"{KIKI},Kiki,P,U1,Analis,fungsional,IX,pppk,ahli_pertama"]}), loaded)
    report = run_ingest(write_files(tmp_path / "b", {"employees": [
        "nip,name,gender,unit_code,position,position_type,grade",
        f"{KIKI},Kiki,P,U1,Staf,pelaksana,IX"]}), loaded)
    assert report.exit_code == 3 and len(report.rejects) == 1
    assert report.rejects[0].reason == (
        "functional_level ahli_pertama (the stored value: the file has no functional_level "
        "column) is only for fungsional posts, not pelaksana")
    kiki = employees(loaded)[KIKI]
    assert (kiki["position_type"], kiki["functional_level"]) == ("fungsional", "ahli_pertama")


def test_unknown_columns_named_in_one_line_per_file(tmp_path: Path) -> None:
    eng = open_engine(f"sqlite:///{tmp_path / 'wb.sqlite'}", create=True)
    upgrade(eng)
    folder = write_files(tmp_path / "in", {
        "units": ["unit_code,colour,name,,parent_code,size,name", "ROOT,red,Root,x,,1,Again"],
        "activity_types": ["activity_code,name,output_unit,standard_minutes"],
    })
    report = run_ingest(folder, eng)
    assert report.warnings == [
        "units.csv: unknown columns ignored: colour, (column 4 has no name), size",
        "units.csv: columns named twice, the first one counts: name",
    ]
    assert [r["name"] for r in rows_of(eng, "units")] == ["Root"]
    eng.dispose()
