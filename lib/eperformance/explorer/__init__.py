"""The explorer: an ipywidgets application over a period's scores (``notebooks/30-explorer.ipynb``,
``eperf app`` with Voilà).

* :mod:`.data` — :class:`ExplorerData`: the database, the unit tree and the cache of
  scored periods; :func:`~.data.select_frames` slices them per selection.
* :mod:`.views` — the views as HTML text (tables, the predikat chart, the card page/PDF).
* :mod:`.app` — :class:`Explorer`, the widgets and their wiring; :func:`explorer_app`, the
  notebook's one call.
"""

from __future__ import annotations

from .app import Explorer, explorer_app
from .data import ALL, ExplorerData, Filters, PeriodData, PeriodKey, Selection

__all__ = ["ALL", "Explorer", "ExplorerData", "Filters", "PeriodData", "PeriodKey",
           "Selection", "explorer_app"]
