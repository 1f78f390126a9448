"""The explorer: an ipywidgets application over a period's scores (``notebooks/30-explorer.ipynb``,
``eperf app`` with Voilà).

* :mod:`.data` — :class:`ExplorerData`: the database, the unit tree and the cache of
  scored periods; :func:`~.data.select_frames` slices them per selection.
* :mod:`.views` — the views as HTML text (tables, the predikat chart, the card page/PDF).
* :mod:`.app` — :class:`Explorer`, the widgets and their wiring; :func:`explorer_app`, the
  notebook's one call.
* :mod:`.serve` and :mod:`.voila_app` — ``eperf app``: the Voilà server with its token,
  host allowlist and kernel limits.

The names below are imported on first use, so the Voilà server (which runs
``eperformance.explorer.voila_app``) does not load the widgets, pandas and matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import Explorer, explorer_app
    from .data import ALL, ExplorerData, Filters, PeriodData, PeriodKey, Selection

_WHERE = {"Explorer": "app", "explorer_app": "app", "ALL": "data", "ExplorerData": "data",
          "Filters": "data", "PeriodData": "data", "PeriodKey": "data", "Selection": "data"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["ALL", "Explorer", "ExplorerData", "Filters", "PeriodData", "PeriodKey",
           "Selection", "explorer_app"]
