"""Benchmark: scoring a year vs one month of the same database (not a test; `make bench-period`).

The demo organisation (EMPLOYEES employees, 12 months of 2021, seed 7) is generated and
imported once into ``bench/out/period/`` and reused afterwards. Then each phase runs in a
fresh interpreter, so that its peak memory (max RSS) is its own:

* import: the package and its libraries imported, nothing scored (the floor of RSS);
* month: ``compute_scores`` for MONTH (what ``eperf score --period 2021-06`` computes,
  keeping the closed month in the cache as it does);
* year, cold: the closed months' cache emptied first (``db/month_cache.py``), then
  ``compute_period_scores`` for 2021 with the month-by-month table (what the annual card
  needs): every month read from the data tables, and kept (the first year run after
  imports touched every month);
* year: the same with every closed month cached (the year at year end, its months already
  scored once: the run the goal is about);
* quarter (``BENCH_QUARTER=1``, the default): 2021-Q2, months cached.

Each phase is run REPEAT times (alternating, fresh processes); the figures are the best
wall time and the lowest peak of its runs, and the ratios to the month of both, measured in
this one run (the machine is shared: absolute times swing with its load). Goals of
issue 17: the year in at most 4x a month's time and at most 2x a month's peak memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

EMPLOYEES = int(os.environ.get("BENCH_EMPLOYEES", "5000"))
MONTHS = 12
YEAR = "2021"
MONTH = os.environ.get("BENCH_MONTH", "2021-06")
QUARTER = os.environ.get("BENCH_QUARTER", "1") not in ("0", "")
REPEAT = max(1, int(os.environ.get("BENCH_REPEAT", "2")))
OUT = Path(__file__).resolve().parent / "out" / "period"
TIME_GOAL, MEMORY_GOAL = 4.0, 2.0

IMPORTS = (
    "import datetime as dt, json, resource, sys, time\n"
    "from eperformance.db.engine import open_engine\n"
    "from eperformance.scores import ScoreRequest, compute_period_scores, compute_scores\n"
    "NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)\n"
)
PHASES = {
    "import": "RESULT = {'seconds': 0.0, 'employees': 0, 'rows': 0}\n",
    "month": (
        "engine = open_engine(URL)\n"
        "t = time.perf_counter()\n"
        "run = compute_scores(engine, ScoreRequest(period=MONTH), now=NOW)\n"
        "RESULT = {'seconds': time.perf_counter() - t, 'employees': len(run.scores),\n"
        "          'rows': len(run.measures)}\n"
    ),
    "clear": (
        "from eperformance.db import month_cache\n"
        "engine = open_engine(URL)\n"
        "month_cache.clear(engine)\n"
        "RESULT = {'seconds': 0.0, 'employees': 0, 'rows': 0}\n"
    ),
    "year": (
        "engine = open_engine(URL)\n"
        "t = time.perf_counter()\n"
        "run = compute_period_scores(engine, ScoreRequest(period=PERIOD), now=NOW)\n"
        "n = sum(len(s.assignments) for s in run.scores)\n"
        "assert all(len(v) == len(run.period.months) for v in run.result.months.values())\n"
        "RESULT = {'seconds': time.perf_counter() - t, 'employees': len(run.scores),\n"
        "          'rows': n, 'from_cache': len(run.extra['months_from_cache'])}\n"
    ),
}


def database() -> str:
    """The benchmark database, generated and imported on the first run only."""
    from eperformance.db.engine import open_engine, upgrade
    from eperformance.demo import generate_demo
    from eperformance.ingest import run_ingest

    path = OUT / f"period-{EMPLOYEES}-{MONTHS}.sqlite"
    if not path.is_file():
        OUT.mkdir(parents=True, exist_ok=True)
        demo = OUT / f"demo-{EMPLOYEES}-{MONTHS}"
        if not (demo / "unit_results.csv").is_file():
            print(f"generating {EMPLOYEES:,} employees x {MONTHS} months into {demo} ...",
                  flush=True)
            generate_demo(demo, employees=EMPLOYEES, start=f"{YEAR}-01", months=MONTHS, seed=7)
        print(f"importing into {path.name} ...", flush=True)
        tmp = path.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        engine = open_engine(f"sqlite:///{tmp}", create=True)
        upgrade(engine)
        report = run_ingest(demo, engine)
        engine.dispose()
        if report.exit_code != 0:
            raise SystemExit(report.table())
        tmp.rename(path)
    return f"sqlite:///{path}"


def phase(name: str, url: str, period: str = YEAR) -> dict[str, float]:
    """Run phase ``name`` in a fresh interpreter; its figures and its peak RSS (MB)."""
    code = (f"URL = {url!r}\nMONTH = {MONTH!r}\nPERIOD = {period!r}\n" + IMPORTS
            + PHASES[name] + "RESULT['peak_mb'] = "
            "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
            "print(json.dumps(RESULT))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"phase {name} failed with exit {out.returncode}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def best(runs: list[dict[str, float]]) -> dict[str, float]:
    """The fastest time and the lowest peak of a phase's runs (the least disturbed)."""
    return {**runs[0], "seconds": min(r["seconds"] for r in runs),
            "peak_mb": min(r["peak_mb"] for r in runs),
            "all_seconds": [round(r["seconds"], 2) for r in runs]}  # type: ignore[dict-item]


def main() -> None:
    url = database()
    print(f"# period benchmark: {EMPLOYEES:,} employees, {MONTHS} months ({YEAR}), SQLite; "
          f"best of {REPEAT} fresh processes per phase")
    plan = [("import", YEAR, "import"), ("month", MONTH, "month"), ("clear", YEAR, "clear"),
            ("year", YEAR, "cold"), ("year", YEAR, YEAR)]
    if QUARTER:
        plan.append(("year", f"{YEAR}-Q2", f"{YEAR}-Q2"))
    runs: dict[str, list[dict[str, float]]] = {}
    for _ in range(REPEAT):
        for name, period, key in plan:
            runs.setdefault(key, []).append(phase(name, url, period))
    assert all(r["from_cache"] == 0 for r in runs["cold"]), "the cold year read the cache"
    assert all(r["from_cache"] == MONTHS for r in runs[YEAR]), "the year missed the cache"
    res = {k: best(v) for k, v in runs.items()}
    base = res["import"]["peak_mb"]
    month = res["month"]
    print(f"{'import only':<24} {'':>9}  peak {base:7.0f} MB")
    for key, label in ((MONTH, f"month {MONTH}"), (f"{YEAR}-Q2", f"quarter {YEAR}-Q2"),
                       ("cold", f"year {YEAR}, nothing cached"),
                       (YEAR, f"year {YEAR} + month table")):
        r = res["month"] if key == MONTH else res.get(key)
        if r is None:
            continue
        print(f"{label:<24} {r['seconds']:7.2f} s  peak {r['peak_mb']:7.0f} MB  "
              f"(+{r['peak_mb'] - base:.0f} MB over import)  {r['employees']:,} employees, "
              f"{r['rows']:,} assignments  runs {r['all_seconds']}")
    for key, label in ((f"{YEAR}-Q2", "quarter / month"), ("cold", "cold year / month"),
                       (YEAR, "year / month")):
        r = res.get(key)
        if r is None:
            continue
        t_ratio = r["seconds"] / month["seconds"]
        m_ratio = r["peak_mb"] / month["peak_mb"]
        m_extra = (r["peak_mb"] - base) / max(1.0, month["peak_mb"] - base)
        line = (f"{label:<24} time {t_ratio:5.2f}x  peak {m_ratio:5.2f}x "
                f"(over import: {m_extra:5.2f}x)")
        if key == YEAR:
            ok_t = "ok" if t_ratio <= TIME_GOAL else "OVER GOAL"
            ok_m = "ok" if m_ratio <= MEMORY_GOAL else "OVER GOAL"
            line += (f"  goals: time <= {TIME_GOAL:g}x {ok_t}, "
                     f"peak <= {MEMORY_GOAL:g}x {ok_m}")
        print(line)


if __name__ == "__main__":
    main()
