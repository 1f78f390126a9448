"""e-Performance Workbook: scores and personal report cards for civil servants."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("eperformance-workbook")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"


def kernel_reset() -> None:
    """Drop what a warm kernel may hold between two cards: pooled database connections
    (which may hold rows) and any cache of data. Caches of static things (the template,
    the CSS, public holidays) stay: they hold no employee data."""
    import sys

    cards = sys.modules.get("eperformance.cards")
    dispose = getattr(cards, "dispose_engines", None)
    if callable(dispose):
        dispose()
