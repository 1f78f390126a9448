"""Benchmark: the naive papermill loop against `eperf batch` (not a test; `make bench-batch`).

In one run, on the same SQLite database (a demo organisation, built once in bench/out/):

* the naive loop, as an analyst would script it: for each of K employees, the papermill
  CLI runs notebooks/10-rapor-personal.ipynb, then `jupyter nbconvert --to html --no-input
  --template eperf-rapor` renders it — one process each;
* `eperf batch --format html` (warm kernels, one per CPU) on N employees;
* PDF, on a unit of about P employees (the batch prints its PDF cards in groups of up to
  eight, one Chromium document cut back into cards): `eperf batch --format html` against
  `--format html,pdf` printed by Chromium (EPERF_PDF=chromium; run between two HTML-only
  batches, the ratio taken against their mean, with the CPU seconds of each batch's
  process tree, which other jobs on the machine move much less than its time), card by
  card (EPERF_PDF_GROUP=1), and by WeasyPrint (EPERF_PDF=weasyprint), the same cards
  each time; then the printers alone on those
  cards' HTML, one process, one card at a time: cards per second and per CPU-second
  (the browser's and the driver's processes counted), and the ratio; and Chromium
  printing the same cards in groups of eight, as the batch does.

It prints seconds per card for each, the ratio, the peak memory of the batch's whole
process tree (kernels, workers and browsers included, sampled from /proc), and checks
that both sides produce the same card content (run ids and timestamps aside).

``BENCH_N`` (default 2000) sets the size of the organisation; each size has its own
database under bench/out/, so ``BENCH_N=10000 make bench-batch`` measures 10,000 cards.
``BENCH_K`` and ``BENCH_PDF`` set the naive loop's and the PDF run's number of cards;
``BENCH_ONLY=pdf`` runs the PDF part alone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
N = int(os.environ.get("BENCH_N", "2000"))  # cards for eperf batch
OUT = REPO / "bench" / "out" / ("batch" if N == 2000 else f"batch-{N}")  # one organisation per N
K = int(os.environ.get("BENCH_K", "5"))  # cards for the naive loop
P = int(os.environ.get("BENCH_PDF", "200"))  # cards for the PDF throughput
ONLY = os.environ.get("BENCH_ONLY", "")  # "pdf": the PDF part alone
PERIOD = "2021-01"
BIN = Path(sys.executable).parent
VOLATILE = [re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}"),
            re.compile(r'<div data-field="signature_date">[^<]*</div>'),
            re.compile(r"<span>[^<:]*: \d{1,2} \w+ \d{4},? \d{2}[.:]\d{2}[^<]*</span>")]


def normalised(html: str) -> str:
    for pattern in VOLATILE:
        html = pattern.sub("~", html)
    return html


def setup() -> tuple[Path, dict[str, str]]:
    home = OUT / "home"
    db = home / "data" / "workbook.sqlite"
    env = dict(os.environ, EPERF_HOME=str(home), DATABASE_URL=f"sqlite:///{db}")
    if not db.exists():
        shutil.rmtree(OUT, ignore_errors=True)
        (home / "data").mkdir(parents=True)
        shutil.copytree(REPO / "params", home / "params")
        employees = max(N + N // 20 + 50, 200)
        subprocess.run([BIN / "eperf", "demo", "--out", str(OUT / "demo"), "--employees",
                        str(employees), "--months", "1"], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        subprocess.run([BIN / "eperf", "ingest", str(OUT / "demo")], check=True, env=env,
                       stdout=subprocess.DEVNULL)
    shutil.rmtree(home / "outputs", ignore_errors=True)
    return home, env


TICK = os.sysconf("SC_CLK_TCK")


def tree_stats(root: int) -> dict[int, float]:
    """The processes of ``root``'s tree (itself included), each with its CPU seconds."""
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
                cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / TICK
            except (OSError, ValueError, IndexError):
                pass
    out: dict[int, float] = {}
    stack = [root]
    while stack:
        p = stack.pop()
        out[p] = cpu.get(p, 0.0)
        stack.extend(children.get(p, []))
    return out


class TreeMemory:
    """Peak memory of a process and all its descendants, sampled from /proc: the sum of
    their proportional set sizes (PSS: a page shared by k processes counts 1/k in each),
    so that a browser's dozen processes, which share most of their pages, are not counted
    a dozen times as a sum of resident sizes would (VmRSS where PSS cannot be read).

    Also the CPU seconds of the tree (:attr:`cpu_s`): each process's user and system
    time as last sampled (a process that ends between two samples loses at most a
    quarter of a second); a figure that other jobs on the machine barely move."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_mb, self._stop = pid, 0.0, threading.Event()
        self._cpu: dict[int, float] = {}
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def cpu_s(self) -> float:
        return sum(self._cpu.values())

    def _tree(self) -> list[int]:
        stats = tree_stats(self.pid)
        self._cpu.update(stats)
        return list(stats)

    def _rss(self, pid: int) -> float:
        for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
            try:
                for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                    if line.startswith(key):
                        return int(line.split()[1]) / 1024
            except OSError:
                continue
        return 0.0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, sum(self._rss(p) for p in self._tree()))
            time.sleep(0.25)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mb


def nips(home: Path, limit: int, unit: str | None = None) -> list[str]:
    con = sqlite3.connect(home / "data" / "workbook.sqlite")
    sql = "SELECT nip FROM employees WHERE active = 1" + (" AND unit_code = ?" if unit else "")
    rows = [r[0] for r in con.execute(sql + " ORDER BY nip LIMIT ?",
                                      ((unit, limit) if unit else (limit,)))]
    con.close()
    return rows


def without_rfc3987(env: dict[str, str]) -> dict[str, str]:
    """``env`` in which ``import rfc3987_syntax`` fails at once.

    jsonschema (imported by nbformat in papermill, nbconvert and their kernels) imports
    this optional package when it is installed (Voila's jupyter-events brings it), and
    it builds an Earley parser at import: 2.5-3 s in every new process. That cost belongs
    to the environment, not to the naive method, so the headline ratio is taken against
    the naive loop without it (jsonschema skips the package when it cannot import it)."""
    stub = OUT / "no-rfc3987" / "rfc3987_syntax"
    stub.mkdir(parents=True, exist_ok=True)
    (stub / "__init__.py").write_text(
        'raise ImportError("rfc3987_syntax disabled for the benchmark baseline")\n')
    path = os.pathsep.join(p for p in (str(stub.parent), env.get("PYTHONPATH")) if p)
    return dict(env, PYTHONPATH=path)


def quarter_unit(home: Path, total: int) -> str:
    """The top-level unit (with its sub-units) whose active staff is nearest total / 4."""
    con = sqlite3.connect(home / "data" / "workbook.sqlite")
    parent = dict(con.execute("SELECT unit_code, parent_code FROM units").fetchall())
    staff = con.execute("SELECT unit_code, COUNT(*) FROM employees WHERE active = 1 "
                        "GROUP BY unit_code").fetchall()
    con.close()
    roots = [u for u, p in parent.items() if p is None]
    sizes: dict[str, int] = {}
    for unit, count in staff:
        chain = [unit]
        while parent.get(chain[-1]) is not None:
            chain.append(parent[chain[-1]])
        if len(chain) >= 2 and chain[-1] in roots:
            top = chain[-2]
            sizes[top] = sizes.get(top, 0) + count
    return min(sizes, key=lambda u: abs(sizes[u] - total / 4))


def naive(home: Path, env: dict[str, str], who: list[str]) -> tuple[float, dict[str, str]]:
    work = OUT / "naive"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    started = time.perf_counter()
    for nip in who:
        nb = work / f"{nip}.ipynb"
        subprocess.run([BIN / "papermill", str(REPO / "notebooks" / "10-rapor-personal.ipynb"),
                        str(nb), "-p", "nip", nip, "-p", "period", PERIOD, "--no-progress-bar"],
                       check=True, env=env, capture_output=True)
        subprocess.run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input",
                        "--template", "eperf-rapor", str(nb)], check=True, env=env,
                       capture_output=True)
    seconds = time.perf_counter() - started
    return seconds, {n: (work / f"{n}.html").read_text() for n in who}


def batch(env: dict[str, str], *args: str) -> tuple[float, float, str]:
    secs, peak, stdout, _ = batch_cpu(env, *args)
    return secs, peak, stdout


def batch_cpu(env: dict[str, str], *args: str) -> tuple[float, float, str, float]:
    """(seconds, peak tree memory in MB, stdout, CPU seconds of the tree) of a batch."""
    started = time.perf_counter()
    proc = subprocess.Popen([BIN / "eperf", "batch", "--period", PERIOD, "--quiet", *args],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    mem = TreeMemory(proc.pid)
    stdout, _ = proc.communicate()
    peak = mem.stop()
    if proc.returncode not in (0,):
        raise SystemExit(f"eperf batch failed ({proc.returncode}): {stdout}")
    return time.perf_counter() - started, peak, stdout, mem.cpu_s


def main() -> None:
    home, env = setup()
    total = len(nips(home, 10**9))
    print(f"# batch benchmark: {total:,} active employees, period {PERIOD}, "
          f"{os.cpu_count()} CPUs")
    if ONLY != "pdf":
        html_part(home, env)
    pdf_part(home, env)


def html_part(home: Path, env: dict[str, str]) -> None:
    sample = nips(home, K)
    installed_s, _ = naive(home, env, sample)
    per_installed = installed_s / len(sample)
    print(f"naive loop, as installed                 {len(sample):>6} cards  "
          f"{per_installed:6.2f} s/card  (rfc3987-syntax import: ~2.8 s a process)")
    naive_s, naive_html = naive(home, without_rfc3987(env), sample)
    per_naive = naive_s / len(sample)
    print(f"naive loop (papermill + nbconvert CLI)  {len(sample):>6} cards  "
          f"{per_naive:6.2f} s/card  (baseline: that import disabled)")

    # eperf batch over the whole organisation, or one unit's worth of it when N is smaller
    secs, peak, stdout = batch(env, "--format", "html")
    cards = sorted((home / "outputs" / PERIOD / "all" / "latest" / "cards").glob("*.html"))
    per_batch = secs / len(cards)
    print(f"eperf batch (warm kernels)               {len(cards):>6} cards  "
          f"{per_batch:6.3f} s/card  peak tree memory {peak:,.0f} MB")
    print(f"ratio naive / batch                      {per_naive / per_batch:6.1f}x  "
          f"(goal >= 50x; {per_installed / per_batch:.1f}x against the loop as installed)")
    same = all(normalised((home / "outputs" / PERIOD / "all" / "latest" / "cards" /
                           f"{n}.html").read_text()) == normalised(naive_html[n])
               for n in sample)
    print(f"same card content on both sides          {'yes' if same else 'NO'}")

    # memory growth: the same batch on a top-level unit of about a quarter of the cards
    small_unit = quarter_unit(home, len(cards))
    s_secs, s_peak, _ = batch(env, "--format", "html", "--unit", small_unit)
    small = len(list((home / "outputs" / PERIOD / small_unit / "latest" / "cards")
                     .glob("*.html")))
    growth = (peak - s_peak) / max(1, len(cards) - small)
    print(f"eperf batch on unit {small_unit:<14}       {small:>6} cards  "
          f"{s_secs / max(1, small):6.3f} s/card  peak tree memory {s_peak:,.0f} MB")
    print(f"memory growth                            {growth * 1000:6.1f} KB/card  -> "
          f"10,000 cards ~ {peak + growth * (10_000 - len(cards)):,.0f} MB (goal <= 1 GB)")


def tree_cpu_seconds() -> float:
    """CPU seconds of this process and of its live descendants (the browser's processes
    and Playwright's driver are children, not reaped while they run). (This used to
    start a memory sampler at every call, whose threads ran on and were counted.)"""
    children = tree_stats(os.getpid())
    children.pop(os.getpid(), None)
    return time.process_time() + sum(children.values())


def print_rate(printer: object, pages: list[str]) -> tuple[float, float]:
    """(seconds per card, CPU seconds per card) of ``printer.pdf`` over ``pages``, after
    one card to warm it up (the browser's start is not a card's cost)."""
    printer.pdf(pages[0])  # type: ignore[attr-defined]
    wall, cpu = time.perf_counter(), tree_cpu_seconds()
    for page in pages:
        printer.pdf(page)  # type: ignore[attr-defined]
    # the browser's processes are still alive here, so their CPU time is still counted
    cpu = tree_cpu_seconds() - cpu
    return (time.perf_counter() - wall) / len(pages), cpu / len(pages)


def pdf_part(home: Path, env: dict[str, str]) -> None:
    """HTML-only against HTML+PDF batches of the same unit, then the printers alone."""
    sys.path.insert(0, str(REPO / "lib"))
    from eperformance import pdf

    con = sqlite3.connect(home / "data" / "workbook.sqlite")
    unit = con.execute("SELECT unit_code FROM employees WHERE active = 1 GROUP BY unit_code "
                       "ORDER BY ABS(COUNT(*) - ?) LIMIT 1", (P,)).fetchone()[0]
    con.close()
    cards_dir = home / "outputs" / PERIOD / unit / "latest" / "cards"
    html_args = ("--format", "html", "--unit", unit, "--force")
    h_secs, h_peak, _, h_cpu = batch_cpu(env, *html_args)
    n = len(list(cards_dir.glob("*.html")))
    print(f"HTML cards (unit {unit})                {n:>6} cards  {h_secs / n:6.3f} s/card  "
          f"peak tree memory {h_peak:,.0f} MB  {h_cpu:5.1f} CPU-s")
    # the HTML+PDF batch printed by Chromium right after the HTML-only one, then the
    # HTML-only one again: the ratio is against their mean (other jobs on the machine
    # come and go); the CPU seconds of the batch's process tree move much less with them
    secs, peak, _, cpu = batch_cpu(dict(env, EPERF_PDF="chromium"), "--format", "html,pdf",
                                   "--unit", unit, "--force")
    manifest = json.loads((cards_dir.parent / "manifest.json").read_text())
    pdfs = len(list(cards_dir.glob("*.pdf")))
    h2_secs, _, _, h2_cpu = batch_cpu(env, *html_args)
    print(f"HTML cards again                        {n:>6} cards  {h2_secs / n:6.3f} s/card  "
          f"{'':>24}{h2_cpu:5.1f} CPU-s")
    h_secs, h_cpu = (h_secs + h2_secs) / 2, (h_cpu + h2_cpu) / 2
    print(f"HTML+PDF cards, {manifest['pdf_renderer']:<24}{pdfs:>6} cards  "
          f"{secs / max(1, pdfs):6.3f} s/card  peak tree memory {peak:,.0f} MB  "
          f"{cpu:5.1f} CPU-s  ({secs / h_secs:.2f}x the HTML-only batch, "
          f"{cpu / h_cpu:.2f}x its CPU)")
    timings = {"chromium": secs}
    for name, group in (("chromium", "1"), ("weasyprint", "")):
        secs, peak, _, cpu = batch_cpu(dict(env, EPERF_PDF=name, EPERF_PDF_GROUP=group),
                                       "--format", "html,pdf", "--unit", unit, "--force")
        pdfs = len(list(cards_dir.glob("*.pdf")))
        manifest = json.loads((cards_dir.parent / "manifest.json").read_text())
        label = "chromium card by card" if group == "1" else manifest["pdf_renderer"]
        if group != "1":
            timings[name] = secs
        print(f"HTML+PDF cards, {label:<24}{pdfs:>6} cards  "
              f"{secs / max(1, pdfs):6.3f} s/card  peak tree memory {peak:,.0f} MB  "
              f"{cpu:5.1f} CPU-s  ({secs / h_secs:.2f}x the HTML-only batch)")
    print(f"batch with PDF / HTML-only batch         {timings['chromium'] / h_secs:6.2f}x  "
          f"(goal <= 1.5x; {timings['weasyprint'] / h_secs:.2f}x with WeasyPrint)")

    # the printers alone, one process, on the same cards' HTML
    pages = [p.read_text() for p in sorted(cards_dir.glob("*.html"))][:max(10, min(P, 60))]
    rates = {}
    for printer in (pdf.ChromiumRenderer(), pdf.WeasyPrintRenderer()):
        try:
            wall, cpu = print_rate(printer, pages)
        finally:
            printer.close()
        rates[printer.name] = cpu
        print(f"printer alone, {printer.name:<25}{len(pages):>6} cards  {wall:6.3f} s/card  "
              f"{1 / wall:5.1f} cards/s  {cpu:6.3f} CPU s/card  {1 / cpu:5.1f} cards/CPU-s")
    chrome, weasy = rates.values()
    print(f"ratio WeasyPrint / Chromium per card per CPU {weasy / chrome:5.1f}x  (goal >= 5x)")
    # the batch prints its cards in groups (pdf_many): the same cards, eight at a time
    with pdf.ChromiumRenderer() as printer:
        printer.pdf_many(pages[:8])  # warm-up, as above
        wall, cpu = time.perf_counter(), tree_cpu_seconds()
        for i in range(0, len(pages), 8):
            printer.pdf_many(pages[i:i + 8])
        cpu = (tree_cpu_seconds() - cpu) / len(pages)
        wall = (time.perf_counter() - wall) / len(pages)
    print(f"printer alone, chromium in groups of 8{len(pages):>8} cards  {wall:6.3f} s/card  "
          f"{1 / wall:5.1f} cards/s  {cpu:6.3f} CPU s/card  {1 / cpu:5.1f} cards/CPU-s  "
          f"({chrome / cpu:.2f}x card by card)")


if __name__ == "__main__":
    main()
