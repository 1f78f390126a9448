"""e-Performance Workbook: scores and personal report cards for civil servants."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("eperformance-workbook")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"
