"""The whole chain on every engine (issue 13): ingest, score, rekap, card, batch (HTML, PDF,
xlsx), a batch killed and resumed, the run ledger and the explorer's data layer, on SQLite,
PostgreSQL and MariaDB, always through the `eperf` command as a user runs it.

The monthly batch once failed on both servers while every SQLite test passed (a run key of
~180 characters into ``runs.run_key VARCHAR(64)``): the data here carries real values at
their longest — a 64-character unit code (the batch's scope), a 255-character name, a
10,000-character description of four-byte characters — so a column too short for what the
code writes fails here, on the engines that enforce lengths.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from eperformance.batch.ledger import stored_key
from eperformance.batch.runinfo import run_key
from eperformance.db.schema import runs as runs_table
from eperformance.demo import generate_demo
from eperformance.nip import make_nip
from test_servers import ENGINE_NAMES, engine_database, eperf, make_home

PERIOD = "2021-01"
RESUME_UNIT = "RSA"  # a demo unit of at least four active employees (seed 5)
LONG_UNIT = ("Direktorat-Rehabilitasi-Sosial.Subdit_Perlindungan-Khusus-Anak-0001")[:64]
BOSS = make_nip(date(1971, 2, 28), 1996, 3, "P", 7)
STAFF = make_nip(date(1993, 12, 31), 2019, 1, "L", 123)
LONG_NAME = ("Raden Ajeng Siti Nurhaliza Kusumawardhani Wédarí Ñurhadi " * 5)[:255].strip()
LONG_TEXT = ("Laporan 🎉 pendampingan keluarga penerima manfaat — «selesai» 𝔄𝔅 ✅ " * 200)[:10_000]
ASSIGNMENT = "PK-2021-01-" + "x" * 53  # a 64-character key


def _long_files(folder: Path) -> Path:
    """A unit, two employees and their month at the longest values the contract allows."""
    folder.mkdir(parents=True, exist_ok=True)
    assert len(LONG_UNIT) == 64 and len(ASSIGNMENT) == 64 and len(LONG_TEXT) == 10_000
    files = {
        "units": [["unit_code", "name", "parent_code"],
                  [LONG_UNIT, "Subdirektorat Perlindungan Khusus Anak (nama panjang) " * 3, ""]],
        "employees": [["nip", "name", "gender", "unit_code", "position", "position_type",
                       "grade", "supervisor_nip"],
                      [BOSS, LONG_NAME, "P", LONG_UNIT, "Kepala Subdirektorat", "administrator",
                       "IV/a", ""],
                      [STAFF, "Dédé Sütisna", "L", LONG_UNIT, "Pekerja Sosial Ahli Pertama",
                       "fungsional", "III/a", BOSS]],
        "activity_types": [["activity_code", "name", "output_unit", "standard_minutes"],
                           ["PK-" + "a" * 61, "Pendampingan kasus anak", "laporan", "60"]],
        "assignments": [["assignment_id", "nip", "assigned_by_nip", "period", "activity_code",
                         "title", "target_quantity", "start_date", "due_date"],
                        [ASSIGNMENT, STAFF, BOSS, PERIOD, "PK-" + "a" * 61,
                         "Pendampingan " + "kasus " * 100, "2", "2021-01-04", "2021-01-29"]],
        "activities": [["activity_id", "nip", "date", "start_time", "end_time", "activity_code",
                        "assignment_id", "quantity", "description"],
                       ["ACT-" + "1" * 60, STAFF, "2021-01-05", "08:00", "11:30",
                        "PK-" + "a" * 61, ASSIGNMENT, "2", LONG_TEXT]],
        "verifications": [["verification_id", "activity_id", "verifier_nip", "status",
                           "decided_at", "quality", "note"],
                          ["VER-" + "9" * 60, "ACT-" + "1" * 60, BOSS, "approved",
                           "2021-01-06T09:15:00+07:00", "95", LONG_TEXT]],
    }
    aspects = ("berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal",
               "adaptif", "kolaboratif")
    files["behaviour"] = [["nip", "period", "assessor_nip", "aspect", "assessor_role", "score"]]
    files["behaviour"] += [[STAFF, PERIOD, BOSS, a, "atasan", "88"] for a in aspects]
    for name, rows in files.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
    return folder


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    demo = tmp_path_factory.mktemp("demo")
    generate_demo(demo, employees=10, months=1, seed=5)
    return demo, _long_files(tmp_path_factory.mktemp("long"))


def _journal(scope: Path) -> Path | None:
    found = list(scope.glob("*/journal.jsonl")) if scope.exists() else []
    return found[0] if found else None


def _kill_after_two_cards(home: Path, url: str, unit: str) -> None:
    env = dict(os.environ, EPERF_HOME=str(home))
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "eperformance.cli", "batch", "--period",
                             PERIOD, "--unit", unit, "--format", "html", "--quiet",
                             "--db", url], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    scope = home / "outputs" / PERIOD / unit
    deadline = time.monotonic() + 300
    journal = None
    while time.monotonic() < deadline and proc.poll() is None:
        journal = _journal(scope)
        if journal is not None and len(journal.read_text().splitlines()) >= 2:
            break
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert journal is not None and len(journal.read_text().splitlines()) >= 2, \
        "the batch never finished two cards"


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory, inputs: tuple[Path, Path]
          ) -> Callable[[str], dict[str, Any]]:
    """engine name -> what the chain produced there (each engine runs once per module)."""
    done: dict[str, dict[str, Any]] = {}

    def run(kind: str) -> dict[str, Any]:
        if kind in done:
            return done[kind]
        demo, long = inputs
        home = make_home(tmp_path_factory.mktemp(f"home-{kind}"))
        out = tmp_path_factory.mktemp(f"out-{kind}")
        got: dict[str, Any] = {"home": home, "out": out}
        with engine_database(kind, tmp_path_factory.mktemp(f"db-{kind}")) as url:
            got["url"] = url
            for folder in (demo, long):
                res = eperf(home, "ingest", str(folder), "--db", url)
                assert res.returncode == 0, (kind, res.stdout, res.stderr)
            for scheme in ("permenpan-6-2022", "pp-30-2019", "pp-46-2011"):
                res = eperf(home, "score", "--period", PERIOD, "--scheme", scheme, "--db", url,
                            "--out", str(out / f"scores-{scheme}.csv"),
                            "--assignments-out", str(out / f"assignments-{scheme}.csv"))
                assert res.returncode == 0, (kind, res.stderr)
            res = eperf(home, "rekap", "--period", PERIOD, "--db", url,
                        "--out", str(out / "rekap"))
            assert res.returncode == 0, (kind, res.stderr)
            got["card"] = eperf(home, "card", "--nip", STAFF, "--period", PERIOD,
                                "--format", "html,pdf", "--db", url)
            got["batch"] = eperf(home, "batch", "--period", PERIOD, "--format",
                                 "html,pdf,xlsx", "--quiet", "--db", url)
            got["batch_long"] = eperf(home, "batch", "--period", PERIOD, "--unit", LONG_UNIT,
                                      "--format", "html", "--quiet", "--db", url)
            _kill_after_two_cards(home, url, RESUME_UNIT)
            got["resumed"] = eperf(home, "batch", "--period", PERIOD, "--unit", RESUME_UNIT,
                                   "--format", "html", "--quiet", "--db", url)
            got["runs"] = eperf(home, "runs", "--db", url)
            engine = create_engine(url)
            with engine.connect() as conn:
                got["ledger"] = [dict(r._mapping) for r in conn.execute(select(runs_table))]
            engine.dispose()
            got["explorer"] = _explorer_frames(url)
        done[kind] = got
        return got

    return run


def _explorer_frames(url: str) -> dict[str, Any]:
    """What the explorer shows for the month: the employee table, the unit recap, and one
    card (the same record as the batch's)."""
    from eperformance.explorer.data import ExplorerData, Filters, PeriodKey

    data = ExplorerData(url)
    try:
        key = PeriodKey(PERIOD)
        sel = data.select(key, Filters())
        card = data.card(key, STAFF)
        return {"employees": sel.employees.to_csv(index=False),
                "units": sel.units.to_csv(index=False),
                "card_predikat": card.predikat, "card_fingerprint": card.fingerprint}
    finally:
        data.engine.dispose()


def _run_folder(home: Path, unit: str) -> Path:
    latest = home / "outputs" / PERIOD / unit / "latest"
    assert latest.is_symlink(), f"no ended run for {unit}"
    return latest.resolve()


@pytest.mark.servers
@pytest.mark.parametrize("kind", ENGINE_NAMES)
def test_every_command_ends_well(kind: str, chain: Callable[[str], dict[str, Any]]) -> None:
    got = chain(kind)
    home = got["home"]
    for step in ("card", "batch", "batch_long", "resumed", "runs"):
        res = got[step]
        assert res.returncode == 0, (kind, step, res.stdout, res.stderr)
        assert "Traceback" not in res.stderr, (kind, step, res.stderr)
    single = home / "outputs" / PERIOD / "single"
    assert any(single.glob(f"{STAFF}*.html")) and any(single.glob(f"{STAFF}*.pdf"))
    # the whole month: every card ok, in both formats, and the workbook
    run = _run_folder(home, "all")
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["counts"]["failed"] == 0
    assert STAFF in manifest["cards"] and BOSS in manifest["cards"]
    for nip, card in manifest["cards"].items():
        assert card["status"] == "ok", (kind, nip)
        assert (run / "cards" / f"{nip}.html").is_file() and (run / "cards" / f"{nip}.pdf")\
            .read_bytes().startswith(b"%PDF")
    assert (run / "recap.xlsx").is_file() and (run / "recap.html").is_file()
    # the card shows the long text as it was typed (escaped, never cut)
    page = (run / "cards" / f"{STAFF}.html").read_text(encoding="utf-8")
    assert "Dédé Sütisna" in page
    # the 64-character unit code is a scope like any other
    long_run = _run_folder(home, LONG_UNIT)
    assert json.loads((long_run / "manifest.json").read_text())["status"] == "ok"
    # killed after two cards, then resumed in the same folder: every card ok, none twice
    assert "(resumed)" in got["resumed"].stdout, got["resumed"].stdout
    resumed = _run_folder(home, RESUME_UNIT)
    assert json.loads((resumed / "manifest.json").read_text())["status"] == "ok"
    lines = (resumed / "journal.jsonl").read_text().splitlines()
    nips = [json.loads(line)["nip"] for line in lines]
    assert len(nips) == len(set(nips)), "a card was rendered twice"


@pytest.mark.servers
@pytest.mark.parametrize("kind", ENGINE_NAMES)
def test_ledger_holds_every_run_with_its_key_hash(kind: str,
                                                  chain: Callable[[str], dict[str, Any]]
                                                  ) -> None:
    got = chain(kind)
    ledger = {r["run_id"]: r for r in got["ledger"]}
    by_scope = {r["scope"]: r for r in ledger.values() if r["kind"] == "batch"}
    assert set(by_scope) == {"all", LONG_UNIT, RESUME_UNIT}
    for scope, row in by_scope.items():
        assert row["status"] == "ok", (kind, scope, row["status"])
        manifest = json.loads((_run_folder(got["home"], scope) / "manifest.json").read_text())
        assert row["run_key"] == stored_key(manifest["run_key"]) and len(row["run_key"]) == 64
        assert row["run_id"] == manifest["run_id"]
    # the key written is the run key of the run folder (docs/scheduling.md), hashed
    key = run_key(PERIOD, "all", "permenpan-6-2022", by_scope["all"]["scheme_version"], False,
                  "id", ("html", "pdf", "xlsx"))
    assert by_scope["all"]["run_key"] == stored_key(key)
    for row in by_scope.values():
        assert row["run_id"] in got["runs"].stdout


@pytest.mark.servers
@pytest.mark.parametrize("kind", ["postgresql", "mariadb"])
def test_same_results_as_sqlite(kind: str, chain: Callable[[str], dict[str, Any]]) -> None:
    ref, other = chain("sqlite"), chain(kind)
    files = sorted(p.relative_to(ref["out"]) for p in ref["out"].rglob("*.csv"))
    assert len(files) >= 8
    for rel in files:
        assert (ref["out"] / rel).read_bytes() == (other["out"] / rel).read_bytes(), \
            f"{rel} differs on {kind}"
    assert ref["explorer"] == other["explorer"]
    ref_run, other_run = _run_folder(ref["home"], "all"), _run_folder(other["home"], "all")
    a = json.loads((ref_run / "manifest.json").read_text())
    b = json.loads((other_run / "manifest.json").read_text())
    assert a["data_fingerprint"] == b["data_fingerprint"]
    assert {n: c["fingerprint"] for n, c in a["cards"].items()} == \
        {n: c["fingerprint"] for n, c in b["cards"].items()}
