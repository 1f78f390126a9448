"""The tukin engine on tiny explicit fixtures (tukin.md §2, §3): the ledger and the amount.

The month is May 2023: 21 working days; 1 May (Labour Day, a Monday) and 18 May (Ascension,
a Thursday) are public holidays; 5 May is a Friday (work ends 16:30), 6-7 May a weekend.
"""

from __future__ import annotations

import copy
import datetime as dt
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from eperformance.calendar import working_days
from eperformance.errors import UsageError
from eperformance.params import Settings, TukinProfile, parse_tukin_profile
from eperformance.tukin import (
    NO_APPROVED,
    NO_ATTENDANCE,
    NO_CLASS,
    KinerjaInput,
    build_ledger,
    compute_amounts,
    fmt_percent,
    ledger_frame,
    tukin_frame,
)

REPO = Path(__file__).resolve().parents[1]
PERIOD = "2023-05"
SETTINGS = Settings()
DAYS = working_days(PERIOD, SETTINGS)
A = "198001012005011001"
B = "198202022006022002"


def _raw(name: str = "kemensos-2023") -> dict[str, Any]:
    data = yaml.safe_load((REPO / "params" / "tukin" / f"{name}.yaml").read_text("utf-8"))
    return copy.deepcopy(data)


def _profile(name: str = "kemensos-2023", **changes: Any) -> TukinProfile:
    data = _raw(name)
    for dotted, value in changes.items():
        node = data
        keys = dotted.split("__")
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
    return parse_tukin_profile(name, data)


DEFAULT = _profile()
MENIT = _profile("menit-kerja-efektif")


def _att(*rows: tuple[str, str, str | None, str | None, str | None]) -> pd.DataFrame:
    """(nip, date, check_in, check_out, status) rows."""
    return pd.DataFrame(rows, columns=["nip", "date", "check_in", "check_out", "status"])


def _full_month(nip: str = A, check_in: str = "07:20:00", check_out: str = "16:40:00",
                **days: tuple[str | None, str | None, str | None]) -> pd.DataFrame:
    """A row on every working day, on time, with ``days`` ('YYYY-MM-DD' -> (in, out,
    status)) replacing some."""
    rows = []
    for d in DAYS:
        key = d.isoformat()
        if key in days:
            cin, cout, status = days[key]
        else:
            cin, cout, status = check_in, check_out, "hadir"
        rows.append((nip, key, cin, cout, status))
    for key, (cin, cout, status) in days.items():
        if dt.date.fromisoformat(key) not in DAYS:
            rows.append((nip, key, cin, cout, status))
    return _att(*rows)


def _ledger(frame: pd.DataFrame, profile: TukinProfile = DEFAULT) -> pd.DataFrame:
    return build_ledger(frame, DAYS, SETTINGS.work_hours, profile).rows


def _codes(frame: pd.DataFrame,
           profile: TukinProfile = DEFAULT) -> list[tuple[str, str, Any, float]]:
    rows = _ledger(frame, profile)
    return [(d.isoformat(), c, None if pd.isna(m) else int(m), p)
            for d, c, m, p in zip(rows["date"], rows["code"], rows["minutes"], rows["percent"],
                                  strict=True)]


# --------------------------------------------------------------------------- the month
def test_may_2023_has_21_working_days_without_holidays_and_weekends() -> None:
    assert len(DAYS) == 21
    assert dt.date(2023, 5, 1) not in DAYS and dt.date(2023, 5, 18) not in DAYS
    assert dt.date(2023, 5, 6) not in DAYS


# --------------------------------------------------------------------------- late bands
@pytest.mark.parametrize(("check_in", "code", "minutes", "percent"), [
    ("07:30:00", None, None, None),          # on time
    ("07:30:01", "TL1", 1, 0.5),             # one second late is one minute
    ("07:59:59", "TL1", 30, 0.5),
    ("08:00:00", "TL1", 30, 0.5),            # exactly 30:00 late
    ("08:00:01", "TL2", 31, 1.0),            # 30:01 late
    ("08:30:00", "TL2", 60, 1.0),
    ("08:30:01", "TL3", 61, 1.25),
    ("09:00:00", "TL3", 90, 1.25),
    ("09:00:01", "TL4", 91, 1.5),
    ("07:31", "TL1", 1, 0.5),                # HH:MM text
])
def test_late_band_edges(check_in: str, code: str | None, minutes: int | None,
                         percent: float | None) -> None:
    got = _codes(_att((A, "2023-05-02", check_in, "16:00:00", "hadir")))
    tl = [r for r in got if r[1].startswith("TL")]
    if code is None:
        assert tl == []
    else:
        assert tl == [("2023-05-02", code, minutes, percent)]


@pytest.mark.parametrize(("day", "check_out", "code", "minutes"), [
    ("2023-05-02", "16:00:00", None, None),   # Tuesday ends 16:00
    ("2023-05-02", "15:59:59", "PSW1", 1),
    ("2023-05-02", "15:30:00", "PSW1", 30),
    ("2023-05-02", "15:29:59", "PSW2", 31),
    ("2023-05-05", "16:00:00", "PSW1", 30),   # Friday ends 16:30
    ("2023-05-05", "16:30:00", None, None),
    ("2023-05-02", "12:00:00", "PSW4", 240),
])
def test_early_departure_bands(day: str, check_out: str, code: str | None,
                               minutes: int | None) -> None:
    got = [r for r in _codes(_att((A, day, "07:00:00", check_out, None)))
           if r[1].startswith("PSW")]
    assert got == ([] if code is None else [(day, code, minutes, got[0][3] if got else None)])


def test_doctors_hours_give_two_deductions_a_day() -> None:
    got = _codes(_full_month(**{"2023-05-02": ("09:00:00", "12:00:00", "hadir")}))
    assert got == [("2023-05-02", "PSW4", 240, 1.5), ("2023-05-02", "TL3", 90, 1.25)]


def test_missing_check_times_give_tam_and_tap() -> None:
    got = _codes(_full_month(**{"2023-05-02": (None, "16:00", "hadir"),
                                "2023-05-03": ("07:00", None, ""),
                                "2023-05-04": ("", "", None)}))
    assert [(d, c, p) for d, c, _, p in got] == [
        ("2023-05-02", "TAM", 1.5), ("2023-05-03", "TAP", 1.5),
        ("2023-05-04", "TAM", 1.5), ("2023-05-04", "TAP", 1.5)]


# --------------------------------------------------------------------------- TK, leave
def test_working_days_without_a_row_are_tk_and_days_off_are_ignored() -> None:
    frame = _att((A, "2023-05-01", "09:00", "10:00", "hadir"),   # holiday: ignored
                 (A, "2023-05-06", "11:00", "12:00", "hadir"),   # Saturday: ignored
                 (A, "2023-05-02", "07:00", "16:30", "hadir"))
    got = _codes(frame)
    assert all(c == "TK" for _, c, _, _ in got)
    assert len(got) == 20 and {p for *_, p in got} == {5.0}
    assert "2023-05-01" not in {d for d, *_ in got} and "2023-05-18" not in {d for d, *_ in got}


def test_tanpa_keterangan_is_tk_and_check_times_are_ignored_on_leave() -> None:
    got = _codes(_full_month(**{"2023-05-03": ("09:00", "12:00", "tanpa_keterangan"),
                                "2023-05-04": ("09:00", "12:00", "cuti_tahunan")}))
    assert got == [("2023-05-03", "TK", None, 5.0), ("2023-05-04", "cuti_tahunan", None, 0.0)]


def test_free_leave_days_carry_zero() -> None:
    sick = {d.isoformat(): (None, None, "cuti_sakit") for d in DAYS[:5]}
    got = _codes(_full_month(**sick))
    assert [p for *_, p in got] == [0.0, 0.0, 0.0, 2.0, 2.0]
    assert {c for _, c, _, _ in got} == {"cuti_sakit"}


def test_free_days_count_per_status() -> None:
    days = {DAYS[0].isoformat(): (None, None, "cuti_sakit"),
            DAYS[1].isoformat(): (None, None, "cuti_alasan_penting"),
            DAYS[2].isoformat(): (None, None, "cuti_sakit"),
            DAYS[3].isoformat(): (None, None, "izin")}
    assert [p for *_, p in _codes(_full_month(**days))] == [0.0, 0.0, 0.0, 2.5]


def test_unknown_status_on_a_working_day_stops_the_run() -> None:
    profile = _profile(deductions__leave={"dinas_luar": {"percent": 0}})
    with pytest.raises(UsageError, match="'cltn'") as err:
        _ledger(_full_month(**{"2023-05-03": (None, None, "cltn")}), profile)
    assert err.value.exit_code == 2


def test_unknown_status_on_a_weekend_is_ignored() -> None:
    profile = _profile(deductions__leave={"dinas_luar": {"percent": 0}})
    assert _codes(_full_month(**{"2023-05-06": (None, None, "cltn")}), profile) == []


def test_no_attendance_row_no_ledger() -> None:
    ledger = build_ledger(_att((A, "2023-05-06", "08:00", "12:00", "hadir")), DAYS,
                          SETTINGS.work_hours, DEFAULT, nips=[A, B])
    assert ledger.with_attendance == frozenset({A})
    assert set(ledger.rows["nip"]) == {A}  # B: no ledger at all, not 21 days of TK


def test_ledger_is_sorted_and_written_as_contract_says() -> None:
    frame = pd.concat([_full_month(B, **{"2023-05-02": ("09:00:00", "12:00:00", "hadir")}),
                       _full_month(A, **{"2023-05-03": ("07:45:10", None, "hadir")})])
    text = ledger_frame(build_ledger(frame, DAYS, SETTINGS.work_hours, DEFAULT))
    assert text.to_csv(index=False, lineterminator="\n") == (
        "nip,date,code,minutes,percent\n"
        f"{A},2023-05-03,TAP,,1.50\n"
        f"{A},2023-05-03,TL1,16,0.50\n"
        f"{B},2023-05-02,PSW4,240,1.50\n"
        f"{B},2023-05-02,TL3,90,1.25\n")


def test_driver_time_types() -> None:
    frame = _att((A, "2023-05-02", dt.time(7, 30, 1), dt.time(16, 0), "hadir"))
    assert _codes(frame)[0] == ("2023-05-02", "TL1", 1, 0.5)
    frame = _att((A, "2023-05-02", dt.timedelta(hours=8, seconds=1), dt.timedelta(hours=16),
                  "hadir"))
    assert _codes(frame)[0] == ("2023-05-02", "TL2", 31, 1.0)


# --------------------------------------------------------------------------- amounts
def _emp(*rows: tuple[str, int | None, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["nip", "job_class", "employment"])


def _amount(att: pd.DataFrame, emp: pd.DataFrame, kinerja: dict[str, KinerjaInput],
            profile: TukinProfile = DEFAULT) -> list[Any]:
    ledger = build_ledger(att, DAYS, SETTINGS.work_hours, profile, nips=list(emp["nip"]))
    return compute_amounts(emp, ledger, kinerja, profile, PERIOD, len(DAYS))


def test_total_mode_full_month_on_time() -> None:
    [row] = _amount(_full_month(), _emp((A, 7, "pns")), {A: KinerjaInput(predikat="Baik")})
    assert row.base == 3915950 and row.kinerja_percent == 100
    assert row.deduction_percent == 0 and row.tukin == 3915950 and row.keterangan == ()


def test_total_mode_formula_and_rounding_half_up() -> None:
    # Butuh Perbaikan 90 %: base x (60 x 90 / 100 + 40) / 100 = 0.94 base; 1 TL1 (0.5 %)
    att = _full_month(**{"2023-05-02": ("07:40:00", "16:00:00", "hadir")})
    [row] = _amount(att, _emp((A, 8, "pns")), {A: KinerjaInput(predikat="Butuh Perbaikan")})
    exact = Fraction(4595150) * Fraction(94, 100) * Fraction(995, 1000)
    assert row.tukin == int(exact + Fraction(1, 2))  # 4297898.2775 -> 4297898
    assert fmt_percent(row.deduction_percent) == "0.50"


def test_cpns_gets_80_percent_of_the_class_amount() -> None:
    [row] = _amount(_full_month(), _emp((A, 5, "cpns")), {A: KinerjaInput(predikat="Baik")})
    assert row.base == Fraction(3134250 * 80, 100) and row.tukin == 2507400


def test_rounding_to_a_multiple() -> None:
    profile = _profile(rounding={"to": 1000})
    att = _full_month(**{"2023-05-02": ("07:40:00", "16:00:00", "hadir")})
    [row] = _amount(att, _emp((A, 8, "pns")), {A: KinerjaInput(predikat="Butuh Perbaikan")},
                    profile)
    assert row.tukin == 4298000


def test_cap_limits_the_deductions() -> None:
    att = _att((A, "2023-05-06", "08:00", "12:00", "hadir"))  # only a Saturday row: 21 x TK
    [row] = _amount(att, _emp((A, 7, "pns")), {A: KinerjaInput(predikat="Baik")})
    assert row.deduction_raw == 105 and row.deduction_percent == 100 and row.tukin == 0
    profile = _profile(deductions__cap_percent=50)
    [row] = _amount(att, _emp((A, 10, "pns")), {A: KinerjaInput(predikat="Baik")}, profile)
    assert row.deduction_percent == 50 and row.tukin == 5979200 // 2


def test_disiplin_mode_cuts_the_discipline_part_only_and_never_below_zero() -> None:
    profile = _profile(deductions__applies_to="disiplin")
    att = _full_month(**{d.isoformat(): (None, None, "tanpa_keterangan") for d in DAYS[:2]})
    [row] = _amount(att, _emp((A, 10, "pns")), {A: KinerjaInput(predikat="Baik")}, profile)
    # 60 % x 100 % + 40 % x (1 - 10 %) = 96 %
    assert row.tukin == round(5979200 * 0.96)
    gone = _att((A, "2023-05-06", "08:00", "12:00", "hadir"))
    [row] = _amount(gone, _emp((A, 10, "pns")), {A: KinerjaInput(predikat="Baik")}, profile)
    assert row.tukin == round(5979200 * 0.6)


def test_total_mode_same_month_differs() -> None:
    att = _full_month(**{d.isoformat(): (None, None, "tanpa_keterangan") for d in DAYS[:2]})
    [row] = _amount(att, _emp((A, 10, "pns")), {A: KinerjaInput(predikat="Baik")})
    assert row.tukin == round(5979200 * 0.9)


def test_missing_job_class_no_tukin_but_figures_given() -> None:
    [row] = _amount(_full_month(), _emp((A, None, "pns")), {A: KinerjaInput(predikat="Baik")})
    assert row.tukin is None and row.base is None and row.keterangan == (NO_CLASS,)
    out = tukin_frame([row]).iloc[0]
    assert (out["base"], out["kinerja_percent"], out["deduction_percent"], out["tukin"]) == (
        "", "100.00", "0.00", "")


def test_withheld_predikat_no_tukin_with_the_scoring_reason() -> None:
    kinerja = {A: KinerjaInput(predikat=None, keterangan=("verifikasi belum selesai",))}
    [row] = _amount(_full_month(), _emp((A, 9, "pns")), kinerja)
    assert row.tukin is None and row.keterangan == ("verifikasi belum selesai",)
    out = tukin_frame([row]).iloc[0]
    assert (out["base"], out["kinerja_percent"], out["deduction_percent"]) == (
        "5079200", "", "0.00")


def test_month_without_attendance_rows_no_tukin() -> None:
    [row] = _amount(_att(), _emp((A, 9, "pns")), {A: KinerjaInput(predikat="Baik")})
    assert row.tukin is None and row.deduction_percent is None
    assert row.keterangan == (NO_ATTENDANCE,)


def test_reasons_in_order() -> None:
    kinerja = {A: KinerjaInput(predikat=None, keterangan=("belum ada penugasan",
                                                          "perilaku belum dinilai"))}
    [row] = _amount(_att(), _emp((A, None, "pns")), kinerja)
    assert tukin_frame([row]).iloc[0]["keterangan"] == (
        "kelas jabatan tidak ada;presensi tidak ada;belum ada penugasan;perilaku belum dinilai")


def test_basis_menit_ratio_cap_floor_and_no_approved_entry() -> None:
    required = 21 * 300
    emp = _emp((A, 10, "pns"), (B, 10, "pns"))
    att = pd.concat([_full_month(A), _full_month(B)])
    half = {A: KinerjaInput(minutes=required / 2, approved_entries=3),
            B: KinerjaInput(minutes=2 * required, approved_entries=9)}
    a, b = _amount(att, emp, half, MENIT)
    assert a.kinerja_percent == 50 and b.kinerja_percent == 100
    assert a.tukin == round(5979200 * (0.5 * 0.5 + 0.5)) and b.tukin == 5979200
    assert a.keterangan == () and a.required_minutes == required
    floor = _profile("menit-kerja-efektif", kinerja__floor_percent=60)
    a, _ = _amount(att, emp, half, floor)
    assert a.kinerja_percent == 0 and a.tukin == 5979200 // 2
    a, _ = _amount(att, emp, {}, MENIT)
    assert a.kinerja_percent == 0 and a.tukin == 5979200 // 2 and a.keterangan == (NO_APPROVED,)


def test_percents_written_half_away_from_zero() -> None:
    assert fmt_percent(Fraction(1, 3) * 100) == "33.33"
    assert fmt_percent(Fraction(89995, 1000)) == "90.00"
    assert fmt_percent(Fraction(0)) == "0.00"
    assert fmt_percent(None) == ""
