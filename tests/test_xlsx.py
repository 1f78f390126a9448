"""recap.xlsx for people (issue 18): names beside NIPs, Indonesian headers explained in a
Kamus data sheet, key columns first, number formats, frozen NIP and name, A4 landscape,
the backlog by size, small units set apart in the curve checks."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from eperformance.scores import ScoreRequest, compute_scores
from eperformance.unit_recap import recap_tables
from eperformance.xlsx import COLUMNS, recap_workbook, small_unit_limit
from test_cards_support import TinyDb, build_tiny_db


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyDb]:
    tiny = build_tiny_db(tmp_path_factory.mktemp("xlsx"))
    yield tiny
    tiny.engine.dispose()


@pytest.fixture(scope="module")
def book(db: TinyDb) -> tuple:  # type: ignore[type-arg]
    run = compute_scores(db.engine, ScoreRequest(period=db.period))
    tables = recap_tables(run, db.engine)
    return run, tables, load_workbook(io.BytesIO(recap_workbook(run, tables, "id")))


def _rows(ws) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]


def test_employees_sheet_is_for_people(book: tuple, db: TinyDb) -> None:  # type: ignore[type-arg]
    run, _, wb = book
    ws = wb["Pegawai"]
    header = [c.value for c in ws[1]]
    assert header[:12] == ["NIP", "Nama", "Unit kerja", "Predikat", "Nilai SKP",
                           "Nilai perilaku", "Nilai akhir", "Rating hasil kerja",
                           "Rating perilaku", "Keterangan", "Jabatan", "Kode unit"]
    assert not any("_" in str(h) for h in header), "no snake_case header"
    assert ws.freeze_panes == "C2"
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
    names = dict(zip(run.employees["nip"], run.employees["name"], strict=True))
    rows = _rows(ws)
    assert all(r["Nama"] == names[r["NIP"]] for r in rows)
    col = {h: i for i, h in enumerate(header, start=1)}
    second = list(ws.iter_rows(min_row=2, max_row=2))[0]
    assert second[col["Entri"] - 1].number_format == "#,##0"
    assert second[col["Nilai SKP"] - 1].number_format == "#,##0.00"
    assert second[col["NIP"] - 1].number_format == "@"
    assert isinstance(second[col["Entri"] - 1].value, int)


def test_shares_are_percentages_and_backlog_is_sorted(book: tuple) -> None:  # type: ignore[type-arg]
    _, tables, wb = book
    units = _rows(wb["Unit"])
    raw = dict(zip(tables.units["unit_code"], tables.units["share_Baik"], strict=True))
    for r in units:
        assert r["Baik (%)"] == pytest.approx(raw[r["Kode unit"]] / 100)
    cell = [c for c in wb["Unit"][2] if wb["Unit"].cell(1, c.column).value == "Baik (%)"][0]
    assert cell.number_format == "0.0%"
    backlog = [r["Entri belum diputuskan"] for r in _rows(wb["Backlog atasan"])]
    assert backlog == sorted(backlog, reverse=True)
    assert all(r["Nama atasan"] for r in _rows(wb["Backlog atasan"]))


def test_curve_checks_name_the_unit_size_and_set_small_units_apart(book: tuple) -> None:  # type: ignore[type-arg]
    run, _, wb = book
    limit = small_unit_limit(run)
    assert limit == 10  # 100 / the curve's smallest bound, 10 %
    rows = _rows(wb["Pelanggaran kurva"])
    small = [r["Unit kecil"] == "ya" for r in rows]
    assert small == sorted(small) and any(small)  # the meaningful ones first
    for r in rows:
        assert r["Unit kecil"] == ("ya" if r["Pegawai berpredikat"] < limit else "tidak")
        assert r["Aturan kurva"].startswith(("paling banyak", "paling sedikit", "tidak ada"))
        assert bool(r["Catatan"]) == (r["Unit kecil"] == "ya")


def test_every_column_is_in_the_dictionary(book: tuple) -> None:  # type: ignore[type-arg]
    _, _, wb = book
    dictionary = {(r["Lembar"], r["Kolom"]) for r in _rows(wb["Kamus data"])}
    for ws in wb.worksheets:
        if ws.title == "Kamus data":
            continue
        for cell in ws[1]:
            assert (ws.title, cell.value) in dictionary, (ws.title, cell.value)
    assert all(c.meaning_id and c.meaning_en for c in COLUMNS.values())


def test_english_workbook(db: TinyDb, tmp_path: Path) -> None:
    run = compute_scores(db.engine, ScoreRequest(period=db.period))
    wb = load_workbook(io.BytesIO(recap_workbook(run, recap_tables(run, db.engine), "en")))
    assert wb.sheetnames[-1] == "Data dictionary"
    assert [c.value for c in wb["Employees"][1]][:3] == ["NIP", "Name", "Unit"]
