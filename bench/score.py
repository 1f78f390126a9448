"""Benchmark: score one month with 1,000,000 activity entries (not a test; `make bench-score`).

Builds (once, cached in bench/out/) a SQLite workbook with EMPLOYEES employees, 5
assignments each and ENTRIES entries in one month, ~1.15 decisions per entry (some
revisions, some late, some pending), then in one process:

* the floor: one hand-written SQL query computing RO per assignment under the
  latest-decision and closing-time rules (a window function over the verifications);
* `compute_scores` for the month under permenpan-6-2022 (everything the card needs:
  RO, RK, RW, RB, capaian, behaviour, ratings, predikat).

It prints wall time, peak memory (max RSS of this process) and the ratio to the floor.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import time
from pathlib import Path

import numpy as np

EMPLOYEES = int(os.environ.get("BENCH_EMPLOYEES", "10000"))
ENTRIES = int(os.environ.get("BENCH_ENTRIES", "1000000"))
PERIOD = "2021-03"
OUT = Path(__file__).resolve().parent / "out"
DB = OUT / f"score-{EMPLOYEES}-{ENTRIES}.sqlite"
ASPECTS = ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif",
           "kolaboratif")

FLOOR_SQL = """
WITH latest AS (
  SELECT v.activity_id, v.status,
         ROW_NUMBER() OVER (PARTITION BY v.activity_id
                            ORDER BY v.decided_at DESC, v.verification_id DESC) AS rn
  FROM verifications v
  WHERE v.decided_at <= :closing
)
SELECT a.assignment_id, SUM(a.quantity) AS ro
FROM activities a
JOIN latest l ON l.activity_id = a.activity_id AND l.rn = 1 AND l.status = 'approved'
JOIN assignments g ON g.assignment_id = a.assignment_id
WHERE g.period = :period AND a.date >= g.start_date AND a.date <= :last
GROUP BY a.assignment_id
"""


def build() -> None:
    from eperformance.db.engine import open_engine, upgrade

    OUT.mkdir(parents=True, exist_ok=True)
    engine = open_engine(f"sqlite:///{DB}", create=True)
    upgrade(engine)
    engine.dispose()
    rng = np.random.default_rng(7)
    con = sqlite3.connect(DB)
    import datetime as dt

    births = [dt.date(1985, 1, 1) + dt.timedelta(days=i // 1000) for i in range(EMPLOYEES)]
    nips = [f"{b:%Y%m%d}201001{1 + i % 2}{i % 1000:03d}" for i, b in enumerate(births)]
    con.execute("INSERT INTO units VALUES ('U0','Root',NULL)")
    con.executemany("INSERT INTO units VALUES (?,?,?)",
                    [(f"U{k}", f"Unit {k}", "U0") for k in range(1, 51)])
    con.executemany(
        "INSERT INTO employees VALUES (?,?,?,?,?,?,?,?,?,?)",
        [(n, f"Pegawai {i}", "L", f"U{1 + i % 50}", "Analis", "fungsional", "III/a",
          None, "pns", 1) for i, n in enumerate(nips)])
    con.execute("INSERT INTO activity_types VALUES ('ACT','Kegiatan','laporan',60)")
    n_assign = EMPLOYEES * 5
    a_ids = [f"A{i:07d}" for i in range(n_assign)]
    a_nip = [nips[i // 5] for i in range(n_assign)]
    targets = rng.integers(5, 40, n_assign)
    con.executemany(
        "INSERT INTO assignments VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(a_ids[i], a_nip[i], a_nip[i], PERIOD, "ACT", "Tugas", float(targets[i]), 100.0,
          "2021-03-01", "2021-03-31", None, 1.0, 1, 0) for i in range(n_assign)])
    which = rng.integers(0, n_assign, ENTRIES)
    days = rng.integers(1, 32, ENTRIES)
    qty = rng.integers(0, 3, ENTRIES).astype(float)
    con.executemany(
        "INSERT INTO activities VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        ((f"E{i:08d}", a_nip[which[i]], f"2021-03-{days[i]:02d}", "08:00:00.000000",
          "09:00:00.000000", "ACT", a_ids[which[i]], float(qty[i]), None, None, 0.0)
         for i in range(ENTRIES)))
    status = rng.choice(["approved", "approved", "approved", "rejected", "revision"], ENTRIES)
    decided = rng.integers(1, 40, ENTRIES)
    marks = rng.integers(60, 101, ENTRIES)

    def decisions():  # type: ignore[no-untyped-def]
        for i in range(ENTRIES):
            if i % 10 == 9:
                continue  # pending
            d = int(decided[i])
            when = (f"2021-03-{d:02d} 03:00:00.000000" if d <= 31
                    else f"2021-04-{d - 31:02d} 03:00:00.000000")
            yield (f"V{i:08d}", f"E{i:08d}", nips[0], str(status[i]), when,
                   float(marks[i]), None)
            if status[i] == "revision":
                yield (f"W{i:08d}", f"E{i:08d}", nips[0], "approved",
                       "2021-04-03 03:00:00.000000", None, None)

    con.executemany("INSERT INTO verifications VALUES (?,?,?,?,?,?,?)", decisions())
    con.executemany(
        "INSERT INTO behaviour VALUES (?,?,?,?,?,?)",
        ((n, PERIOD, nips[0], asp, "atasan", float(70 + (i * 7 + k) % 30))
         for i, n in enumerate(nips) for k, asp in enumerate(ASPECTS)))
    con.commit()
    con.execute("ANALYZE")
    con.close()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    from sqlalchemy import text

    from eperformance.db.engine import open_engine, upgrade
    from eperformance.params import load_settings
    from eperformance.scores import ScoreRequest, compute_scores
    from eperformance.scoring.closing import closing_time_utc

    if not DB.exists():
        t = time.perf_counter()
        build()
        print(f"built {DB.name} in {time.perf_counter() - t:.1f} s")
    settings = load_settings()
    closing = closing_time_utc(PERIOD, settings.closing_day, settings.timezone)
    engine = open_engine(f"sqlite:///{DB}")
    upgrade(engine)  # a database built by an earlier version of the bench
    with engine.connect() as conn:
        n_entries = conn.execute(text("SELECT COUNT(*) FROM activities")).scalar_one()
        n_dec = conn.execute(text("SELECT COUNT(*) FROM verifications")).scalar_one()
    print(f"# scoring benchmark: {EMPLOYEES:,} employees, {n_entries:,} entries, "
          f"{n_dec:,} decisions, SQLite")
    base = peak_mb()
    t = time.perf_counter()
    with engine.connect() as conn:
        rows = conn.execute(text(FLOOR_SQL), {"closing": str(closing), "period": PERIOD,
                                              "last": "2021-03-31"}).all()
    floor = time.perf_counter() - t
    print(f"floor (hand-written RO query)  {floor:7.2f} s  {len(rows):,} assignments")
    t = time.perf_counter()
    run = compute_scores(engine, ScoreRequest(period=PERIOD))
    full = time.perf_counter() - t
    print(f"compute_scores (all figures)    {full:7.2f} s  {len(run.scores):,} employees  "
          f"peak RSS {peak_mb():.0f} MB (before: {base:.0f} MB)")
    print(f"ratio to floor                  {full / floor:7.2f}x  (goal <= 2x)")


if __name__ == "__main__":
    main()
