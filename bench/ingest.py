"""Benchmark: demo generation and import into SQLite (not a test; `make bench-ingest`).

Phases, each in its own subprocess so that peak memory (max RSS) is per phase:
1. `generate_demo` for EMPLOYEES employees and MONTHS months;
2. the import of its first month into a fresh SQLite file (every contract rule checked);
3. the import of the whole period into another fresh SQLite file;
4. the baseline, in the same script: the same month's files loaded with a plain
   `pandas.read_csv` + `DataFrame.to_sql` (no validation at all) — the floor.
Figures are printed as seconds, rows per second, peak memory, and the ratio to the floor.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

EMPLOYEES = int(os.environ.get("BENCH_EMPLOYEES", "5000"))
MONTHS = int(os.environ.get("BENCH_MONTHS", "12"))
OUT = Path(__file__).resolve().parent / "out" / "ingest"
REFERENCE = ("units", "employees", "activity_types")


def _phase(code: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter; it prints a JSON dict; add its peak RSS."""
    wrapper = code + "\nimport resource, json, sys\n" \
        "print(json.dumps({**RESULT, 'peak_mb': resource.getrusage(resource.RUSAGE_SELF)" \
        ".ru_maxrss / 1024}))"
    out = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True)
    if out.returncode not in (0,):
        sys.stderr.write(out.stderr)
        raise SystemExit(f"phase failed with exit {out.returncode}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _split_first_month(src: Path, dst: Path, period: str) -> int:
    """Write the reference tables and the first month's rows of src into dst."""
    dst.mkdir(parents=True, exist_ok=True)
    total = 0
    month_acts: set[str] = set()
    for name in ("units", "employees", "activity_types", "assignments", "activities",
                 "verifications", "behaviour", "attendance", "unit_results"):
        with open(src / f"{name}.csv", newline="", encoding="utf-8") as fi, \
                open(dst / f"{name}.csv", "w", newline="", encoding="utf-8") as fo:
            r, w = csv.DictReader(fi), None
            for row in r:
                if w is None:
                    w = csv.DictWriter(fo, fieldnames=r.fieldnames or [])
                    w.writeheader()
                keep = (
                    name in REFERENCE
                    or row.get("period") == period
                    or (name in ("activities", "attendance") and row["date"].startswith(period))
                    or (name == "verifications" and row["activity_id"] in month_acts)
                )
                if keep:
                    if name == "activities":
                        month_acts.add(row["activity_id"])
                    w.writerow(row)
                    total += 1
            if w is None:
                fo.write(",".join(r.fieldnames or []) + "\n")
    return total


def main() -> None:
    demo_dir = OUT / "demo"
    print(f"# e-Performance ingest benchmark: {EMPLOYEES} employees, {MONTHS} months")
    gen = _phase(
        "import time; from pathlib import Path; from eperformance.demo import generate_demo\n"
        f"t=time.perf_counter(); s=generate_demo(Path({str(demo_dir)!r}), employees={EMPLOYEES},"
        f" months={MONTHS}, seed=7)\n"
        "RESULT={'seconds': time.perf_counter()-t, 'rows': sum(s.rows.values())}"
    )
    print(f"generate   {gen['seconds']:8.1f} s  {gen['rows']:>10,} rows  "
          f"{gen['rows'] / gen['seconds']:>10,.0f} rows/s  peak {gen['peak_mb']:7.0f} MB")

    month_dir = OUT / "month1"
    first = "2021-01"
    month_rows = _split_first_month(demo_dir, month_dir, first)

    def ingest_phase(folder: Path, db: Path) -> dict[str, float]:
        db.unlink(missing_ok=True)
        return _phase(
            "import time; from pathlib import Path\n"
            "from eperformance.db.engine import open_engine, upgrade\n"
            "from eperformance.ingest import run_ingest\n"
            f"e=open_engine('sqlite:///{db}', create=True); upgrade(e)\n"
            f"t=time.perf_counter(); r=run_ingest(Path({str(folder)!r}), e)\n"
            "RESULT={'seconds': time.perf_counter()-t, 'exit': r.exit_code}"
        )

    floor = _phase(
        "import time, sqlite3, pandas as pd; from pathlib import Path\n"
        f"db=Path({str(OUT / 'floor.sqlite')!r}); db.unlink(missing_ok=True)\n"
        "t=time.perf_counter(); con=sqlite3.connect(db)\n"
        f"for f in sorted(Path({str(month_dir)!r}).glob('*.csv')):\n"
        "    pd.read_csv(f, dtype=str, keep_default_na=False).to_sql(f.stem, con, index=False)\n"
        "con.commit(); RESULT={'seconds': time.perf_counter()-t}"
    )
    month = ingest_phase(month_dir, OUT / "month.sqlite")
    year = ingest_phase(demo_dir, OUT / "year.sqlite")
    print(f"floor      {floor['seconds']:8.1f} s  {month_rows:>10,} rows  "
          f"{month_rows / floor['seconds']:>10,.0f} rows/s  peak {floor['peak_mb']:7.0f} MB"
          "  (read_csv + to_sql, no validation)")
    print(f"month      {month['seconds']:8.1f} s  {month_rows:>10,} rows  "
          f"{month_rows / month['seconds']:>10,.0f} rows/s  peak {month['peak_mb']:7.0f} MB"
          f"  ratio to floor {month['seconds'] / floor['seconds']:.1f}x  exit {month['exit']:.0f}")
    print(f"year       {year['seconds']:8.1f} s  {gen['rows']:>10,} rows  "
          f"{gen['rows'] / year['seconds']:>10,.0f} rows/s  peak {year['peak_mb']:7.0f} MB"
          f"  exit {year['exit']:.0f}")


if __name__ == "__main__":
    main()
