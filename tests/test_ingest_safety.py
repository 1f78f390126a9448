"""Ingest: what must never reach the database or the disk unnoticed (issue 13).

NUL characters in text, ``eperf ingest --check`` (validates and reports, loads nothing), a
rejects path that cannot be written (checked before anything loads), and XLSX sheets that
claim a huge dimension (read by their real cells).
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine

from eperformance.db.engine import open_engine, upgrade
from eperformance.ingest import run_ingest
from test_ingest import BUDI, ROWS, read_rejects, rows_of, with_rows, write_folder
from test_ingest_upserts import eperf


def test_nul_character_rejects_its_row_on_every_engine(any_db_url: str, home: Path,
                                                       tmp_path: Path) -> None:
    rows = with_rows(
        units=["U2,Biro\x00Dua,ROOT"],
        activities=[f"A9,{BUDI},2024-05-02,08:00,10:00,AT1,,,ada\x00nul,,"],
        activity_types=["AT\x009,X,x,5"],
    )
    folder = write_folder(tmp_path / "in", rows)
    res = eperf(home, "ingest", str(folder), "--db", any_db_url)
    assert res.returncode == 3, res.stdout + res.stderr
    assert res.stderr == ""
    got = {r["key"]: r for r in read_rejects(folder / "rejects.csv")}
    assert got["U2"]["reason"] == "name 'Biro\\x00Dua' contains a NUL character (\\x00)"
    assert got["A9"]["reason"] == ("description 'ada\\x00nul' contains a NUL character "
                                   "(\\x00)")
    assert got["AT\\x009"]["reason"].startswith("activity_code 'AT\\x009' is not a valid code")
    assert json.loads(got["A9"]["values"])["description"] == "ada\x00nul"
    assert "\x00" not in (folder / "rejects.csv").read_text(encoding="utf-8")
    eng = open_engine(any_db_url)
    try:
        assert len(rows_of(eng, "units")) == len(ROWS["units"])
        assert {r["activity_id"] for r in rows_of(eng, "activities")} == {"A1", "A2", "A3"}
    finally:
        eng.dispose()


def test_nul_alone_in_a_note(tmp_path: Path) -> None:
    eng: Engine = open_engine(f"sqlite:///{tmp_path / 'wb.sqlite'}", create=True)
    upgrade(eng)
    rows = with_rows(verifications=[f"V9,A3,{BUDI},approved,2024-05-03T10:00:00,,\x00"])
    report = run_ingest(write_folder(tmp_path / "in", rows), eng)
    assert [r.reason for r in report.rejects] == [
        "note '\\x00' contains a NUL character (\\x00)"]
    eng.dispose()
