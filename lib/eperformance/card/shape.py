"""What shapes a card besides its data: the files whose change must re-render it.

A card's fingerprint (:func:`.record.card_fingerprint`) hashes what the card shows and
:func:`card_shape_digest`: the card notebook, the card template, its CSS, the nbconvert
template around it, and the code that turns a record into the page (the fragment renderer,
the charts, the labels). Editing any of them makes every card stale, so the next batch
re-renders them without ``--force``; the settings that change a card are part of the
record itself (``settings_digest``, the scheme's settings).

The files are named by path only: the card package imports nothing from the renderer.
The digest is cached per file by (modification time, size), so a warm kernel or a batch
of 10,000 cards stats the files instead of reading them for every card.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..errors import UsageError
from ..home import CARD_NOTEBOOK, notebook_path

_HERE = Path(__file__).resolve().parent
_PACKAGE = _HERE.parent

# the package's own files that shape a card (relative to the package)
SHAPE_FILES: tuple[str, ...] = (
    "render/templates/card.html.j2",
    "render/templates/annual.html.j2",
    "render/templates/_card_parts.html.j2",
    "render/templates/_card_behaviour.html.j2",
    "render/templates/_card_signoff.html.j2",
    "render/static/card.css",
    "render/static/annual.css",
    "render/nbconvert/eperf-rapor/conf.json",
    "render/nbconvert/eperf-rapor/index.html.j2",
    "render/__init__.py",
    "render/charts.py",
    "i18n.py",
)

_cache: dict[Path, tuple[tuple[int, int], str]] = {}


def _file_digest(path: Path) -> str:
    """SHA-256 of one file's bytes ("missing" when it does not exist)."""
    try:
        st = os.stat(path)
    except OSError:
        return "missing"
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    _cache[path] = (stamp, digest)
    return digest


def shape_files() -> list[tuple[str, Path]]:
    """(label, path) of every file that shapes a card, the card notebook first."""
    try:
        notebook = notebook_path(CARD_NOTEBOOK)
    except UsageError:  # a card built outside a checkout (no notebook to run it)
        notebook = Path(os.devnull) / CARD_NOTEBOOK
    files = [("notebook", notebook)]
    files += [(rel, _PACKAGE / rel) for rel in SHAPE_FILES]
    return files


def card_shape_digest() -> str:
    """SHA-256 over the digests of :func:`shape_files` (labels included)."""
    h = hashlib.sha256()
    for label, path in shape_files():
        h.update(f"{label}\0{_file_digest(path)}\n".encode())
    return h.hexdigest()
