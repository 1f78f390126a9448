"""Ingest: what must never reach the database or the disk unnoticed (issue 13).

NUL characters in text, ``eperf ingest --check`` (validates and reports, loads nothing), a
rejects path that cannot be written (checked before anything loads), and XLSX sheets that
claim a huge dimension (read by their real cells).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
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


# --------------------------------------------------------------------------- --check


def _counts(url: str) -> dict[str, int]:
    from sqlalchemy import func, inspect, select

    from eperformance.db.schema import CONTRACT_TABLES, import_log

    eng = open_engine(url)
    try:
        names = set(inspect(eng).get_table_names())
        with eng.connect() as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in [*CONTRACT_TABLES.values(), import_log] if t.name in names}
    finally:
        eng.dispose()


def _report_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if not line.startswith("check only")]


def test_check_reports_like_an_import_and_loads_nothing(any_db_url: str, home: Path,
                                                       tmp_path: Path) -> None:
    base = write_folder(tmp_path / "base")
    assert eperf(home, "ingest", str(base), "--db", any_db_url).returncode == 0
    before = _counts(any_db_url)
    eng = open_engine(any_db_url)
    stored = {t: sorted(map(repr, rows_of(eng, t))) for t in ("units", "activity_types")}
    eng.dispose()
    folder = write_folder(tmp_path / "in", {
        "units": ["ROOT,Kementerian Baru,", "U2,Biro Dua,ROOT", "U 3,Biro Tiga,ROOT"],
        "activity_types": ["AT1,Laporan,laporan,60"],
    }, tables=["units", "activity_types"])
    check = eperf(home, "ingest", "--check", str(folder), "--db", any_db_url)
    assert check.returncode == 3, check.stdout + check.stderr
    assert check.stdout.splitlines()[-1] == ("check only: nothing was loaded (the counts are "
                                             "what an import would do)")
    assert "4 rows read: 1 inserted, 1 updated, 1 unchanged, 1 rejected" in check.stdout
    checked_rejects = (folder / "rejects.csv").read_text(encoding="utf-8")
    assert "U 3" in checked_rejects
    assert _counts(any_db_url) == before  # no row, no import_log row
    eng = open_engine(any_db_url)
    assert {t: sorted(map(repr, rows_of(eng, t))) for t in stored} == stored
    eng.dispose()

    real = eperf(home, "ingest", str(folder), "--db", any_db_url)
    assert real.returncode == 3
    assert _report_lines(real.stdout) == _report_lines(check.stdout)
    assert (folder / "rejects.csv").read_text(encoding="utf-8") == checked_rejects
    assert _counts(any_db_url)["units"] == before["units"] + 1


def test_check_without_a_schema_changes_nothing(any_db_url: str, home: Path,
                                               tmp_path: Path) -> None:
    """A database that does not exist yet (SQLite) or has no schema is checked as empty."""
    from sqlalchemy import inspect

    folder = write_folder(tmp_path / "in")
    res = eperf(home, "ingest", "--check", str(folder), "--db", any_db_url)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "note: the database" in res.stderr and "checked as if it were empty" in res.stderr
    read = sum(len(v) for v in ROWS.values())
    assert f"{read} rows read: {read} inserted, 0 updated, 0 unchanged, 0 rejected" \
        in res.stdout
    assert "nothing was loaded" in res.stdout
    if any_db_url.startswith("sqlite"):
        assert not (tmp_path / "wb.sqlite").exists()
    else:
        eng = open_engine(any_db_url)
        assert inspect(eng).get_table_names() == []
        eng.dispose()


def test_check_refuses_a_schema_behind_the_code(home: Path, tmp_path: Path) -> None:
    from alembic import command

    from eperformance.db.engine import alembic_config, current_revision

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    eng = open_engine(url, create=True)
    command.upgrade(alembic_config(eng), "0002")
    eng.dispose()
    res = eperf(home, "ingest", "--check", str(write_folder(tmp_path / "in")), "--db", url)
    assert res.returncode == 2, res.stdout + res.stderr
    assert res.stderr.splitlines()[0] == (
        "eperf: error: the database is at revision 0002; --check needs revision "
        f"{_head()} and never changes the schema")
    eng = open_engine(url)
    assert current_revision(eng) == "0002"
    eng.dispose()


def _head() -> str:
    from eperformance.db.engine import head_revision

    return head_revision()


# --------------------------------------------------------------------------- rejects path


def test_unwritable_rejects_path_fails_before_anything_loads(home: Path,
                                                            tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wb.sqlite'}"
    folder = write_folder(tmp_path / "in", with_rows(units=["U 2,Biro,ROOT"]))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    target = blocker / "rejects.csv"
    res = eperf(home, "ingest", str(folder), "--rejects", str(target), "--db", url)
    assert res.returncode == 2, res.stdout + res.stderr
    assert res.stderr.splitlines()[0] == (
        f"eperf: error: cannot write the rejects file {target}: {blocker} is not a folder")
    assert "Traceback" not in res.stderr and res.stdout == ""
    assert sum(_counts(url).values()) == 0  # nothing loaded, no import logged
    assert not (folder / "rejects.csv").exists()


def test_rejects_path_that_is_a_folder(tmp_path: Path) -> None:
    from eperformance.errors import ImportFailed

    eng = open_engine(f"sqlite:///{tmp_path / 'wb.sqlite'}", create=True)
    upgrade(eng)
    folder = write_folder(tmp_path / "in")  # no rejects at all: still refused
    with pytest.raises(ImportFailed, match="cannot write the rejects file .*: it is a folder"):
        run_ingest(folder, eng, rejects=tmp_path)
    assert sum(len(v) for v in (rows_of(eng, "units"), rows_of(eng, "employees"))) == 0
    eng.dispose()


# --------------------------------------------------------------------------- XLSX dimension


def _claim_huge_dimension(book: Path, out: Path) -> Path:
    """Every sheet claims A1:XFD1048576; the units sheet also has an empty styled cell in
    the very last row (as some exporters leave behind)."""
    import re
    import zipfile

    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data, n = re.subn(rb'<dimension ref="[^"]*"\s*/>',
                                  b'<dimension ref="A1:XFD1048576"/>', data)
                assert n == 1
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>",
                                    b'<row r="1048576"><c r="A1048576" s="0"/></row>'
                                    b"</sheetData>")
            zout.writestr(item, data)
    return out


def test_xlsx_read_by_its_real_cells_whatever_dimension_it_claims(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    from test_ingest import dump, write_workbook

    rows = with_rows(units=["U2,Biro Dua,ROOT"], activity_types=["AT9,X,x,0"])
    book = _claim_huge_dimension(write_workbook(tmp_path / "plain.xlsx", rows),
                                 tmp_path / "claims.xlsx")
    assert book.stat().st_size < 16_000

    cells = 0
    original = ReadOnlyWorksheet._cells_by_row

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal cells
        for row in original(self, *args, **kwargs):
            cells += len(row)
            if cells > 20_000:  # the real cells are a few hundred
                raise AssertionError("cells materialised beyond the sheet's real cells")
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counting)
    e_xlsx = open_engine(f"sqlite:///{tmp_path / 'x.sqlite'}", create=True)
    e_csv = open_engine(f"sqlite:///{tmp_path / 'c.sqlite'}", create=True)
    upgrade(e_xlsx)
    upgrade(e_csv)
    report = run_ingest(book, e_xlsx)
    run_ingest(write_folder(tmp_path / "in", rows), e_csv)
    assert [(r.file, r.line, r.key) for r in report.rejects] == [("activity_types", 4, "AT9")]
    assert report.counts("units").read == len(rows["units"])
    assert dump(e_xlsx) == dump(e_csv)
    assert 0 < cells < 20_000
    e_xlsx.dispose()
    e_csv.dispose()
