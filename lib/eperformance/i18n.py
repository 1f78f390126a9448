"""Labels, month names and numbers of the report card in Bahasa Indonesia and English.

* :data:`LABELS` — every heading and explanation the card and recap templates print, one
  dictionary per language with the same keys (a test checks both are complete, and that
  an English card shows none of the Indonesian labels).
* Regulatory *values* (predikat, ratings, sebutan, BerAKHLAK values and other behaviour
  aspects, *SEMENTARA*) keep their Indonesian spelling in every language; the English card
  adds a short gloss beside them: :func:`value_label` gives ``"Baik (good)"``.
* Months and dates through Babel (``"Januari 2021"``, ``"10 Mei 2021"``); numbers by the
  rounding rule of :func:`~eperformance.scoring.rounding.fmt2`, written with the language's
  separators (``"85,50"`` in Indonesian, ``"85.50"`` in English).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from .scoring.rounding import fmt2, round_half_away

Lang = Literal["id", "en"]
LANGS: tuple[str, ...] = ("id", "en")
# parsed once: babel would parse a locale name again on every figure of every card
_LOCALE = {"id": Locale.parse("id_ID"), "en": Locale.parse("en_GB")}

LABELS: dict[str, dict[str, str]] = {
    "id": {
        "card_title": "Rapor Personal Kinerja Pegawai",
        "recap_title": "Rekapitulasi Kinerja Unit",
        "period": "Periode",
        "unit": "Unit kerja",
        "all_units": "Semua unit",
        "employee": "Pegawai yang dinilai",
        "assessor": "Pejabat penilai",
        "name": "Nama",
        "nip": "NIP",
        "position": "Jabatan",
        "grade": "Pangkat, golongan ruang",
        "scheme": "Skema penilaian",
        "regulation": "Dasar hukum",
        "version": "versi",
        "mode_360": "penilaian 360°",
        "result": "Hasil penilaian",
        "predikat": "Predikat kinerja",
        "predikat_pp46": "Sebutan",
        "no_predikat": "Belum ada predikat",
        "rating_hasil_kerja": "Rating hasil kerja",
        "rating_perilaku": "Rating perilaku kerja",
        "nilai_skp": "Nilai SKP",
        "nilai_perilaku": "Nilai perilaku kerja",
        "nilai_akhir_pp-30-2019": "Nilai kinerja",
        "nilai_akhir_pp-46-2011": "Nilai prestasi kerja",
        "for_information": "sebagai informasi",
        "assignments": "Hasil kerja: penugasan bulan ini",
        "no": "No.",
        "assignment": "Penugasan",
        "kind": "Jenis",
        "main": "Utama",
        "additional": "Tambahan",
        "innovation": "inovasi",
        "weight": "Bobot",
        "target": "Target",
        "realised": "Realisasi",
        "capaian": "Capaian (%)",
        "rating": "Rating",
        "quality": "Kualitas",
        "kuantitas": "Kuantitas",
        "kualitas": "Kualitas",
        "waktu": "Waktu",
        "biaya": "Biaya",
        "score": "Nilai",
        "days": "hari",
        "behaviour": "Perilaku kerja",
        "aspect": "Aspek",
        "self_rating": "Penilaian diri",
        "self_note": "Penilaian diri ditampilkan terpisah dan tidak ikut dihitung.",
        "threshold_note": "Garis putus-putus: batas rating",
        "not_rated": "belum dinilai",
        "activity": "Entri aktivitas dan verifikasi atasan",
        "entries": "Jumlah entri",
        "approved": "Disetujui",
        "rejected": "Ditolak",
        "revision": "Revisi",
        "pending": "Menunggu verifikasi",
        "pending_quantity": "Kuantitas menunggu verifikasi",
        "rejected_list": "Entri ditolak dan dikembalikan untuk revisi",
        "date": "Tanggal",
        "activity_code": "Kegiatan",
        "description": "Uraian",
        "status": "Status",
        "note": "Catatan atasan",
        "decided_at": "Diputuskan",
        "late_list": "Keputusan setelah batas waktu penutupan (tidak dihitung)",
        "closing_time": "Batas waktu penutupan",
        "attendance": "Disiplin kehadiran",
        "working_days": "Hari kerja",
        "present": "Hadir",
        "absent": "Tidak hadir",
        "late_arrivals": "Datang terlambat",
        "early_departures": "Pulang sebelum waktunya",
        "minutes": "menit",
        "trend": "Tren enam bulan",
        "trend_missing": "tanpa data",
        "standing": "Posisi dalam unit",
        "rank": "Peringkat",
        "rank_of": "{rank} dari {of}",
        "not_ranked": "tidak diperingkat",
        "unit_median": "Median unit",
        "notices": "Catatan",
        "no_assignments": "Belum ada penugasan bulan ini.",
        "signature_employee": "Pegawai yang dinilai",
        "signature_assessor": "Pejabat penilai",
        "run_id": "ID proses",
        "fingerprint": "Sidik jari rapor",
        "scheme_version": "Versi skema",
        "generated": "Dibuat",
        "provisional_note": ("Bulan ini belum ditutup: angka dapat berubah sampai batas waktu "
                             "penutupan."),
        "none": "—",
        # notices (missing data)
        "notice_no_assignment": ("Belum ada penugasan bulan ini: Nilai SKP, rating hasil kerja "
                                 "dan predikat belum dapat dihitung."),
        "notice_behaviour_unrated": ("Perilaku kerja belum dinilai lengkap: rating perilaku "
                                     "dan predikat belum dapat dihitung."),
        "notice_verification_pending": (
            "Verifikasi belum selesai: {entries} entri aktivitas ({quantity} satuan keluaran) "
            "untuk penugasan bulan ini belum diputuskan oleh {supervisor} sampai batas waktu "
            "penutupan. Nilai SKP, rating hasil kerja dan predikat ditahan sampai keputusan "
            "itu ada; tabel penugasan hanya memuat pekerjaan yang sudah disetujui."),
        "supervisor_unrecorded": "atasan langsung (tidak tercatat)",
        "notice_no_behaviour": "Belum ada penilaian perilaku kerja bulan ini.",
        "notice_no_entries": "Tidak ada entri aktivitas bulan ini.",
        "notice_no_attendance": "Tidak ada data presensi bulan ini.",
        "notice_no_supervisor": "Pejabat penilai tidak tercatat.",
        "notice_not_ranked": "Belum diperingkat karena belum ada nilai utama.",
        "notice_no_trend": "Belum ada data bulan-bulan sebelumnya.",
        # recap notebook
        "headcount": "Jumlah pegawai",
        "with_assignments": "Dengan penugasan",
        "with_behaviour": "Perilaku dinilai",
        "verification_pending": "Verifikasi belum selesai",
        "main_mean": "Rata-rata nilai utama",
        "main_median": "Median nilai utama",
        "unit_code": "Kode unit",
        "unit_name": "Nama unit",
        "breaches": "Pelanggaran kurva distribusi",
        "no_breaches": "Tidak ada pelanggaran kurva distribusi.",
        "missing": "Pegawai dengan data belum lengkap",
        "no_missing": "Semua pegawai memiliki data lengkap.",
        "supervisors": "Verifikasi oleh atasan",
        "employees_scored": "pegawai dinilai",
    },
    "en": {
        "card_title": "Personal Performance Report Card",
        "recap_title": "Unit Performance Recap",
        "period": "Period",
        "unit": "Work unit",
        "all_units": "All units",
        "employee": "Employee assessed",
        "assessor": "Assessing official",
        "name": "Name",
        "nip": "NIP",
        "position": "Position",
        "grade": "Rank and grade",
        "scheme": "Scoring scheme",
        "regulation": "Legal basis",
        "version": "version",
        "mode_360": "360° assessment",
        "result": "Assessment result",
        "predikat": "Overall rating",
        "predikat_pp46": "Overall band",
        "no_predikat": "No overall rating yet",
        "rating_hasil_kerja": "Work results rating",
        "rating_perilaku": "Work behaviour rating",
        "nilai_skp": "SKP score",
        "nilai_perilaku": "Work behaviour score",
        "nilai_akhir_pp-30-2019": "Performance score",
        "nilai_akhir_pp-46-2011": "Work achievement score",
        "for_information": "for information",
        "assignments": "Work results: this month's assignments",
        "no": "#",
        "assignment": "Assignment",
        "kind": "Type",
        "main": "Main",
        "additional": "Additional",
        "innovation": "innovation",
        "weight": "Weight",
        "target": "Target",
        "realised": "Realised",
        "capaian": "Achievement (%)",
        "rating": "Rating",
        "quality": "Quality",
        "kuantitas": "Quantity",
        "kualitas": "Quality",
        "waktu": "Time",
        "biaya": "Cost",
        "score": "Score",
        "days": "days",
        "behaviour": "Work behaviour",
        "aspect": "Aspect",
        "self_rating": "Self-rating",
        "self_note": "Self-ratings are shown apart and never enter a score.",
        "threshold_note": "Dashed lines: rating thresholds",
        "not_rated": "not rated",
        "activity": "Activity entries and supervisor verification",
        "entries": "Entries",
        "approved": "Approved",
        "rejected": "Rejected",
        "revision": "Returned for revision",
        "pending": "Awaiting verification",
        "pending_quantity": "Quantity awaiting verification",
        "rejected_list": "Rejected entries and entries returned for revision",
        "date": "Date",
        "activity_code": "Activity",
        "description": "Description",
        "status": "Status",
        "note": "Supervisor's note",
        "decided_at": "Decided",
        "late_list": "Decisions made after the closing time (not counted)",
        "closing_time": "Closing time",
        "attendance": "Attendance discipline",
        "working_days": "Working days",
        "present": "Present",
        "absent": "Absent",
        "late_arrivals": "Late arrivals",
        "early_departures": "Early departures",
        "minutes": "minutes",
        "trend": "Six-month trend",
        "trend_missing": "no data",
        "standing": "Standing in the unit",
        "rank": "Rank",
        "rank_of": "{rank} of {of}",
        "not_ranked": "not ranked",
        "unit_median": "Unit median",
        "notices": "Notes",
        "no_assignments": "No assignments this month.",
        "signature_employee": "Employee assessed",
        "signature_assessor": "Assessing official",
        "run_id": "Run id",
        "fingerprint": "Card fingerprint",
        "scheme_version": "Scheme version",
        "generated": "Generated",
        "provisional_note": ("This month is not closed yet: figures may change until the "
                             "closing time."),
        "none": "—",
        "notice_no_assignment": ("No assignments this month: the SKP score, the work results "
                                 "rating and the overall rating cannot be computed."),
        "notice_behaviour_unrated": ("Work behaviour is not fully rated: the behaviour rating "
                                     "and the overall rating cannot be computed."),
        "notice_verification_pending": (
            "Verification not finished: {entries} activity entries ({quantity} units of "
            "output) for this month's assignments were not decided by {supervisor} by the "
            "closing time. The SKP score, the work results rating and the overall rating are "
            "withheld until they are; the assignment table shows approved work only."),
        "supervisor_unrecorded": "the direct supervisor (not recorded)",
        "notice_no_behaviour": "No work behaviour assessment this month.",
        "notice_no_entries": "No activity entries this month.",
        "notice_no_attendance": "No attendance records this month.",
        "notice_no_supervisor": "No assessing official is recorded.",
        "notice_not_ranked": "Not ranked: there is no main figure yet.",
        "notice_no_trend": "No data for earlier months.",
        "headcount": "Employees",
        "with_assignments": "With assignments",
        "with_behaviour": "Behaviour rated",
        "verification_pending": "Awaiting verification",
        "main_mean": "Mean main figure",
        "main_median": "Median main figure",
        "unit_code": "Unit code",
        "unit_name": "Unit name",
        "breaches": "Distribution-curve breaches",
        "no_breaches": "No distribution-curve breaches.",
        "missing": "Employees with missing data",
        "no_missing": "Every employee has complete data.",
        "supervisors": "Verification by supervisors",
        "employees_scored": "employees scored",
    },
}

# The allowance section of the card (tukin.md §4).
LABELS["id"].update({
    "tukin": "Tunjangan kinerja",
    "tukin_paid": "Dibayar bulan ini",
    "tukin_not_paid": "Tidak dapat dihitung",
    "tukin_class": "Kelas jabatan",
    "tukin_base": "Dasar tunjangan",
    "tukin_kinerja": "Capaian kinerja",
    "tukin_deductions": "Potongan",
    "tukin_how": "Cara perhitungan",
    "tukin_class_amount": "Tunjangan kelas jabatan {job_class}",
    "tukin_employment": "Status kepegawaian {employment}",
    "tukin_kinerja_part": "Bagian kinerja ({weight} % dari dasar × capaian {percent} %)",
    "tukin_disiplin_part": "Bagian disiplin ({weight} % dari dasar)",
    "tukin_deduct_total": "Potongan {percent} % dari seluruh tunjangan",
    "tukin_deduct_disiplin": "Potongan {percent} % dari bagian disiplin",
    "tukin_capped": "jumlah {raw} %, dibatasi {cap} %",
    "tukin_total": "Tunjangan kinerja dibayar",
    "tukin_predikat": "predikat {predikat}",
    "tukin_minutes": "{verified} dari {required} menit kerja efektif terverifikasi",
    "tukin_by_code": "Potongan per kode",
    "tukin_days": "Rincian potongan per hari",
    "tukin_code": "Kode",
    "tukin_days_count": "Hari",
    "tukin_percent": "Potongan %",
    "tukin_none": "Tidak ada potongan bulan ini.",
    "tukin_profile": "Profil tunjangan {profile} (versi {version}); dibulatkan ke rupiah "
                     "terdekat hanya pada jumlah akhir.",
    "tukin_reasons": "Alasan",
    "tukin_free": "bebas potongan",
    "tukin_no_data": "Tunjangan kinerja tidak dihitung untuk bulan ini.",
})
LABELS["en"].update({
    "tukin": "Performance allowance (tunjangan kinerja)",
    "tukin_paid": "Paid this month",
    "tukin_not_paid": "Cannot be computed",
    "tukin_class": "Job class",
    "tukin_base": "Allowance base",
    "tukin_kinerja": "Performance share",
    "tukin_deductions": "Deductions",
    "tukin_how": "How it is computed",
    "tukin_class_amount": "Allowance of job class {job_class}",
    "tukin_employment": "Employment {employment}",
    "tukin_kinerja_part": "Performance part ({weight} % of the base × {percent} %)",
    "tukin_disiplin_part": "Discipline part ({weight} % of the base)",
    "tukin_deduct_total": "Deductions of {percent} % of the whole allowance",
    "tukin_deduct_disiplin": "Deductions of {percent} % of the discipline part",
    "tukin_capped": "{raw} % in all, capped at {cap} %",
    "tukin_total": "Allowance paid",
    "tukin_predikat": "rating {predikat}",
    "tukin_minutes": "{verified} of {required} verified effective working minutes",
    "tukin_by_code": "Deductions by code",
    "tukin_days": "Deductions day by day",
    "tukin_code": "Code",
    "tukin_days_count": "Days",
    "tukin_percent": "Deduction %",
    "tukin_none": "No deductions this month.",
    "tukin_profile": "Allowance profile {profile} (version {version}); only the final amount "
                     "is rounded to the rupiah.",
    "tukin_reasons": "Reasons",
    "tukin_free": "free day",
    "tukin_no_data": "No performance allowance is computed for this month.",
})
# Ledger codes (tukin.md §2): Indonesian names; an English gloss on the English card.
TUKIN_CODES: dict[str, tuple[str, str]] = {
    "TL": ("Terlambat", "late arrival"),
    "PSW": ("Pulang sebelum waktu", "early departure"),
    "TAM": ("Tidak absen masuk", "no check-in"),
    "TAP": ("Tidak absen pulang", "no check-out"),
    "TK": ("Tanpa keterangan", "absent without leave"),
    "dinas_luar": ("Dinas luar", "official travel"),
    "cuti_tahunan": ("Cuti tahunan", "annual leave"),
    "cuti_sakit": ("Cuti sakit", "sick leave"),
    "cuti_besar": ("Cuti besar", "long-service leave"),
    "cuti_melahirkan": ("Cuti melahirkan", "maternity leave"),
    "cuti_alasan_penting": ("Cuti karena alasan penting", "compassionate leave"),
    "cltn": ("Cuti di luar tanggungan negara", "unpaid leave"),
    "izin": ("Izin", "permitted absence"),
    "tugas_belajar": ("Tugas belajar", "study leave"),
}


def tukin_code_label(code: str, lang: str) -> str:
    """``TL3`` -> ``Terlambat (TL3)``; a leave status -> its name; glossed in English."""
    stem = code.rstrip("0123456789")
    name, gloss = TUKIN_CODES.get(stem, (code.replace("_", " ").capitalize(), ""))
    text = f"{name} ({gloss})" if lang == "en" and gloss else name
    return f"{text} · {code}" if stem != code or stem in ("TAM", "TAP", "TK") else text


TUKIN_REASONS_EN: dict[str, str] = {
    "kelas jabatan tidak ada": "no job class recorded",
    "presensi tidak ada": "no attendance records this month",
    "tidak ada aktivitas disetujui": "no approved activity this month",
    "belum ada penugasan": "no assignments this month",
    "verifikasi belum selesai": "verification not finished",
    "perilaku belum dinilai": "behaviour not yet rated",
}


def tukin_reasons(reasons: tuple[str, ...] | list[str], lang: str) -> str:
    """The allowance's reasons joined by ``; ``, in English on the English card."""
    if lang == "en":
        return "; ".join(TUKIN_REASONS_EN.get(r, r) for r in reasons)
    return "; ".join(reasons)


def rupiah(x: float | None, lang: str) -> str:
    """``Rp 3.915.950`` (whole rupiah, the language's separators); ``""`` when missing."""
    return "" if x is None else f"Rp {number(x, lang, 0)}"


# Regulatory values: Indonesian in every language, an English gloss on the English card.
GLOSS: dict[str, str] = {
    "Sangat Baik": "very good",
    "Baik": "good",
    "Butuh Perbaikan": "needs improvement",
    "Kurang/Misconduct": "poor/misconduct",
    "Sangat Kurang": "very poor",
    "Cukup": "fair",
    "Kurang": "poor",
    "Buruk": "bad",
    "Di Atas Ekspektasi": "above expectations",
    "Sesuai Ekspektasi": "meets expectations",
    "Di Bawah Ekspektasi": "below expectations",
    "SEMENTARA": "provisional",
}

# The shorter gloss used in table chips.
SHORT_GLOSS: dict[str, str] = {
    "Di Atas Ekspektasi": "above",
    "Sesuai Ekspektasi": "as expected",
    "Di Bawah Ekspektasi": "below",
}

# Behaviour aspects (BerAKHLAK core values and the older schemes' aspects): name, gloss.
ASPECT_NAMES: dict[str, tuple[str, str]] = {
    "berorientasi_pelayanan": ("Berorientasi Pelayanan", "service-oriented"),
    "akuntabel": ("Akuntabel", "accountable"),
    "kompeten": ("Kompeten", "competent"),
    "harmonis": ("Harmonis", "harmonious"),
    "loyal": ("Loyal", "loyal"),
    "adaptif": ("Adaptif", "adaptive"),
    "kolaboratif": ("Kolaboratif", "collaborative"),
    "orientasi_pelayanan": ("Orientasi Pelayanan", "service orientation"),
    "komitmen": ("Komitmen", "commitment"),
    "inisiatif_kerja": ("Inisiatif Kerja", "initiative"),
    "kerja_sama": ("Kerja Sama", "teamwork"),
    "kepemimpinan": ("Kepemimpinan", "leadership"),
    "integritas": ("Integritas", "integrity"),
    "disiplin": ("Disiplin", "discipline"),
}


def t(key: str, lang: str) -> str:
    """The label ``key`` in ``lang`` (a missing key is a bug: KeyError)."""
    return LABELS[lang][key]


def labels(lang: str) -> dict[str, str]:
    """Every label of ``lang`` (for templates)."""
    return LABELS[lang]


def value_label(value: str | None, lang: str) -> str:
    """A regulatory value as printed: Indonesian, plus the gloss in English."""
    if value is None:
        return ""
    gloss = GLOSS.get(value)
    return f"{value} ({gloss})" if lang == "en" and gloss else value


def value_label_short(value: str | None, lang: str) -> str:
    """:func:`value_label` with the shorter gloss of table chips (``Di Atas Ekspektasi
    (above)``)."""
    if value is None:
        return ""
    gloss = SHORT_GLOSS.get(value) or GLOSS.get(value)
    return f"{value} ({gloss})" if lang == "en" and gloss else value


def aspect_name(aspect: str) -> str:
    """A behaviour aspect's (Indonesian) name: ``Berorientasi Pelayanan``."""
    return ASPECT_NAMES.get(aspect, (aspect.replace("_", " ").title(), ""))[0]


def aspect_gloss(aspect: str) -> str:
    """The English gloss of a behaviour aspect (``service-oriented``), or ``""``."""
    return ASPECT_NAMES.get(aspect, ("", ""))[1]


def aspect_label(aspect: str, lang: str) -> str:
    """A behaviour aspect's name, with its English gloss on the English card."""
    name, gloss = ASPECT_NAMES.get(aspect, (aspect.replace("_", " ").title(), ""))
    return f"{name} ({gloss})" if lang == "en" and gloss and gloss != name.lower() else name


def month_label(period: str, lang: str, short: bool = False) -> str:
    """``2021-01`` -> ``Januari 2021`` / ``January 2021`` (``Jan 2021`` when short)."""
    year, month = (int(p) for p in period.split("-"))
    return format_date(dt.date(year, month, 1), "MMM y" if short else "MMMM y",
                       locale=_LOCALE[lang])


def date_label(day: dt.date, lang: str) -> str:
    """``10 Mei 2021`` / ``10 May 2021``."""
    return format_date(day, "d MMMM y", locale=_LOCALE[lang])


def short_date(day: dt.date | None, lang: str) -> str:
    """``10/05/2021`` style short date (day first in both languages)."""
    if day is None:
        return ""
    return format_date(day, "dd/MM/y", locale=_LOCALE[lang])


def datetime_label(moment: dt.datetime, lang: str, tz: str | None = None) -> str:
    """``10 Mei 2021 14.05`` style date and time, in ``tz`` when given."""
    zone = ZoneInfo(tz) if tz else None
    return format_datetime(moment, "d MMM y HH:mm", tzinfo=zone, locale=_LOCALE[lang])


def number(x: float | None, lang: str, decimals: int = 2) -> str:
    """A figure by the rounding rule with the language's separators (``"85,50"``);
    ``""`` for a missing one. ``decimals=0`` rounds to a whole number."""
    if x is None:
        return ""
    if decimals == 2:
        text = fmt2(x)
        if not text:
            return ""
        return format_decimal(Decimal(text), format="#,##0.00", locale=_LOCALE[lang])
    value = round_half_away(float(x), decimals)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(Decimal(repr(value)), format=pattern, locale=_LOCALE[lang])


def quantity(x: float | None, lang: str) -> str:
    """A quantity: whole numbers without decimals, others with two."""
    if x is None:
        return ""
    value = round_half_away(float(x), 2)
    return number(value, lang, 0) if value == int(value) else number(value, lang)
