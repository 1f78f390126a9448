"""Benchmark: explorer responsiveness on 5,000 employees (not a test; `make bench-explorer`).

The demo organisation (EMPLOYEES employees, MONTHS months, seed 7) is generated and
imported once into ``bench/out/explorer/`` and reused afterwards. Then, in one process, the
explorer is driven from Python exactly as the widgets drive it:

* cold: the first selection of the period (scores + every recap frame for everyone) — the
  baseline every other figure is a ratio to;
* selection: from a selector change (unit, filter, search) to every table and chart
  updated (``Explorer.timings['selection']``), over SELECTIONS changes — goal < 300 ms;
* card: from an employee change to the card shown (rekap, trend, card HTML) — goal < 1 s.

Figures: median and p95 in milliseconds, and as ratios to the cold computation.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from pathlib import Path

EMPLOYEES = int(os.environ.get("BENCH_EMPLOYEES", "5000"))
MONTHS = int(os.environ.get("BENCH_MONTHS", "2"))
SELECTIONS = int(os.environ.get("BENCH_SELECTIONS", "40"))
CARDS = int(os.environ.get("BENCH_CARDS", "12"))
OUT = Path(__file__).resolve().parent / "out" / "explorer"
SELECTION_GOAL, CARD_GOAL = 0.300, 1.0


def database() -> str:
    """The benchmark database, generated and imported on the first run only."""
    from eperformance.db.engine import open_engine, upgrade
    from eperformance.demo import generate_demo
    from eperformance.ingest import run_ingest

    path = OUT / f"explorer-{EMPLOYEES}-{MONTHS}.sqlite"
    if not path.is_file():
        OUT.mkdir(parents=True, exist_ok=True)
        demo = OUT / f"demo-{EMPLOYEES}-{MONTHS}"
        print(f"generating {EMPLOYEES} employees x {MONTHS} months into {demo} ...")
        generate_demo(demo, employees=EMPLOYEES, months=MONTHS, seed=7)
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


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _line(name: str, values: list[float], cold: float, goal: float) -> None:
    med, p95 = statistics.median(values), _p95(values)
    verdict = "ok" if p95 < goal else "OVER GOAL"
    print(f"{name:<10} median {med * 1000:8.1f} ms  p95 {p95 * 1000:8.1f} ms  "
          f"= {med / cold:7.4f} / {p95 / cold:7.4f} of cold  (goal < {goal * 1000:.0f} ms: "
          f"{verdict}; n={len(values)})")


def main() -> None:
    from eperformance.explorer import ALL, Explorer, ExplorerData

    url = database()
    rng = random.Random(7)
    started = time.perf_counter()
    data = ExplorerData(url)
    app = Explorer(data)
    cold = app.timings["period"]
    first_view = time.perf_counter() - started
    period = app.key.period
    people = data.period(app.key).employees
    print(f"# explorer benchmark: {len(people):,} active employees, period {period}, "
          f"{len(data.units)} units")
    print(f"cold       {cold:8.2f} s   (baseline: scores + recap frames for everyone; "
          f"first view {first_view:.2f} s)")

    units = [code for _, code in data.unit_options() if code]
    grades = [g for _, g in app.grade.options if g]
    selection: list[float] = []
    for i in range(SELECTIONS):
        kind = i % 4
        if kind == 0:
            app.unit.value = rng.choice(units)
        elif kind == 1:
            app.grade.value = rng.choice([ALL, *grades])
        elif kind == 2:
            app.search.value = rng.choice(list(people["name"])).split()[0][:4].lower()
        else:
            app.search.value = ""
            app.unit.value = ALL if i % 8 == 3 else rng.choice(units)
        selection.append(app.timings["selection"])
    _line("selection", selection, cold, SELECTION_GOAL)

    app.unit.value = ALL
    app.grade.value = ALL
    app.search.value = ""
    cards: list[float] = []
    for nip in rng.sample(list(people["nip"]), CARDS):
        app.select_employee(nip)
        assert app.card_record is not None and app.card_record.employee.nip == nip
        cards.append(app.timings["card"])
    first_card, cards = cards[0], cards[1:]
    print(f"card 1st   {first_card * 1000:8.1f} ms  (the period's card context: people, "
          "assignments, ranks)")
    _line("card", cards, cold, CARD_GOAL)


if __name__ == "__main__":
    main()
