import csv
from datetime import date, datetime
from pathlib import Path

import pytest

from eperformance.demo import COLUMNS, DemoSummary, generate_demo
from eperformance.errors import UsageError
from eperformance.nip import nip_problem
from eperformance.reference import (
    ALL_GRADES,
    ASPECTS,
    MANAGERIAL,
    MANAGERIAL_ONLY_ASPECTS,
    RESERVED_UNIT_CODES,
)

TABLES = tuple(COLUMNS)
KEYS = {
    "units": ("unit_code",), "employees": ("nip",), "activity_types": ("activity_code",),
    "assignments": ("assignment_id",), "activities": ("activity_id",),
    "verifications": ("verification_id",),
    "behaviour": ("nip", "period", "assessor_nip", "aspect"),
    "attendance": ("nip", "date"), "unit_results": ("unit_code", "period"),
}
CONTRACT_COLUMNS = {
    "units": {"unit_code", "name", "parent_code"},
    "employees": {"nip", "name", "gender", "unit_code", "position", "position_type", "grade",
                  "supervisor_nip", "employment", "active", "job_class", "functional_level"},
    "activity_types": {"activity_code", "name", "output_unit", "standard_minutes"},
    "assignments": {"assignment_id", "nip", "assigned_by_nip", "period", "activity_code",
                    "title", "target_quantity", "target_quality", "start_date", "due_date",
                    "target_cost", "weight", "is_main", "innovation"},
    "activities": {"activity_id", "nip", "date", "start_time", "end_time", "activity_code",
                   "assignment_id", "quantity", "description", "evidence_url", "cost"},
    "verifications": {"verification_id", "activity_id", "verifier_nip", "status",
                      "decided_at", "quality", "note"},
    "behaviour": {"nip", "period", "assessor_nip", "aspect", "assessor_role", "score"},
    "attendance": {"nip", "date", "check_in", "check_out", "status"},
    "unit_results": {"unit_code", "period", "org_result"},
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoSummary, dict]:
    out = tmp_path_factory.mktemp("demo") / "a"
    summary = generate_demo(out, employees=30, months=2, seed=7)
    data = {t: _read(out / f"{t}.csv") for t in TABLES}
    return summary, data


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_same_seed_is_byte_identical(demo: tuple, tmp_path: Path) -> None:
    summary, _ = demo
    again = generate_demo(tmp_path / "b", employees=30, months=2, seed=7)
    assert again.rows == summary.rows
    for table in TABLES:
        assert (tmp_path / "b" / f"{table}.csv").read_bytes() == summary.path(table).read_bytes()
    assert not list((tmp_path / "b").glob(".*"))  # no temporary files left


def test_different_seed_differs(demo: tuple, tmp_path: Path) -> None:
    summary, _ = demo
    generate_demo(tmp_path / "c", employees=30, months=2, seed=8)
    for table in ("employees", "assignments", "activities", "verifications", "behaviour"):
        assert (tmp_path / "c" / f"{table}.csv").read_bytes() != summary.path(table).read_bytes()


def test_files_have_contract_columns_and_format(demo: tuple) -> None:
    summary, data = demo
    assert set(summary.rows) == set(TABLES)
    for table in TABLES:
        raw = summary.path(table).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
        header = raw.split(b"\n", 1)[0].decode().split(",")
        assert set(header) == CONTRACT_COLUMNS[table]
        assert len(data[table]) == summary.rows[table] > 0
        keys = [tuple(r[k] for k in KEYS[table]) for r in data[table]]
        assert keys == sorted(keys), f"{table} is not sorted by key"
        assert len(set(keys)) == len(keys), f"{table} has duplicate keys"


def test_employees_are_valid(demo: tuple) -> None:
    _, data = demo
    employees = data["employees"]
    assert len(employees) == 30
    units = {u["unit_code"]: u["parent_code"] for u in data["units"]}
    for e in employees:
        kind = "pns" if e["employment"] == "cpns" else e["employment"]  # cpns: pns NIP rules
        assert nip_problem(e["nip"], kind, today=date(2021, 1, 1)) is None
        assert e["nip"][14] == {"L": "1", "P": "2"}[e["gender"]]
        assert 1965 <= int(e["nip"][:4]) <= 2000
        assert e["grade"] in ALL_GRADES
        assert e["unit_code"] in units
        assert e["active"] in ("true", "false")
    by_nip = {e["nip"]: e for e in employees}
    tops = [e for e in employees if not e["supervisor_nip"]]
    assert tops and all(t["position_type"] == "jpt" for t in tops)
    for e in employees:
        if e["supervisor_nip"]:
            boss = by_nip[e["supervisor_nip"]]
            assert boss["position_type"] in MANAGERIAL
            assert boss["unit_code"] in (e["unit_code"], units[e["unit_code"]])
    for e in employees:  # no cycles
        seen, nip = set(), e["nip"]
        while nip:
            assert nip not in seen
            seen.add(nip)
            nip = by_nip[nip]["supervisor_nip"]


def test_units(demo: tuple) -> None:
    _, data = demo
    codes = {u["unit_code"] for u in data["units"]}
    assert not codes & RESERVED_UNIT_CODES
    roots = [u for u in data["units"] if not u["parent_code"]]
    assert [r["unit_code"] for r in roots] == ["KEMENSOS"]
    assert all(u["parent_code"] in codes for u in data["units"] if u["parent_code"])
    results = [r["org_result"] for r in data["unit_results"]]
    assert results.count("butuh_perbaikan") == 1 and results.count("baik") > len(results) / 2
    poor = next(r["unit_code"] for r in data["unit_results"]
                if r["org_result"] == "butuh_perbaikan")
    assert poor in {e["unit_code"] for e in data["employees"]}  # its curve is checked


def test_some_staff_have_no_assignments_some_months(tmp_path: Path) -> None:
    generate_demo(tmp_path, employees=150, months=2, seed=7)
    employees = _read(tmp_path / "employees.csv")
    assignments = _read(tmp_path / "assignments.csv")
    rated = _read(tmp_path / "behaviour.csv")
    for period in ("2021-01", "2021-02"):
        assigned = {a["nip"] for a in assignments if a["period"] == period}
        active = {e["nip"] for e in employees if e["active"] == "true"}
        idle = active - assigned
        assert 1 <= len(idle) <= 8  # belum ada penugasan: a few, never many
        assert idle <= {b["nip"] for b in rated if b["period"] == period}  # still rated


def test_assignments(demo: tuple) -> None:
    _, data = demo
    nips = {e["nip"] for e in data["employees"]}
    codes = {a["activity_code"] for a in data["activity_types"]}
    for a in data["assignments"]:
        assert a["nip"] in nips and a["assigned_by_nip"] in nips
        assert a["activity_code"] in codes
        start, due = date.fromisoformat(a["start_date"]), date.fromisoformat(a["due_date"])
        assert a["start_date"][:7] == a["period"] and due >= start
        assert int(a["target_quantity"]) > 0 and 1 <= int(a["weight"]) <= 3
        assert a["target_cost"] == "" or int(a["target_cost"]) > 0


def test_activities(demo: tuple) -> None:
    _, data = demo
    owner = {a["assignment_id"]: a["nip"] for a in data["assignments"]}
    with_assignment = 0
    for e in data["activities"]:
        assert e["end_time"] > e["start_time"]
        assert date.fromisoformat(e["date"]).weekday() < 5
        if e["assignment_id"]:
            with_assignment += 1
            assert owner[e["assignment_id"]] == e["nip"]
        assert int(e["quantity"]) >= 0 and int(e["cost"]) >= 0
        assert e["description"]
    assert 0 < with_assignment < len(data["activities"])


def test_verifications(demo: tuple) -> None:
    _, data = demo
    entries = {e["activity_id"]: e for e in data["activities"]}
    supervisor = {e["nip"]: e["supervisor_nip"] or e["nip"] for e in data["employees"]}
    statuses = set()
    for v in data["verifications"]:
        entry = entries[v["activity_id"]]
        decided = datetime.fromisoformat(v["decided_at"])
        assert v["decided_at"].endswith("+07:00") and decided.microsecond == 0
        assert decided.date() >= date.fromisoformat(entry["date"])
        assert v["verifier_nip"] == supervisor[entry["nip"]]
        assert v["quality"] == "" or 0 <= int(v["quality"]) <= 100
        statuses.add(v["status"])
    assert statuses == {"approved", "rejected", "revision"}


def test_behaviour_and_attendance(demo: tuple) -> None:
    _, data = demo
    kind = {e["nip"]: e["position_type"] for e in data["employees"]}
    aspects = {a for scheme in ASPECTS.values() for a in scheme}  # the default: all
    for b in data["behaviour"]:
        assert b["aspect"] in aspects and 60 <= int(b["score"]) <= 100
        assert b["assessor_role"] in ("atasan", "rekan", "bawahan", "diri")
        assert (b["assessor_role"] == "diri") == (b["assessor_nip"] == b["nip"])
    for a in data["attendance"]:  # leave days carry no times; a present day rarely lacks
        if a["status"] != "hadir":  # its check-in (TAM)
            assert a["check_in"] == a["check_out"] == ""
        assert a["check_out"] == "" or a["check_out"] >= a["check_in"]
    assert set(kind[b["nip"]] for b in data["behaviour"]) >= {"jpt"}


def test_scheme_aspects(tmp_path: Path) -> None:
    generate_demo(tmp_path, employees=30, months=1, scheme="pp-30-2019")
    rows = _read(tmp_path / "behaviour.csv")
    kind = {e["nip"]: e["position_type"] for e in _read(tmp_path / "employees.csv")}
    assert {r["aspect"] for r in rows} <= set(ASPECTS["pp-30-2019"])
    for r in rows:
        if r["aspect"] in MANAGERIAL_ONLY_ASPECTS:
            assert kind[r["nip"]] in MANAGERIAL


@pytest.mark.parametrize(
    "kwargs",
    [{"employees": 3}, {"months": 0}, {"start": "2021-13"}, {"start": "Jan 2021"},
     {"scheme": "nope"}],
)
def test_bad_arguments(tmp_path: Path, kwargs: dict) -> None:
    with pytest.raises(UsageError):
        generate_demo(tmp_path, **kwargs)


def test_default_demo_rates_every_scheme(tmp_path: Path) -> None:
    """`eperf demo` rates the aspects of all three schemes, so `eperf card --scheme
    pp-46-2011` on the demo data is a full card, not "perilaku belum dinilai" (issue 18)."""
    from eperformance.db.engine import open_engine, upgrade
    from eperformance.ingest import run_ingest
    from eperformance.scores import ScoreRequest, compute_scores

    generate_demo(tmp_path / "demo", employees=30, months=1)
    rows = _read(tmp_path / "demo" / "behaviour.csv")
    assert {r["aspect"] for r in rows} == {a for s in ASPECTS.values() for a in s}
    engine = open_engine(f"sqlite:///{tmp_path / 'wb.sqlite'}", create=True)
    upgrade(engine)
    assert run_ingest(tmp_path / "demo", engine).exit_code == 0
    unrated = {}
    for scheme in ASPECTS:
        run = compute_scores(engine, ScoreRequest(period="2021-01", scheme=scheme))
        with_predikat = [s for s in run.scores if s.predikat]
        assert len(with_predikat) >= 0.6 * len(run.scores), scheme
        unrated[scheme] = {s.nip for s in run.scores if "perilaku belum dinilai" in s.keterangan}
    # the supervisor-only schemes miss exactly the employees no supervisor rated
    assert unrated["pp-30-2019"] == unrated["pp-46-2011"]
    engine.dispose()
def test_pay_and_attendance_for_the_allowance(tmp_path: Path) -> None:
    """tukin.md: classes per post, CPNS and PPPK, every leave status, chronic latecomers
    and the doctor (in at 09:00, out at 12:00 on every day he comes)."""
    from eperformance.contract import ATTENDANCE_STATUSES

    out = tmp_path / "d"
    generate_demo(out, employees=120, months=2, seed=7)
    employees = _read(out / "employees.csv")
    attendance = _read(out / "attendance.csv")
    classes = {e["position_type"]: set() for e in employees}
    for e in employees:
        classes[e["position_type"]].add(e["job_class"])
    assert classes["jpt"] <= {"17", "14"} and classes["administrator"] == {"12"}
    assert classes.get("pengawas", {"9"}) == {"9"}
    assert sum(e["job_class"] == "" for e in employees) == 1
    assert all(e["job_class"] == "" or 1 <= int(e["job_class"]) <= 17 for e in employees)
    kinds = {e["employment"] for e in employees}
    assert {"cpns", "pns", "pppk"} <= kinds
    assert {a["status"] for a in attendance} == set(ATTENDANCE_STATUSES)
    by_nip: dict[str, list[dict[str, str]]] = {}
    for a in attendance:
        by_nip.setdefault(a["nip"], []).append(a)
    doctors = [n for n, rows in by_nip.items()
               if all((r["check_in"], r["check_out"]) == ("09:00", "12:00")
                      for r in rows if r["status"] == "hadir")]
    assert len(doctors) == 1
    late = [n for n, rows in by_nip.items() if n not in doctors
            and sum("07:30" < r["check_in"] for r in rows if r["check_in"]) >= 20]
    assert len(late) >= 2


def test_functional_posts_have_their_level(tmp_path: Path) -> None:
    """Every fungsional post gets the contract's functional_level matching its position
    name (``... Ahli Muda`` -> ``ahli_muda``), so the demo shows angka kredit; no other
    post has one."""
    from eperformance.contract import FUNCTIONAL_LEVELS

    generate_demo(tmp_path, employees=120, months=1, seed=7)
    employees = _read(tmp_path / "employees.csv")
    functional = [e for e in employees if e["position_type"] == "fungsional"]
    assert functional
    for e in employees:
        level = e["functional_level"]
        if e["position_type"] != "fungsional":
            assert level == ""
            continue
        assert level in FUNCTIONAL_LEVELS
        assert e["position"].endswith(level.replace("_", " ").title())
    assert {"ahli_pertama", "ahli_muda"} <= {e["functional_level"] for e in functional}
