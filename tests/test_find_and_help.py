"""`eperf find` (a name or NIP fragment to the NIP) and `eperf --help` in workflow order."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from eperformance.cli import WORKFLOW
from eperformance.db.engine import open_engine, upgrade
from eperformance.ingest import run_ingest
from eperformance.nip import make_nip
from eperformance.people import find_people, fold

BOSS = make_nip(date(1975, 4, 4), 2000, 3, "P", 1)
STAFF = make_nip(date(1990, 8, 17), 2015, 2, "L", 2)
GONE = make_nip(date(1960, 1, 1), 1985, 3, "L", 3)


def eperf(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, EPERF_HOME=str(home), COLUMNS="100")
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "eperformance.cli", *args],
                          capture_output=True, text=True, env=env)


def _db(home: Path) -> str:
    folder = home / "in"
    folder.mkdir()
    (folder / "units.csv").write_text("unit_code,name,parent_code\nU1,Biro Umum,\n",
                                      encoding="utf-8")
    (folder / "employees.csv").write_text(
        "nip,name,gender,unit_code,position,position_type,grade,supervisor_nip,active\n"
        f"{BOSS},Ni Luh Putu Ayu Wédarí,P,U1,Kepala Biro,administrator,IV/a,,true\n"
        f"{STAFF},Dédé Sütisna,L,U1,Pranata Kearsipan,pelaksana,III/a,{BOSS},true\n"
        f"{GONE},Dede Pensiun,L,U1,Arsiparis,pelaksana,III/a,{BOSS},false\n",
        encoding="utf-8")
    url = f"sqlite:///{home / 'data' / 'workbook.sqlite'}"
    engine = open_engine(url, create=True)
    upgrade(engine)
    assert run_ingest(folder, engine).exit_code == 0
    engine.dispose()
    return url


def test_find_by_name_ignores_case_and_accents(home: Path) -> None:
    engine = open_engine(_db(home))
    assert [p.nip for p in find_people(engine, "dede")] == [STAFF]
    assert [p.nip for p in find_people(engine, "DEDE", include_inactive=True)] == [GONE, STAFF]
    assert [p.nip for p in find_people(engine, "wedari ayu")] == [BOSS]  # every word
    assert find_people(engine, "wedari dede") == []
    engine.dispose()
    assert fold("Wédarí") == "wedari"


def test_find_command(home: Path) -> None:
    _db(home)
    res = eperf(home, "find", "sütisna")
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == [
        f"{STAFF}  Dédé Sütisna  |  U1 Biro Umum  |  Pranata Kearsipan"]
    spaced = f"{BOSS[:8]} {BOSS[8:14]}"  # as a NIP is printed
    res = eperf(home, "find", spaced)
    assert res.returncode == 0 and res.stdout.startswith(BOSS), res.stdout + res.stderr
    res = eperf(home, "find", "pensiun")
    assert res.returncode == 2 and "no active employee matches 'pensiun'" in res.stderr
    res = eperf(home, "find", "pensiun", "--all")
    assert res.returncode == 0 and "(nonaktif)" in res.stdout


def test_help_lists_commands_in_workflow_order_with_examples() -> None:
    res = eperf(Path("."), "--help")
    assert res.returncode == 0
    lines = res.stdout.split("Commands (in the order of a month's work):")[1].splitlines()
    names = [ln.split()[0] for ln in lines if ln.startswith("  ") and not ln.startswith("   ")]
    expected = [n for n, _ in WORKFLOW if n in names]
    assert names[:len(expected)] == expected and "ingest" in names and "batch" in names
    assert "..." not in "\n".join(lines)  # no truncated summary
    for _, example in WORKFLOW:
        if example.split()[1] in names:
            assert f"e.g. {example}" in res.stdout
