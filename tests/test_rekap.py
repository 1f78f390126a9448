"""Rekap capaian aktivitas: pure computations (eperformance.activity_rekap) and the database
path (eperformance.db.activity_rekap_queries) on tiny explicit fixtures.

Period 2021-05 (18 working days: 13, 14 and 26 May are public holidays); closing time
2021-06-05 23:59:59 Asia/Jakarta = 2021-06-05 16:59:59 UTC.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from eperformance import activity_rekap as rekap
from eperformance.decisions import latest_decisions
from eperformance.params import Settings

P = "2021-05"
A = "199001012015031001"
B = "199002022015032002"
S = "197001011995031001"  # supervisor of A and B
X = "197502022000032001"  # an acting verifier
C = "198503032010031001"  # another employee, out of scope
D = dt.date
T = dt.time
TS = dt.datetime

STANDARD = {"RPT": 60.0, "MTG": 30.0}


def _entries() -> pd.DataFrame:
    rows = [
        # activity_id, nip, date, start, end, code, quantity, description
        ("a1", A, D(2021, 5, 3), T(8, 0), T(9, 0), "RPT", 1.0, "laporan"),
        ("a2", A, D(2021, 5, 3), T(8, 30), T(9, 30), "MTG", 1.0, "rapat"),  # overlaps a1
        ("a3", A, D(2021, 5, 4), T(10, 0), T(13, 0), "RPT", 1.0, "3x exactly"),
        ("a4", A, D(2021, 5, 4), T(13, 0), T(16, 1), "RPT", 1.0, "too long"),  # touches a3
        ("a5", A, D(2021, 5, 7), T(15, 0), T(16, 30), "MTG", 3.0, "friday"),
        ("a6", A, D(2021, 5, 8), T(9, 0), T(9, 10), "RPT", 1.0, "saturday"),
        ("a7", A, D(2021, 5, 5), T(9, 0), T(9, 20), "RPT", 1.0, "1/3 exactly"),
        ("a8", A, D(2021, 5, 6), T(9, 0), T(9, 5), "RPT", 0.0, "quantity 0"),
        ("a9", A, D(2021, 4, 30), T(9, 0), T(10, 0), "RPT", 1.0, "april"),
        ("b1", B, D(2021, 5, 31), T(7, 0), T(8, 0), "MTG", 2.0, "early start"),
        ("c1", C, D(2021, 5, 3), T(8, 0), T(9, 0), "RPT", 1.0, "out of scope"),
    ]
    frame = pd.DataFrame(rows, columns=["activity_id", "nip", "date", "start_time", "end_time",
                                        "activity_code", "quantity", "description"])
    frame["standard_minutes"] = frame["activity_code"].map(STANDARD)
    return frame


def _decisions() -> pd.DataFrame:
    rows = [
        # verification_id, activity_id, verifier_nip, status, decided_at (UTC), quality, note
        ("v1", "a1", S, "approved", TS(2021, 5, 4, 3, 0), 90.0, None),
        # same timestamp: "V-9" > "V-10" as text, so approved wins
        ("V-10", "a2", S, "rejected", TS(2021, 5, 3, 20, 0), None, "salah"),
        ("V-9", "a2", S, "approved", TS(2021, 5, 3, 20, 0), 80.0, None),
        ("v4", "a4", S, "revision", TS(2021, 5, 10, 2, 0), None, "lengkapi bukti"),
        ("v4-late", "a4", S, "approved", TS(2021, 6, 5, 17, 0, 0), 95.0, "terlambat"),
        ("v5", "a5", X, "rejected", TS(2021, 5, 8, 1, 0), 40.0, "bukan tugas"),
        ("v7", "a7", S, "approved", TS(2021, 6, 5, 16, 59, 59), None, None),  # at closing
        ("v9", "a9", S, "approved", TS(2021, 5, 1, 1, 0), 100.0, None),
        ("vc", "c1", S, "approved", TS(2021, 5, 4, 1, 0), 10.0, None),
    ]
    return pd.DataFrame(rows, columns=["verification_id", "activity_id", "verifier_nip",
                                       "status", "decided_at", "quality", "note"])


def _attendance() -> pd.DataFrame:
    rows = [
        (A, D(2021, 5, 3), T(7, 45), T(16, 0)),  # late 15
        (A, D(2021, 5, 4), T(7, 30), T(15, 30)),  # early 30
        (A, D(2021, 5, 5), T(7, 29), None),  # no check-out: not early
        (A, D(2021, 5, 6), None, T(16, 0)),  # no check-in: absent
        (A, D(2021, 5, 7), T(7, 0), T(16, 15)),  # Friday: early 15
        (A, D(2021, 5, 13), T(8, 0), T(12, 0)),  # public holiday: not counted
        (A, D(2021, 4, 30), T(9, 0), T(12, 0)),  # other month
        (B, D(2021, 5, 31), T(7, 35), T(16, 0)),  # late 5
    ]
    return pd.DataFrame(rows, columns=["nip", "date", "check_in", "check_out"])


def _behaviour() -> pd.DataFrame:
    rows = [
        (A, S, "atasan", "akuntabel", 80.0),
        (A, S, "atasan", "kompeten", 90.0),
        (B, S, "atasan", "akuntabel", 70.0),
        (B, S, "rekan", "kompeten", 10.0),  # not as atasan
        (A, X, "atasan", "harmonis", 50.0),  # another assessor
        (S, A, "bawahan", "akuntabel", 60.0),
    ]
    return pd.DataFrame(rows, columns=["nip", "assessor_nip", "assessor_role", "aspect", "score"])


def _employees() -> pd.DataFrame:
    return pd.DataFrame({"nip": [A, B], "supervisor_nip": [S, S]})


def _frames() -> rekap.RekapFrames:
    return rekap.RekapFrames(employees=_employees(), entries=_entries(),
                             decisions=_decisions(), attendance=_attendance(),
                             behaviour=_behaviour())


@pytest.fixture
def result() -> rekap.RekapResult:
    return rekap.rekap_from_frames(_frames(), P, Settings())


def _row(result: rekap.RekapResult, nip: str) -> pd.Series:
    frame = result.employees.set_index("nip")
    return frame.loc[nip]


# --------------------------------------------------------------------------- counts
def test_one_row_per_nip_with_documented_columns(result: rekap.RekapResult) -> None:
    assert list(result.employees.columns) == list(rekap.EMPLOYEE_COLUMNS)
    assert list(result.employees["nip"]) == [A, B]
    assert (result.employees["period"] == P).all()
    assert list(result.entry_flags.columns) == list(rekap.FLAG_COLUMNS)
    assert list(result.rejected_and_revision.columns) == list(rekap.REJECTED_COLUMNS)
    assert list(result.late_decisions.columns) == list(rekap.LATE_COLUMNS)
    assert list(result.supervisors.columns) == list(rekap.SUPERVISOR_COLUMNS)


def test_entries_by_status(result: rekap.RekapResult) -> None:
    a = _row(result, A)
    # a9 is dated in April: not an entry of the month
    assert a["entries"] == 8
    assert (a["approved"], a["rejected"], a["revision"], a["pending"]) == (3, 1, 1, 3)
    assert a["approved_quantity"] == 3.0
    assert a["pending_quantity"] == 2.0  # a3 + a6 + a8 (quantity 0)
    assert a["standard_minutes_earned"] == 60 + 30 + 60
    b = _row(result, B)
    assert (b["entries"], b["pending"], b["pending_quantity"]) == (1, 1, 2.0)


def test_minutes(result: rekap.RekapResult) -> None:
    a = _row(result, A)
    assert a["logged_minutes"] == 60 + 60 + 180 + 181 + 90 + 10 + 20 + 5
    assert a["approved_minutes"] == 60 + 60 + 20
    assert a["expected_minutes"] == 18 * 7.5 * 60


def test_tie_break_by_verification_id_as_text() -> None:
    latest = latest_decisions(_decisions(), rekap.closing_utc_of(P, Settings()))
    row = latest.set_index("activity_id").loc["a2"]
    assert row["verification_id"] == "V-9"
    assert row["status"] == "approved"


def test_decision_at_closing_second_counts_later_one_is_listed(
        result: rekap.RekapResult) -> None:
    latest = latest_decisions(_decisions(), rekap.closing_utc_of(P, Settings()))
    by_id = latest.set_index("activity_id")
    assert by_id.loc["a7", "status"] == "approved"  # decided exactly at the closing time
    assert by_id.loc["a4", "status"] == "revision"  # the later approval is too late
    late = result.late_decisions
    assert list(late["verification_id"]) == ["v4-late"]
    assert late.iloc[0]["nip"] == A and late.iloc[0]["date"] == pd.Timestamp(2021, 5, 4)
    assert late.iloc[0]["status"] == "approved"


def test_pending_waiting_days(result: rekap.RekapResult) -> None:
    a = _row(result, A)
    # pending a3 (4 May), a8 (6 May), a6 (8 May); closing date 5 June
    assert a["pending_wait_median_days"] == 30.0
    assert a["pending_wait_max_days"] == 32.0
    assert _row(result, B)["pending_wait_max_days"] == 5.0  # 31 May -> 5 June


def test_no_pending_gives_blank_waiting_time() -> None:
    frames = _frames()
    entries = frames.entries[frames.entries["activity_id"].isin(["a1"])]
    res = rekap.rekap_from_frames(
        rekap.RekapFrames(frames.employees, entries, frames.decisions, frames.attendance,
                          frames.behaviour), P, Settings())
    a = _row(res, A)
    assert pd.isna(a["pending_wait_median_days"]) and pd.isna(a["pending_wait_max_days"])
    b = _row(res, B)
    assert b["entries"] == 0 and b["logged_minutes"] == 0.0


def test_rejected_and_revision_list(result: rekap.RekapResult) -> None:
    rr = result.rejected_and_revision
    assert list(rr["activity_id"]) == ["a4", "a5"]
    a4 = rr.iloc[0]
    assert (a4["status"], a4["note"], a4["description"]) == ("revision", "lengkapi bukti",
                                                             "too long")
    assert a4["decided_at"] == pd.Timestamp(2021, 5, 10, 2, 0)
    a5 = rr.iloc[1]
    assert (a5["status"], a5["quality"], a5["activity_code"]) == ("rejected", 40.0, "MTG")


# --------------------------------------------------------------------------- attendance
def test_attendance(result: rekap.RekapResult) -> None:
    a = _row(result, A)
    assert a["working_days"] == 18
    assert a["days_present"] == 4  # 3, 4, 5, 7 May (6 May: no check-in; 13 May: holiday)
    assert a["working_days_absent"] == 14
    assert (a["late_arrivals"], a["late_minutes"]) == (1, 15.0)
    # 4 May 15:30 (30 min) and Friday 7 May 16:15 (15 min before 16:30)
    assert (a["early_departures"], a["early_minutes"]) == (2, 45.0)
    b = _row(result, B)
    assert (b["days_present"], b["late_arrivals"], b["late_minutes"]) == (1, 1, 5.0)
    assert b["early_departures"] == 0


def test_attendance_extra_day_off_and_friday_end() -> None:
    settings = Settings(extra_days_off=(D(2021, 5, 3),))
    att = rekap.attendance_summary(_attendance(), [A], P, settings)
    a = att.loc[A]
    assert a["working_days"] == 17
    assert a["days_present"] == 3  # 3 May is now a day off
    assert a["late_arrivals"] == 0
    custom = Settings.model_validate({"work_hours": {"friday_end": "16:00"}})
    att = rekap.attendance_summary(_attendance(), [A], P, custom)
    assert att.loc[A, "early_minutes"] == 30 + 0  # Friday 16:15 is no longer early


# --------------------------------------------------------------------------- flags
def _flags(result: rekap.RekapResult) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for kind, ids in result.entry_flags.groupby("flag")["activity_id"]:
        out[str(kind)] = set(ids)
    return out


def test_flag_kinds(result: rekap.RekapResult) -> None:
    flags = _flags(result)
    assert flags["overlap"] == {"a1", "a2"}  # a3/a4 only touch at 13:00
    assert flags["outside_hours"] == {"a4", "a6", "b1"}  # a5 ends 16:30 on a Friday
    assert flags["no_check_in"] == {"a6", "a8"}
    assert flags["too_long"] == {"a4"}  # a3 is exactly 3x: not flagged
    assert flags["too_short"] == {"a6"}  # a7 is exactly 1/3: not flagged; a8 quantity 0
    a = _row(result, A)
    assert (a["flag_overlap"], a["flag_outside_hours"], a["flag_no_check_in"],
            a["flag_too_long"], a["flag_too_short"]) == (2, 2, 2, 1, 1)
    assert _row(result, B)["flag_outside_hours"] == 1


def test_flag_details(result: rekap.RekapResult) -> None:
    f = result.entry_flags.set_index(["activity_id", "flag"])["detail"]
    assert f[("a1", "overlap")] == "2 entries overlap between 08:00 and 09:30"
    assert f[("a6", "outside_hours")].startswith("non-working day")
    assert f[("a4", "outside_hours")] == "ends 16:01 after 16:00"
    assert f[("b1", "outside_hours")] == "starts 07:00 before 07:30"
    assert "3.02x" in f[("a4", "too_long")]


def test_overlap_chain_and_nested() -> None:
    entries = pd.DataFrame({
        "activity_id": ["x1", "x2", "x3", "x4", "y1", "y2"],
        "nip": [A, A, A, A, A, B],
        "date": [D(2021, 5, 3)] * 4 + [D(2021, 5, 4), D(2021, 5, 3)],
        # x1 08-12 contains x2 09-10; x3 12:00-13:00 touches x1; x4 12:30-12:45 inside x3
        "start_time": ["08:00", "09:00", "12:00", "12:30", "08:00", "08:00"],
        "end_time": ["12:00", "10:00", "13:00", "12:45", "12:00", "12:00"],
        "activity_code": "RPT", "quantity": 1.0, "standard_minutes": 60.0,
    })
    flags = rekap.entry_flags(entries, _attendance().iloc[:0], P, Settings())
    assert set(flags.loc[flags["flag"] == "overlap", "activity_id"]) == {"x1", "x2", "x3",
                                                                          "x4"}


def test_duration_flags_edges() -> None:
    entries = pd.DataFrame({
        "activity_id": ["e1", "e2", "e3", "e4"],
        "nip": A, "date": D(2021, 5, 3),
        "start_time": ["08:00", "08:00", "08:00", "08:00"],
        # standard 30 x 2 = 60 min: 180 exactly 3x; 180:01 above; 20 exactly 1/3; 19 below
        "end_time": ["11:00", "11:00:01", "08:20", "08:19"],
        "activity_code": "MTG", "quantity": 2.0, "standard_minutes": 30.0,
    })
    flags = rekap.entry_flags(entries, _attendance(), P, Settings())
    assert set(flags.loc[flags["flag"] == "too_long", "activity_id"]) == {"e2"}
    assert set(flags.loc[flags["flag"] == "too_short", "activity_id"]) == {"e4"}


def test_empty_inputs() -> None:
    frames = _frames()
    res = rekap.rekap_from_frames(
        rekap.RekapFrames(frames.employees, frames.entries.iloc[:0],
                          frames.decisions.iloc[:0], frames.attendance.iloc[:0],
                          frames.behaviour.iloc[:0]), P, Settings())
    assert list(res.employees["entries"]) == [0, 0]
    assert list(res.employees["working_days_absent"]) == [18, 18]
    assert res.entry_flags.empty and res.late_decisions.empty
    assert res.rejected_and_revision.empty
    assert list(res.supervisors["pending_backlog"]) == [0]


# --------------------------------------------------------------------------- supervisors
def test_supervisor_view(result: rekap.RekapResult) -> None:
    sv = result.supervisors.set_index("supervisor_nip").loc[S]
    assert sv["direct_reports"] == 2
    assert sv["pending_backlog"] == 4
    # S's decisions up to closing on A's and B's entries of May: v1, V-9, V-10, v4, v7
    # (v5 is X's; v4-late is late; v9 is on an April entry; vc on an out-of-scope entry)
    assert sv["decisions"] == 5
    # delays in Jakarta dates: 1, 1, 1 (20:00 UTC on 3 May is 4 May in Jakarta), 6, 31
    assert sv["decision_delay_median_days"] == 1.0
    assert sv["quality_mean"] == 85.0
    assert sv["behaviour_ratings"] == 3
    assert sv["behaviour_score_mean"] == 80.0


# --------------------------------------------------------------------------- database
def _insert_fixture(engine) -> None:  # type: ignore[no-untyped-def]
    from eperformance.db import schema as s

    people = [(S, None), (A, S), (B, S), (X, None), (C, S)]
    with engine.begin() as conn:
        conn.execute(s.units.insert(), [{"unit_code": "U1", "name": "Unit", "parent_code": None}])
        conn.execute(s.employees.insert(), [
            {"nip": nip, "name": f"P{i}", "gender": "L", "unit_code": "U1", "position": "Staf",
             "position_type": "pelaksana", "grade": "III/a", "supervisor_nip": sup,
             "employment": "pns", "active": nip != C}
            for i, (nip, sup) in enumerate(people)
        ])
        conn.execute(s.activity_types.insert(), [
            {"activity_code": code, "name": code, "output_unit": "dokumen",
             "standard_minutes": minutes} for code, minutes in STANDARD.items()
        ])
        entries = _entries().drop(columns=["standard_minutes"])
        conn.execute(s.activities.insert(), [
            {**row, "assignment_id": None, "evidence_url": None, "cost": 0.0}
            for row in entries.to_dict("records")
        ])
        decisions = _decisions().astype(object)
        conn.execute(s.verifications.insert(), [
            {k: (None if pd.isna(v) else v) for k, v in row.items()}
            for row in decisions.to_dict("records")
        ])
        conn.execute(s.attendance.insert(), _attendance().assign(status="hadir")
                     .astype(object).to_dict("records"))
        conn.execute(s.behaviour.insert(), [
            {**row, "period": P} for row in _behaviour().to_dict("records")
        ])


def _open(url: str):  # type: ignore[no-untyped-def]
    from eperformance.db.engine import open_engine, upgrade

    engine = open_engine(url, create=True)
    upgrade(engine)
    _insert_fixture(engine)
    return engine


def _assert_same(got: rekap.RekapResult, want: rekap.RekapResult) -> None:
    for name in ("employees", "rejected_and_revision", "late_decisions", "entry_flags",
                 "supervisors"):
        g, w = getattr(got, name), getattr(want, name)
        pd.testing.assert_frame_equal(g, w, check_dtype=False, check_exact=False,
                                      obj=name)
    assert got.closing_utc == want.closing_utc


def test_compute_rekap_on_sqlite_equals_pure(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from eperformance.activity_rekap import compute_rekap

    engine = _open(f"sqlite:///{tmp_path}/x.sqlite")
    try:
        got = compute_rekap(engine, P, [A, B], Settings())
        want = rekap.rekap_from_frames(_frames(), P, Settings())
        _assert_same(got, want)
        assert list(got.employees["pending"]) == [3, 1]
        # None: every active employee (C is inactive)
        everyone = compute_rekap(engine, P, None, Settings())
        assert list(everyone.employees["nip"]) == sorted([A, B, S, X])
        pd.testing.assert_frame_equal(
            everyone.employees.set_index("nip").loc[[A, B]].reset_index(),
            got.employees, check_dtype=False)
        # a connection works as well as an engine
        with engine.connect() as conn:
            _assert_same(compute_rekap(conn, P, [A, B], Settings()), got)
    finally:
        engine.dispose()


def test_compute_rekap_on_every_database(any_db_url: str) -> None:
    from eperformance.activity_rekap import compute_rekap

    engine = _open(any_db_url)
    try:
        got = compute_rekap(engine, P, [A, B], Settings())
        _assert_same(got, rekap.rekap_from_frames(_frames(), P, Settings()))
        # the tie-break of V-9 over V-10 holds on every engine (code point order)
        assert got.employees.set_index("nip").loc[A, "approved"] == 3
    finally:
        engine.dispose()


def test_postgresql_orders_verification_id_by_code_point() -> None:
    from sqlalchemy import select
    from sqlalchemy.dialects import postgresql

    from eperformance.db import activity_rekap_queries as q
    from eperformance.scoring.closing import period_first_day, period_last_day

    closing = rekap.closing_utc_of(P, Settings())
    days = (period_first_day(P), period_last_day(P))
    sub = q.latest_subquery("postgresql", days, [A], closing)
    sql = str(select(sub).compile(dialect=postgresql.dialect()))
    assert 'verification_id COLLATE "C" DESC' in sql
    assert "PARTITION BY verifications.activity_id" in sql
    sub = q.latest_subquery("sqlite", days, [A], closing)
    assert "COLLATE" not in str(select(sub).compile())
