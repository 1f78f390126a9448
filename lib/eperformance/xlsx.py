"""``recap.xlsx``: the recap workbook an HR analyst hands on.

Written for people, not for programs (the CSV files of ``eperf rekap`` are those):

* a name, position and unit name beside every NIP; headers in the workbook's language
  (Indonesian by default) with a *Kamus data* sheet that explains every column (meaning,
  unit, rule);
* the key columns first (NIP, name, unit, predikat, the figures and ratings), the
  operational ones after; whole counts as integers, shares as percentages, figures with two
  decimals by the rounding rule (a cell holds the number ``eperf score`` writes);
* NIP and name frozen, an autofilter, A4 landscape printing with the header row repeated;
* the supervisors' backlog sorted by size; curve checks that name each unit's size and set
  apart units too small for a share to mean anything (:func:`small_unit_limit`);
* from the batch, the month's *Tunjangan kinerja*: rupiah formatted, the payroll total per
  unit below the table;
* under permenpan-6-2022, an *Angka kredit* column group on the employees' sheet for the
  functional employees (level, predikat percent, annual coefficient, months, angka kredit:
  domain.md §7), for a month as for a longer period.

A period's workbook (:func:`recap_workbook` with a quarter's, semester's or year's
:class:`~eperformance.scores.PeriodRun`, and :func:`~eperformance.unit_recap.recap_tables`
of the same run) shows the period's figures, ranks and curve; its assignments sheet gives
each assignment's month, and a *Per bulan* sheet each employee's month-by-month predikat and
main figure.

Text cells are written as text: a leading ``=`` never becomes a formula.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import i18n
from .rounding import round_half_away
from .scores import PeriodRun
from .tukin import TukinRun, fmt_percent
from .tukin.amount import round_half_up
from .unit_recap import AnyRun, RecapTables, credits_frame

SHEETS = {
    "id": {"employees": "Pegawai", "assignments": "Penugasan", "units": "Unit",
           "supervisors": "Backlog atasan", "breaches": "Pelanggaran kurva",
           "missing": "Data belum lengkap", "months": "Per bulan", "dictionary": "Kamus data"},
    "en": {"employees": "Employees", "assignments": "Assignments", "units": "Units",
           "supervisors": "Supervisor backlog", "breaches": "Curve breaches",
           "missing": "Missing data", "months": "By month", "dictionary": "Data dictionary"},
}
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
CREDITS_FILL = PatternFill("solid", fgColor="385723")  # the angka kredit column group
HEADER_FONT = Font(bold=True, color="FFFFFF")
MUTED_FONT = Font(color="7B8794")

# number formats by kind
FORMATS = {"int": "#,##0", "dec": "#,##0.00", "dec3": "#,##0.000", "days": "0.0", "pct": "0.0%", "rp": '"Rp" #,##0',
           "nip": "@", "text": "@", "bool": "General"}


@dataclass(frozen=True)
class Col:
    """A column of the workbook: its header and meaning in both languages, its kind (the
    number format) and the rule it follows."""

    id: str
    en: str
    kind: str
    meaning_id: str
    meaning_en: str
    rule: str = ""


C = Col
COLUMNS: dict[str, Col] = {
    "nip": C("NIP", "NIP", "nip", "Nomor Induk Pegawai, 18 digit", "Civil servant number, 18 digits"),
    "name": C("Nama", "Name", "text", "Nama pegawai", "Employee's name"),
    "position": C("Jabatan", "Position", "text", "Nama jabatan", "Post"),
    "unit_code": C("Kode unit", "Unit code", "text", "Kode unit kerja", "Unit code"),
    "unit_name": C("Unit kerja", "Unit", "text", "Nama unit kerja", "Unit name"),
    "predikat": C("Predikat", "Predikat", "text", "Predikat kinerja periode ini (kosong: lihat Keterangan)",
                  "The period's predikat (blank: see Notes)", "domain.md §3"),
    "nilai_skp": C("Nilai SKP", "Nilai SKP", "dec", "Rata-rata capaian berbobot, maks. 120",
                   "Weighted mean of capaian, at most 120", "domain.md §2"),
    "nilai_perilaku": C("Nilai perilaku", "Behaviour score", "dec", "Rata-rata nilai aspek perilaku",
                        "Mean of the behaviour aspects", "domain.md §3–4"),
    "nilai_akhir": C("Nilai akhir", "Final score", "dec", "Nilai kinerja / prestasi kerja (skema lama)",
                     "Final figure of the older schemes", "domain.md §3.2–3.3"),
    "rating_hasil_kerja": C("Rating hasil kerja", "Work-result rating", "text",
                            "Di Atas / Sesuai / Di Bawah Ekspektasi", "Above / as / below expectation",
                            "domain.md §3.1"),
    "rating_perilaku": C("Rating perilaku", "Behaviour rating", "text",
                         "Di Atas / Sesuai / Di Bawah Ekspektasi", "Above / as / below expectation",
                         "domain.md §3.1"),
    "keterangan": C("Keterangan", "Notes", "text", "Alasan data belum lengkap",
                    "Why data is missing", "domain.md §5"),
    "provisional": C("Sementara", "Provisional", "bool", "Bulan (terakhir) periode belum ditutup (SEMENTARA)",
                     "The period's (last) month is not closed yet", "domain.md §2"),
    "entries": C("Entri", "Entries", "int", "Entri aktivitas bertanggal di periode ini",
                 "Activity entries dated in the period"),
    "approved": C("Disetujui", "Approved", "int", "Entri dengan keputusan terakhir disetujui",
                  "Entries whose latest decision is approved", "domain.md §2"),
    "rejected": C("Ditolak", "Rejected", "int", "Entri dengan keputusan terakhir ditolak",
                  "Entries whose latest decision is rejected"),
    "revision": C("Revisi", "Revision", "int", "Entri dikembalikan untuk revisi",
                  "Entries returned for revision"),
    "pending": C("Menunggu", "Pending", "int", "Entri tanpa keputusan sampai batas penutupan",
                 "Entries without a decision by the closing time"),
    "approved_quantity": C("Kuantitas disetujui", "Approved quantity", "dec",
                           "Jumlah keluaran entri yang disetujui", "Output of approved entries"),
    "pending_quantity": C("Kuantitas menunggu", "Pending quantity", "dec",
                          "Jumlah keluaran entri yang menunggu", "Output of pending entries"),
    "logged_minutes": C("Menit tercatat", "Logged minutes", "int",
                        "Jumlah menit (selesai − mulai) semua entri", "Minutes (end − start) of every entry"),
    "approved_minutes": C("Menit disetujui", "Approved minutes", "int",
                          "Menit entri yang disetujui", "Minutes of approved entries"),
    "standard_minutes_earned": C("Menit standar", "Standard minutes", "int",
                                 "Kuantitas disetujui × menit standar kegiatan",
                                 "Approved quantity × the activity's standard minutes"),
    "expected_minutes": C("Menit diharapkan", "Expected minutes", "int",
                          "Hari kerja × jam kerja × 60", "Working days × hours a day × 60"),
    "pending_wait_median_days": C("Tunggu median (hari)", "Median wait (days)", "days",
                                  "Median hari menunggu verifikasi", "Median days awaiting a decision"),
    "pending_wait_max_days": C("Tunggu maks. (hari)", "Longest wait (days)", "days",
                               "Hari menunggu terlama", "Longest wait in days"),
    "working_days": C("Hari kerja", "Working days", "int", "Hari kerja periode ini",
                      "Working days of the period", "domain.md §1"),
    "days_present": C("Hadir", "Present", "int", "Hari kerja dengan presensi masuk",
                      "Working days with a check-in"),
    "working_days_absent": C("Tidak hadir", "Absent", "int", "Hari kerja tanpa presensi masuk",
                             "Working days without a check-in"),
    "late_arrivals": C("Terlambat (kali)", "Late arrivals", "int", "Hari datang terlambat",
                       "Days with a late check-in"),
    "late_minutes": C("Terlambat (menit)", "Late minutes", "int", "Jumlah menit terlambat",
                      "Minutes late in total"),
    "early_departures": C("Pulang cepat (kali)", "Early departures", "int",
                          "Hari pulang sebelum waktunya", "Days leaving early"),
    "early_minutes": C("Pulang cepat (menit)", "Early minutes", "int",
                       "Jumlah menit pulang sebelum waktunya", "Minutes left early in total"),
    "flag_overlap": C("Tanda: tumpang tindih", "Flag: overlap", "int",
                      "Entri yang waktunya bertumpang tindih", "Entries overlapping in time"),
    "flag_outside_hours": C("Tanda: luar jam kerja", "Flag: outside hours", "int",
                            "Entri di luar jam/hari kerja", "Entries outside office hours or days"),
    "flag_no_check_in": C("Tanda: tanpa presensi", "Flag: no check-in", "int",
                          "Entri pada hari tanpa presensi masuk", "Entries on a day without check-in"),
    "flag_too_long": C("Tanda: terlalu lama", "Flag: too long", "int",
                       "Entri jauh lebih lama dari standar", "Entries much longer than the standard"),
    "flag_too_short": C("Tanda: terlalu singkat", "Flag: too short", "int",
                        "Entri jauh lebih singkat dari standar", "Entries much shorter than the standard"),
    "assignment_id": C("ID penugasan", "Assignment", "text", "Kode penugasan", "Assignment key"),
    "ro": C("Realisasi output", "Output done", "dec", "Kuantitas entri yang dihitung (RO)",
            "Quantity of the counted entries (RO)", "domain.md §2"),
    "to": C("Target output", "Output target", "dec", "Target kuantitas (TO)", "Quantity target (TO)"),
    "rk": C("Realisasi kualitas", "Quality done", "dec", "Rata-rata nilai mutu (RK)",
            "Mean quality mark (RK)", "domain.md §2"),
    "tk": C("Target kualitas", "Quality target", "dec", "Target mutu (TK)", "Quality target (TK)"),
    "rw": C("Realisasi waktu (hari)", "Days taken", "int", "Hari sampai target tercapai (RW)",
            "Days until the target was met (RW)", "domain.md §2"),
    "tw": C("Target waktu (hari)", "Days allowed", "int", "Hari dari mulai sampai tenggat (TW)",
            "Days from start to due date (TW)"),
    "rb": C("Realisasi biaya", "Cost spent", "rp", "Biaya entri yang dihitung (RB)",
            "Cost of the counted entries (RB)"),
    "tb": C("Target biaya", "Cost budget", "rp", "Anggaran (TB)", "Budget (TB)"),
    "capaian": C("Capaian (%)", "Capaian (%)", "dec", "min(100 × RO / TO, 120)",
                 "min(100 × RO / TO, 120)", "domain.md §2"),
    "kuantitas": C("Kuantitas", "Quantity aspect", "dec", "Aspek kuantitas (PP 46/2011)",
                   "Quantity aspect (PP 46/2011)", "domain.md §3.3"),
    "kualitas": C("Kualitas", "Quality aspect", "dec", "Aspek kualitas (PP 46/2011)",
                  "Quality aspect (PP 46/2011)", "domain.md §3.3"),
    "waktu": C("Waktu", "Time aspect", "dec", "Aspek waktu (PP 46/2011)",
               "Time aspect (PP 46/2011)", "domain.md §3.3"),
    "biaya": C("Biaya", "Cost aspect", "dec", "Aspek biaya (PP 46/2011)",
               "Cost aspect (PP 46/2011)", "domain.md §3.3"),
    "nilai": C("Nilai", "Score", "dec", "Nilai penugasan (PP 46/2011)",
               "Assignment score (PP 46/2011)", "domain.md §3.3"),
    "rating": C("Rating", "Rating", "text", "Pita capaian penugasan", "The capaian band",
                "domain.md §3.1"),
    "headcount": C("Jumlah pegawai", "Headcount", "int", "Pegawai aktif unit ini (tanpa sub-unit)",
                   "Active employees of the unit itself (not its sub-units)"),
    "with_assignments": C("Punya penugasan", "With assignments", "int",
                          "Pegawai dengan penugasan bulan ini", "Employees with assignments"),
    "with_behaviour": C("Perilaku dinilai", "Behaviour rated", "int",
                        "Pegawai dengan semua aspek perilaku dinilai", "Employees fully rated"),
    "verification_pending": C("Verifikasi belum selesai", "Verification pending", "int",
                              "Pegawai yang nilainya ditahan karena verifikasi belum selesai",
                              "Employees withheld for verifikasi belum selesai", "domain.md §5"),
    "with_entries": C("Punya entri", "With entries", "int", "Pegawai dengan entri",
                      "Employees with entries"),
    "entries_verified": C("Entri terverifikasi", "Entries decided", "int",
                          "Entri yang sudah diputuskan", "Entries with a decision"),
    "entries_verified_share": C("Terverifikasi (%)", "Decided (%)", "pct",
                                "Bagian entri yang sudah diputuskan", "Share of entries decided"),
    "main_mean": C("Rata-rata nilai utama", "Mean main figure", "dec",
                   "Rata-rata angka utama skema", "Mean of the scheme's main figure", "domain.md §2"),
    "main_median": C("Median nilai utama", "Median main figure", "dec",
                     "Median angka utama skema", "Median of the scheme's main figure"),
    "supervisor_nip": C("NIP atasan", "Supervisor NIP", "nip", "NIP atasan langsung",
                        "The direct supervisor's NIP"),
    "supervisor_name": C("Nama atasan", "Supervisor", "text", "Nama atasan langsung",
                         "The direct supervisor's name"),
    "direct_reports": C("Bawahan", "Direct reports", "int", "Bawahan langsung", "Direct reports"),
    "pending_backlog": C("Entri belum diputuskan", "Undecided entries", "int",
                         "Entri bawahan tanpa keputusan sampai batas penutupan",
                         "Reports' entries undecided at the closing time"),
    "decisions": C("Keputusan", "Decisions", "int", "Keputusan yang dibuat", "Decisions made"),
    "decision_delay_median_days": C("Lama keputusan median (hari)", "Median days to decide",
                                    "days", "Median hari dari entri ke keputusan",
                                    "Median days from entry to decision"),
    "quality_mean": C("Rata-rata mutu", "Mean quality", "dec", "Rata-rata nilai mutu yang diberi",
                      "Mean quality mark given"),
    "behaviour_ratings": C("Penilaian perilaku", "Behaviour ratings", "int",
                           "Baris penilaian perilaku yang diberi", "Behaviour rating rows given"),
    "behaviour_score_mean": C("Rata-rata nilai perilaku", "Mean behaviour score", "dec",
                              "Rata-rata nilai perilaku yang diberi", "Mean behaviour score given"),
    "withheld_reports": C("Bawahan ditahan", "Reports withheld", "int",
                          "Bawahan tanpa predikat karena verifikasi belum selesai",
                          "Reports withheld for verifikasi belum selesai", "domain.md §5"),
    "withheld_entries": C("Entri ditahan", "Entries withheld", "int",
                          "Entri mereka yang menunggu", "Their entries awaiting a decision"),
    "withheld_quantity": C("Kuantitas ditahan", "Quantity withheld", "dec",
                           "Keluaran mereka yang menunggu", "Their output awaiting a decision"),
    "pending_entries": C("Entri menunggu", "Entries pending", "int",
                         "Entri penugasan bulan ini yang menunggu verifikasi",
                         "Entries of the month's assignments awaiting verification", "domain.md §5"),
    "org_result": C("Hasil organisasi", "Organisation result", "text",
                    "Hasil kinerja organisasi unit (default Baik)", "The unit's organisational result",
                    "domain.md §3.1"),
    "rule": C("Aturan kurva", "Curve rule", "text", "Batas sebaran predikat yang dilanggar",
              "The distribution bound broken", "domain.md §3.1"),
    "required": C("Batas", "Bound", "dec", "Nilai batas aturan", "The rule's bound"),
    "actual": C("Aktual", "Actual", "dec", "Nilai di unit", "The unit's value"),
    "count": C("Jumlah", "Count", "int", "Pegawai dengan predikat itu", "Employees with that predikat"),
    "n_employees": C("Pegawai berpredikat", "Employees with a predikat", "int",
                     "Ukuran unit untuk kurva: pegawai unit ini yang punya predikat",
                     "The unit's size for the curve: its own employees with a predikat"),
    "small_unit": C("Unit kecil", "Small unit", "bool",
                    "Unit terlalu kecil untuk aturan persentase (lihat batas di kolom catatan)",
                    "Too small for a percentage rule to mean anything (see the note)"),
    "note": C("Catatan", "Note", "text", "Penjelasan", "Explanation"),
    "job_class": C("Kelas jabatan", "Job class", "int", "Kelas jabatan 1–17", "Job class 1–17",
                   "tukin.md §3"),
    "employment": C("Status kepegawaian", "Employment", "text", "cpns, pns atau pppk",
                    "cpns, pns or pppk", "tukin.md §3"),
    "base": C("Dasar (Rp)", "Base (Rp)", "rp", "Tunjangan kelas jabatan × persen status",
              "The class's amount × the employment percent", "tukin.md §3"),
    "kinerja_percent": C("Kinerja (%)", "Performance (%)", "dec",
                         "Persen bagian kinerja (dari predikat atau menit)",
                         "Percent of the performance part (from the predikat or minutes)",
                         "tukin.md §3"),
    "deduction_percent": C("Potongan (%)", "Deductions (%)", "dec",
                           "Jumlah potongan presensi bulan ini (setelah batas)",
                           "The month's attendance deductions (after the cap)", "tukin.md §2–3"),
    # the angka kredit column group (domain.md §7; the scheme's YAML gives the numbers)
    "functional_level": C("Jenjang jabatan fungsional", "Functional level", "text",
                          "Jenjang jabatan fungsional (hanya pegawai fungsional)",
                          "The functional post's level (functional employees only)",
                          "domain.md §7"),
    "credit_percent": C("Persentase predikat (AK)", "Predikat percent (credits)", "dec",
                        "Persen menurut predikat: Sangat Baik 150 … Sangat Kurang 25",
                        "Percent by predikat: Sangat Baik 150 … Sangat Kurang 25",
                        "domain.md §7"),
    "credit_coefficient": C("Koefisien tahunan", "Annual coefficient", "dec",
                            "Koefisien angka kredit tahunan jenjang (PermenPAN-RB 1/2023)",
                            "The level's annual coefficient (PermenPAN-RB 1/2023)",
                            "domain.md §7"),
    "credit_months": C("Bulan (AK)", "Months (credits)", "int",
                       "Jumlah bulan periode (1, 3, 6 atau 12)",
                       "Months of the period (1, 3, 6 or 12)", "domain.md §7"),
    "angka_kredit": C("Angka kredit", "Angka kredit (credit points)", "dec3",
                      "Persen / 100 × koefisien × bulan / 12; kosong tanpa predikat",
                      "Percent / 100 × coefficient × months / 12; blank without a predikat",
                      "domain.md §7"),
    "month": C("Bulan", "Month", "text", "Bulan penugasan atau baris (YYYY-MM)",
               "The assignment's or row's month (YYYY-MM)", "domain.md §7"),
    "main_figure": C("Nilai utama", "Main figure", "dec",
                     "Angka utama skema bulan itu (nilai SKP atau nilai akhir)",
                     "The scheme's main figure of that month", "domain.md §2"),
    "n_assignments": C("Penugasan", "Assignments", "int", "Penugasan bulan itu",
                       "Assignments of that month"),
    "tukin": C("Tunjangan kinerja (Rp)", "Allowance (Rp)", "rp",
               "Yang dibayar, dibulatkan sesuai profil", "The amount paid, rounded by the profile",
               "tukin.md §3"),
}
for _label in ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang",
               "Cukup", "Kurang", "Buruk", "Tanpa predikat"):
    COLUMNS[_label] = C(_label, _label, "int", f"Pegawai dengan predikat {_label}",
                        f"Employees with predikat {_label}")
    COLUMNS[f"share_{_label}"] = C(f"{_label} (%)", f"{_label} (%)", "pct",
                                   f"Bagian pegawai unit dengan predikat {_label}",
                                   f"Share of the unit's employees with {_label}")

EMPLOYEE_KEY = ("nip", "name", "unit_name", "predikat", "nilai_skp", "nilai_perilaku",
                "nilai_akhir", "rating_hasil_kerja", "rating_perilaku", "keterangan",
                "position", "unit_code", "provisional")
PEOPLE = ("name", "position", "unit_code", "unit_name")


def _smallest_percent(run: AnyRun) -> float | None:
    curve = getattr(run.scheme_cfg, "curve", None)
    percents = [float(r.percent) for rules in (curve or {}).values() for r in rules
                if getattr(r, "percent", None)]
    return min(percents) if percents else None


def small_unit_limit(run: AnyRun) -> int | None:
    """The smallest unit (employees with a predikat) for which the distribution curve's
    percentage rules can be told apart from one person: 100 / the smallest percentage bound
    of the scheme's curve, rounded up (10 % bounds: 10 employees, below which one person is
    already more than the bound). ``None`` without a curve."""
    smallest = _smallest_percent(run)
    return None if smallest is None else math.ceil(100 / smallest)


YES_NO = {"id": ("ya", "tidak"), "en": ("yes", "no")}


def _value(value: Any, kind: str, lang: str = "id") -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if kind == "bool":
        yes, no = YES_NO[lang]
        return yes if bool(value) else no
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if kind == "pct":
            return round_half_away(value, 2) / 100
        if kind == "dec3":
            return round_half_away(value, 3)
        if kind in ("int", "rp"):
            return int(round_half_away(value, 0))
        return round_half_away(value, 2)
    return value


def _sheet(wb: Workbook, title: str, frame: pd.DataFrame, lang: str, *,
           frozen_columns: int = 1) -> Worksheet:
    ws = wb.create_sheet(title)
    cols = [COLUMNS.get(c) for c in frame.columns]
    ws.append([(col.en if lang == "en" else col.id) if col else str(c)
               for c, col in zip(frame.columns, cols, strict=True)])
    kinds = [col.kind if col else ("dec" if frame[c].dtype.kind == "f" else "text")
             for c, col in zip(frame.columns, cols, strict=True)]
    for row in frame.itertuples(index=False):
        ws.append([_value(v, k, lang) for v, k in zip(row, kinds, strict=True)])
    for cell in ws[1]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = f"{get_column_letter(frozen_columns + 1)}2"
    if frame.shape[1]:
        ws.auto_filter.ref = f"A1:{get_column_letter(frame.shape[1])}{max(1, len(frame) + 1)}"
    for idx, (c, kind) in enumerate(zip(frame.columns, kinds, strict=True), start=1):
        letter = get_column_letter(idx)
        header = str(ws.cell(row=1, column=idx).value)
        sample = [len(str(v)) for v in frame[c].head(200)]
        width = max([min(len(header), 18)] + sample) + 2
        cap = {"text": 30, "nip": 21}.get(kind, 16)
        ws.column_dimensions[letter].width = min(max(width, 9), cap)
        fmt = FORMATS[kind]
        for (cell,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
            cell.number_format = fmt
            # text stays text: openpyxl writes str values as strings, never formulas
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    # A4 landscape at a readable scale; a wide sheet runs over several pages, each with the
    # header row and the frozen columns (NIP and name) repeated
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.scale = 60
    ws.print_title_rows = "1:1"
    if frozen_columns:
        ws.print_title_cols = f"A:{get_column_letter(frozen_columns)}"
    ws.print_options.gridLines = False
    return ws


def _people(run: AnyRun, tables: RecapTables) -> pd.DataFrame:
    """``nip, name, position, unit_code, unit_name`` of the run's employees."""
    units = dict(zip(tables.units["unit_code"], tables.units["unit_name"], strict=True)) \
        if len(tables.units) else {}
    people = run.employees[["nip", "name", "position", "unit_code"]].copy()
    people["unit_name"] = people["unit_code"].map(units)
    return people


def _with_people(frame: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with name, position, unit code and unit name right after its ``nip``."""
    rest = [c for c in frame.columns if c != "nip" and c not in PEOPLE]
    merged = frame[["nip", *rest]].merge(people, on="nip", how="left")
    return merged[["nip", *PEOPLE, *rest]]


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
    heads = TUKIN_HEADERS[lang]
    ws = _sheet(wb, TUKIN_SHEET[lang], frame, lang, frozen_columns=2)
    # the payroll total per unit, below the table
    top = len(frame) + 4
    ws.cell(top - 1, 1, heads["total"]).font = Font(bold=True)
    header = [_header("unit_code", lang), _header("unit_name", lang), heads["employees"],
              heads["paid"], _header("tukin", lang)]
    for j, text in enumerate(header, start=1):
        c = ws.cell(top, j, text)
        c.fill, c.font = HEADER_FILL, HEADER_FONT
    for i, t in enumerate(totals.itertuples(index=False), start=top + 1):
        values = [_value(t.unit_code, "text"), _value(t.unit_name, "text"), int(t.employees),
                  int(t.paid), int(t.tukin)]
        for j, v in enumerate(values, start=1):
            ws.cell(i, j, v)
        ws.cell(i, 5).number_format = FORMATS["rp"]
    end = top + len(totals) + 1
    ws.cell(end, 1, heads["grand_total"]).font = Font(bold=True)
    for j, v in ((3, int(totals["employees"].sum())), (4, int(totals["paid"].sum())),
                 (5, int(totals["tukin"].sum()))):
        c = ws.cell(end, j, v)
        c.font = Font(bold=True)
    ws.cell(end, 5).number_format = FORMATS["rp"]


def _header(key: str, lang: str) -> str:
    col = COLUMNS[key]
    return col.en if lang == "en" else col.id


CREDIT_GROUP = ("functional_level", "credit_percent", "credit_coefficient", "credit_months",
                "angka_kredit")


def credit_columns(run: AnyRun) -> pd.DataFrame | None:
    """The angka kredit column group per functional employee (``nip`` and
    :data:`CREDIT_GROUP`, numbers as ``eperf score --credits-out`` writes them); ``None``
    under a scheme without angka kredit (pp-30-2019, pp-46-2011)."""
    if run.scheme_cfg.name != "permenpan-6-2022":
        return None
    written = credits_frame(run)

    def number(column: str) -> list[float | None]:
        return [float(v) if v else None for v in written[column]]

    return pd.DataFrame({
        "nip": written["nip"].astype(str),
        "functional_level": written["functional_level"],
        "credit_percent": number("percent"),
        "credit_coefficient": number("coefficient"),
        "credit_months": number("months"),
        "angka_kredit": number("angka_kredit"),
    }, columns=["nip", *CREDIT_GROUP])


def month_table(run: AnyRun) -> pd.DataFrame | None:
    """A longer period's employees month by month (``nip, month, predikat, main_figure,
    n_assignments, keterangan``: each month as it scores alone, domain.md §7); ``None``
    for a month."""
    if not isinstance(run, PeriodRun) or run.period.is_month:
        return None
    rows = [{"nip": nip, "month": r.month, "predikat": r.predikat,
             "main_figure": r.main_figure, "n_assignments": r.n_assignments,
             "keterangan": ";".join(r.keterangan)}
            for nip in sorted(run.result.months) for r in run.result.months[nip]]
    return pd.DataFrame(rows, columns=["nip", "month", "predikat", "main_figure",
                                       "n_assignments", "keterangan"])


def _assignment_months(run: AnyRun, frame: pd.DataFrame) -> pd.DataFrame:
    """A longer period's assignments with their month beside the assignment key."""
    if not isinstance(run, PeriodRun) or run.period.is_month:
        return frame
    month_of: dict[str, str] = {}
    for month, measures in run.measures_by_month.items():
        for aid in measures["assignment_id"].astype(str):
            month_of[aid] = month
    frame = frame.copy()
    frame.insert(frame.columns.get_loc("assignment_id") + 1, "month",
                 frame["assignment_id"].astype(str).map(month_of))
    return frame


def _mark_group(ws: Worksheet, frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
    """Colour the header of a column group and outline it (collapsible in a spreadsheet)."""
    idx = [frame.columns.get_loc(c) + 1 for c in columns if c in frame.columns]
    if not idx:
        return
    for i in idx:
        ws.cell(1, i).fill = CREDITS_FILL
    ws.column_dimensions.group(get_column_letter(min(idx)), get_column_letter(max(idx)),
                               outline_level=1, hidden=False)


def recap_workbook(run: AnyRun, tables: RecapTables, lang: str = "id",
                   tukin: TukinRun | None = None) -> bytes:
    """The workbook as bytes (the orchestrator writes it atomically); with ``tukin``, a
    *Tunjangan kinerja* sheet too.

    ``run``: a month's :class:`~eperformance.scores.ScoreRun` or any period's
    :class:`~eperformance.scores.PeriodRun`, with ``tables`` =
    :func:`~eperformance.unit_recap.recap_tables` of the same run (the allowance is
    monthly: give ``tukin`` only with a month)."""
    lang = "en" if lang == "en" else "id"
    names = SHEETS[lang]
    wb = Workbook()
    wb.remove(wb.active)
    people = _people(run, tables)

    # employees: key columns first, the operational ones after
    employees = tables.employees.drop(columns=["period"], errors="ignore").copy()
    scores = run.scores_frame[["nip", "rating_hasil_kerja", "rating_perilaku"]]
    employees = employees.merge(scores, on="nip", how="left")
    employees["provisional"] = run.provisional
    employees = _with_people(employees, people)
    credits = credit_columns(run)
    if credits is not None:  # the angka kredit group right after the key columns
        employees = employees.merge(credits, on="nip", how="left")
    key = [c for c in (*EMPLOYEE_KEY, *CREDIT_GROUP) if c in employees.columns]
    employees = employees[key + [c for c in employees.columns if c not in key]]
    ws = _sheet(wb, names["employees"], employees, lang, frozen_columns=2)
    _mark_group(ws, employees, CREDIT_GROUP)

    assignments = _with_people(_assignment_months(run, run.assignments_frame), people)
    _sheet(wb, names["assignments"], assignments, lang, frozen_columns=2)

    _sheet(wb, names["units"], tables.units, lang, frozen_columns=2)

    supervisors = tables.supervisors.sort_values(
        ["pending_backlog", "supervisor_nip"], ascending=[False, True], kind="stable")
    sup_names = people[["nip", "name"]].rename(columns={"nip": "supervisor_nip",
                                                        "name": "supervisor_name"})
    supervisors = supervisors.merge(sup_names, on="supervisor_nip", how="left")
    supervisors = supervisors[["supervisor_nip", "supervisor_name",
                               *[c for c in supervisors.columns
                                 if c not in ("supervisor_nip", "supervisor_name")]]]
    _sheet(wb, names["supervisors"], supervisors, lang, frozen_columns=2)

    _sheet(wb, names["breaches"], _breaches(run, tables, lang), lang, frozen_columns=1)

    missing = _with_people(tables.missing, people)
    _sheet(wb, names["missing"], missing, lang, frozen_columns=2)

    months = month_table(run)
    if months is not None:
        _sheet(wb, names["months"], _with_people(months, people), lang, frozen_columns=2)

    if tukin is not None:
        unit_names = {str(k): str(v) for k, v in zip(tables.units["unit_code"],
                                                      tables.units["unit_name"], strict=True)}
        _tukin_sheet(wb, tukin, unit_names, lang)

    _dictionary(wb, names["dictionary"], lang, wb.sheetnames)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _breaches(run: AnyRun, tables: RecapTables, lang: str) -> pd.DataFrame:
    """Curve breaches with the unit's name and size; units too small for a percentage rule
    after the others, marked and explained."""
    frame = tables.breaches.drop(columns=["bound", "measure"], errors="ignore").copy()
    if len(frame):  # the rule in the workbook's language (the frame holds its English line)
        curve = getattr(run.scheme_cfg, "curve", None) or {}
        rules = {r.text: r for rs in curve.values() for r in rs}
        frame["rule"] = [
            i18n.curve_rule_text(rule.predikat, rule.bound, lang, percent_value=rule.percent,
                                 count=rule.count) if (rule := rules.get(str(t))) else t
            for t in frame["rule"]]
    units = dict(zip(tables.units["unit_code"], tables.units["unit_name"], strict=True)) \
        if len(tables.units) else {}
    frame.insert(1, "unit_name", frame["unit_code"].map(units))
    limit = small_unit_limit(run)
    if limit is None:
        frame["small_unit"] = False
        frame["note"] = ""
        return frame
    frame["small_unit"] = frame["n_employees"] < limit
    pct = f"{_smallest_percent(run):g} %"
    note = (f"kurang dari {limit} pegawai berpredikat: satu orang sudah lebih dari batas "
            f"persentase terkecil kurva ({pct}; 100 / {pct} = {limit})") if lang == "id" \
        else (f"fewer than {limit} employees with a predikat: one person is already more "
              f"than the curve's smallest percentage bound ({pct}; 100 / {pct} = {limit})")
    frame["note"] = [note if small else "" for small in frame["small_unit"]]
    return frame.sort_values(["small_unit", "unit_code"], kind="stable").reset_index(drop=True)


def _dictionary(wb: Workbook, title: str, lang: str, sheets: list[str]) -> None:
    """Every column of the workbook: its header, meaning, format and rule."""
    ws = wb.create_sheet(title)
    head = (["Sheet", "Column", "Meaning", "Format", "Rule"] if lang == "en" else
            ["Lembar", "Kolom", "Arti", "Format", "Aturan"])
    ws.append(head)
    for cell in ws[1]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    fmt_names = {"id": {"int": "bilangan bulat", "dec": "2 desimal", "dec3": "3 desimal", "days": "hari (1 desimal)",
                        "pct": "persen", "rp": "rupiah", "nip": "teks (18 digit)",
                        "text": "teks", "bool": "ya/tidak"},
                 "en": {"int": "whole number", "dec": "2 decimals", "dec3": "3 decimals", "days": "days (1 decimal)",
                        "pct": "percent", "rp": "rupiah", "nip": "text (18 digits)",
                        "text": "text", "bool": "yes/no"}}[lang]
    by_header = {(c.en if lang == "en" else c.id): c for c in COLUMNS.values()}
    for name in sheets:
        for cell in wb[name][1]:
            col = by_header.get(str(cell.value))
            if col is None:
                continue
            ws.append([name, cell.value, col.meaning_en if lang == "en" else col.meaning_id,
                       fmt_names[col.kind], col.rule])
    for letter, width in zip("ABCDE", (20, 28, 70, 18, 18), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
