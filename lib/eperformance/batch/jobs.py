"""One card job: the card notebook through papermill, then nbconvert, then the PDF
(:mod:`eperformance.pdf`: the worker's warm Chromium, or WeasyPrint).

:func:`render_card_job` is a plain function of a picklable :class:`CardJob`, so any
executor (this process, worker processes, a Dask cluster) can run it. It never raises for
a card that fails: the outcome says ``failed``, with the cell and error, and the partly
executed notebook is kept as ``failed/<nip>.ipynb``. Every file is written atomically.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..export import atomic_write_bytes, atomic_write_text
from .handoff import KernelHandoff
from .journal import CardOutcome, sha256_file
from .runinfo import FILE_MODE


@dataclass(frozen=True)
class CardJob:
    """Everything a worker needs to render one card (no database handle, no secrets in
    the notebook: the URL reaches the kernel through ``DATABASE_URL``). The URL (it may
    hold a password) and the slices' secret are left out of the job's ``repr``, which a
    Dask worker writes to its log when a task fails."""

    nip: str
    period: str
    scheme: str
    lang: str
    use_360: bool
    run_id: str
    formats: tuple[str, ...]  # subset of ("html", "pdf")
    run_folder: str
    db_url: str = field(repr=False)
    notebook: str
    home: str
    now: str  # ISO 8601: the batch's clock (EPERF_NOW), shared by every card of the run
    scope: str = ""  # the run's scope (all or a unit code): a warm kernel's context key
    context_dir: str = ""  # the run's context slices for warm kernels (.slices); "" none
    context_secret: str = field(default="", repr=False)  # signs the slices; never on disk


    def handoff(self) -> KernelHandoff:
        """What the card's kernel is given through its environment."""
        return KernelHandoff(db_url=self.db_url, home=self.home, now=self.now,
                             scope=self.scope, context_dir=self.context_dir,
                             context_secret=self.context_secret)


def parameters_of(job: CardJob) -> dict[str, Any]:
    """The card notebook's parameters (the database URL is never one of them)."""
    return {"nip": job.nip, "period": job.period, "scheme": job.scheme, "lang": job.lang,
            "use_360": job.use_360, "run_id": job.run_id}


def render_card_job(job: CardJob) -> CardOutcome:
    """Execute (a fresh kernel, via papermill), convert and write one card; report, never
    raise, a failing card."""
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    from ..kernels import execute_notebook

    started = time.perf_counter()
    folder = Path(job.run_folder)
    work = folder / ".work"
    work.mkdir(parents=True, exist_ok=True)
    executed = work / f"{job.nip}.ipynb"
    os.environ.update(job.handoff().to_env())
    try:
        execute_notebook(job.notebook, executed, parameters_of(job), work)
    except PapermillExecutionError as exc:
        nb = nbformat.read(executed, as_version=4) if executed.is_file() else None
        executed.unlink(missing_ok=True)
        return failed_outcome(job, nb, started, {"cell": exc.cell_index, "ename": exc.ename,
                                                 "evalue": exc.evalue})
    except Exception as exc:  # noqa: BLE001 - a dead kernel, a timeout: the card failed
        nb = nbformat.read(executed, as_version=4) if executed.is_file() else None
        executed.unlink(missing_ok=True)
        return failed_outcome(job, nb, started, {"cell": None, "ename": type(exc).__name__,
                                                 "evalue": str(exc)})
    nb = nbformat.read(executed, as_version=4)
    executed.unlink(missing_ok=True)
    return write_card_files(job, nb, started)


def write_card_files(job: CardJob, nb: Any, started: float) -> CardOutcome:
    """Convert an executed card notebook and write ``cards/<nip>.html`` and ``.pdf``
    atomically, with their checksums."""
    from ..pages import card_meta, notebook_html
    from ..pdf import html_pdf

    folder = Path(job.run_folder)
    try:
        meta = card_meta(nb)
        html = notebook_html(nb)
        files: dict[str, str] = {}
        printer = ""
        if "html" in job.formats:
            path = folder / "cards" / f"{job.nip}.html"
            atomic_write_text(path, html, FILE_MODE)
            files[f"cards/{job.nip}.html"] = sha256_file(path)
        if "pdf" in job.formats:
            path = folder / "cards" / f"{job.nip}.pdf"
            pdf, printer = html_pdf(html)
            atomic_write_bytes(path, pdf, FILE_MODE)
            files[f"cards/{job.nip}.pdf"] = sha256_file(path)
    except Exception as exc:  # noqa: BLE001 - rendering failed: keep the notebook
        return failed_outcome(job, nb, started, {"cell": None, "ename": type(exc).__name__,
                                                 "evalue": str(exc)})
    (folder / "failed" / f"{job.nip}.ipynb").unlink(missing_ok=True)
    return CardOutcome(nip=job.nip, status="ok", fingerprint=str(meta.get("fingerprint", "")),
                       files=files, seconds=time.perf_counter() - started,
                       predikat=meta.get("predikat"), pdf_renderer=printer)


def failed_outcome(job: CardJob, nb: Any, started: float,
                   error: dict[str, Any]) -> CardOutcome:
    """Keep the partly executed notebook as ``failed/<nip>.ipynb``; the outcome says why."""
    import nbformat

    if nb is not None:
        atomic_write_text(Path(job.run_folder) / "failed" / f"{job.nip}.ipynb",
                          nbformat.writes(nb), FILE_MODE)
    return CardOutcome(nip=job.nip, status="failed", seconds=time.perf_counter() - started,
                       error={k: (v[:2000] if isinstance(v, str) else v)
                              for k, v in error.items()})
