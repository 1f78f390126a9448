"""One employee's card through the notebook, as a batch of one: ``eperf card``.

:func:`make_single_card` is what ``eperf card`` calls. The recipe:

1. check the request in-process (unknown or inactive NIP, period without data, database
   unreachable: our own errors, exit 2/5) so nothing heavy starts for a wrong request;
2. run the batch's card job (:mod:`.jobs`) through the inline executor: papermill
   executes ``notebooks/10-rapor-personal.ipynb`` in a fresh kernel in a temporary
   folder, the kernel getting the database URL through ``DATABASE_URL`` (never as a
   parameter); nbconvert converts it with the template ``eperf-rapor`` (no input cells)
   and, when asked, it is printed to an A4 PDF;
3. the job writes ``outputs/<period>/single/<nip>_<scheme>_<lang>[_360].html`` and
   ``.pdf`` atomically, modes 0640 in 0750 folders like a batch
   (:func:`single_card_name`: two different cards never share a path).

The executed notebook is discarded after a success. After a failure it is kept as
``outputs/<period>/single/failed/<name>.ipynb`` (it never holds the database URL), the
card files of that name are removed (no card of older data survives a failed run), and
the failure (:class:`~.failure.CardFailure`: an error of ours raised in the kernel, e.g.
``UsageError``) becomes the same error here, with its exit code. No write follows a link
(``eperformance.safefs``).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..card import check_card_request
from ..db.engine import open_engine
from ..home import CARD_NOTEBOOK, notebook_path, outputs_dir, project_home
from ..reference import CARD_FORMATS
from ..runparams import RaporParams, new_run_id
from ..safefs import DIR_MODE, safe_makedirs
from .executors import ExecutorSettings, InlineExecutor
from .jobs import CardJob


def single_card_name(nip: str, scheme: str, lang: str, use_360: bool = False) -> str:
    """The file name (without extension) of a single card: one per NIP, scheme, language
    and 360° mode, e.g. ``196503061989122001_permenpan-6-2022_id``."""
    return f"{nip}_{scheme}_{lang}{'_360' if use_360 else ''}"


def single_folder(period: str, out_root: Path | None = None) -> Path:
    """``<outputs>/<period>/single``, made without following a link (mode 0750)."""
    root = out_root or outputs_dir()
    return safe_makedirs(root / period / "single", root, DIR_MODE)


@dataclass
class SingleCard:
    """What :func:`make_single_card` wrote."""

    nip: str
    period: str
    run_id: str
    paths: dict[str, Path] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    provisional: bool = False
    predikat: str | None = None
    fingerprint: str = ""
    pdf_renderer: str = ""  # what printed the PDF, if one was asked for


def make_single_card(params: RaporParams, *, db_url: str,
                     formats: tuple[str, ...] = CARD_FORMATS,
                     out_root: Path | None = None) -> SingleCard:
    """Render ``params``' card into ``<outputs>/<period>/single/<name>.{html,pdf}``."""
    started = time.perf_counter()
    engine = open_engine(db_url)
    try:
        check_card_request(engine, params)
    finally:
        engine.dispose()
    run_id = params.run_id or new_run_id()
    folder = single_folder(params.period, out_root)
    name = single_card_name(params.nip, params.scheme, params.lang, params.use_360)
    with tempfile.TemporaryDirectory(prefix="eperf-card-") as tmp:
        job = CardJob(nip=params.nip, period=params.period, scheme=params.scheme,
                      lang=params.lang, use_360=params.use_360, run_id=run_id,
                      formats=formats, run_folder=str(folder), db_url=db_url,
                      notebook=str(notebook_path(CARD_NOTEBOOK)), home=str(project_home()),
                      now="", stem=name, failed_as=f"failed/{name}.ipynb", work_dir=tmp)
        with InlineExecutor(ExecutorSettings()) as executor:
            outcome = next(iter(executor.run([job])))
    if outcome.error is not None:
        kept = job.failed_path()
        raise outcome.error.error(kept if kept.is_file() else None)
    result = SingleCard(nip=params.nip, period=params.period, run_id=run_id,
                        provisional=outcome.provisional, predikat=outcome.predikat,
                        fingerprint=outcome.fingerprint, pdf_renderer=outcome.pdf_renderer)
    for fmt in formats:
        path = job.card_path(fmt)
        result.paths[fmt], result.sizes[fmt] = path, path.stat().st_size
    result.seconds = time.perf_counter() - started
    return result
