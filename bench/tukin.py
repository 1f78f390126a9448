"""Benchmark: the month's tunjangan kinerja for 10,000 employees (not a test; `make bench-tukin`).

Builds (once, cached in bench/out/) a SQLite workbook with EMPLOYEES employees (each with a
job class), 5 assignments each, ENTRIES activity entries with ~1.1 decisions each, seven
behaviour ratings each and a full month of attendance (every working day of March 2021,
22 days: about 220,000 rows, with late arrivals, early departures, missing check-ins and
check-outs, leave and unexplained absence), then in one process:

* the month's scoring, `compute_scores` (what the batch does anyway);
* the allowance on top of it, `compute_tukin(..., scores=run)`: the attendance query,
  the ledger and the amounts (split into its steps below);

and prints wall time of each and the allowance as a ratio to the scoring (goal: at most
+25 %), the process's peak RSS after the scoring and after the allowance (what the month's
run needs in all: the allowance runs after the scoring, so it adds only what goes above
the scoring's peak), and, in a second pass, the peak of Python allocations of each step on
its own (tracemalloc).
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import sqlite3
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

EMPLOYEES = int(os.environ.get("BENCH_EMPLOYEES", "10000"))
ENTRIES = int(os.environ.get("BENCH_ENTRIES", "300000"))
PERIOD = "2021-03"
OUT = Path(__file__).resolve().parent / "out"
DB = OUT / f"tukin-{EMPLOYEES}-{ENTRIES}.sqlite"
ASPECTS = ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif",
           "kolaboratif")
LEAVE = ("dinas_luar", "cuti_tahunan", "cuti_sakit", "izin", "cuti_alasan_penting")


def _insert(con: sqlite3.Connection, table: str, columns: tuple[str, ...], rows: Any) -> None:
    marks = ",".join("?" * len(columns))
    con.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def build() -> None:
    from eperformance.calendar import working_days
    from eperformance.db.engine import open_engine, upgrade
    from eperformance.params import Settings

    OUT.mkdir(parents=True, exist_ok=True)
    engine = open_engine(f"sqlite:///{DB}", create=True)
    upgrade(engine)
    engine.dispose()
    rng = np.random.default_rng(7)
    con = sqlite3.connect(DB)
    births = [dt.date(1985, 1, 1) + dt.timedelta(days=i // 1000) for i in range(EMPLOYEES)]
    nips = [f"{b:%Y%m%d}201001{1 + i % 2}{i % 1000:03d}" for i, b in enumerate(births)]
    _insert(con, "units", ("unit_code", "name", "parent_code"),
            [("U0", "Root", None)] + [(f"U{k}", f"Unit {k}", "U0") for k in range(1, 51)])
    classes = rng.integers(5, 13, EMPLOYEES)
    _insert(con, "employees",
            ("nip", "name", "gender", "unit_code", "position", "position_type", "grade",
             "supervisor_nip", "employment", "active", "job_class"),
            [(n, f"Pegawai {i}", "L", f"U{1 + i % 50}", "Analis", "pelaksana", "III/a",
              None, "cpns" if i % 40 == 0 else "pns", 1, int(classes[i]))
             for i, n in enumerate(nips)])
    _insert(con, "activity_types",
            ("activity_code", "name", "output_unit", "standard_minutes"),
            [("ACT", "Kegiatan", "laporan", 60)])
    n_assign = EMPLOYEES * 5
    a_ids = [f"A{i:07d}" for i in range(n_assign)]
    a_nip = [nips[i // 5] for i in range(n_assign)]
    targets = rng.integers(5, 12, n_assign)
    _insert(con, "assignments",
            ("assignment_id", "nip", "assigned_by_nip", "period", "activity_code", "title",
             "target_quantity", "target_quality", "start_date", "due_date", "target_cost",
             "weight", "is_main", "innovation"),
            [(a_ids[i], a_nip[i], a_nip[i], PERIOD, "ACT", "Tugas", float(targets[i]), 100.0,
              "2021-03-01", "2021-03-31", None, 1.0, 1, 0) for i in range(n_assign)])
    which = rng.integers(0, n_assign, ENTRIES)
    days = rng.integers(1, 32, ENTRIES)
    qty = rng.integers(0, 3, ENTRIES).astype(float)
    _insert(con, "activities",
            ("activity_id", "nip", "date", "start_time", "end_time", "activity_code",
             "assignment_id", "quantity", "description", "evidence_url", "cost"),
            ((f"E{i:08d}", a_nip[which[i]], f"2021-03-{days[i]:02d}", "08:00:00.000000",
              "09:00:00.000000", "ACT", a_ids[which[i]], float(qty[i]), None, None, 0.0)
             for i in range(ENTRIES)))
    status = rng.choice(["approved", "approved", "approved", "approved", "rejected",
                         "revision"], ENTRIES)
    decided = rng.integers(1, 35, ENTRIES)

    def decisions():  # type: ignore[no-untyped-def]
        for i in range(ENTRIES):
            d = int(decided[i])
            when = (f"2021-03-{d:02d} 03:00:00.000000" if d <= 31
                    else f"2021-04-{d - 31:02d} 03:00:00.000000")
            yield (f"V{i:08d}", f"E{i:08d}", nips[0], str(status[i]), when, 90.0, None)
            if status[i] == "revision":
                yield (f"W{i:08d}", f"E{i:08d}", nips[0], "approved",
                       "2021-04-03 03:00:00.000000", None, None)

    _insert(con, "verifications",
            ("verification_id", "activity_id", "verifier_nip", "status", "decided_at",
             "quality", "note"), decisions())
    _insert(con, "behaviour",
            ("nip", "period", "assessor_nip", "aspect", "assessor_role", "score"),
            ((n, PERIOD, nips[0], asp, "atasan", float(70 + (i * 7 + k) % 30))
             for i, n in enumerate(nips) for k, asp in enumerate(ASPECTS)))
    # attendance: every working day of the month
    wdays = working_days(PERIOD, Settings())
    n_wd = len(wdays)
    shape = (EMPLOYEES, n_wd)
    check_in = np.clip(rng.normal(7 * 3600 + 22 * 60, 900, shape), 6 * 3600, 11 * 3600)
    check_out = np.clip(rng.normal(16 * 3600 + 15 * 60, 1200, shape), 11 * 3600, 20 * 3600)
    kind = rng.random(shape)
    no_in, no_out = rng.random(shape) < 0.01, rng.random(shape) < 0.02
    leave = rng.integers(0, len(LEAVE), shape)

    def attendance():  # type: ignore[no-untyped-def]
        for i, nip in enumerate(nips):
            for d, day in enumerate(wdays):
                k = kind[i, d]
                if k < 0.01:
                    continue  # no row: TK
                if k < 0.02:
                    yield (nip, day.isoformat(), None, None, "tanpa_keterangan")
                elif k < 0.06:
                    yield (nip, day.isoformat(), None, None, LEAVE[leave[i, d]])
                else:
                    yield (nip, day.isoformat(),
                           None if no_in[i, d] else _hms(int(check_in[i, d])),
                           None if no_out[i, d] else _hms(int(check_out[i, d])), "hadir")

    _insert(con, "attendance", ("nip", "date", "check_in", "check_out", "status"),
            attendance())
    con.commit()
    con.execute("ANALYZE")
    con.close()


def peak_rss() -> float:
    """The process's peak resident memory so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


CPU: dict[str, float] = {}


def timed(step: Callable[[], Any], label: str = "") -> tuple[Any, float]:
    """The step's result and wall time; its CPU time (this process) goes to ``CPU``: on a
    shared machine the wall times swing with the load, the CPU times much less."""
    t, c = time.perf_counter(), time.process_time()
    out = step()
    if label:
        CPU[label] = time.process_time() - c
    return out, time.perf_counter() - t


def peak(step: Callable[[], Any]) -> tuple[Any, float]:
    """The step's result and its peak of Python allocations (MB) above the start."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    out = step()
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, top / 2**20


def main() -> None:
    from sqlalchemy import text

    from eperformance.calendar import working_days
    from eperformance.db import queries as q
    from eperformance.db import tukin_queries as tq
    from eperformance.db.engine import open_engine, upgrade
    from eperformance.params import load_settings, load_tukin_profile
    from eperformance.scores import ScoreRequest, compute_scores
    from eperformance.scoring.closing import period_first_day, period_last_day
    from eperformance.tukin import TukinRequest, build_ledger, compute_tukin

    if not DB.exists():
        t = time.perf_counter()
        build()
        print(f"built {DB.name} in {time.perf_counter() - t:.1f} s")
    engine = open_engine(f"sqlite:///{DB}")
    upgrade(engine)
    with engine.connect() as conn:
        n_att = conn.execute(text("SELECT COUNT(*) FROM attendance")).scalar_one()
        n_entries = conn.execute(text("SELECT COUNT(*) FROM activities")).scalar_one()
    print(f"# tukin benchmark: {EMPLOYEES:,} employees, {n_att:,} attendance rows, "
          f"{n_entries:,} entries, SQLite")
    request = ScoreRequest(period=PERIOD)
    rss0 = peak_rss()
    compute_scores(engine, request)  # warm the caches (holidays, YAML, SQLite pages)
    run, t_score = timed(lambda: compute_scores(engine, request), "score")
    rss_score = peak_rss()
    tukin, t_tukin = timed(lambda: compute_tukin(engine, TukinRequest(period=PERIOD),
                                                 scores=run), "tukin")
    rss_tukin = peak_rss()
    # the allowance's steps, for the record
    settings = load_settings()
    profile = load_tukin_profile()
    first, last = period_first_day(PERIOD), period_last_day(PERIOD)
    with engine.connect() as conn:
        att, t_query = timed(lambda: tq.attendance_rows(conn, q.Scope("all"), first, last))
    days = working_days(PERIOD, settings)
    ledger, t_ledger = timed(lambda: build_ledger(att, days, settings.work_hours, profile,
                                                  nips=list(tukin.employees["nip"])))
    _, t_frames = timed(lambda: (tukin.frame, tukin.days_frame))
    paid = sum(r.tukin for r in tukin.rows if r.tukin is not None)
    print(f"compute_scores (the month)      {t_score:7.2f} s  {len(run.scores):,} employees")
    print(f"compute_tukin (on those scores) {t_tukin:7.2f} s  {len(tukin.rows):,} amounts, "
          f"{len(tukin.ledger.rows):,} ledger rows, Rp {paid:,}")
    print(f"  attendance query              {t_query:7.2f} s  {len(att):,} rows")
    print(f"  ledger                        {t_ledger:7.2f} s  {len(ledger.rows):,} rows")
    print(f"  CSV frames (both files)       {t_frames:7.2f} s")
    print(f"time ratio tukin / scoring      {t_tukin / t_score:7.1%}  wall, "
          f"{CPU['tukin'] / CPU['score']:.1%} CPU ({CPU['tukin']:.2f} s / "
          f"{CPU['score']:.2f} s)  (goal <= 25 %)")
    print(f"peak RSS of the process: {rss0:.0f} MB at start, {rss_score:.0f} MB after scoring, "
          f"{rss_tukin:.0f} MB after the allowance: +{rss_tukin - rss_score:.0f} MB, "
          f"{(rss_tukin - rss_score) / max(rss_score - rss0, 1):.1%} of scoring's own growth")
    run, m_score = peak(lambda: compute_scores(engine, request))
    _, m_tukin = peak(lambda: compute_tukin(engine, TukinRequest(period=PERIOD), scores=run))
    print(f"peak Python allocations (tracemalloc), each step on its own: scoring "
          f"{m_score:.0f} MB, allowance {m_tukin:.0f} MB, ratio {m_tukin / m_score:.1%}")
    engine.dispose()


if __name__ == "__main__":
    main()
