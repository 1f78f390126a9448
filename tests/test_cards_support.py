"""A tiny workbook database for the card, render and notebook tests (no tests here).

:func:`build_tiny_db` writes the demo organisation (20 employees, 2 months), adds an active
employee without any assignment or rating, and a rejected entry whose description and
supervisor's note are HTML injections, imports everything into a SQLite file and returns
the handles the tests need. Each test module builds it once (module-scoped fixtures).
"""

from __future__ import annotations

import csv
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

REPO = Path(__file__).resolve().parents[1]
PERIOD = "2021-01"
EMPTY_NIP = "199001012015031001"
XSS_DESCRIPTION = "<script>alert(1)</script>"
XSS_NOTE = '"><img src=x onerror=alert(1)>'
SELF_SCORE = 61  # the xss employee's own rating of akuntabel (shown apart, never counted)


@dataclass
class TinyDb:
    home: Path
    url: str
    engine: Engine
    period: str
    strong: str  # the best main figure of the month, with a predikat
    empty: str  # active, no assignment, no rating
    xss: str  # owns the injected rejected entry and a self-rating
    withheld: str  # an entry for an assignment of the month awaits verification (§5)

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a subprocess: this home and database, nothing inherited."""
        env = dict(os.environ)
        env.update({"EPERF_HOME": str(self.home), "DATABASE_URL": self.url, **extra})
        return env


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _append(path: Path, row: dict[str, str]) -> None:
    fields, _ = _rows(path)
    with path.open("a", newline="", encoding="utf-8") as fh:
        csv.DictWriter(fh, fieldnames=fields).writerow({k: row.get(k, "") for k in fields})


def build_tiny_db(root: Path) -> TinyDb:
    from eperformance.db.engine import open_engine, upgrade
    from eperformance.demo import generate_demo
    from eperformance.ingest import run_ingest
    from eperformance.scores import ScoreRequest, compute_scores

    home = root / "home"
    home.mkdir(parents=True)
    shutil.copytree(REPO / "params", home / "params")
    demo = root / "demo"
    generate_demo(demo, employees=20, months=2, seed=7)

    _, employees = _rows(demo / "employees.csv")
    _, assignments = _rows(demo / "assignments.csv")
    staff = next(e for e in employees if e["supervisor_nip"] and e["active"] != "false")
    _append(demo / "employees.csv", {
        "nip": EMPTY_NIP, "name": "Rina Tanpa Tugas, S.Sos.", "gender": "P",
        "unit_code": staff["unit_code"], "position": "Analis SDM Aparatur Ahli Pertama",
        "position_type": "fungsional", "grade": "III/a",
        "supervisor_nip": staff["supervisor_nip"], "employment": "pns", "active": "true",
    })
    target = next(a for a in assignments if a["period"] == PERIOD)
    _append(demo / "activities.csv", {
        "activity_id": "E-XSS-1", "nip": target["nip"], "date": f"{PERIOD}-12",
        "start_time": "08:00", "end_time": "09:00", "activity_code": target["activity_code"],
        "assignment_id": target["assignment_id"], "quantity": "1",
        "description": XSS_DESCRIPTION, "evidence_url": "https://example.invalid/bukti.pdf",
        "cost": "0",
    })
    supervisor = next((e["supervisor_nip"] for e in employees if e["nip"] == target["nip"]),
                      "") or target["assigned_by_nip"]
    _append(demo / "verifications.csv", {
        "verification_id": "V-XSS-1", "activity_id": "E-XSS-1", "verifier_nip": supervisor,
        "status": "rejected", "decided_at": f"{PERIOD}-13T10:00:00+07:00", "quality": "",
        "note": XSS_NOTE,
    })

    # An entry for another employee's assignment that nobody decides: hasil kerja withheld.
    withheld = next(a for a in assignments if a["period"] == PERIOD
                    and a["nip"] != target["nip"]
                    and any(e["nip"] == a["nip"] and e["supervisor_nip"] for e in employees))
    _append(demo / "activities.csv", {
        "activity_id": "E-PEND-1", "nip": withheld["nip"], "date": withheld["start_date"],
        "start_time": "13:00", "end_time": "14:00", "activity_code": withheld["activity_code"],
        "assignment_id": withheld["assignment_id"], "quantity": "2",
        "description": "Menunggu verifikasi", "evidence_url": "", "cost": "0",
    })

    _append(demo / "behaviour.csv", {
        "nip": target["nip"], "period": PERIOD, "assessor_nip": target["nip"],
        "aspect": "akuntabel", "assessor_role": "diri", "score": str(SELF_SCORE),
    })

    url = f"sqlite:///{root / 'wb.sqlite'}"
    engine = open_engine(url, create=True)
    upgrade(engine)
    report = run_ingest(demo, engine)
    assert report.exit_code == 0, report.table()
    run = compute_scores(engine, ScoreRequest(period=PERIOD), home=home)
    ranked = [s for s in run.scores if s.predikat and s.main_figure is not None]
    strong = max(ranked, key=lambda s: (s.main_figure, s.nip)).nip
    return TinyDb(home=home, url=url, engine=engine, period=PERIOD, strong=strong,
                  empty=EMPTY_NIP, xss=target["nip"], withheld=withheld["nip"])
