"""e-Performance Workbook: scores and personal report cards for civil servants."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("eperformance-workbook")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"


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
    import gc
    import sys

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
    cards = sys.modules.get("eperformance.cards")
    dispose = getattr(cards, "dispose_engines", None)
    if callable(dispose):
        dispose()
    gc.collect() if full_collect else gc.collect(1)
