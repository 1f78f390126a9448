"""Scheduled monthly runs: deploy/ (cron, systemd) and notebooks/40-batch-bulanan.ipynb.

* the systemd units pass ``systemd-analyze verify`` (skipped where systemd-analyze is
  missing, unless ``EPERF_REQUIRE_SERVERS=1`` as in CI, which installs it);
* the crontab line and the timer fire after the closing time of the previous month;
* the batch notebook's parameters are ``BatchParams`` and the options of ``eperf batch``;
* papermill runs of the notebook on a tiny demo database: the run folder with its cards and
  manifest; a refused month, a month without data and an unquoted scheduler value end the
  notebook with one clear line; failed cards end it after the summary.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import nbformat
import papermill as pm
import pytest
import yaml
from pydantic_core import PydanticUndefined

from eperformance.batch import BatchResult
from eperformance.runparams import BatchParams
from eperformance.scoring.closing import closing_time

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
NOTEBOOK = REPO / "notebooks" / "40-batch-bulanan.ipynb"
BIN = Path(sys.executable).parent
INSTALL = "/opt/eperformance"  # where deploy/ assumes the project lives
COMMAND = "eperf batch --period previous --quiet"
REQUIRE = os.environ.get("EPERF_REQUIRE_SERVERS") == "1"
PERIOD = "2021-01"
UNIT = "RSA"
KEEP_ACTIVE = 3  # cards in the small unit: enough to see a run, few enough to be quick


def settings() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((REPO / "params" / "settings.yaml").read_text())


def unit_file(name: str) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file as {section: {key: [values]}} (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in (DEPLOY / name).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def after_closing(day: int, hour: int, minute: int, zone: str) -> None:
    """A job at ``day hour:minute`` (``zone``) in the month after a period starts after
    that period's closing time, for every month of a year."""
    s = settings()
    for month in range(1, 13):
        period = f"2021-{month:02d}"
        nxt = dt.date(2021 + month // 12, month % 12 + 1, 1)
        fires = dt.datetime(nxt.year, nxt.month, day, hour, minute, tzinfo=ZoneInfo(zone))
        assert fires > closing_time(period, s["closing_day"], s["timezone"]), period


# --------------------------------------------------------------------------- systemd
def _systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        msg = ("systemd-analyze not found (Debian package 'systemd'; .ci/run installs it): "
               "the unit files were not verified")
        if REQUIRE:
            pytest.fail(msg + " (EPERF_REQUIRE_SERVERS=1)")
        pytest.skip(msg)
    return found


def test_systemd_units_verify(tmp_path: Path) -> None:
    analyze = _systemd_analyze()
    # the units as installed: this checkout and its venv in place of /opt/eperformance
    for name in ("eperf-batch.service", "eperf-batch.timer"):
        text = (DEPLOY / name).read_text()
        text = text.replace(f"{INSTALL}/.venv/bin", str(BIN)).replace(INSTALL, str(REPO))
        (tmp_path / name).write_text(text)
    assert (BIN / "eperf").is_file()
    res = subprocess.run([analyze, "verify", str(tmp_path / "eperf-batch.service"),
                          str(tmp_path / "eperf-batch.timer")],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "eperf-batch" not in res.stdout + res.stderr, res.stdout + res.stderr
    on_calendar = unit_file("eperf-batch.timer")["Timer"]["OnCalendar"][0]
    cal = subprocess.run([analyze, "calendar", on_calendar], capture_output=True, text=True,
                         timeout=60)
    assert cal.returncode == 0 and "Next elapse" in cal.stdout, cal.stdout + cal.stderr


def test_systemd_service_runs_the_batch_as_documented() -> None:
    service = unit_file("eperf-batch.service")["Service"]
    assert service["Type"] == ["oneshot"]
    assert service["ExecStart"] == [f"{INSTALL}/.venv/bin/{COMMAND}"]
    assert service["User"][0] not in ("", "root") and service["UMask"] == ["0027"]
    assert service["WorkingDirectory"] == [INSTALL]
    assert service["EnvironmentFile"] and f"EPERF_HOME={INSTALL}" in service["Environment"]
    assert "DATABASE_URL" not in " ".join(service.get("Environment", []))  # no secret here
    # exit 4 (refused: lock held, month not closed) is not a failure; 3 (cards failed) is
    assert service["SuccessExitStatus"] == ["4"]


def test_systemd_timer_fires_after_the_closing_day() -> None:
    timer = unit_file("eperf-batch.timer")["Timer"]
    assert timer["Persistent"] == ["true"] and timer["Unit"] == ["eperf-batch.service"]
    match = re.fullmatch(r"\*-\*-(\d\d) (\d\d):(\d\d):00 (\S+)", timer["OnCalendar"][0])
    assert match, timer["OnCalendar"]
    day, hour, minute, zone = int(match[1]), int(match[2]), int(match[3]), match[4]
    assert zone == settings()["timezone"]
    assert settings()["closing_day"] < day <= 28
    after_closing(day, hour, minute, zone)


# --------------------------------------------------------------------------- cron
FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?$")
RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]


def test_crontab_line_parses_and_runs_after_the_closing_day() -> None:
    env: dict[str, str] = {}
    jobs = []
    for raw in (DEPLOY / "crontab").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if re.match(r"^[A-Z_]+=", line):
            key, _, value = line.partition("=")
            env[key] = value
            continue
        jobs.append(line)
    assert len(jobs) == 1, jobs
    fields = jobs[0].split(None, 5)
    assert len(fields) == 6, "5 time fields and a command"
    *times, command = fields
    for value, (low, high) in zip(times, RANGES, strict=True):
        for part in value.split(","):
            assert FIELD.match(part), value
            for number in re.findall(r"\d+", part.split("/")[0]):
                assert low <= int(number) <= high, value
    minute, hour, dom, month, dow = times
    assert (month, dow) == ("*", "*") and dom.isdigit() and hour.isdigit() and minute.isdigit()
    assert settings()["closing_day"] < int(dom) <= 28
    assert env.get("CRON_TZ") == settings()["timezone"]
    after_closing(int(dom), int(hour), int(minute), env["CRON_TZ"])
    # without CRON_TZ the line runs in the system zone: in UTC still after the closing time
    after_closing(int(dom), int(hour), int(minute), "UTC")
    assert f"{INSTALL}/.venv/bin/eperf" in command or ".venv/bin/eperf" in command
    assert COMMAND in command and ">>" in command and "2>&1" in command
    assert "%" not in command, "cron turns % into a newline"
    assert "DATABASE_URL" not in command  # from the environment file, not the crontab


# --------------------------------------------------------------------------- notebook
def test_notebook_parameters_are_batch_params_and_eperf_batch_options() -> None:
    found = pm.inspect_notebook(str(NOTEBOOK))
    assert list(found) == list(BatchParams.model_fields)
    for name, info in BatchParams.model_fields.items():
        assert found[name]["help"], f"parameter {name} has no comment"
        assert info.default is not PydanticUndefined
        assert ast.literal_eval(found[name]["default"]) == info.default, name
    from eperformance.cli import batch

    options = {p.name for p in batch.params}
    assert set(BatchParams.model_fields) <= options
    assert not {"db_url", "database_url", "db"} & set(found)


def test_batch_options_are_declared_once() -> None:
    """The notebook's parameters are the options marked ``notebook``, with the same
    defaults; every flag of ``eperf batch`` is an option, with the option's help."""
    from eperformance.batch.options import BatchOptions
    from eperformance.cli import batch

    declared = BatchOptions.declared()
    assert set(BatchParams.model_fields) == {f.name for f, how in declared if how.notebook}
    assert BatchOptions.from_notebook(BatchParams()) == BatchOptions()
    flags = {p.name: p for p in batch.params}
    for f, how in declared:
        if how.flag is not None:
            assert how.flag in flags[f.name].opts  # type: ignore[attr-defined]
            assert flags[f.name].help == how.help  # type: ignore[attr-defined]


def test_notebook_is_thin_and_committed_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is nb.cells[1]
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda, ast.BinOp))
    assert "from eperformance.notebook_entry import notebook_batch" in code[1].source
    assert all(c.source.startswith("display(") for c in code[2:])


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A project home with params/ and a tiny demo database (3 active employees in RSA)."""
    from eperformance.db.engine import open_engine, upgrade
    from eperformance.demo import generate_demo
    from eperformance.ingest import run_ingest

    root = tmp_path_factory.mktemp("schedule")
    h = root / "home"
    h.mkdir()
    shutil.copytree(REPO / "params", h / "params")
    generate_demo(root / "demo", employees=10, months=1, seed=5)
    db = h / "data" / "workbook.sqlite"
    url = f"sqlite:///{db}"
    engine = open_engine(url, create=True)
    upgrade(engine)
    assert run_ingest(root / "demo", engine).exit_code == 0
    engine.dispose()
    con = sqlite3.connect(db)
    nips = [r[0] for r in con.execute("SELECT nip FROM employees WHERE active = 1 AND "
                                      "unit_code = ? ORDER BY nip", (UNIT,))]
    con.executemany("UPDATE employees SET active = 0 WHERE nip = ?",
                    [(n,) for n in nips[KEEP_ACTIVE:]])
    con.commit()
    con.close()
    return h, url


def _active(home: Path) -> set[str]:
    con = sqlite3.connect(home / "data" / "workbook.sqlite")
    rows = con.execute("SELECT nip FROM employees WHERE active = 1 AND unit_code = ?",
                       (UNIT,)).fetchall()
    con.close()
    return {r[0] for r in rows}


def test_papermill_run_makes_the_run_folder(home: tuple[Path, str], tmp_path: Path) -> None:
    h, url = home
    out = tmp_path / "batch.ipynb"
    env = dict(os.environ, EPERF_HOME=str(h), DATABASE_URL=url)
    res = subprocess.run([str(BIN / "papermill"), str(NOTEBOOK), str(out), "-p", "period",
                          PERIOD, "-p", "unit", UNIT, "-p", "formats", "html",
                          "--no-progress-bar"],
                         capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    latest = h / "outputs" / PERIOD / UNIT / "latest"
    assert latest.is_symlink()
    run = latest.resolve()
    manifest = json.loads((run / "manifest.json").read_text())
    nips = _active(h)
    assert len(nips) == KEEP_ACTIVE
    assert manifest["status"] == "ok" and set(manifest["cards"]) == nips
    assert manifest["parameters"]["formats"] == "html"
    assert {p.stem for p in (run / "cards").glob("*.html")} == nips
    assert not list((run / "cards").glob("*.pdf")) and (run / "recap.html").is_file()
    assert (run / "run.log").is_file()
    executed = out.read_text(encoding="utf-8")
    assert url not in executed and str(h / "data") not in executed  # the URL stays outside
    nb = nbformat.read(out, as_version=4)
    shown = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in shown if o.output_type == "error"]
    summary = [o["data"] for o in shown if "text/html" in o.get("data", {})]
    assert len(summary) == 1 and 'data-status="ok"' in summary[0]["text/html"]
    assert f"{KEEP_ACTIVE}/{KEEP_ACTIVE} cards ok" in summary[0]["text/plain"]
    assert run.name in summary[0]["text/plain"]


def _fails(home: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           **parameters: object) -> pm.PapermillExecutionError:
    h, url = home
    monkeypatch.setenv("EPERF_HOME", str(h))  # the kernel inherits this environment
    monkeypatch.setenv("DATABASE_URL", url)
    out = tmp_path / "failed.ipynb"
    with pytest.raises(pm.PapermillExecutionError) as exc:
        pm.execute_notebook(str(NOTEBOOK), str(out), parameters=parameters,
                            kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    assert out.is_file()  # the failed notebook is left behind
    assert len(exc.value.traceback) <= 2, exc.value.traceback  # one line and a hint
    assert url not in out.read_text(encoding="utf-8")
    return exc.value


def test_a_month_not_closed_is_refused_with_one_line(home, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    err = _fails(home, tmp_path, monkeypatch, period="2099-01", unit=UNIT, formats="html")
    assert err.ename == "Refused"
    assert err.evalue.startswith("2099-01 is not closed yet: decisions count until 2099-02-05")
    assert err.traceback[0].startswith("Refused: 2099-01 is not closed yet")
    assert "--provisional" in err.traceback[1]
    assert "Refused: 2099-01 is not closed yet" in str(err)
    assert not (home[0] / "outputs" / "2099-01").exists()


def test_a_month_without_data_ends_with_one_line(home, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    err = _fails(home, tmp_path, monkeypatch, period="2020-06", unit=UNIT, formats="html")
    assert err.ename == "NoDataError"  # exit-2 class, as `eperf batch` exits 2
    assert "2020-06" in err.evalue and "Traceback" not in str(err)


def test_an_unquoted_scheduler_value_names_the_fix(home, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # JupyterLab's scheduler injects `period = 2021-01` as typed: the number 2020
    err = _fails(home, tmp_path, monkeypatch, period=2020)
    assert err.ename == "UsageError" and err.evalue.startswith("invalid parameter 'period'")
    assert "in quotes" in err.traceback[1]


def test_scheduler_execution_of_a_refused_month_fails_the_job(home, tmp_path, monkeypatch  # type: ignore[no-untyped-def]
                                                              ) -> None:
    """What jupyter-scheduler's DefaultExecutionManager does: inject the parameters as
    typed after the ``parameters`` cell, execute with nbconvert; its job status message is
    ``str(CellExecutionError)``."""
    parameterize = pytest.importorskip("jupyter_scheduler.parameterize")
    from nbconvert.preprocessors import CellExecutionError, ExecutePreprocessor

    h, url = home
    monkeypatch.setenv("EPERF_HOME", str(h))
    monkeypatch.setenv("DATABASE_URL", url)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb = parameterize.add_parameters(nb, {"period": '"2099-01"', "unit": f'"{UNIT}"'})
    ep = ExecutePreprocessor(kernel_name="python3", store_widget_state=True)
    with pytest.raises(CellExecutionError) as exc:
        ep.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert "Refused: 2099-01 is not closed yet" in str(exc.value)
    assert "Traceback" not in str(exc.value)


# --------------------------------------------------------------------------- failures
def test_failed_cards_show_the_summary_then_fail(tmp_path: Path, monkeypatch, capsys  # type: ignore[no-untyped-def]
                                                 ) -> None:
    from eperformance import notebook_entry as nbmod
    from eperformance.batch import orchestrator, summary

    folder = tmp_path / "outputs" / PERIOD / "all" / "20210206T020000Z-abcdef"
    (folder / "failed").mkdir(parents=True)
    bad = "198001012005011099"
    (folder / "manifest.json").write_text(json.dumps({
        "status": "partial", "recap_error": None,
        "cards": {bad: {"status": "failed", "error": {
            "cell": 2, "ename": "UsageError", "evalue": "unknown unit '<GHOST>'"}}}}))
    result = BatchResult(run_id=folder.name, folder=folder, period=PERIOD, scope="all",
                         status="partial", rendered=10, failed=[bad], total=10)
    seen = {}

    def fake_run_batch(opts):  # type: ignore[no-untyped-def]
        seen["opts"] = opts
        return result

    monkeypatch.setattr(orchestrator, "run_batch", fake_run_batch)
    with pytest.raises(summary.CardsFailed) as exc:
        nbmod.notebook_batch(period=PERIOD, formats="html,xlsx", force=True)
    assert exc.value.exit_code == 3
    assert str(exc.value).startswith(f"1 of 10 cards failed in run {folder.name}")
    opts = seen["opts"]
    assert (opts.period, opts.unit, opts.formats, opts.force) == (PERIOD, None,
                                                                  ("html", "xlsx"), True)
    assert opts.db_url is None  # the database comes from the environment
    shown = capsys.readouterr().out
    assert "9/10 cards ok, 1 failed" in shown and bad in shown  # displayed before the error
    page = summary.summarise(BatchParams(period=PERIOD), result)._repr_html_()
    assert "&lt;GHOST&gt;" in page and "<GHOST>" not in page
    assert 'data-status="partial"' in page and "failed notebooks" in page
