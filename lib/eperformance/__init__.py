"""e-Performance Workbook: scores and personal report cards for civil servants."""

import gc
import os
import sys
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("eperformance-workbook")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"


def _skip_slow_optional_imports() -> None:
    """jsonschema imports the optional package rfc3987-syntax when it is installed
    (Voila's jupyter-events brings it), and that package builds an Earley parser at
    import: ~2.5 s and ~26 MB in every process that loads nbformat (each ``eperf``
    command, each batch worker). Nothing here validates IRI formats, so when jsonschema
    is not loaded yet its import of that package fails at once and jsonschema leaves that
    one format check out. ``EPERF_KEEP_RFC3987=1`` keeps the package."""
    if "jsonschema" not in sys.modules and not os.environ.get("EPERF_KEEP_RFC3987"):
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


_skip_slow_optional_imports()


def kernel_reset(shell: object | None = None, full_collect: bool = True) -> None:
    """Drop what a warm kernel may hold between two cards.

    * ``shell`` (the kernel's IPython shell): its user namespace and output history are
      cleared as ``%reset -f`` does, its input history too (a new history session: the
      parameters of the previous card are gone), but without the two full collections
      ``%reset`` runs: on a kernel holding pandas and SQLAlchemy they cost more than the
      card itself. Only the young generations are collected, and everything when
      ``full_collect`` (the warm kernel asks for it every few dozen cards);
    * pooled database connections (which may hold rows) are closed;
    * figures, if pyplot was ever loaded, are closed.

    Caches of static things (the template, the CSS, public holidays) stay: they hold no
    employee data. The batch's context slice stays for the next card of the same run (see
    :mod:`eperformance.batch.slices`)."""
    if shell is not None:
        collect = gc.collect
        gc.collect = lambda generation=2: 0
        try:
            shell.reset(new_session=True)  # type: ignore[attr-defined]
        finally:
            gc.collect = collect
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
    entry = sys.modules.get("eperformance.notebook_entry")
    dispose = getattr(entry, "dispose_engines", None)
    if callable(dispose):
        dispose()
    gc.collect() if full_collect else gc.collect(1)
