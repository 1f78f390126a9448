"""One card job: the card notebook through papermill, then nbconvert, then the PDF
(:mod:`eperformance.pdf`: the worker's warm Chromium, or WeasyPrint).

:func:`render_card_job` is a plain function of a picklable :class:`CardJob`, so any
executor (:mod:`.executors`: this process, worker processes, a Dask cluster) can run it;
a warm kernel runs the same steps with its own kernel (:mod:`.executors.warm`). It never
raises for a card that fails: the outcome says ``failed``, with a
:class:`~.failure.CardFailure`, the partly executed notebook is kept (``failed/<nip>.ipynb``)
and the card's files are removed (no card of older data survives a failed run). Every
file is written atomically, without following a link.

A batch's card is ``cards/<nip>.html``/``.pdf`` in its run folder; ``eperf card`` runs the
same job for a batch of one (:mod:`.single`), into ``outputs/<period>/single/``.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeAlias

import nbformat

from ..export import atomic_write_bytes, atomic_write_text
from ..kernels import execute_notebook
from ..pages import card_meta, notebook_html
from ..pdf import PdfRenderer, renderer
from ..safefs import DIR_MODE, FILE_MODE, safe_makedirs, unlink_nofollow
from .failure import CardFailure
from .handoff import KernelHandoff
from .journal import CardOutcome, sha256_file
from .options import CARD_FORMATS


@dataclass(frozen=True)
class CardJob:
    """Everything a worker needs to render one card (no database handle, no secrets in
    the notebook: the URL reaches the kernel through ``DATABASE_URL``). The URL (it may
    hold a password) and the slices' secret are left out of the job's ``repr``, which a
    Dask worker writes to its log when a task fails.

    Files, relative to ``run_folder``: the card is ``<stem>.html``/``.pdf`` (default
    ``cards/<nip>``), a failed notebook ``<failed_as>`` (default ``failed/<nip>.ipynb``);
    the notebook executes in ``work_dir`` (default ``<run_folder>/.work``)."""

    nip: str
    period: str
    scheme: str
    lang: str
    use_360: bool
    run_id: str
    formats: tuple[str, ...]  # subset of CARD_FORMATS
    run_folder: str
    db_url: str = field(repr=False)
    notebook: str
    home: str
    now: str  # ISO 8601: the batch's clock (EPERF_NOW), shared by every card of the run
    scope: str = ""  # the run's scope for warm kernels (all or a unit code); "" none
    context_dir: str = ""  # the run's context slices for warm kernels (.slices); "" none
    context_secret: str = field(default="", repr=False)  # signs the slices; never on disk
    stem: str = ""
    failed_as: str = ""
    work_dir: str = ""

    def handoff(self) -> KernelHandoff:
        """What the card's kernel is given through its environment."""
        return KernelHandoff(db_url=self.db_url, home=self.home, now=self.now,
                             scope=self.scope, context_dir=self.context_dir,
                             context_secret=self.context_secret)

    def card_path(self, fmt: str) -> Path:
        return Path(self.run_folder) / f"{self.stem or f'cards/{self.nip}'}.{fmt}"

    def card_file(self, fmt: str) -> str:
        """The card's file in ``fmt``, relative to the run folder (the journal's name)."""
        return f"{self.stem or f'cards/{self.nip}'}.{fmt}"

    def failed_path(self) -> Path:
        return Path(self.run_folder) / (self.failed_as or f"failed/{self.nip}.ipynb")

    def work_path(self) -> Path:
        return Path(self.work_dir) if self.work_dir else Path(self.run_folder) / ".work"


def parameters_of(job: CardJob) -> dict[str, Any]:
    """The card notebook's parameters (the database URL is never one of them)."""
    return {"nip": job.nip, "period": job.period, "scheme": job.scheme, "lang": job.lang,
            "use_360": job.use_360, "run_id": job.run_id}


def render_card_job(job: CardJob) -> CardOutcome:
    """Execute (a fresh kernel, via papermill), convert and write one card; report, never
    raise, a failing card."""
    return render_card_group([job])[0]


@contextlib.contextmanager
def kernel_environment(handoff: KernelHandoff) -> Iterator[None]:
    """The hand-off in ``os.environ`` inside the block, for the kernels started there;
    the process's own values come back after it."""
    values = handoff.to_env()
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass
class ConvertedCard:
    """A card whose notebook ran and whose page is made (and written, in HTML), waiting
    for its PDF: :func:`finish_cards` prints several at once, in the worker that ran
    them or, handed over (:func:`in_transit`, :func:`arrived`), in the batch process."""

    job: CardJob
    nb: Any
    started: float  # time.perf_counter() when its job started (in transit: minus then)
    html: str
    meta: dict[str, Any]
    files: dict[str, str]


Done: TypeAlias = ConvertedCard | CardOutcome  # a card job run: converted, or failed


def in_transit(done: Sequence[Done]) -> list[Done]:
    """Cards leaving the process that ran them: each one's start made relative to now
    (a ``perf_counter`` means nothing in another process); :func:`arrived` undoes it."""
    now = time.perf_counter()
    return [replace(d, started=d.started - now) if isinstance(d, ConvertedCard) else d
            for d in done]


def arrived(done: Sequence[Done]) -> list[Done]:
    """Cards handed over by :func:`in_transit`, their start in this process's clock."""
    now = time.perf_counter()
    return [replace(d, started=d.started + now) if isinstance(d, ConvertedCard) else d
            for d in done]


def convert_card(job: CardJob, nb: Any, started: float) -> Done:
    """Convert an executed card notebook to its page and write the HTML card; a failure
    is the card's failed outcome."""
    files: dict[str, str] = {}
    try:
        meta = card_meta(nb)
        html = notebook_html(nb)
        if "html" in job.formats:
            atomic_write_text(job.card_path("html"), html, FILE_MODE)
            files[job.card_file("html")] = sha256_file(job.card_path("html"))
    except Exception as exc:  # noqa: BLE001 - rendering failed: keep the notebook
        return failed_outcome(job, nb, started, CardFailure.of(exc))
    return ConvertedCard(job, nb, started, html, meta, files)


def finish_cards(cards: Sequence[ConvertedCard], printer: PdfRenderer | None = None
                 ) -> list[CardOutcome]:
    """Print the PDFs of the cards that want one, all at once (the renderer prints cards
    sharing their head as one document: :meth:`eperformance.pdf.ChromiumRenderer.pdf_many`),
    write them and report each card. When the group cannot be printed, each card is
    printed alone, so one card's failure never fails another. ``printer``: the renderer
    to use (default: this process's, :func:`eperformance.pdf.renderer`)."""
    wanting = [c for c in cards if "pdf" in c.job.formats]
    printed: dict[int, tuple[bytes, str] | BaseException] = {}
    if wanting:
        try:
            r = printer or renderer()
            for c, data in zip(wanting, r.pdf_many([c.html for c in wanting]), strict=True):
                printed[id(c)] = (data, r.name)
        except Exception:  # noqa: BLE001 - printed card by card below, each its own fate
            printed.clear()
            for c in wanting:
                try:
                    r = printer or renderer()
                    printed[id(c)] = (r.pdf(c.html), r.name)
                except Exception as exc:  # noqa: BLE001 - this card failed
                    printed[id(c)] = exc
    return [_finish(c, printed.get(id(c))) for c in cards]


def _finish(card: ConvertedCard, pdf: tuple[bytes, str] | BaseException | None
            ) -> CardOutcome:
    job, files, printer = card.job, dict(card.files), ""
    try:
        if isinstance(pdf, BaseException):
            raise pdf
        if pdf is not None:
            data, printer = pdf
            atomic_write_bytes(job.card_path("pdf"), data, FILE_MODE)
            files[job.card_file("pdf")] = sha256_file(job.card_path("pdf"))
    except Exception as exc:  # noqa: BLE001 - printing failed: keep the notebook
        return failed_outcome(job, card.nb, card.started, CardFailure.of(exc))
    for fmt in CARD_FORMATS:
        if fmt not in job.formats:
            unlink_nofollow(job.card_path(fmt))
    unlink_nofollow(job.failed_path())
    meta = card.meta
    return CardOutcome(nip=job.nip, status="ok", fingerprint=str(meta.get("fingerprint", "")),
                       files=files, seconds=time.perf_counter() - card.started,
                       predikat=meta.get("predikat"), pdf_renderer=printer,
                       provisional=bool(meta.get("provisional")))


def write_card_files(job: CardJob, nb: Any, started: float) -> CardOutcome:
    """Convert an executed card notebook and write the card in the job's formats
    atomically, with their checksums; the card's files in other formats (an earlier
    request's) and its failed notebook are removed."""
    card = convert_card(job, nb, started)
    return card if isinstance(card, CardOutcome) else finish_cards([card])[0]


def render_card_group(jobs: Sequence[CardJob]) -> list[CardOutcome]:
    """:func:`render_card_job` for several cards, their PDFs printed together."""
    done: list[Done] = [_executed(job) for job in jobs]
    return merge_outcomes(done)


def merge_outcomes(done: Sequence[Done], printer: PdfRenderer | None = None
                   ) -> list[CardOutcome]:
    """The outcomes in the jobs' order: failed ones as they are, converted ones finished
    (their PDFs printed together, by ``printer`` if given: :func:`finish_cards`)."""
    finished = iter(finish_cards([d for d in done if isinstance(d, ConvertedCard)], printer))
    return [d if isinstance(d, CardOutcome) else next(finished) for d in done]


def _executed(job: CardJob) -> Done:
    started = time.perf_counter()
    work = job.work_path()
    work.mkdir(parents=True, exist_ok=True)
    executed = work / f"{job.nip}.ipynb"
    with kernel_environment(job.handoff()):
        try:
            execute_notebook(job.notebook, executed, parameters_of(job), work)
        except Exception as exc:  # noqa: BLE001 - a failing cell, a dead kernel, a timeout
            nb = nbformat.read(executed, as_version=4) if executed.is_file() else None
            executed.unlink(missing_ok=True)
            return failed_outcome(job, nb, started, CardFailure.of(exc))
    nb = nbformat.read(executed, as_version=4)
    executed.unlink(missing_ok=True)
    return convert_card(job, nb, started)


def failed_outcome(job: CardJob, nb: Any, started: float, failure: CardFailure
                   ) -> CardOutcome:
    """Remove the card's files, keep the partly executed notebook (by rename: a planted
    link is replaced, never followed); the outcome says why."""
    for fmt in CARD_FORMATS:
        unlink_nofollow(job.card_path(fmt))
    if nb is not None:
        kept = job.failed_path()
        safe_makedirs(kept.parent, Path(job.run_folder), DIR_MODE)
        atomic_write_text(kept, nbformat.writes(nb), FILE_MODE)
    return CardOutcome.failed(job.nip, failure, time.perf_counter() - started)
