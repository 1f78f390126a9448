"""The per-card journal of a run and its manifest.

Each finished card appends one JSON line to ``journal.jsonl`` (flushed and fsynced), so a
run killed at any moment knows which cards are whole: a card counts as done when its last
journal line says ``ok`` and every file it names still has the recorded checksum. The
manifest (``manifest.json``) is written atomically from the journal at the end of a run.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class CardOutcome:
    """What happened to one card job."""

    nip: str
    status: str  # ok | failed
    fingerprint: str = ""
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    seconds: float = 0.0
    predikat: str | None = None
    error: dict[str, Any] | None = None  # {cell, ename, evalue}
    attempt: int = 1
    pdf_renderer: str = ""  # what printed the PDF ("chromium 156.0…", "weasyprint 70.0")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Journal:
    """Append-only record of finished card jobs."""

    def __init__(self, run_folder: Path) -> None:
        self.folder = run_folder
        self.path = run_folder / "journal.jsonl"

    def append(self, outcome: CardOutcome) -> None:
        line = json.dumps(asdict(outcome), sort_keys=True, ensure_ascii=False) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def read(self) -> dict[str, CardOutcome]:
        """The last outcome of each card (a torn last line from a crash is ignored)."""
        out: dict[str, CardOutcome] = {}
        if not self.path.exists():
            return out
        for raw in self.path.read_text(encoding="utf-8").splitlines():
            try:
                data = json.loads(raw)
            except ValueError:
                continue
            out[data["nip"]] = CardOutcome(**data)
        return out

    def whole(self, outcome: CardOutcome) -> bool:
        """Every file of an ``ok`` outcome exists with its recorded checksum."""
        if outcome.status != "ok":
            return False
        for rel, digest in outcome.files.items():
            path = self.folder / rel
            if not path.is_file() or sha256_file(path) != digest:
                return False
        return True
