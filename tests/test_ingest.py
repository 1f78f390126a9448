"""Ingest: every rule of data-contract.md, on tiny explicit fixtures."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

import eperformance.ingest as ingest
from eperformance.db.engine import open_engine, upgrade
from eperformance.db.schema import CONTRACT_TABLES, import_log
from eperformance.errors import ImportFailed
from eperformance.ingest import run_ingest
from eperformance.nip import make_nip

TOP = make_nip(date(1970, 1, 1), 1995, 3, "L", 1)
ANI = make_nip(date(1980, 5, 5), 2005, 1, "P", 2)
BUDI = make_nip(date(1990, 2, 2), 2015, 4, "L", 3)
KIKI = make_nip(date(1985, 3, 3), 2020, 1, "P", 4, employment="pppk")
SPACED = f"{BUDI[:8]} {BUDI[8:14]} {BUDI[14]} {BUDI[15:]}"

HEADERS = {
    "units": "unit_code,name,parent_code",
    "employees": "nip,name,gender,unit_code,position,position_type,grade,supervisor_nip,"
                 "employment,active",
    "activity_types": "activity_code,name,output_unit,standard_minutes",
    "assignments": "assignment_id,nip,assigned_by_nip,period,activity_code,title,"
                   "target_quantity,target_quality,start_date,due_date,target_cost,weight,"
                   "is_main,innovation",
    "activities": "activity_id,nip,date,start_time,end_time,activity_code,assignment_id,"
                  "quantity,description,evidence_url,cost",
    "verifications": "verification_id,activity_id,verifier_nip,status,decided_at,quality,note",
    "behaviour": "nip,period,assessor_nip,aspect,assessor_role,score",
    "attendance": "nip,date,check_in,check_out",
    "unit_results": "unit_code,period,org_result",
}
ROWS: dict[str, list[str]] = {
    "units": ["ROOT,Kementerian,", "U1,Biro Satu,ROOT"],
    "employees": [
        f"{TOP},Top,L,ROOT,Dirjen,jpt,IV/e,,pns,true",
        f"{ANI},Ani,P,U1,Kepala Biro,administrator,IV/a,{TOP},pns,true",
        f"{BUDI},Budi,L,U1,Staf,pelaksana,III/a,{ANI},,",
        f"{KIKI},Kiki,P,U1,Analis,fungsional,IX,{ANI},pppk,ya",
    ],
    "activity_types": ["AT1,Laporan,laporan,60", "AT2,Rapat,kali,30"],
    "assignments": [
        f"S1,{BUDI},{ANI},2024-05,AT1,Susun laporan,4,100,2024-05-01,2024-05-31,,1,true,false",
        f"S2,{ANI},{TOP},2024-05,AT2,Rapat,2,,2024-05-01,2024-05-31,1000000,2.5,,",
    ],
    "activities": [
        f"A1,{BUDI},2024-05-02,08:00,10:00,AT1,S1,1, menyusun draf ,http://x,0",
        f"A2,{ANI},2024-05-03,09:00,10:30:15,AT2,S2,1.5,rapat,,",
        f"A3,{BUDI},2024-05-03,13:00,14:00,AT2,,,,,",
    ],
    "verifications": [
        f"V1,A1,{ANI},approved,2024-05-03T10:00:00,90,ok",
        f"V2,A2,{TOP},revision,2024-05-04T08:00:00+07:00,,perbaiki",
    ],
    "behaviour": [f"{BUDI},2024-05,{ANI},berorientasi_pelayanan,atasan,80"],
    "attendance": [f"{BUDI},2024-05-02,07:30,16:00", f"{ANI},2024-05-02,,"],
    "unit_results": ["U1,2024-05,baik"],
}
TABLES = list(HEADERS)


def write_folder(folder: Path, rows: dict[str, list[str]] | None = None,
                 tables: list[str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = rows or ROWS
    for name in tables or TABLES:
        text = "\n".join([HEADERS[name], *rows.get(name, [])]) + "\n"
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def with_rows(**extra: list[str]) -> dict[str, list[str]]:
    out = {k: list(v) for k, v in ROWS.items()}
    for k, v in extra.items():
        out[k] = out[k] + v
    return out


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    eng = open_engine(f"sqlite:///{tmp_path / 'wb.sqlite'}", create=True)
    upgrade(eng)
    return eng


def dump(engine: Engine) -> dict[str, list[tuple]]:
    out = {}
    with engine.connect() as conn:
        for name, table in CONTRACT_TABLES.items():
            out[name] = sorted(tuple(r) for r in conn.execute(select(table)))
    return out


def rows_of(engine: Engine, table: str) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(CONTRACT_TABLES[table]))]


def read_rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------- the happy path


def test_clean_import_loads_everything(tmp_path: Path, engine: Engine) -> None:
    report = run_ingest(write_folder(tmp_path / "in"), engine, username="tester")
    assert report.exit_code == 0
    assert report.rejects == [] and report.rejects_path is None
    assert not (tmp_path / "in" / "rejects.csv").exists()
    for t in report.tables:
        assert t.read == t.inserted and t.rejected == 0, t
        assert t.balanced
    assert report.total.read == sum(len(v) for v in ROWS.values())
    assert "total" in report.table() and "unchanged" in report.table()
    assert "0 rejected" in report.summary_line()
    with engine.connect() as conn:
        log = conn.execute(select(import_log)).all()
    assert len(log) == len(TABLES)
    assert {r.username for r in log} == {"tester"}
    assert {r.import_id for r in log} == {report.import_id}


def test_values_are_stored_canonical(tmp_path: Path, engine: Engine) -> None:
    run_ingest(write_folder(tmp_path / "in"), engine)
    acts = {r["activity_id"]: r for r in rows_of(engine, "activities")}
    assert acts["A1"]["description"] == " menyusun draf "  # description keeps its spaces
    assert acts["A2"]["end_time"] == time(10, 30, 15)
    assert acts["A2"]["quantity"] == 1.5
    assert acts["A3"]["quantity"] == 1.0 and acts["A3"]["cost"] == 0.0  # defaults
    assert acts["A3"]["assignment_id"] is None and acts["A3"]["description"] is None
    emps = {r["nip"]: r for r in rows_of(engine, "employees")}
    assert emps[BUDI]["employment"] == "pns" and emps[BUDI]["active"] is True
    assert emps[KIKI]["active"] is True
    asg = {r["assignment_id"]: r for r in rows_of(engine, "assignments")}
    assert asg["S2"]["target_quality"] == 100.0 and asg["S2"]["is_main"] is True
    assert asg["S2"]["innovation"] is False and asg["S1"]["target_cost"] is None
    ver = {r["verification_id"]: r for r in rows_of(engine, "verifications")}
    assert ver["V1"]["decided_at"] == datetime(2024, 5, 3, 3, 0, 0)  # Jakarta → UTC
    assert ver["V2"]["decided_at"] == datetime(2024, 5, 4, 1, 0, 0)
    att = {r["nip"]: r for r in rows_of(engine, "attendance")}
    assert att[ANI]["check_in"] is None and att[BUDI]["check_out"] == time(16)


def test_case_insensitive_values_spaces_and_spaced_nip(tmp_path: Path, engine: Engine) -> None:
    rows = with_rows(
        employees=[f"  {SPACED.replace(BUDI[15:], '009')} ,  Dewi  ,p,U1,Staf,PELAKSANA,"
                   f"iii/b,{ANI},PNS,FALSE"],
        verifications=[f"V3,A3,{SPACED},APPROVED,2024-05-03T10:00:00.987,,  note  "],
        assignments=[f"S3,{SPACED},{ANI},2024-05,AT1,T,1,,2024-05-01,2024-05-31,,,Tidak,YA"],
    )
    report = run_ingest(write_folder(tmp_path / "in", rows), engine)
    assert report.rejects == [], report.rejects
    dewi = [r for r in rows_of(engine, "employees") if r["name"] == "Dewi"][0]
    assert dewi["nip"] == BUDI[:15] + "009"
    assert (dewi["gender"], dewi["position_type"], dewi["grade"]) == ("P", "pelaksana", "III/b")
    assert dewi["employment"] == "pns" and dewi["active"] is False
    v3 = [r for r in rows_of(engine, "verifications") if r["verification_id"] == "V3"][0]
    assert v3["status"] == "approved" and v3["verifier_nip"] == BUDI
    assert v3["note"] == "  note  "  # note keeps its spaces
    assert v3["decided_at"] == datetime(2024, 5, 3, 3, 0, 0)  # fraction dropped
    s3 = [r for r in rows_of(engine, "assignments") if r["assignment_id"] == "S3"][0]
    assert s3["is_main"] is False and s3["innovation"] is True


# --------------------------------------------------------------------------- one rule each

LONG = "x" * 10_001
FUTURE_NIP = "20990101" + "201901" + "1" + "001"
YOUNG_NIP = "20000101" + "201501" + "1" + "001"  # appointed at 15
PPPK_AS_PNS = KIKI  # digits 13-14 are "21": not a month

RULES = [
    # (id, table, bad row, expected words in the reason)
    ("code-chars", "units", "U 2,Biro,ROOT", "unit_code 'U 2' is not a valid code"),
    ("code-length", "units", f"{'U' * 65},Biro,ROOT", "at most 64"),
    ("unit-reserved", "units", "latest,Biro,ROOT", "unit_code 'latest' is reserved"),
    ("text-blank", "units", "U2,  ,ROOT", "name is blank"),
    ("text-too-long", "units", f"U2,{LONG},ROOT", "10,001 characters long; the limit is 10,000"),
    ("parent-unknown", "units", "U2,Biro,NOPE", "parent_code NOPE is not a known unit"),
    ("enum", "employees", f"{BUDI[:15]}009,X,Q,U1,S,pelaksana,III/a,{ANI},,",
     "gender 'Q' is not one of L, P"),
    ("position-type", "employees", f"{BUDI[:15]}009,X,L,U1,S,boss,III/a,{ANI},,",
     "position_type 'boss' is not one of"),
    ("grade", "employees", f"{BUDI[:15]}009,X,L,U1,S,pelaksana,V/a,{ANI},,",
     "grade 'V/a' is not a grade"),
    ("bool", "employees", f"{BUDI[:15]}009,X,L,U1,S,pelaksana,III/a,{ANI},,maybe",
     "active 'maybe' is not a boolean"),
    ("nip-future-birth", "employees", f"{FUTURE_NIP},X,L,U1,S,pelaksana,III/a,{ANI},,",
     "is in the future"),
    ("nip-appointed-young", "employees", f"{YOUNG_NIP},X,L,U1,S,pelaksana,III/a,{ANI},,",
     "less than 18 years"),
    ("nip-pppk-as-pns", "employees",
     f"{PPPK_AS_PNS[:15]}099,X,L,U1,S,fungsional,IX,{ANI},pns,", "appointment month"),
    ("nip-length", "employees", f"{BUDI[:17]},X,L,U1,S,pelaksana,III/a,{ANI},,",
     "has 17 digits"),
    ("nip-scientific", "employees", f"1.99002E+17,X,L,U1,S,pelaksana,III/a,{ANI},,",
     "format the column as text"),
    ("nip-scientific-reference", "attendance", "1.99002E+17,2024-05-03,,",
     "nip '1.99002E+17' arrived as a spreadsheet number"),
    ("unit-unknown", "employees", f"{BUDI[:15]}009,X,L,NOPE,S,pelaksana,III/a,{ANI},,",
     "unit_code NOPE is not a known unit"),
    ("supervisor-unknown", "employees",
     f"{BUDI[:15]}009,X,L,U1,S,pelaksana,III/a,{BUDI[:15]}008,,",
     f"supervisor_nip {BUDI[:15]}008 is not a known employee"),
    ("self-supervision", "employees", f"{BUDI[:15]}009,X,L,U1,S,pelaksana,III/a,"
     f"{BUDI[:15]}009,,", "nobody supervises themself"),
    ("minutes-zero", "activity_types", "AT9,X,x,0", "standard_minutes '0' must be greater than 0"),
    ("number-exponent", "activity_types", "AT9,X,x,1e3", "'1e3' is in scientific notation"),
    ("number-nan", "activity_types", "AT9,X,x,NaN", "'NaN' is not a number"),
    ("number-inf", "activity_types", "AT9,X,x,inf", "'inf' is not a number"),
    ("number-decimal-comma", "activity_types", 'AT9,X,x,"1,5"', "has a decimal comma"),
    ("number-thousands", "activity_types", 'AT9,X,x,"1,000"', "thousands separator"),
    ("number-thousands-dots", "activity_types", "AT9,X,x,1.000.000", "thousands separator"),
    ("target-quantity", "assignments",
     f"S9,{BUDI},{ANI},2024-05,AT1,T,0,,2024-05-01,2024-05-31,,,,",
     "target_quantity '0' must be greater than 0"),
    ("target-quality", "assignments",
     f"S9,{BUDI},{ANI},2024-05,AT1,T,1,0,2024-05-01,2024-05-31,,,,",
     "target_quality '0' must be between 1 and 100"),
    ("target-quality-high", "assignments",
     f"S9,{BUDI},{ANI},2024-05,AT1,T,1,100.5,2024-05-01,2024-05-31,,,,",
     "target_quality '100.5' must be between 1 and 100"),
    ("target-cost", "assignments",
     f"S9,{BUDI},{ANI},2024-05,AT1,T,1,,2024-05-01,2024-05-31,0,,,",
     "target_cost '0' must be greater than 0"),
    ("weight", "assignments",
     f"S9,{BUDI},{ANI},2024-05,AT1,T,1,,2024-05-01,2024-05-31,,-1,,",
     "weight '-1' must be greater than 0"),
    ("due-before-start", "assignments",
     f"S9,{BUDI},{ANI},2024-05,AT1,T,1,,2024-05-10,2024-05-09,,,,",
     "due_date 2024-05-09 is before start_date 2024-05-10"),
    ("start-after-period", "assignments",
     f"S9,{BUDI},{ANI},2024-05,AT1,T,1,,2024-06-01,2024-06-30,,,,",
     "start_date 2024-06-01 is after the last day of period 2024-05 (2024-05-31)"),
    ("period", "assignments", f"S9,{BUDI},{ANI},2024-13,AT1,T,1,,2024-05-01,2024-05-31,,,,",
     "period '2024-13' is not a period (YYYY-MM)"),
    ("date-real", "assignments", f"S9,{BUDI},{ANI},2024-02,AT1,T,1,,2024-02-30,2024-02-28,,,,",
     "start_date '2024-02-30' is not a real date"),
    ("date-format", "assignments",
     f"S9,{BUDI},{ANI},2024-05,AT1,T,1,,01/05/2024,2024-05-31,,,,",
     "start_date '01/05/2024' is not a date (YYYY-MM-DD)"),
    ("activity-code-unknown", "assignments",
     f"S9,{BUDI},{ANI},2024-05,AT9,T,1,,2024-05-01,2024-05-31,,,,",
     "activity_code AT9 is not a known activity type"),
    ("assigner-unknown", "assignments",
     f"S9,{BUDI},{BUDI[:15]}008,2024-05,AT1,T,1,,2024-05-01,2024-05-31,,,,",
     f"assigned_by_nip {BUDI[:15]}008 is not a known employee"),
    ("end-not-after-start", "activities", f"A9,{BUDI},2024-05-02,10:00,10:00,AT1,,,,,",
     "end_time 10:00 is not after start_time 10:00"),
    ("time-format", "activities", f"A9,{BUDI},2024-05-02,8:00,10:00,AT1,,,,,",
     "start_time '8:00' is not a time (HH:MM or HH:MM:SS)"),
    ("time-real", "activities", f"A9,{BUDI},2024-05-02,08:00,24:00,AT1,,,,,",
     "end_time '24:00' is not a real time of day"),
    ("quantity-negative", "activities", f"A9,{BUDI},2024-05-02,08:00,10:00,AT1,,-1,,,",
     "quantity '-1' must be 0 or more"),
    ("cost-negative", "activities", f"A9,{BUDI},2024-05-02,08:00,10:00,AT1,,,,,-0.5",
     "cost '-0.5' must be 0 or more"),
    ("required-blank", "activities", f"A9,{BUDI},,08:00,10:00,AT1,,,,,", "date is blank"),
    ("assignment-other-nip", "activities", f"A9,{BUDI},2024-05-02,08:00,10:00,AT1,S2,,,,",
     f"assignment_id S2 is an assignment of NIP {ANI}"),
    ("assignment-unknown", "activities", f"A9,{BUDI},2024-05-02,08:00,10:00,AT1,S9,,,,",
     "assignment_id S9 is not a known assignment"),
    ("status", "verifications", f"V9,A1,{ANI},ok,2024-05-03T10:00:00,,",
     "status 'ok' is not one of approved, rejected, revision"),
    ("decided-before-entry", "verifications", f"V9,A1,{ANI},approved,2024-05-01T23:59:59,,",
     "decided_at 2024-05-01 (Asia/Jakarta) is before the entry's date 2024-05-02"),
    ("decided-before-entry-utc", "verifications",
     f"V9,A1,{ANI},approved,2024-05-01T16:59:59Z,,", "is before the entry's date"),
    ("timestamp-format", "verifications", f"V9,A1,{ANI},approved,2024-05-03,,",
     "decided_at '2024-05-03' is not an ISO 8601 timestamp"),
    ("quality-range", "verifications", f"V9,A1,{ANI},approved,2024-05-03T10:00:00,101,",
     "quality '101' must be between 0 and 100"),
    ("activity-unknown", "verifications", f"V9,A9,{ANI},approved,2024-05-03T10:00:00,,",
     "activity_id A9 is not a known activity"),
    ("aspect", "behaviour", f"{BUDI},2024-05,{ANI},ramah,atasan,80",
     "aspect 'ramah' is not one of"),
    ("assessor-role", "behaviour", f"{BUDI},2024-05,{ANI},akuntabel,bos,80",
     "assessor_role 'bos' is not one of atasan, rekan, bawahan, diri"),
    ("score", "behaviour", f"{BUDI},2024-05,{ANI},akuntabel,atasan,100.01",
     "score '100.01' must be between 0 and 100"),
    ("check-out-before-in", "attendance", f"{BUDI},2024-05-03,08:00,07:59",
     "check_out 07:59 is before check_in 08:00"),
    ("attendance-nip-unknown", "attendance", f"{BUDI[:15]}008,2024-05-03,,",
     "is not a known employee"),
    ("org-result", "unit_results", "U1,2024-06,great", "org_result 'great' is not one of"),
    ("unit-results-unknown", "unit_results", "NOPE,2024-05,baik", "is not a known unit"),
    ("duplicate", "units", "U1,Biro Lain,ROOT", "duplicate unit_code 'U1': the first row "
     "(line 3) counts"),
    ("duplicate-composite", "attendance", f"{SPACED},2024-05-02,08:00,16:00",
     f"duplicate nip|date '{BUDI}|2024-05-02'"),
]


@pytest.mark.parametrize(("table", "row", "words"), [r[1:] for r in RULES],
                         ids=[r[0] for r in RULES])
def test_rule_rejects_the_row(tmp_path: Path, engine: Engine, table: str, row: str,
                              words: str) -> None:
    folder = write_folder(tmp_path / "in", with_rows(**{table: [row]}))
    report = run_ingest(folder, engine)
    assert report.exit_code == 3
    assert len(report.rejects) == 1, report.rejects
    rej = report.rejects[0]
    assert words in rej.reason
    assert rej.file == f"{table}.csv"
    assert rej.line == len(ROWS[table]) + 2
    counts = report.counts(table)
    assert counts.rejected == 1 and counts.inserted == len(ROWS[table]) and counts.balanced


def test_edge_values_accepted(tmp_path: Path, engine: Engine) -> None:
    rows = with_rows(
        attendance=[f"{BUDI},2024-05-03,08:00,08:00"],  # check-out equal to check-in
        verifications=[  # 17:00 UTC on the 1st is 00:00 on the 2nd in Jakarta
            f"V9,A1,{ANI},approved,2024-05-01T17:00:00Z,0,",
            f"V8,A1,{ANI},rejected,2024-05-02T00:00:00,100,=1+1",
        ],
        activities=[f"A9,{BUDI},2024-05-02,08:00,10:00,AT1,,0,,,0"],
        activity_types=["AT9,X,x,0.5", "AT8,Y,y,+3"],
        units=["Latest,Biro,ROOT", "a.b_c-D,Biro,ROOT"],  # codes are case-sensitive
    )
    report = run_ingest(write_folder(tmp_path / "in", rows), engine)
    assert report.rejects == [], report.rejects
    notes = {r["verification_id"]: r["note"] for r in rows_of(engine, "verifications")}
    assert notes["V8"] == "=1+1"


# --------------------------------------------------------------------------- cascades


def test_cascade_names_the_cause(tmp_path: Path, engine: Engine) -> None:
    rows = with_rows(
        activities=[f"A9,{BUDI},2024-05-02,08:00,07:00,AT1,S1,,,,"],  # rejected: end < start
        verifications=[f"V9,A9,{ANI},approved,2024-05-03T10:00:00,,"],
    )
    report = run_ingest(write_folder(tmp_path / "in", rows), engine)
    reasons = {r.key: r.reason for r in report.rejects}
    assert "end_time 07:00 is not after start_time 08:00" in reasons["A9"]
    assert reasons["V9"] == "activity_id A9 was rejected (line 5 of activities.csv)"


def test_cascade_down_the_chain(tmp_path: Path, engine: Engine) -> None:
    rows = {k: list(v) for k, v in ROWS.items()}
    rows["units"][1] = "U1,Biro Satu,ROOT,extra"  # wrong field count: U1 rejected
    report = run_ingest(write_folder(tmp_path / "in", rows), engine)
    reasons = {(r.file, r.key): r.reason for r in report.rejects}
    assert "3 fields" not in reasons[("units.csv", "U1")]
    assert reasons[("units.csv", "U1")] == "the row has 4 fields but the header has 3"
    assert reasons[("employees.csv", ANI)] == "unit_code U1 was rejected (line 3 of units.csv)"
    # BUDI and KIKI are in U1 too: rejected for the unit (the first reference that fails)
    assert reasons[("employees.csv", BUDI)].startswith("unit_code U1 was rejected")
    assert reasons[("assignments.csv", "S1")].startswith(f"nip {BUDI} was rejected")
    assert reasons[("activities.csv", "A1")].startswith(f"nip {BUDI} was rejected")
    assert reasons[("verifications.csv", "V1")] == \
        "activity_id A1 was rejected (line 2 of activities.csv)"
    assert reasons[("unit_results.csv", "U1|2024-05")] == \
        "unit_code U1 was rejected (line 3 of units.csv)"
    assert dump(engine)["units"] == [("ROOT", "Kementerian", None)]
    for t in report.tables:
        assert t.balanced


def test_reference_to_stored_row_survives_its_rejected_update(tmp_path: Path,
                                                             engine: Engine) -> None:
    run_ingest(write_folder(tmp_path / "one"), engine)
    before = dump(engine)
    # second import: an invalid row for stored A1, and a new verification pointing at A1
    rows = {
        "activities": [f"A1,{BUDI},2024-05-02,08:00,07:00,AT1,S1,,,,"],
        "verifications": [f"V9,A1,{ANI},approved,2024-05-03T10:00:00,,"],
    }
    report = run_ingest(write_folder(tmp_path / "two", rows,
                                     tables=["activities", "verifications"]), engine)
    assert [r.key for r in report.rejects] == ["A1"]
    after = dump(engine)
    assert after["activities"] == before["activities"]  # the stored row stays
    assert len(after["verifications"]) == len(before["verifications"]) + 1


# --------------------------------------------------------------------------- hierarchy


def test_supervision_cycle_rejects_every_row_in_it(tmp_path: Path, engine: Engine) -> None:
    x, y, z = (f"{BUDI[:15]}0{n}" for n in ("11", "12", "13"))
    w = f"{BUDI[:15]}014"
    rows = with_rows(employees=[
        f"{x},X,L,U1,S,pelaksana,III/a,{z},,",
        f"{y},Y,L,U1,S,pelaksana,III/a,{x},,",
        f"{z},Z,L,U1,S,pelaksana,III/a,{y},,",
        f"{w},W,L,U1,S,pelaksana,III/a,{x},,",  # points into the cycle
    ])
    report = run_ingest(write_folder(tmp_path / "in", rows), engine)
    reasons = {r.key: r.reason for r in report.rejects}
    for k in (x, y, z):
        assert reasons[k].startswith("supervision cycle: "), reasons[k]
    assert reasons[w] == f"supervisor_nip {x} was rejected (line 6 of employees.csv)"


def test_cycle_through_stored_rows(tmp_path: Path, engine: Engine) -> None:
    run_ingest(write_folder(tmp_path / "one"), engine)
    # TOP now reports to BUDI, who (stored) reports to ANI, who reports to TOP
    rows = {"employees": [f"{TOP},Top,L,ROOT,Dirjen,jpt,IV/e,{BUDI},pns,true"]}
    report = run_ingest(write_folder(tmp_path / "two", rows, tables=["employees"]), engine)
    assert len(report.rejects) == 1
    assert report.rejects[0].reason.startswith("supervision cycle: ")
    top = [r for r in rows_of(engine, "employees") if r["nip"] == TOP][0]
    assert top["supervisor_nip"] is None


def test_unit_cycle_and_self_parent(tmp_path: Path, engine: Engine) -> None:
    rows = with_rows(units=["P1,a,P2", "P2,b,P1", "P3,c,P3", "P4,d,P3"])
    report = run_ingest(write_folder(tmp_path / "in", rows), engine)
    reasons = {r.key: r.reason for r in report.rejects}
    assert reasons["P1"] == reasons["P2"]
    assert reasons["P1"].startswith("unit parent cycle: P1 → P2 → P1")
    assert reasons["P3"] == "parent_code is the unit's own code"
    assert reasons["P4"] == "parent_code P3 was rejected (line 6 of units.csv)"


# --------------------------------------------------------------------------- upserts


def test_reimport_changes_nothing(tmp_path: Path, engine: Engine) -> None:
    folder = write_folder(tmp_path / "in")
    run_ingest(folder, engine)
    before = dump(engine)
    report = run_ingest(folder, engine)
    assert dump(engine) == before
    for t in report.tables:
        assert t.unchanged == t.read and t.inserted == t.updated == t.rejected == 0


def test_update_of_existing_key(tmp_path: Path, engine: Engine) -> None:
    run_ingest(write_folder(tmp_path / "one"), engine)
    rows = {"activities": [
        f"A1,{BUDI},2024-05-02,08:00,11:00,AT1,S1,2,revised,http://x,0",  # changed
        f"A2,{ANI},2024-05-03,09:00,10:30:15,AT2,S2,1.5,rapat,,",  # identical
        f"A4,{ANI},2024-05-04,09:00,10:00,AT2,,1,,,",  # new
    ]}
    report = run_ingest(write_folder(tmp_path / "two", rows, tables=["activities"]), engine)
    t = report.counts("activities")
    assert (t.read, t.inserted, t.updated, t.unchanged, t.rejected) == (3, 1, 1, 1, 0)
    a1 = [r for r in rows_of(engine, "activities") if r["activity_id"] == "A1"][0]
    assert a1["end_time"] == time(11) and a1["quantity"] == 2.0
    assert a1["description"] == "revised"


def test_invalid_update_keeps_stored_row(tmp_path: Path, engine: Engine) -> None:
    run_ingest(write_folder(tmp_path / "one"), engine)
    before = dump(engine)
    rows = {"units": ["U1,,ROOT"]}
    report = run_ingest(write_folder(tmp_path / "two", rows, tables=["units"]), engine)
    assert report.exit_code == 3 and report.rejects[0].reason == "name is blank"
    assert dump(engine) == before


# --------------------------------------------------------------------------- one transaction


def test_failure_mid_import_loads_nothing(tmp_path: Path, engine: Engine,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    run_ingest(write_folder(tmp_path / "one"), engine)
    before = dump(engine)
    with engine.connect() as conn:
        log_before = len(conn.execute(select(import_log)).all())
    real = ingest.load_table

    def failing(conn, plan):  # type: ignore[no-untyped-def]
        if plan.spec.name == "activities":
            raise RuntimeError("disk on fire")
        real(conn, plan)

    monkeypatch.setattr(ingest, "load_table", failing)
    rows = with_rows(units=["U2,Biro Dua,ROOT"],
                     employees=[f"{BUDI[:15]}009,X,L,U2,S,pelaksana,III/a,{ANI},,"])
    rows["units"][1] = "U1,Biro Satu (baru),ROOT"
    with pytest.raises(RuntimeError, match="disk on fire"):
        run_ingest(write_folder(tmp_path / "two", rows), engine)
    assert dump(engine) == before
    with engine.connect() as conn:
        assert len(conn.execute(select(import_log)).all()) == log_before


# --------------------------------------------------------------------------- whole-import failures


def _only(folder: Path, table: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{table}.csv").write_bytes(data)
    return folder


@pytest.mark.parametrize(("data", "words"), [
    (b"unit_code,parent_code\nU1,\n", "units.csv: missing required column name"),
    ("unit_code,name\nU1,Biro Perencanaan é\n".encode("latin-1"), "units.csv: not UTF-8"),
    (b"unit_code;name;parent_code\nU1;Biro;\n", "units.csv: not comma-separated"),
    (b"", "units.csv: the file is empty (0 bytes)"),
    (b"\xef\xbb\xbf\n\n", "units.csv: has no header row"),
], ids=["missing-column", "latin-1", "semicolon", "zero-bytes", "no-header"])
def test_whole_import_failures(tmp_path: Path, engine: Engine, data: bytes, words: str) -> None:
    folder = write_folder(tmp_path / "in", tables=["activity_types"])
    _only(folder, "units", data)
    with pytest.raises(ImportFailed) as err:
        run_ingest(folder, engine)
    assert words in str(err.value)
    assert "\n" not in str(err.value)
    assert err.value.exit_code == 2
    assert all(not rows for rows in dump(engine).values())


def test_missing_path_and_empty_folder(tmp_path: Path, engine: Engine) -> None:
    with pytest.raises(ImportFailed, match="not found"):
        run_ingest(tmp_path / "nope", engine)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImportFailed, match="no contract CSV files"):
        run_ingest(tmp_path / "empty", engine)


def test_xlsx_without_contract_sheets(tmp_path: Path, engine: Engine) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(["a", "b"])
    wb.save(tmp_path / "book.xlsx")
    with pytest.raises(ImportFailed, match=r"book\.xlsx: none of the contract's sheets"):
        run_ingest(tmp_path / "book.xlsx", engine)


def test_header_only_and_subset_and_unknowns(tmp_path: Path, engine: Engine) -> None:
    folder = write_folder(tmp_path / "in", tables=["units"])
    (folder / "activity_types.csv").write_text("activity_code,name,output_unit,"
                                               "standard_minutes\n", encoding="utf-8")
    (folder / "units.csv").write_text("name,unit_code,colour\nRoot,ROOT,red\n",
                                      encoding="utf-8")
    (folder / "notes.csv").write_text("a\n1\n", encoding="utf-8")
    report = run_ingest(folder, engine)
    assert report.exit_code == 0
    assert [t.table for t in report.tables] == ["units", "activity_types"]
    assert report.counts("activity_types").read == 0
    assert any("notes.csv" in w for w in report.warnings)
    assert "units.csv: unknown columns ignored: colour" in report.warnings
    assert dump(engine)["units"] == [("ROOT", "Root", None)]


# --------------------------------------------------------------------------- file format


def test_bom_blank_lines_crlf_and_multiline_records(tmp_path: Path, engine: Engine) -> None:
    folder = write_folder(tmp_path / "in")
    text = (
        "\ufeff" + HEADERS["activities"] + "\r\n"
        + f'A1,{BUDI},2024-05-02,08:00,10:00,AT1,S1,1,"line one\r\nline two",,0\r\n'
        + "\r\n"
        + f'A2,{BUDI},2024-05-02,10:00,09:00,AT1,S1,1,"a\nb\nc",,0\r\n'  # line 5: bad times
        + f"A3,{BUDI},2024-05-02,11:00,12:00,AT1\r\n"  # line 8: too few fields
        + "   \r\n"
        + f"A4,{BUDI},2024-05-03,11:00,12:00,AT1,S1,1,,,0\r\n"
    )
    (folder / "activities.csv").write_bytes(text.encode("utf-8"))
    (folder / "verifications.csv").write_text(HEADERS["verifications"] + "\n")
    report = run_ingest(folder, engine)
    lines = {r.key: r.line for r in report.rejects}
    assert lines == {"A2": 5, "A3": 8}
    t = report.counts("activities")
    assert (t.read, t.inserted, t.rejected) == (4, 2, 2)
    a1 = [r for r in rows_of(engine, "activities") if r["activity_id"] == "A1"][0]
    assert a1["description"] == "line one\r\nline two"


def test_wrong_field_count_rejected_alone(tmp_path: Path, engine: Engine) -> None:
    rows = with_rows(activity_types=["AT9,X,x,1,surplus", "AT8,Y"])
    report = run_ingest(write_folder(tmp_path / "in", rows), engine)
    assert sorted(r.reason for r in report.rejects) == [
        "the row has 2 fields but the header has 4",
        "the row has 5 fields but the header has 4",
    ]
    t = report.counts("activity_types")
    assert (t.read, t.inserted, t.rejected) == (4, 2, 2)


def test_formula_text_is_data(tmp_path: Path, engine: Engine) -> None:
    rows = with_rows(activities=[
        f'A9,{BUDI},2024-05-02,08:00,10:00,AT1,,1,"=HYPERLINK(""x"")",=1+2,0'])
    report = run_ingest(write_folder(tmp_path / "in", rows), engine)
    assert report.rejects == []
    a9 = [r for r in rows_of(engine, "activities") if r["activity_id"] == "A9"][0]
    assert a9["description"] == '=HYPERLINK("x")' and a9["evidence_url"] == "=1+2"


# --------------------------------------------------------------------------- rejects file


def test_rejects_file_format(tmp_path: Path, engine: Engine) -> None:
    rows = with_rows(
        behaviour=[f"{BUDI},2024-05,{ANI},ramah,atasan,80"],
        activities=[f'A9,{BUDI},2024-05-02,10:00,09:00,AT1,,1,"Rapat ""koordinasi"" ✓",,0'],
    )
    folder = write_folder(tmp_path / "in", rows)
    report = run_ingest(folder, engine)
    path = folder / "rejects.csv"
    assert report.rejects_path == path
    with path.open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == ["file", "line", "key", "reason", "values"]
    got = read_rejects(path)
    assert [(r["file"], r["line"], r["key"]) for r in got] == [
        ("activities.csv", "5", "A9"),
        ("behaviour.csv", "3", f"{BUDI}|2024-05|{ANI}|ramah"),
    ]
    values = json.loads(got[0]["values"])
    assert values["description"] == 'Rapat "koordinasi" ✓'
    assert list(values) == HEADERS["activities"].split(",")
    assert "✓" in path.read_text(encoding="utf-8")  # ensure_ascii=False


def test_rejects_path_option_and_old_file_removed(tmp_path: Path, engine: Engine) -> None:
    bad = write_folder(tmp_path / "bad", with_rows(units=["U 2,x,ROOT"]))
    custom = tmp_path / "out" / "my-rejects.csv"
    report = run_ingest(bad, engine, custom)
    assert report.rejects_path == custom and custom.exists()
    assert not (bad / "rejects.csv").exists()
    # a clean import removes the old rejects file, at the default place and at --rejects
    good = write_folder(tmp_path / "good")
    (good / "rejects.csv").write_text("old\n")
    report = run_ingest(good, engine)
    assert report.exit_code == 0 and not (good / "rejects.csv").exists()
    report = run_ingest(good, engine, custom)
    assert not custom.exists()


def test_rejects_file_in_folder_is_not_an_input(tmp_path: Path, engine: Engine) -> None:
    folder = write_folder(tmp_path / "in", with_rows(units=["U 2,x,ROOT"]))
    run_ingest(folder, engine)
    report = run_ingest(folder, engine)
    assert not any("rejects.csv" in w for w in report.warnings)


# --------------------------------------------------------------------------- XLSX


def _typed(table: str, column: str, text: str) -> object:
    """The typed cell a spreadsheet would hold for ``text``."""
    if text == "":
        return None
    from eperformance.contract import BY_NAME

    kind = BY_NAME[table].column(column).kind if column in BY_NAME[table].column_names \
        else "text"
    if kind == "number":
        f = float(text)
        return int(f) if f.is_integer() else f
    if kind == "date":
        return date.fromisoformat(text)
    if kind == "time":
        return time.fromisoformat(text)
    if kind == "bool" and text in ("true", "false"):
        return text == "true"
    if kind == "timestamp" and "+" not in text:
        return datetime.fromisoformat(text)
    return text


def write_workbook(path: Path, rows: dict[str, list[str]], typed: bool = True) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name in TABLES:
        ws = wb.create_sheet(name)
        header = HEADERS[name].split(",")
        ws.append(header)
        for line in csv.reader(rows[name]):
            ws.append([_typed(name, h, v) if typed else v for h, v in zip(header, line,
                                                                          strict=True)])
    wb.create_sheet("notes").append(["free text"])
    wb.save(path)
    return path


def test_xlsx_import_equals_csv_import(tmp_path: Path) -> None:
    rows = with_rows(activities=[
        f'A9,{BUDI},2024-05-02,08:00,10:00,AT1,,1,"=HYPERLINK(""x"")",,2.25'])
    e_csv = open_engine(f"sqlite:///{tmp_path / 'csv.sqlite'}", create=True)
    e_xlsx = open_engine(f"sqlite:///{tmp_path / 'xlsx.sqlite'}", create=True)
    upgrade(e_csv)
    upgrade(e_xlsx)
    r1 = run_ingest(write_folder(tmp_path / "in", rows), e_csv)
    book = write_workbook(tmp_path / "data.xlsx", rows)
    r2 = run_ingest(book, e_xlsx)
    assert r1.rejects == [] and r2.rejects == [], r2.rejects
    assert any("sheet notes" in w for w in r2.warnings)
    assert dump(e_csv) == dump(e_xlsx)
    a9 = [r for r in rows_of(e_xlsx, "activities") if r["activity_id"] == "A9"][0]
    assert a9["description"] == '=HYPERLINK("x")'
    assert [t.file for t in r2.tables] == TABLES


def test_xlsx_rejects_use_sheet_names_and_sit_beside_the_workbook(tmp_path: Path,
                                                                  engine: Engine) -> None:
    rows = with_rows(activity_types=["AT9,X,x,0"])
    book = write_workbook(tmp_path / "data.xlsx", rows)
    report = run_ingest(book, engine)
    assert report.rejects_path == tmp_path / "data.xlsx.rejects.csv"
    got = read_rejects(report.rejects_path)
    assert [(r["file"], r["line"], r["key"]) for r in got] == [("activity_types", "4", "AT9")]


def test_xlsx_nip_as_number_is_rejected_with_hint(tmp_path: Path, engine: Engine) -> None:
    from openpyxl import load_workbook

    book = write_workbook(tmp_path / "data.xlsx", ROWS)
    wb = load_workbook(book)
    ws = wb["attendance"]
    ws.append([int(BUDI), date(2024, 5, 6), None, None])
    wb.save(book)
    report = run_ingest(book, engine)
    assert len(report.rejects) == 1
    assert "format the column as text" in report.rejects[0].reason
    assert report.rejects[0].key == "1.99002E+17|2024-05-06"


# --------------------------------------------------------------------------- demo, servers


def test_small_demo_imports_without_rejects(tmp_path: Path, engine: Engine) -> None:
    demo = pytest.importorskip("eperformance.demo")
    folder = tmp_path / "demo"
    demo.generate_demo(folder, employees=30, months=2, seed=3)
    report = run_ingest(folder, engine)
    assert report.rejects == [], report.rejects[:5]
    assert report.exit_code == 0
    again = run_ingest(folder, engine)
    assert again.total.unchanged == again.total.read == report.total.read


def test_same_result_on_every_engine(tmp_path: Path, any_db_url: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from eperformance.ingest import dbio

    eng = open_engine(any_db_url, create=True)
    upgrade(eng)
    rows = with_rows(activities=[f"A9,{BUDI},2024-05-02,08:00,07:00,AT1,,,,,"])
    folder = write_folder(tmp_path / "in", rows)
    report = run_ingest(folder, eng)
    assert [r.key for r in report.rejects] == ["A9"]
    first = dump(eng)
    again = run_ingest(folder, eng)
    assert dump(eng) == first
    assert again.total.unchanged == again.total.read - 1
    changed = {"activities": [f"A1,{BUDI},2024-05-02,08:00,11:00,AT1,S1,2,baru,,0"],
               "attendance": [f"{BUDI},2024-05-02,07:00,16:00"]}
    third = run_ingest(write_folder(tmp_path / "upd", changed,
                                    tables=["activities", "attendance"]), eng)
    assert third.total.updated == 2 and third.exit_code == 0
    a1 = [r for r in rows_of(eng, "activities") if r["activity_id"] == "A1"][0]
    assert a1["end_time"] == time(11) and a1["description"] == "baru"
    after = dump(eng)
    monkeypatch.setattr(dbio, "WHOLE_TABLE_ROWS", 0)
    monkeypatch.setattr(dbio, "WHOLE_TABLE_FACTOR", 0)  # stored rows fetched by key chunks
    fourth = run_ingest(folder, eng)
    assert fourth.total.updated == 2 and dump(eng) == first
    assert after != first
    eng.dispose()


def test_stored_rows_fetched_by_key_chunks(tmp_path: Path, engine: Engine,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from eperformance.ingest import dbio

    folder = write_folder(tmp_path / "in")
    run_ingest(folder, engine)
    before = dump(engine)
    monkeypatch.setattr(dbio, "WHOLE_TABLE_ROWS", 0)
    monkeypatch.setattr(dbio, "WHOLE_TABLE_FACTOR", 0)
    monkeypatch.setattr(dbio, "CHUNK", 1)
    report = run_ingest(folder, engine)
    assert report.total.unchanged == report.total.read
    assert dump(engine) == before
