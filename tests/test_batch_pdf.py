"""PDF cards in the monthly batch: the warm Chromium of each worker, named in the run log
and the manifest; WeasyPrint when asked for; and no browser left behind by a batch that
ends, or that is killed (SIGKILL of the batch process alone, then of its whole process
group) and resumed. Polls with generous deadlines; nothing depends on timing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from test_batch import PERIOD, _home, active_nips, eperf
from test_pdf import MARK, _require_browser, chromium_pids, marked_pids, wait_until


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    home, _ = _home(tmp_path_factory.mktemp("batch-pdf"))
    environ = dict(os.environ, EPERF_HOME=str(home))
    for name in ("DATABASE_URL", "EPERF_PDF", "EPERF_CHROMIUM"):
        environ.pop(name, None)
    return home, environ


def marked(environ: dict[str, str]) -> tuple[str, dict[str, str]]:
    mark = uuid.uuid4().hex
    return mark, dict(environ, **{MARK: mark})


def test_batch_prints_with_chromium_and_names_it(env) -> None:  # type: ignore[no-untyped-def]
    _require_browser()
    home, environ = env
    mark, environ = marked(environ)
    unit = "REHSOS"
    res = eperf(environ, "batch", "--period", PERIOD, "--unit", unit, "--format", "html,pdf",
                "--quiet", "--workers", "2")
    assert res.returncode == 0, res.stdout + res.stderr
    run = home / "outputs" / PERIOD / unit / "latest"
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["pdf_renderer"].startswith("chromium ")
    nips = set(manifest["cards"])  # the unit and its sub-units
    assert nips >= active_nips(home, unit) and len(nips) >= 3
    assert {p.stem for p in (run / "cards").glob("*.pdf")} == nips
    assert {c["pdf_renderer"] for c in manifest["cards"].values()} == {
        manifest["pdf_renderer"]}
    log = (run / "run.log").read_text()
    assert "PDF renderer: chromium (/usr/bin/chromium)" in log
    assert f"PDF cards printed by {manifest['pdf_renderer']}" in log
    assert (run / "cards" / f"{sorted(nips)[0]}.pdf").read_bytes().startswith(b"%PDF")
    # the recap (which may run beside the last prints) is there and recorded
    assert {"recap.ipynb", "recap.html"} <= set(manifest["recap"])
    assert manifest["recap_error"] is None and (run / "recap.html").is_file()
    # every browser was closed with the batch
    assert wait_until(lambda: not marked_pids(mark), 60)


def test_batch_falls_back_to_weasyprint(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    home, environ = env
    environ = dict(environ, EPERF_CHROMIUM=str(tmp_path / "none"))  # no Chromium here
    unit = "REHSOS"
    res = eperf(environ, "batch", "--period", PERIOD, "--unit", unit, "--format", "pdf",
                "--quiet", "--workers", "1")
    assert res.returncode == 0, res.stdout + res.stderr
    run = home / "outputs" / PERIOD / unit / "latest"
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["pdf_renderer"].startswith("weasyprint ")
    assert "PDF renderer: weasyprint " in (run / "run.log").read_text()


@pytest.mark.parametrize("kill", ["process", "group"])
def test_killed_pdf_batch_leaves_no_browser_and_resumes(env, kill: str) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL of the batch process alone (its workers notice and end, their browsers
    with them) or of its whole process group; then the resumed run ends cleanly."""
    _require_browser()
    home, environ = env
    mark, environ = marked(environ)
    unit = "RSA" if kill == "process" else "all"
    scoped = ["--unit", unit] if unit != "all" else []
    nips = active_nips(home, unit if unit != "all" else None)
    assert len(nips) >= 3
    args = [sys.executable, "-m", "eperformance.cli", "batch", "--period", PERIOD, *scoped,
            "--format", "pdf", "--quiet", "--workers", "2", "--force"]
    proc = subprocess.Popen(args, env=environ, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    scope = home / "outputs" / PERIOD / unit
    try:
        def one_card_printed() -> bool:
            found = list(scope.glob("*/journal.jsonl")) if scope.exists() else []
            return bool(found and found[0].read_text().strip())

        assert wait_until(one_card_printed, 240), "the batch never finished a card"
        assert chromium_pids(marked_pids(mark)), "no browser was started"
    finally:
        if kill == "process":
            os.kill(proc.pid, signal.SIGKILL)
        else:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    left = lambda: [p for p in marked_pids(mark) if p != proc.pid]  # noqa: E731
    assert wait_until(lambda: not left(), 90), "processes outlived the killed batch: " + \
        ", ".join(Path(f"/proc/{p}/comm").read_text().strip() for p in left()
                  if Path(f"/proc/{p}/comm").exists())
    res = eperf(environ, "batch", "--period", PERIOD, *scoped, "--format", "pdf", "--quiet",
                "--workers", "2")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "(resumed)" in res.stdout
    run = scope / "latest"
    assert {p.stem for p in (run / "cards").glob("*.pdf")} == nips
    assert json.loads((run / "manifest.json").read_text())["pdf_renderer"].startswith(
        "chromium ")
    assert wait_until(lambda: not marked_pids(mark), 60)


def test_group_size_follows_the_batch_and_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from eperformance.batch.executors.base import group_size
    from eperformance.batch.jobs import CardJob

    def jobs(n: int, formats: tuple[str, ...]) -> list[CardJob]:
        return [CardJob(nip=f"{i:018d}", period=PERIOD, scheme="permenpan-6-2022", lang="id",
                        use_360=False, run_id="r", formats=formats, run_folder="/nonexistent",
                        db_url="sqlite://", notebook="n", home="/h", now="")
                for i in range(n)]

    monkeypatch.delenv("EPERF_PDF_GROUP", raising=False)
    assert group_size(jobs(100, ("html",)), 2) == 1  # no PDF: a card a task
    assert group_size(jobs(100, ("html", "pdf")), 2) == 8
    assert group_size(jobs(10, ("html", "pdf")), 2) == 2  # every worker gets two tasks
    assert group_size(jobs(3, ("pdf",)), 2) == 1
    monkeypatch.setenv("EPERF_PDF_GROUP", "1")
    assert group_size(jobs(100, ("html", "pdf")), 2) == 1
    monkeypatch.setenv("EPERF_PDF_GROUP", "many")
    with pytest.raises(Exception, match="EPERF_PDF_GROUP"):
        group_size(jobs(100, ("pdf",)), 2)


def test_cards_printed_together_in_a_batch_equal_cards_printed_alone(env) -> None:  # type: ignore[no-untyped-def]
    """One worker, every card of the organisation: the cards are printed in groups (of
    at least two); each card's PDF has the text (so nothing of another card), page
    numbers and metadata it has when printed alone."""
    _require_browser()
    from io import BytesIO

    from pypdf import PdfReader

    from eperformance import pdf
    from test_pdf import pdftotext

    home, environ = env
    nips = active_nips(home)
    assert len(nips) >= 4, "a group needs a batch of at least four cards on one worker"
    res = eperf(environ, "batch", "--period", PERIOD, "--format", "html,pdf", "--quiet",
                "--workers", "1", "--force")
    assert res.returncode == 0, res.stdout + res.stderr
    cards = home / "outputs" / PERIOD / "all" / "latest" / "cards"
    tmp = home / "tmp-pdf"
    tmp.mkdir(exist_ok=True)
    with pdf.ChromiumRenderer() as alone:
        for nip in sorted(nips):
            grouped = (cards / f"{nip}.pdf").read_bytes()
            single = alone.pdf((cards / f"{nip}.html").read_text())
            assert pdftotext(grouped, tmp) == pdftotext(single, tmp), nip
            g, s = PdfReader(BytesIO(grouped)), PdfReader(BytesIO(single))
            assert len(g.pages) == len(s.pages)
            assert g.metadata.title == s.metadata.title  # type: ignore[union-attr]
            assert g.metadata.subject == s.metadata.subject  # type: ignore[union-attr]
