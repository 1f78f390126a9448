"""An executed notebook to a page, a page to a PDF: what a batch worker does with a card.

Kept apart from :mod:`eperformance.render` (which builds the card fragment in the kernel
with the data libraries) so that a batch worker process loads nbconvert and the PDF
printer only, not pandas or SQLAlchemy: a worker's memory stays small however many run.

* :func:`notebook_html` — an executed notebook to a self-contained page through nbconvert's
  ``HTMLExporter`` with our template ``eperf-rapor`` and no input cells (the command line
  equivalent: ``jupyter nbconvert --to html --no-input --template eperf-rapor``);
* :func:`html_to_pdf` — an A4 PDF from that page with WeasyPrint; no browser, and no
  request to any host (every URL fetch is refused). The fallback printer of
  :mod:`eperformance.pdf`, which prints with a warm headless Chromium when one is installed;
* :func:`card_meta` — the ``eperf`` metadata of the card output of an executed notebook.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import nbformat

TEMPLATE_NAME = "eperf-rapor"
NBCONVERT_DIR = Path(__file__).resolve().parent / "render" / "nbconvert"


@lru_cache(maxsize=1)
def html_exporter() -> Any:
    """nbconvert's ``HTMLExporter`` with the template ``eperf-rapor`` and no input (one per
    process: building it loads and compiles the templates)."""
    from nbconvert import HTMLExporter  # lazy: nbconvert is slow to import, built once

    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(NBCONVERT_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def notebook_html(nb: nbformat.NotebookNode) -> str:
    """An executed notebook as one self-contained HTML page (our template, no code)."""
    body, _ = html_exporter().from_notebook_node(nb)
    return str(body)


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"external resource refused: {url[:80]}")


@lru_cache(maxsize=1)
def _no_fetcher() -> Any:
    """A WeasyPrint URL fetcher that refuses every URL. A WeasyPrint with the class takes a
    ``URLFetcher`` (a plain function makes an external stylesheet link raise an
    ``AttributeError`` there instead of being skipped); older ones a function."""
    try:
        from weasyprint.urls import URLFetcher  # lazy: WeasyPrint only when it prints
    except ImportError:  # an older WeasyPrint
        return _refuse_fetch
    return URLFetcher(allowed_protocols=(), fail_on_errors=False)


def html_to_pdf(html: str, *, created: dt.datetime | None = None) -> bytes:
    """An A4 PDF of a card page with WeasyPrint; any URL fetch is refused (the page is
    self-contained; a refused fetch is logged by WeasyPrint and the item left out)."""
    from weasyprint import HTML  # lazy: WeasyPrint (~1 s) only when it prints

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    doc = HTML(string=html, base_url=None, url_fetcher=_no_fetcher())
    return doc.write_pdf()  # type: ignore[no-any-return]


def card_meta(nb: Any) -> dict[str, Any]:
    """The ``eperf`` metadata a card output carries in an executed notebook (predikat,
    fingerprint, provisional ...), or ``{}``."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("eperf")
            if meta and meta.get("kind") == "card":
                return dict(meta)
    return {}
