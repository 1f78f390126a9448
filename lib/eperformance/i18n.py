"""Labels, month names and numbers of the report card in Bahasa Indonesia and English.

* :data:`LABELS` — every heading and explanation the card and recap templates print, one
  dictionary per language with the same keys (a test checks both are complete, and that
  an English card shows none of the Indonesian labels).
* Regulatory *values* (predikat, ratings, sebutan, BerAKHLAK values and other behaviour
  aspects, *SEMENTARA*) keep their Indonesian spelling in every language; the English card
  adds a short gloss beside them: :func:`value_label` gives ``"Baik (good)"``.
* Months and dates through Babel (``"Januari 2021"``, ``"10 Mei 2021"``); numbers by the
  rounding rule of :func:`~eperformance.rounding.fmt2`, written with the language's
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

from .periods import Period
from .rounding import fmt2, round_half_away

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
        "rank_tied_of": "{rank}–{last} dari {of} (nilai sama)",
        "capaian_capped": "Capaian dibatasi {cap} (realisasi melebihi target; domain.md §2).",
        "flags_list": "Entri yang ditandai (untuk diperiksa, tidak mengubah nilai)",
        "flags_more": "… dan {n} tanda lainnya (lihat tanda_entri.csv)",
        "flag_overlap": "waktu bertumpang tindih dengan entri lain",
        "flag_outside_hours": "di luar jam/hari kerja",
        "flag_no_check_in": "tanpa presensi masuk pada tanggal itu",
        "flag_too_long": "durasi terlalu panjang dibanding standar",
        "flag_too_short": "durasi terlalu pendek dibanding standar",
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
        "rank_tied_of": "{rank}–{last} of {of} (tied)",
        "capaian_capped": "Capaian is capped at {cap} (output above the target; domain.md §2).",
        "flags_list": "Flagged entries (to check; they do not change the score)",
        "flags_more": "… and {n} more flags (see tanda_entri.csv)",
        "flag_overlap": "overlaps another entry in time",
        "flag_outside_hours": "outside office hours or days",
        "flag_no_check_in": "no check-in recorded that day",
        "flag_too_long": "much longer than the standard time",
        "flag_too_short": "much shorter than the standard time",
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

# The Dokumen Evaluasi Kinerja (a quarter, semester or year: domain.md §7) and the angka
# kredit line of a functional employee's card, kept apart so the two card kinds' labels
# read together.
PERIOD_CARD_LABELS: dict[str, dict[str, str]] = {
    "id": {
        "annual_title": "Dokumen Evaluasi Kinerja",
        "annual_kind": "Evaluasi kinerja {kind}",
        "annual_months": "{first} – {last}",
        "period_result": "Hasil evaluasi periode",
        "period_months": "Rincian per bulan",
        "month": "Bulan",
        "n_assignments": "Penugasan",
        "main_figure_note": "nilai utama",
        "month_complete": "lengkap",
        "month_pending": "{n} entri menunggu verifikasi",
        "period_months_note": ("Setiap bulan dinilai tersendiri dengan aturan bulanan. Angka "
                               "periode dihitung dari seluruh penugasan dan penilaian "
                               "perilaku bulan-bulan periode, bukan rata-rata nilai "
                               "bulanan."),
        "period_trend": "Nilai utama per bulan",
        "behaviour_period": "Perilaku kerja selama periode",
        "behaviour_period_note": ("Nilai tiap aspek: rata-rata semua penilaian yang dihitung "
                                  "pada bulan-bulan periode."),
        "standing_period": "Posisi dalam unit (periode ini)",
        "monthly_detail_note": ("Rincian penugasan, entri aktivitas, kehadiran dan tunjangan "
                                "kinerja ada pada rapor bulanan masing-masing bulan."),
        "provisional_note_period": ("Periode ini belum ditutup: angka dapat berubah sampai "
                                    "batas waktu penutupan bulan terakhirnya."),
        "credit": "Angka kredit",
        "credit_how": ("{percent} % ({predikat}) × koefisien {level} {coefficient} per tahun "
                       "× {months}/12 bulan"),
        "credit_none": "belum ada (tanpa predikat)",
        "credit_coefficient": "koefisien per tahun",
        "credit_basis": "PermenPAN-RB 1/2023, Perban BKN 3/2023",
        "notice_period_no_assignment": ("Tidak ada penugasan dalam periode ini: Nilai SKP, "
                                        "rating hasil kerja dan predikat belum dapat "
                                        "dihitung."),
        "notice_period_verification_pending": (
            "Verifikasi belum selesai: {entries} entri aktivitas ({quantity} satuan "
            "keluaran) untuk penugasan periode ini belum diputuskan oleh {supervisor} sampai "
            "batas waktu penutupan bulannya (lihat rincian per bulan). Nilai SKP, rating "
            "hasil kerja dan predikat periode ditahan sampai keputusan itu ada."),
        "notice_period_no_behaviour": "Belum ada penilaian perilaku kerja dalam periode ini.",
        "notice_period_behaviour_unrated": ("Perilaku kerja periode ini belum dinilai lengkap: "
                                            "rating perilaku dan predikat belum dapat "
                                            "dihitung."),
    },
    "en": {
        "annual_title": "Performance Evaluation Document",
        "annual_kind": "{kind} performance evaluation",
        "annual_months": "{first} – {last}",
        "period_result": "Result for the period",
        "period_months": "Month by month",
        "month": "Month",
        "n_assignments": "Assignments",
        "main_figure_note": "main figure",
        "month_complete": "complete",
        "month_pending": "{n} entries awaiting verification",
        "period_months_note": ("Each month is scored on its own by the monthly rules. The "
                               "period's figures come from all the assignments and "
                               "behaviour ratings of its months, not from an average of the "
                               "monthly figures."),
        "period_trend": "Main figure by month",
        "behaviour_period": "Work behaviour over the period",
        "behaviour_period_note": ("Each aspect: the mean of every counted rating of the "
                                  "period's months."),
        "standing_period": "Standing in the unit (this period)",
        "monthly_detail_note": ("Assignments, activity entries, attendance and the "
                                "performance allowance are on each month's own report "
                                "card."),
        "provisional_note_period": ("This period is not closed yet: figures may change until "
                                    "the closing time of its last month."),
        "credit": "Angka kredit (credit points)",
        "credit_how": ("{percent} % ({predikat}) × the {level} annual coefficient "
                       "{coefficient} × {months}/12 months"),
        "credit_none": "none yet (no predikat)",
        "credit_coefficient": "annual coefficient",
        "credit_basis": "PermenPAN-RB 1/2023, Perban BKN 3/2023",
        "notice_period_no_assignment": ("No assignment in this period: the Nilai SKP, the "
                                        "rating hasil kerja and the predikat cannot be "
                                        "computed yet."),
        "notice_period_verification_pending": (
            "Verification not finished: {entries} activity entries ({quantity} output units) "
            "for this period's assignments were not decided by {supervisor} by their "
            "month's closing time (see the months below). The period's Nilai SKP, rating "
            "hasil kerja and predikat are withheld until that decision exists."),
        "notice_period_no_behaviour": "No work-behaviour rating in this period yet.",
        "notice_period_behaviour_unrated": ("Work behaviour in this period is not fully "
                                            "rated: the behaviour rating and the predikat "
                                            "cannot be computed yet."),
    },
}
for _lang, _labels in PERIOD_CARD_LABELS.items():
    LABELS[_lang].update(_labels)


# Labels of the explorer (``eperformance.explorer``): the whole page follows one language.
EXPLORER_LABELS: dict[str, dict[str, str]] = {
    "id": {
        "x_language": "Bahasa",
        "x_intro": ("Periode, skema dan unit (dengan sub-unitnya); cari pegawai (nama atau "
                    "NIP); rekap unit, distribusi predikat, antrean verifikasi, data belum "
                    "lengkap, kartu pegawai (PDF) dan cetak massal kartu unit."),
        "x_period": "Periode",
        "x_scheme": "Skema",
        "x_unit": "Unit",
        "x_all_units": "Semua unit (seluruh organisasi)",
        "x_whole_org": "seluruh organisasi",
        "x_search": "Cari pegawai",
        "x_search_hint": "nama atau NIP",
        "x_position_type": "Jenis jabatan",
        "x_grade": "Golongan",
        "x_predikat": "Predikat",
        "x_no_predikat": "Tanpa predikat",
        "x_all": "semua",
        "x_sort": "Urutkan",
        "x_descending": "menurun",
        "x_employee": "Pegawai",
        "x_tab_recap": "Rekap unit",
        "x_tab_distribution": "Distribusi",
        "x_tab_backlog": "Antrean verifikasi",
        "x_tab_missing": "Data kurang",
        "x_tab_employees": "Pegawai",
        "x_tab_card": "Kartu",
        "x_tab_batch": "Cetak massal",
        "x_tab_tukin": "Tunjangan kinerja",
        "x_pdf_button": "Unduh kartu (PDF)",
        "x_html_button": "Unduh kartu (HTML)",
        "x_pdf_saved": "juga disimpan di",
        "x_formats": "Format",
        "x_allow_provisional": "izinkan periode belum ditutup (SEMENTARA)",
        "x_batch_button": "Buat kartu unit ini",
        "x_progress": "Kemajuan",
        "x_no_data": "Belum ada data: impor data terlebih dahulu.",
        "x_computing": "Menghitung periode {period} …",
        "x_loading_card": "Memuat kartu …",
        "x_making_pdf": "Membuat PDF …",
        "x_batch_running": "Kartu sedang dibuat …",
        "x_batch_summary": ("{ok}/{total} kartu berhasil, {failed} gagal, {rendered} dibuat, "
                            "{reused} tidak berubah, {seconds} detik"),
        "x_batch_status_ok": "selesai",
        "x_batch_status_partial": "sebagian gagal",
        "x_batch_status_up-to-date": "tidak ada yang berubah",
        "x_matching": "{matching} pegawai cocok dari {total}",
        "x_provisional": "(periode belum ditutup)",
        "x_tukin_monthly": "Tunjangan kinerja dihitung per bulan: pilih satu bulan.",
        "x_card_predikat": "predikat",
        "x_col_code": "Kode",
        "x_col_unit": "Unit",
        "x_col_headcount": "Pegawai",
        "x_col_verified": "% entri diverifikasi",
        "x_col_mean": "Rata-rata",
        "x_col_median": "Median",
        "x_col_breaches": "Pelanggaran kurva",
        "x_col_supervisor_nip": "NIP atasan",
        "x_col_name": "Nama",
        "x_col_reports": "Bawahan",
        "x_col_pending": "Entri belum diverifikasi",
        "x_col_withheld": "Pegawai tertahan (verifikasi belum selesai)",
        "x_col_decisions": "Keputusan",
        "x_col_delay": "Median hari sampai keputusan",
        "x_col_reason": "Keterangan",
        "x_col_position_type": "Jenis jabatan",
        "x_col_grade": "Golongan",
        "x_col_score": "Nilai",
        "x_col_predikat": "Predikat",
        "x_col_org_result": "Hasil organisasi",
        "x_col_rule": "Batas",
        "x_col_actual": "Aktual",
        "x_col_count": "Jumlah pegawai",
        "x_col_rated": "Berpredikat",
        "x_empty_recap": "Tidak ada pegawai aktif di unit ini.",
        "x_empty_backlog": "Tidak ada atasan untuk pilihan ini.",
        "x_empty_missing": "Semua pegawai dalam pilihan ini memiliki predikat.",
        "x_empty_employees": "Tidak ada pegawai yang cocok dengan filter.",
        "x_more_rows": "… {n} baris lagi (persempit pilihan)",
        "x_yes": "ya",
        "x_chart_ylabel": "% pegawai berpredikat",
        "x_chart_title": "Distribusi predikat — {unit} ({who}, n = {n})",
        "x_who_unit": "pegawai unit {unit} sendiri",
        "x_who_all": "seluruh pegawai dalam pilihan",
        "x_curve_other_scheme": ("Kurva distribusi hanya berlaku untuk permenpan-6-2022 "
                                 "(skema: {scheme})."),
        "x_curve_choose_unit": ("Kurva distribusi diperiksa per unit: pilih sebuah unit untuk "
                                "melihat batasnya. Pelanggaran seluruh unit dalam pilihan:"),
        "x_curve_rules": ("Hasil kerja organisasi: <b>{result}</b>; batas: {rules}. "
                          "Pelanggaran di unit ini dan sub-unitnya:"),
        "x_rule_at_most": "paling banyak {n} {what}",
        "x_rule_at_least": "paling sedikit {n} {what}",
        "x_rule_none": "tidak ada {what}",
        "x_or": "atau",
        "x_reason_belum ada penugasan": "belum ada penugasan",
        "x_reason_verifikasi belum selesai": "verifikasi belum selesai",
        "x_reason_perilaku belum dinilai": "perilaku belum dinilai",
    },
    "en": {
        "x_language": "Language",
        "x_intro": ("Period, scheme and unit (with its sub-units); find an employee (name or "
                    "NIP); unit recap, distribution of overall ratings, verification backlog, "
                    "missing data, the employee's card (PDF) and the unit's cards in a batch."),
        "x_period": "Period",
        "x_scheme": "Scheme",
        "x_unit": "Unit",
        "x_all_units": "All units (whole organisation)",
        "x_whole_org": "whole organisation",
        "x_search": "Find employee",
        "x_search_hint": "name or NIP",
        "x_position_type": "Position type",
        "x_grade": "Grade",
        "x_predikat": "Overall rating",
        "x_no_predikat": "No overall rating",
        "x_all": "all",
        "x_sort": "Sort by",
        "x_descending": "descending",
        "x_employee": "Employee",
        "x_tab_recap": "Unit recap",
        "x_tab_distribution": "Distribution",
        "x_tab_backlog": "Backlog",
        "x_tab_missing": "Missing data",
        "x_tab_employees": "Employees",
        "x_tab_card": "Card",
        "x_tab_batch": "Batch",
        "x_tab_tukin": "Allowance",
        "x_pdf_button": "Download card (PDF)",
        "x_html_button": "Download card (HTML)",
        "x_pdf_saved": "also saved in",
        "x_formats": "Format",
        "x_allow_provisional": "allow a period not closed yet (SEMENTARA)",
        "x_batch_button": "Make this unit's cards",
        "x_progress": "Progress",
        "x_no_data": "No data yet: import data first.",
        "x_computing": "Computing {period} …",
        "x_loading_card": "Loading the card …",
        "x_making_pdf": "Making the PDF …",
        "x_batch_running": "Making the cards …",
        "x_batch_summary": ("{ok}/{total} cards ok, {failed} failed, {rendered} made, "
                            "{reused} unchanged, {seconds} s"),
        "x_batch_status_ok": "done",
        "x_batch_status_partial": "partly failed",
        "x_batch_status_up-to-date": "nothing changed",
        "x_matching": "{matching} of {total} employees match",
        "x_provisional": "(period not closed yet)",
        "x_tukin_monthly": "The allowance is monthly: choose a month.",
        "x_card_predikat": "overall rating",
        "x_col_code": "Code",
        "x_col_unit": "Unit",
        "x_col_headcount": "Employees",
        "x_col_verified": "% entries verified",
        "x_col_mean": "Mean",
        "x_col_median": "Median",
        "x_col_breaches": "Curve breaches",
        "x_col_supervisor_nip": "Supervisor's NIP",
        "x_col_name": "Name",
        "x_col_reports": "Direct reports",
        "x_col_pending": "Entries not verified",
        "x_col_withheld": "Employees withheld (verification not finished)",
        "x_col_decisions": "Decisions",
        "x_col_delay": "Median days to a decision",
        "x_col_reason": "Reason",
        "x_col_position_type": "Position type",
        "x_col_grade": "Grade",
        "x_col_score": "Score",
        "x_col_predikat": "Overall rating",
        "x_col_org_result": "Organisational result",
        "x_col_rule": "Limit",
        "x_col_actual": "Actual",
        "x_col_count": "Employees",
        "x_col_rated": "Rated",
        "x_empty_recap": "No active employees in this unit.",
        "x_empty_backlog": "No supervisors in this selection.",
        "x_empty_missing": "Every employee in this selection has an overall rating.",
        "x_empty_employees": "No employee matches the filters.",
        "x_more_rows": "… {n} more rows (narrow the selection)",
        "x_yes": "yes",
        "x_chart_ylabel": "% of rated employees",
        "x_chart_title": "Overall ratings — {unit} ({who}, n = {n})",
        "x_who_unit": "unit {unit}'s own employees",
        "x_who_all": "every employee in the selection",
        "x_curve_other_scheme": ("The distribution curve applies to permenpan-6-2022 only "
                                 "(scheme: {scheme})."),
        "x_curve_choose_unit": ("The distribution curve is checked per unit: choose a unit to "
                                "see its limits. Breaches of every unit in the selection:"),
        "x_curve_rules": ("Organisational result: <b>{result}</b>; limits: {rules}. "
                          "Breaches in this unit and its sub-units:"),
        "x_rule_at_most": "at most {n} {what}",
        "x_rule_at_least": "at least {n} {what}",
        "x_rule_none": "no {what}",
        "x_or": "or",
        "x_reason_belum ada penugasan": "no assignment yet",
        "x_reason_verifikasi belum selesai": "verification not finished",
        "x_reason_perilaku belum dinilai": "behaviour not rated",
    },
}
for _lang, _labels in EXPLORER_LABELS.items():
    LABELS[_lang].update(_labels)
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


def period_label(period: str, lang: str) -> str:
    """Any period for display: ``Juni 2021``, ``Triwulan II 2021``/``Q2 2021``,
    ``Semester I 2021``, ``Tahun 2021``/``Year 2021`` (:meth:`Period.label`)."""
    return Period.parse(period).label(lang)


def functional_level_label(level: str) -> str:
    """A functional level as printed, Indonesian in every language: ``ahli_muda`` ->
    ``Ahli Muda``."""
    return level.replace("_", " ").title()


def date_label(day: dt.date, lang: str) -> str:
    """``10 Mei 2021`` / ``10 May 2021``."""
    return format_date(day, "d MMMM y", locale=_LOCALE[lang])


def short_date(day: dt.date | None, lang: str) -> str:
    """The same style as :func:`date_label` (``10 Mei 2021``): one date style per language
    on a card; ``""`` for no date."""
    if day is None:
        return ""
    return date_label(day, lang)


def datetime_label(moment: dt.datetime, lang: str, tz: str | None = None) -> str:
    """``10 Mei 2021 14:05``: :func:`date_label`'s style with the time, in ``tz`` when
    given."""
    zone = ZoneInfo(tz) if tz else None
    return format_datetime(moment, "d MMMM y HH:mm", tzinfo=zone, locale=_LOCALE[lang])


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


def percent(x: float, lang: str) -> str:
    """A percentage bound as written in a rule: ``70 %``, ``12,50 %`` / ``12.50 %``."""
    return f"{quantity(x, lang)} %"


def curve_rule_text(predikat: tuple[str, ...] | list[str], bound: str, lang: str, *,
                    percent_value: float | None = None, count: int | None = None) -> str:
    """A distribution-curve rule in words: ``paling banyak 70 % Sangat Baik`` / ``at most
    70 % Sangat Baik`` (predikat keep their Indonesian labels)."""
    what = f" {LABELS[lang]['x_or']} ".join(predikat)
    if count is not None:
        if bound == "at_most" and count == 0:
            return LABELS[lang]["x_rule_none"].format(what=what)
        amount = quantity(count, lang)
    else:
        amount = percent(float(percent_value or 0), lang)
    return LABELS[lang][f"x_rule_{bound}"].format(n=amount, what=what)


def reasons_label(text: str, lang: str) -> str:
    """Missing-data reasons (``belum ada penugasan; …``) in ``lang``."""
    parts = [p.strip() for p in str(text).split(";") if p.strip()]
    return "; ".join(LABELS[lang].get(f"x_reason_{p}", p) for p in parts)
