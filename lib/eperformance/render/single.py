"""One employee's card through the notebook: papermill, then nbconvert, then the PDF
(:mod:`eperformance.pdf`: headless Chromium, or WeasyPrint where none is installed).

:func:`make_single_card` is what ``eperf card`` calls. The recipe:

1. check the request in-process (unknown or inactive NIP, period without data, database
   unreachable: our own errors, exit 2/5) so nothing heavy starts for a wrong request;
2. execute ``notebooks/10-rapor-personal.ipynb`` with papermill into a temporary folder,
   the kernel getting the database URL through ``DATABASE_URL`` (never as a parameter);
3. convert the executed notebook with the template ``eperf-rapor`` (no input cells) and,
   when asked, print it to an A4 PDF;
4. write ``outputs/<period>/single/<nip>_<scheme>_<lang>[_360].html`` and ``.pdf``
   atomically, modes 0640 in 0750 folders like a batch (:func:`single_card_name`: two
   different cards never share a path).

The executed notebook is discarded after a success. After a failure it is kept as
``outputs/<period>/single/failed/<name>.ipynb`` (it never holds the database URL), the
card files of that name are removed (no card of older data survives a failed run), and an
error of ours raised in the kernel (papermill's ``ename``, e.g. ``UsageError``) becomes the
same error here, with its exit code. No write follows a link (``eperformance.safefs``).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import errors
from ..errors import UsageError
from ..export import atomic_write_bytes, atomic_write_text
from ..home import CARD_NOTEBOOK, notebook_path, outputs_dir
from ..pages import card_meta
from ..runparams import RaporParams, new_run_id
from ..safefs import DIR_MODE, FILE_MODE, safe_makedirs, unlink_nofollow

CARD_FORMATS: tuple[str, ...] = ("html", "pdf")
def single_card_name(nip: str, scheme: str, lang: str, use_360: bool = False) -> str:
    """The file name (without extension) of a single card: one per NIP, scheme, language
    and 360° mode, e.g. ``196503061989122001_permenpan-6-2022_id``."""
    return f"{nip}_{scheme}_{lang}{'_360' if use_360 else ''}"


def single_folder(period: str, out_root: Path | None = None) -> Path:
    """``<outputs>/<period>/single``, made without following a link (mode 0750)."""
    root = out_root or outputs_dir()
    return safe_makedirs(root / period / "single", root, DIR_MODE)


def parse_formats(text: str) -> tuple[str, ...]:
    """``"html,pdf"`` -> ``("html", "pdf")``; unknown formats are a usage error."""
    parts = tuple(dict.fromkeys(p.strip().lower() for p in text.split(",") if p.strip()))
    bad = [p for p in parts if p not in CARD_FORMATS]
    if not parts or bad:
        raise UsageError(f"invalid --format {text!r}: use html, pdf or html,pdf")
    return parts


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


@contextlib.contextmanager
def kernel_environment(db_url: str) -> Iterator[None]:
    """``DATABASE_URL`` set for kernels started inside the block (restored after)."""
    before = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = db_url
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = before


def _reraise(exc: Any, kept: Path) -> None:
    """Papermill's error from the kernel as our own error (same class, same exit code)."""
    cls = getattr(errors, str(exc.ename), None)
    if isinstance(cls, type) and issubclass(cls, errors.EperfError):
        raise cls(str(exc.evalue), hint=f"the executed notebook is kept at {kept}") from None
    raise RuntimeError(f"the card notebook failed with {exc.ename}: {exc.evalue} "
                       f"(executed notebook kept at {kept})") from None


def make_single_card(params: RaporParams, *, db_url: str,
                     formats: tuple[str, ...] = CARD_FORMATS,
                     out_root: Path | None = None) -> SingleCard:
    """Render ``params``' card into ``<outputs>/<period>/single/<nip>.{html,pdf}``."""
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    from ..card import check_card_request
    from ..db.engine import open_engine
    from ..kernels import execute_notebook
    from ..pdf import html_pdf
    from . import notebook_html

    started = time.perf_counter()
    engine = open_engine(db_url)
    try:
        check_card_request(engine, params)
    finally:
        engine.dispose()
    run_id = params.run_id or new_run_id()
    folder = single_folder(params.period, out_root)
    name = single_card_name(params.nip, params.scheme, params.lang, params.use_360)
    targets = {fmt: folder / f"{name}.{fmt}" for fmt in CARD_FORMATS}
    result = SingleCard(nip=params.nip, period=params.period, run_id=run_id)
    parameters = {"nip": params.nip, "period": params.period, "scheme": params.scheme,
                  "lang": params.lang, "use_360": params.use_360, "run_id": run_id}
    with tempfile.TemporaryDirectory(prefix="eperf-card-") as tmp:
        executed = Path(tmp) / f"{params.nip}.ipynb"
        try:
            with kernel_environment(db_url):
                execute_notebook(notebook_path(CARD_NOTEBOOK), executed, parameters, tmp)
        except PapermillExecutionError as exc:
            for stale in targets.values():
                unlink_nofollow(stale)
            kept = safe_makedirs(folder / "failed", folder, DIR_MODE) / f"{name}.ipynb"
            if executed.is_file():  # written by rename: a planted link is replaced
                atomic_write_bytes(kept, executed.read_bytes(), FILE_MODE)
            _reraise(exc, kept)
        nb = nbformat.read(executed, as_version=4)
    meta = card_meta(nb)
    result.provisional = bool(meta.get("provisional"))
    result.predikat = meta.get("predikat")
    result.fingerprint = str(meta.get("fingerprint", ""))
    try:
        html = notebook_html(nb)
        if "html" in formats:
            path = targets["html"]
            atomic_write_text(path, html, mode=FILE_MODE)
            result.paths["html"], result.sizes["html"] = path, len(html.encode("utf-8"))
        if "pdf" in formats:
            pdf, result.pdf_renderer = html_pdf(html)
            path = targets["pdf"]
            atomic_write_bytes(path, pdf, mode=FILE_MODE)
            result.paths["pdf"], result.sizes["pdf"] = path, len(pdf)
    except BaseException:
        for stale in targets.values():
            unlink_nofollow(stale)
        raise
    for fmt, stale in targets.items():  # a format not asked for this time: not this card
        if fmt not in formats:
            unlink_nofollow(stale)
    unlink_nofollow(folder / "failed" / f"{name}.ipynb")
    result.seconds = time.perf_counter() - started
    return result
