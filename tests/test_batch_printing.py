"""The batch process's printers (:mod:`eperformance.batch.printing`): a warm batch's groups
of PDF cards printed while the workers run the next ones. Fake renderers and a thread
pool stand in for Chromium and the worker processes, so these tests need neither; no
assertion depends on timing (threads are joined, queues read until their end).
tests/test_batch_pdf.py runs the real thing."""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from eperformance.batch.executors import base, warm
from eperformance.batch.failure import CardFailure
from eperformance.batch.jobs import CardJob, ConvertedCard, Done, in_transit
from eperformance.batch.journal import CardOutcome
from eperformance.batch.printing import GroupPrinter
from eperformance.pdf import PdfError

PERIOD = "2021-06"


class FakeRenderer:
    """Prints a page as ``%PDF <its body>``; a page holding ``BAD`` cannot be printed,
    and neither can a group holding one (as a group that cannot be cut)."""

    name = "fake 1.0"

    def __init__(self) -> None:
        self.groups: list[int] = []
        self.closed = False

    def pdf(self, html: str) -> bytes:
        if "BAD" in html:
            raise PdfError("Chromium could not print the page: crashed twice")
        return b"%PDF " + html.encode()

    def pdf_many(self, pages: Sequence[str]) -> list[bytes]:
        self.groups.append(len(pages))
        return [self.pdf(page) for page in pages]

    def close(self) -> None:
        self.closed = True


def job(nip: str, folder: Path, formats: tuple[str, ...] = ("html", "pdf")) -> CardJob:
    return CardJob(nip=nip, period=PERIOD, scheme="permenpan-6-2022", lang="id",
                   use_360=False, run_id="r", formats=formats, run_folder=str(folder),
                   db_url="sqlite://", notebook="n", home="/h", now="")


def converted(j: CardJob, body: str = "") -> ConvertedCard:
    html = f"<html><head><title>{j.nip}</title></head><body>{body or j.nip}</body></html>"
    return ConvertedCard(job=j, nb=nbformat.v4.new_notebook(), started=time.perf_counter(),
                         html=html, meta={"fingerprint": f"fp-{j.nip}", "predikat": "Baik"},
                         files={})


def collect(printer: GroupPrinter, groups: list[list[Done]]) -> list[list[CardOutcome]]:
    """Each group's outcomes as delivered (the printer is closed, so all are in)."""
    delivered: list[list[CardOutcome]] = []
    for group in groups:
        printer.submit(in_transit(group), delivered.append)
    printer.close()
    return delivered


def test_the_printer_reports_each_group_whole_and_in_its_jobs_order(tmp_path: Path) -> None:
    renderer = FakeRenderer()
    failed = CardOutcome.failed("000000000000000003", CardFailure(2, "ValueError", "x"))
    groups: list[list[Done]] = [
        [converted(job(f"{k:018d}", tmp_path)) for k in (1, 2)] + [failed]
        + [converted(job(f"{k:018d}", tmp_path)) for k in (4, 5)],
        [converted(job(f"{k:018d}", tmp_path)) for k in (6, 7, 8)],
        [converted(job("000000000000000009", tmp_path, ("html",)))],  # no PDF wanted
    ]
    delivered = collect(GroupPrinter(make=lambda: renderer, threads=2), groups)
    assert renderer.closed
    assert sorted(renderer.groups) == [3, 4]  # each group printed at once
    assert sorted([o.nip for o in outcomes] for outcomes in delivered) == [
        [f"{k:018d}" for k in (1, 2, 3, 4, 5)], [f"{k:018d}" for k in (6, 7, 8)],
        ["000000000000000009"]]
    outcomes = {o.nip: o for group in delivered for o in group}
    assert outcomes["000000000000000003"] is failed  # as the worker reported it
    for k in (1, 2, 4, 5, 6, 7, 8):
        nip = f"{k:018d}"
        o = outcomes[nip]
        assert (o.status, o.pdf_renderer, o.fingerprint) == ("ok", "fake 1.0", f"fp-{nip}")
        assert set(o.files) == {f"cards/{nip}.pdf"}
        assert (tmp_path / "cards" / f"{nip}.pdf").read_bytes() == b"%PDF " + \
            converted(job(nip, tmp_path)).html.encode()
        assert 0 <= o.seconds < 600  # its age crossed processes as a duration
    assert outcomes["000000000000000009"].pdf_renderer == ""
    assert not (tmp_path / "cards" / "000000000000000009.pdf").exists()


def test_a_card_that_cannot_be_printed_fails_alone(tmp_path: Path) -> None:
    """The group's print fails (in the printer's thread): its cards are printed one by
    one, and only the card that cannot be printed fails, with the renderer's error; its
    notebook is kept and its PDF of an earlier run removed."""
    bad = job("000000000000000002", tmp_path)
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / f"{bad.nip}.pdf").write_bytes(b"%PDF older run")
    group: list[Done] = [converted(job("000000000000000001", tmp_path)),
                         converted(bad, body="BAD"),
                         converted(job("000000000000000003", tmp_path))]
    [outcomes] = collect(GroupPrinter(make=FakeRenderer), [group])
    assert [o.nip for o in outcomes] == [f"{k:018d}" for k in (1, 2, 3)]
    assert [o.status for o in outcomes] == ["ok", "failed", "ok"]
    error = outcomes[1].error
    assert error is not None and error.ename == "PdfError" and "crashed twice" in error.evalue
    assert not (tmp_path / "cards" / f"{bad.nip}.pdf").exists()
    assert (tmp_path / "failed" / f"{bad.nip}.ipynb").is_file()
    assert all((tmp_path / "cards" / f"{k:018d}.pdf").is_file() for k in (1, 3))


def test_a_printer_that_does_not_start_fails_the_cards_it_is_given(tmp_path: Path) -> None:
    def broken() -> FakeRenderer:
        raise PdfError("Chromium (/nowhere) did not start: no such file")

    group: list[Done] = [converted(job(f"{k:018d}", tmp_path)) for k in (1, 2)]
    [outcomes] = collect(GroupPrinter(make=broken), [group])
    assert [o.status for o in outcomes] == ["failed", "failed"]
    assert all(o.error is not None and "did not start" in o.error.evalue for o in outcomes)


def test_close_drops_groups_not_started_when_cancelled(tmp_path: Path) -> None:
    printer = GroupPrinter(make=FakeRenderer)
    printer.close(cancel=True)
    printer.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        printer.submit([converted(job("000000000000000001", tmp_path))], print)


def _run_and_convert(jobs: list[CardJob]) -> list[Done]:
    """A worker's side: cards converted, unprinted; the group holding card 9 raises, as
    a task whose worker died."""
    if any(j.nip == f"{9:018d}" for j in jobs):
        raise RuntimeError("A process in the process pool was terminated abruptly")
    return in_transit([converted(j) for j in jobs])


def test_run_in_pool_prints_in_this_process_and_reports_every_card_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EPERF_PDF_GROUP", raising=False)
    jobs = [job(f"{k:018d}", tmp_path) for k in range(1, 41)]
    renderer = FakeRenderer()
    printer = GroupPrinter(make=lambda: renderer)
    with ThreadPoolExecutor(2) as pool:
        outcomes = list(base.run_in_pool(pool, _run_and_convert, jobs, 2, printer))
    printer.close()
    assert sorted(o.nip for o in outcomes) == [j.nip for j in jobs]  # each exactly once
    size = base.group_size(jobs, 2)
    assert size == 8 and renderer.groups == [8] * 4  # the group of card 9 never ran
    dead = {j.nip for j in jobs[8:16]}  # the second group of eight
    for o in outcomes:
        assert o.status == ("failed" if o.nip in dead else "ok"), o
    assert all("terminated abruptly" in (o.error.evalue if o.error else "")
               for o in outcomes if o.nip in dead)
    # a group's cards come together, in their jobs' order
    ok = [o.nip for o in outcomes if o.status == "ok"]
    for start in range(0, len(ok), size):
        chunk = ok[start:start + size]
        assert chunk == sorted(chunk) and int(chunk[0]) % size == 1


def test_a_warm_batch_prints_in_its_own_process_with_chromium_only(
        monkeypatch: pytest.MonkeyPatch) -> None:
    settings = base.ExecutorSettings(workers=4, pdf=True)
    monkeypatch.setenv("EPERF_PDF", "weasyprint")
    assert not warm.prints_here(settings)  # WeasyPrint prints in the workers
    monkeypatch.setenv("EPERF_PDF", "chromium")
    assert not warm.prints_here(base.ExecutorSettings(workers=4, pdf=False))
    assert warm.prints_here(settings)
    monkeypatch.setenv("EPERF_PDF", "prince")
    assert not warm.prints_here(settings)  # each worker's card says it is invalid
    made: list[int] = []
    monkeypatch.setattr(warm, "GroupPrinter", lambda renderers: made.append(renderers))
    warm.batch_printer(settings)
    warm.batch_printer(base.ExecutorSettings(workers=1, pdf=True))
    assert made == [2, 1]  # a browser per two workers


class HeldRenderer(FakeRenderer):
    """Prints only once ``release`` is set (by the test's ``workers_done``)."""

    def __init__(self) -> None:
        super().__init__()
        import threading

        self.release = threading.Event()

    def pdf_many(self, pages: Sequence[str]) -> list[bytes]:
        assert self.release.wait(120), "workers_done was never called"
        return super().pdf_many(pages)


def test_workers_done_is_called_once_when_only_printing_remains(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The printer holds every group until the callback: so it is called while all the
    groups wait to print (once), and every card is then reported."""
    monkeypatch.delenv("EPERF_PDF_GROUP", raising=False)
    jobs = [job(f"{k:018d}", tmp_path) for k in range(10, 26)]  # no card 9: none fails
    renderer = HeldRenderer()
    calls: list[int] = []

    def done() -> None:
        calls.append(1)
        renderer.release.set()

    printer = GroupPrinter(make=lambda: renderer)
    with ThreadPoolExecutor(2) as pool:
        outcomes = list(base.run_in_pool(pool, _run_and_convert, jobs, 2, printer, done))
    printer.close()
    assert calls == [1]
    assert sorted(o.nip for o in outcomes) == [j.nip for j in jobs]
    assert {o.status for o in outcomes} == {"ok"}


def test_workers_done_is_not_called_when_the_workers_print(tmp_path: Path) -> None:
    calls: list[int] = []
    jobs = [job(f"{k:018d}", tmp_path, ("html",)) for k in range(10, 14)]
    with ThreadPoolExecutor(2) as pool:
        outcomes = list(base.run_in_pool(
            pool, lambda js: [CardOutcome(nip=j.nip, status="ok") for j in js], jobs, 2,
            None, lambda: calls.append(1)))
    assert [o.nip for o in outcomes] != [] and calls == []
