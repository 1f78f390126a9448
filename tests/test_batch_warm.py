"""Fast batches: warm kernels render exactly what a fresh papermill kernel renders, and the
Dask executor runs the same jobs with the same ledger and manifest."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from eperformance.batch import BatchOptions, run_batch
from test_batch import PERIOD, _home, active_nips, check_manifest

VOLATILE = [
    (re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}"), "RUN-ID"),  # run ids
    (re.compile(r'(<div data-field="signature_date">)[^<]*(</div>)'), r"\1DATE\2"),
    (re.compile(r"(<span>[^<:]*: )\d{1,2} \w+ \d{4},? \d{2}[.:]\d{2}[^<]*(</span>)"),
     r"\1TIME\2"),
]


def normalised(html: str) -> str:
    for pattern, repl in VOLATILE:
        html = pattern.sub(repl, html)
    return html


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    home, _ = _home(tmp_path_factory.mktemp("warm"))
    environ = dict(os.environ, EPERF_HOME=str(home))
    environ.pop("DATABASE_URL", None)
    return home, environ


def _cli(environ: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "eperformance.cli", *args],
                          capture_output=True, text=True, env=environ)


def test_warm_card_equals_a_fresh_papermill_card(env) -> None:  # type: ignore[no-untyped-def]
    home, environ = env
    res = _cli(environ, "batch", "--period", PERIOD, "--unit", "RSA", "--format", "html",
               "--workers", "1", "--executor", "warm", "--quiet")
    assert res.returncode == 0, res.stdout + res.stderr
    run = (home / "outputs" / PERIOD / "RSA" / "latest").resolve()
    order = [json.loads(x)["nip"] for x in (run / "journal.jsonl").read_text().splitlines()]
    assert len(order) >= 3
    # the last card ran in a kernel that had rendered every other card before it
    for nip in (order[0], order[-1]):
        single = _cli(environ, "card", "--nip", nip, "--period", PERIOD, "--format", "html")
        assert single.returncode == 0, single.stderr
        fresh = (home / "outputs" / PERIOD / "single"
                 / f"{nip}_permenpan-6-2022_id.html").read_text()
        warm = (run / "cards" / f"{nip}.html").read_text()
        assert normalised(warm) == normalised(fresh)
        assert "RUN-ID" in normalised(warm) and "TIME" in normalised(warm)  # footer hit


def test_dask_executor_same_cards_same_manifest(env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    home, environ = env
    monkeypatch.setenv("EPERF_HOME", str(home))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    out = home / "outputs" / PERIOD / "RSA"
    warm_run = (out / "latest").resolve() if (out / "latest").exists() else None
    shutil.rmtree(out, ignore_errors=True)
    result = run_batch(BatchOptions(period=PERIOD, unit="RSA", formats=("html",),
                                    executor="dask", workers=1, quiet=True))
    assert result.exit_code == 0 and not result.failed
    manifest = check_manifest(result.folder)
    assert set(manifest["cards"]) == active_nips(home, "RSA")
    assert manifest["parameters"]["executor"] == "dask"
    if warm_run is not None:
        fingerprints = {n: c["fingerprint"] for n, c in manifest["cards"].items()}
        assert all(len(f) == 64 for f in fingerprints.values())


def test_process_executor_fresh_kernels_same_cards(env) -> None:  # type: ignore[no-untyped-def]
    """``--executor process``: papermill's own way, a fresh kernel per card (over IPC, so
    that kernels starting together cannot collide); the cards equal the warm kernels'."""
    home, environ = env
    out = home / "outputs" / PERIOD / "RSA"
    args = ("batch", "--period", PERIOD, "--unit", "RSA", "--format", "html", "--quiet",
            "--force")
    res = _cli(environ, *args, "--executor", "warm", "--workers", "1")
    assert res.returncode == 0, res.stdout + res.stderr
    warm_run = (out / "latest").resolve()
    res = _cli(environ, *args, "--executor", "process", "--workers", "2")
    assert res.returncode == 0, res.stdout + res.stderr
    assert [x for x in res.stderr.splitlines() if not x.startswith("INFO eperformance.")] == []
    run = (out / "latest").resolve()
    assert run != warm_run
    manifest = check_manifest(run)
    assert manifest["parameters"]["executor"] == "process"
    nips = active_nips(home, "RSA")
    assert set(manifest["cards"]) == nips and len(nips) >= 3
    for nip in nips:
        assert (normalised((run / "cards" / f"{nip}.html").read_text())
                == normalised((warm_run / "cards" / f"{nip}.html").read_text()))
