"""``recap.xlsx``: the recap workbook analysts open in a spreadsheet.

Sheets (Indonesian names by default, English with ``lang="en"``): employees with scores and
ratings, assignments, units with the predikat distribution, the verification backlog per
supervisor, distribution-curve breaches, and missing data. Each sheet has a frozen header
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


def recap_workbook(run: ScoreRun, tables: RecapTables, lang: str = "id") -> bytes:
    """The workbook as bytes (the orchestrator writes it atomically)."""
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
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
