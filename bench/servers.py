"""Benchmark: a month of ~1,000,000 entries imported and scored on PostgreSQL and on SQLite
(not a test; `make bench-servers`).

Steps:
1. (once, cached in bench/out/servers/) `generate_demo` for one month with BENCH_EMPLOYEES
   employees (about 30 entries each: 34,600 employees give about a million entries);
2. for each engine, in a fresh database: `eperf ingest DIR --db URL` (every contract rule
   checked, one transaction), then `eperf score --period 2021-01 --db URL`
   (permenpan-6-2022: entry aggregates in SQL, then pure scoring), each as its own process;
3. the two score CSV files are compared byte for byte.

Printed: wall time and peak memory (max RSS of the `eperf` process; the database server's
own memory is not counted) for each step and engine, and the ratios PostgreSQL / SQLite.
The PostgreSQL server is EPERF_BENCH_PG (default: the test server's `postgres` database);
a database `eperf_bench_<random>` is created there and dropped afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

EMPLOYEES = int(os.environ.get("BENCH_EMPLOYEES", "34600"))
PERIOD = "2021-01"
PG_ADMIN = os.environ.get("EPERF_BENCH_PG",
                          os.environ.get("EPERF_TEST_PG",
                                         "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
OUT = Path(__file__).resolve().parent / "out" / "servers"


@dataclass
class Step:
    seconds: float
    peak_mb: float
    exit_code: int


def run_step(*args: str) -> Step:
    """Run ``eperf ARGS`` in a fresh interpreter; its own wall time and max RSS."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "eperformance.cli", "-q", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    err = proc.stderr.read().decode() if proc.stderr else ""
    if code != 0:
        sys.stderr.write(err)
        raise SystemExit(f"eperf {' '.join(args[:1])} failed with exit {code}")
    return Step(seconds, usage.ru_maxrss / 1024, code)


def demo_month() -> tuple[Path, int]:
    """The contract CSV files of one demo month (generated once) and its entry count."""
    folder = OUT / f"demo-{EMPLOYEES}"
    if not (folder / "verifications.csv").exists():
        from eperformance.demo import generate_demo

        t = time.perf_counter()
        generate_demo(folder, employees=EMPLOYEES, start=PERIOD, months=1, seed=7)
        print(f"generated {folder.name} in {time.perf_counter() - t:.0f} s")
    with open(folder / "activities.csv", "rb") as fh:
        entries = sum(1 for _ in fh) - 1
    return folder, entries


def main() -> None:
    from sqlalchemy import create_engine, text

    from eperformance.home import masked_url

    OUT.mkdir(parents=True, exist_ok=True)
    folder, entries = demo_month()
    print(f"# servers benchmark: {EMPLOYEES:,} employees, {entries:,} entries in {PERIOD}; "
          f"PostgreSQL at {masked_url(PG_ADMIN)}")

    sqlite_db = OUT / "month.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_db}{suffix}").unlink(missing_ok=True)
    pg_name = f"eperf_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
    urls = {"SQLite": f"sqlite:///{sqlite_db}",
            "PostgreSQL": PG_ADMIN.rsplit("/", 1)[0] + f"/{pg_name}"}
    results: dict[tuple[str, str], Step] = {}
    try:
        for label, url in urls.items():
            rejects = OUT / f"rejects-{label}.csv"
            results[("ingest", label)] = run_step("ingest", str(folder), "--rejects",
                                                  str(rejects), "--db", url)
            print(f"  {label:<10} ingest {results[('ingest', label)].seconds:7.1f} s")
            results[("score", label)] = run_step("score", "--period", PERIOD, "--db", url,
                                                 "--out", str(OUT / f"scores-{label}.csv"))
            print(f"  {label:<10} score  {results[('score', label)].seconds:7.1f} s")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
        admin.dispose()

    same = (OUT / "scores-SQLite.csv").read_bytes() == (OUT / "scores-PostgreSQL.csv").read_bytes()
    print()
    print(f"{'step':<8} {'SQLite s':>9} {'PG s':>9} {'PG/SQLite':>10}   "
          f"{'SQLite MB':>9} {'PG MB':>9} {'PG/SQLite':>10}")
    for step in ("ingest", "score"):
        s, p = results[(step, "SQLite")], results[(step, "PostgreSQL")]
        print(f"{step:<8} {s.seconds:9.1f} {p.seconds:9.1f} {p.seconds / s.seconds:9.2f}x   "
              f"{s.peak_mb:9.0f} {p.peak_mb:9.0f} {p.peak_mb / s.peak_mb:9.2f}x")
    print(f"score CSV identical on both engines: {'yes' if same else 'NO'}")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
