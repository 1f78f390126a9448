"""``recap.xlsx``: the recap workbook analysts open in a spreadsheet.

Sheets (Indonesian names by default, English with ``lang="en"``): employees with scores and
ratings, assignments, units with the predikat distribution, the verification backlog per
supervisor, distribution-curve breaches, missing data, and (from the batch) the month's
*Tunjangan kinerja*: names and units beside NIPs, rupiah formatted, the payroll total per
unit below the table. Each sheet has a frozen header
row, an autofilter and number formats; figures are rounded by the rounding rule, so a
cell holds the same number ``eperf score`` writes. Text cells are written as text (a
leading ``=`` never becomes a formula).
"""

from __future__ import annotations

import io
import math
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .recap import RecapTables
from .scores import ScoreRun
from .scoring.rounding import round_half_away
from .tukin import TukinRun, fmt_percent
from .tukin.amount import round_half_up

SHEETS = {
    "id": {"employees": "Pegawai", "assignments": "Penugasan", "units": "Unit",
           "supervisors": "Backlog atasan", "breaches": "Pelanggaran kurva",
           "missing": "Data belum lengkap"},
    "en": {"employees": "Employees", "assignments": "Assignments", "units": "Units",
           "supervisors": "Supervisor backlog", "breaches": "Curve breaches",
           "missing": "Missing data"},
}
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else round_half_away(value, 2)
    if hasattr(value, "item"):  # numpy scalars
        return _cell(value.item())
    return value


def _sheet(wb: Workbook, title: str, frame: pd.DataFrame) -> None:
    ws = wb.create_sheet(title)
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    for cell in ws[1]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws.freeze_panes = "A2"
    if frame.shape[1]:
        ws.auto_filter.ref = f"A1:{get_column_letter(frame.shape[1])}{max(1, len(frame) + 1)}"
    for idx, col in enumerate(frame.columns, start=1):
        letter = get_column_letter(idx)
        kind = frame[col].dtype.kind if len(frame) else "O"
        width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)]) + 2
        ws.column_dimensions[letter].width = min(max(width, 8), 48)
        if kind == "f":
            for (cell,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
                cell.number_format = "0.00"
        elif kind in "O" and col in ("nip", "supervisor_nip", "assignment_id"):
            for (cell,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
                cell.number_format = "@"
        # text stays text: openpyxl writes str values as strings, never formulas
        for (cell,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"


RUPIAH_FORMAT = '"Rp" #,##0'
TUKIN_SHEET = {"id": "Tunjangan kinerja", "en": "Performance allowance"}
TUKIN_HEADERS = {
    "id": {"total": "Jumlah per unit", "unit_total": "Jumlah", "employees": "pegawai",
           "paid": "dibayar", "grand_total": "Jumlah seluruhnya"},
    "en": {"total": "Totals per unit", "unit_total": "Total", "employees": "employees",
           "paid": "paid", "grand_total": "Grand total"},
}


def tukin_frames(tukin: TukinRun, unit_names: dict[str, str]
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The allowance per employee (names and units beside NIPs, rupiah as whole numbers,
    percents as numbers) sorted by unit then NIP, and the totals per unit."""
    emp = tukin.employees.set_index("nip")
    rows = []
    for r in tukin.rows:
        unit = emp.at[r.nip, "unit_code"] if r.nip in emp.index else None
        rows.append({
            "nip": r.nip,
            "name": emp.at[r.nip, "name"] if r.nip in emp.index else None,
            "unit_code": unit,
            "unit_name": unit_names.get(str(unit)) if unit is not None else None,
            "job_class": r.job_class,
            "employment": r.employment,
            "base": None if r.base is None else round_half_up(r.base),
            "kinerja_percent": None if r.kinerja_percent is None else float(
                fmt_percent(r.kinerja_percent)),
            "deduction_percent": None if r.deduction_percent is None else float(
                fmt_percent(r.deduction_percent)),
            "tukin": r.tukin,
            "keterangan": ";".join(r.keterangan),
        })
    frame = pd.DataFrame(rows, columns=["nip", "name", "unit_code", "unit_name", "job_class",
                                        "employment", "base", "kinerja_percent",
                                        "deduction_percent", "tukin", "keterangan"])
    frame = frame.sort_values(["unit_code", "nip"], kind="stable", na_position="last")
    frame = frame.reset_index(drop=True)
    totals = (frame.assign(paid=frame["tukin"].notna())
              .groupby("unit_code", dropna=False, sort=True)
              .agg(unit_name=("unit_name", "first"), employees=("nip", "size"),
                   paid=("paid", "sum"), tukin=("tukin", "sum"))
              .reset_index())
    totals["tukin"] = totals["tukin"].astype("int64")
    return frame, totals


def _tukin_sheet(wb: Workbook, tukin: TukinRun, unit_names: dict[str, str], lang: str) -> None:
    frame, totals = tukin_frames(tukin, unit_names)
    heads = TUKIN_HEADERS["en" if lang == "en" else "id"]
    ws = wb.create_sheet(TUKIN_SHEET["en" if lang == "en" else "id"])
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    last = len(frame) + 1
    for cell in ws[1]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(frame.shape[1])}{max(1, last)}"
    col = {name: i + 1 for i, name in enumerate(frame.columns)}
    widths = {"nip": 21, "name": 32, "unit_code": 11, "unit_name": 36, "job_class": 9,
              "employment": 11, "base": 15, "kinerja_percent": 10, "deduction_percent": 10,
              "tukin": 15, "keterangan": 40}
    for name, width in widths.items():
        ws.column_dimensions[get_column_letter(col[name])].width = width
    for (cell,) in ws.iter_rows(min_row=2, max_row=last, min_col=col["nip"],
                                max_col=col["nip"]):
        cell.number_format = "@"
    for name in ("base", "tukin"):
        for (cell,) in ws.iter_rows(min_row=2, max_row=last, min_col=col[name],
                                    max_col=col[name]):
            cell.number_format = RUPIAH_FORMAT
    for name in ("kinerja_percent", "deduction_percent"):
        for (cell,) in ws.iter_rows(min_row=2, max_row=last, min_col=col[name],
                                    max_col=col[name]):
            cell.number_format = "0.00"
    for row in ws.iter_rows(min_row=2, max_row=last):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    # the payroll total per unit, below the table
    top = last + 3
    ws.cell(top - 1, 1, heads["total"]).font = Font(bold=True)
    header = ["unit_code", "unit_name", heads["employees"], heads["paid"], "tukin"]
    for j, text in enumerate(header, start=1):
        c = ws.cell(top, j, text)
        c.fill, c.font = HEADER_FILL, HEADER_FONT
    for i, t in enumerate(totals.itertuples(index=False), start=top + 1):
        values = [_cell(t.unit_code), _cell(t.unit_name), int(t.employees), int(t.paid),
                  int(t.tukin)]
        for j, v in enumerate(values, start=1):
            ws.cell(i, j, v)
        ws.cell(i, 5).number_format = RUPIAH_FORMAT
    end = top + len(totals) + 1
    ws.cell(end, 1, heads["grand_total"]).font = Font(bold=True)
    for j, v in ((3, int(totals["employees"].sum())), (4, int(totals["paid"].sum())),
                 (5, int(totals["tukin"].sum()))):
        c = ws.cell(end, j, v)
        c.font = Font(bold=True)
    ws.cell(end, 5).number_format = RUPIAH_FORMAT


def recap_workbook(run: ScoreRun, tables: RecapTables, lang: str = "id",
                   tukin: TukinRun | None = None) -> bytes:
    """The workbook as bytes (the orchestrator writes it atomically); with ``tukin``, a
    *Tunjangan kinerja* sheet too."""
    names = SHEETS["en" if lang == "en" else "id"]
    wb = Workbook()
    wb.remove(wb.active)
    employees = tables.employees.copy()
    scores = run.scores_frame[["nip", "rating_hasil_kerja", "rating_perilaku"]]
    employees = employees.merge(scores, on="nip", how="left")
    employees.insert(2, "provisional", run.provisional)
    _sheet(wb, names["employees"], employees)
    _sheet(wb, names["assignments"], run.assignments_frame)
    _sheet(wb, names["units"], tables.units)
    _sheet(wb, names["supervisors"], tables.supervisors)
    _sheet(wb, names["breaches"], tables.breaches)
    _sheet(wb, names["missing"], tables.missing)
    if tukin is not None:
        unit_names = {str(k): str(v) for k, v in zip(tables.units["unit_code"],
                                                      tables.units["unit_name"], strict=True)}
        _tukin_sheet(wb, tukin, unit_names, lang)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
