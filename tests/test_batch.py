"""The monthly batch, end to end through the CLI on a tiny demo database.

Real papermill runs, real nbconvert output, a real SIGKILL. Cards are rendered as HTML
only here (the PDF path is the same code and is tested with the single card), to keep the
suite fast.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from eperformance.batch import BatchOptions, run_batch
from eperformance.batch.journal import sha256_file
from eperformance.batch.lock import BatchLock
from eperformance.db.engine import open_engine, upgrade
from eperformance.demo import generate_demo
from eperformance.errors import Refused
from eperformance.ingest import run_ingest

REPO = Path(__file__).resolve().parents[1]
PERIOD = "2021-01"
GHOST = "198001012005011099"  # an employee whose unit was deleted outside the import


def _home(root: Path) -> tuple[Path, str]:
    home = root / "home"
    home.mkdir()
    shutil.copytree(REPO / "params", home / "params")
    demo = root / "demo"
    generate_demo(demo, employees=10, months=1, seed=5)
    db = home / "data" / "workbook.sqlite"
    url = f"sqlite:///{db}"
    engine = open_engine(url, create=True)
    upgrade(engine)
    assert run_ingest(demo, engine).exit_code == 0
    engine.dispose()
    return home, url


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    home, url = _home(tmp_path_factory.mktemp("batch"))
    environ = dict(os.environ, EPERF_HOME=str(home))
    environ.pop("DATABASE_URL", None)
    return home, environ


def eperf(environ: dict[str, str], *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "eperformance.cli", *args],
                          capture_output=True, text=True, env=environ, **kw)  # type: ignore


def active_nips(home: Path, unit: str | None = None) -> set[str]:
    con = sqlite3.connect(home / "data" / "workbook.sqlite")
    sql = "SELECT nip FROM employees WHERE active = 1"
    rows = con.execute(sql + (" AND unit_code = ?" if unit else ""),
                       (unit,) if unit else ()).fetchall()
    con.close()
    return {r[0] for r in rows}


def check_manifest(run: Path) -> dict:  # type: ignore[type-arg]
    manifest = json.loads((run / "manifest.json").read_text())
    for nip, card in manifest["cards"].items():
        if card["status"] == "ok":
            assert card["files"], nip
            for rel, digest in card["files"].items():
                assert sha256_file(run / rel) == digest, rel
                assert (run / rel).read_text(encoding="utf-8").rstrip().endswith("</html>")
    for rel, digest in manifest["recap"].items():
        assert sha256_file(run / rel) == digest, rel
    return manifest


def test_batch_card_per_employee_failure_isolation_and_ledger(env) -> None:  # type: ignore[no-untyped-def]
    home, environ = env
    con = sqlite3.connect(home / "data" / "workbook.sqlite")
    con.execute("INSERT INTO employees (nip, name, gender, unit_code, position, position_type,"
                " grade, supervisor_nip, employment, active) VALUES (?, 'Hantu Pegawai', 'L',"
                " 'GHOST', 'Analis', 'fungsional', 'III/a', NULL, 'pns', 1)", (GHOST,))
    con.commit()
    con.close()
    res = eperf(environ, "batch", "--period", PERIOD, "--format", "html,xlsx",
                "--workers", "2", "--quiet")
    assert res.returncode == 3, res.stdout + res.stderr
    assert "1 failed" in res.stdout and "Traceback" not in res.stderr
    latest = home / "outputs" / PERIOD / "all" / "latest"
    assert latest.is_symlink()
    run = latest.resolve()
    manifest = check_manifest(run)
    expected = active_nips(home)
    cards = {p.stem for p in (run / "cards").glob("*.html")}
    assert cards == expected - {GHOST}
    assert set(manifest["cards"]) == expected
    ghost = manifest["cards"][GHOST]
    assert ghost["status"] == "failed" and ghost["error"]["ename"] == "UsageError"
    assert isinstance(ghost["error"]["cell"], int)
    assert (run / "failed" / f"{GHOST}.ipynb").is_file()
    assert manifest["status"] == "partial" and manifest["counts"]["failed"] == 1
    # privacy: owner and group only; no NIP in the log without --verbose
    assert (run / "cards").stat().st_mode & 0o007 == 0
    assert all(p.stat().st_mode & 0o007 == 0 for p in (run / "cards").iterdir())
    log = (run / "run.log").read_text()
    assert not any(nip in log for nip in expected)
    # the ledger
    runs = eperf(environ, "runs")
    assert run.name in runs.stdout and "partial" in runs.stdout
    # recap.xlsx holds the numbers of `eperf score`
    scores_csv = home / "scores.csv"
    assert eperf(environ, "score", "--period", PERIOD, "--out", str(scores_csv)).returncode == 0
    from openpyxl import load_workbook

    wb = load_workbook(run / "recap.xlsx")
    assert wb.sheetnames == ["Pegawai", "Penugasan", "Unit", "Backlog atasan",
                             "Pelanggaran kurva", "Data belum lengkap", "Tunjangan kinerja",
                             "Kamus data"]
    # the allowance: the files of `eperf tukin`, and the sheet's payroll total
    tukin_csv = home / "tukin.csv"
    assert eperf(environ, "tukin", "--period", PERIOD, "--out", str(tukin_csv),
                 "--days-out", str(home / "days.csv")).returncode == 0
    assert (run / "tukin.csv").read_bytes() == tukin_csv.read_bytes()
    assert (run / "tukin_days.csv").read_bytes() == (home / "days.csv").read_bytes()
    assert manifest["tukin"]["profile"] == "kemensos-2023"
    sheet = wb["Tunjangan kinerja"]
    head = [c.value for c in sheet[1]]
    assert head[:4] == ["NIP", "Nama", "Kode unit", "Unit kerja"]
    amount = head.index("Tunjangan kinerja (Rp)")
    paid = [r[amount] for r in sheet.iter_rows(min_row=2, values_only=True)
            if r[0] and str(r[0]).isdigit() and r[amount] is not None]
    grand = [r for r in sheet.iter_rows(values_only=True) if r[0] == "Jumlah seluruhnya"]
    assert grand and grand[0][4] == sum(paid) == manifest["tukin"]["total_rupiah"]
    ws = wb["Pegawai"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["NIP", "Nama", "Unit kerja", "Predikat"]
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref
    rows = {r[0]: dict(zip(header, r, strict=True))
            for r in ws.iter_rows(min_row=2, values_only=True)}
    for row in csv.DictReader(scores_csv.open()):
        x = rows[row["nip"]]
        for col, head in (("nilai_skp", "Nilai SKP"), ("nilai_perilaku", "Nilai perilaku")):
            want = float(row[col]) if row[col] else None
            assert x[head] == want, (row["nip"], col)
        assert (x["Predikat"] or "") == row["predikat"]
    # the failing card is retried on the next run; the others are not re-rendered
    res2 = eperf(environ, "batch", "--period", PERIOD, "--format", "html,xlsx", "--quiet")
    assert res2.returncode == 3 and "(resumed)" in res2.stdout
    assert "1 rendered" in res2.stdout and f"{len(expected) - 1} unchanged" in res2.stdout


def test_killed_batch_resumes_without_rendering_twice(env) -> None:  # type: ignore[no-untyped-def]
    home, environ = env
    unit = "RSA"
    nips = active_nips(home, unit)
    assert len(nips) >= 4
    args = [sys.executable, "-m", "eperformance.cli", "batch", "--period", PERIOD,
            "--unit", unit, "--format", "html", "--quiet"]
    proc = subprocess.Popen(args, env=environ, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    scope = home / "outputs" / PERIOD / unit
    deadline = time.monotonic() + 240
    journal = None
    while time.monotonic() < deadline:
        found = list(scope.glob("*/journal.jsonl")) if scope.exists() else []
        if found and len(found[0].read_text().splitlines()) >= 2:
            journal = found[0]
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert journal is not None, "the batch never finished two cards"
    before = Counter(json.loads(x)["nip"] for x in journal.read_text().splitlines())
    assert not (journal.parent / "manifest.json").exists()
    # a kill during an atomic write leaves a temporary file (made certain here)
    (journal.parent / "cards" / f".{sorted(nips)[0]}.html.x1y2z3.tmp").write_text("<html")
    # a second batch while the first holds the lock would be refused; the dead one does not
    res = eperf(environ, "batch", "--period", PERIOD, "--unit", unit, "--format", "html",
                "--quiet")
    assert res.returncode == 0, res.stdout + res.stderr
    # --quiet: only the summary (on stdout); nothing from the kernels either (they speak
    # over IPC, and their clients are closed before the process exits)
    assert res.stderr == ""
    assert "(resumed)" in res.stdout
    assert f"{len(before)} unchanged" in res.stdout
    run = journal.parent
    manifest = check_manifest(run)
    assert set(manifest["cards"]) == nips
    assert all(c["status"] == "ok" for c in manifest["cards"].values())
    rendered = Counter(json.loads(x)["nip"] for x in journal.read_text().splitlines())
    assert set(rendered) == nips and max(rendered.values()) == 1, "a card rendered twice"
    assert {p.stem for p in (run / "cards").glob("*.html")} == nips
    assert not list(run.glob("cards/.*.tmp")), "a half-written card was left behind"
    assert " resumed: " in (run / "run.log").read_text()  # the log still has it all
    # unchanged data: nothing to do
    again = eperf(environ, "batch", "--period", PERIOD, "--unit", unit, "--format", "html",
                  "--quiet")
    assert again.returncode == 0 and "up to date" in again.stdout


def test_second_batch_is_refused_while_one_runs(env) -> None:  # type: ignore[no-untyped-def]
    home, environ = env
    scope = home / "outputs" / PERIOD / "REHSOS"
    scope.mkdir(parents=True, exist_ok=True)
    with BatchLock(scope, f"{PERIOD}/REHSOS"):
        res = eperf(environ, "batch", "--period", PERIOD, "--unit", "REHSOS", "--format",
                    "html", "--quiet")
    assert res.returncode == 4
    assert "is running for 2021-01/REHSOS" in res.stderr and "Traceback" not in res.stderr
    # a lock file left by a dead process is no obstacle
    (scope / ".lock").write_text('{"pid": 999999, "host": "gone"}')
    res = eperf(environ, "batch", "--period", PERIOD, "--unit", "REHSOS", "--format", "html",
                "--quiet")
    assert res.returncode == 0, res.stderr


def test_open_month_is_refused_unless_provisional(env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    home, environ = env
    monkeypatch.setenv("EPERF_HOME", str(home))
    early = dt.datetime(2021, 2, 3, 1, 0, tzinfo=dt.UTC)  # before 5 Feb closing
    with pytest.raises(Refused, match="not closed yet"):
        run_batch(BatchOptions(period=PERIOD, unit="REHSOS", formats=("html",), quiet=True),
                  now=early)
    result = run_batch(BatchOptions(period="previous", unit="REHSOS", formats=("html",),
                                    quiet=True, provisional=True), now=early)
    assert result.period == PERIOD and result.provisional and result.exit_code == 0
    card = next((result.folder / "cards").glob("*.html")).read_text()
    assert "SEMENTARA" in card
