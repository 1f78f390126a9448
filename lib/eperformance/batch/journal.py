"""The per-card journal of a run and its manifest.

Each finished card appends one JSON line to ``journal.jsonl`` (flushed and fsynced), so a
run killed at any moment knows which cards are whole: a card counts as done when its last
journal line says ``ok`` and every file it names still has the recorded checksum. The
manifest (``manifest.json``) is written atomically from the journal at the end of a run.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..safefs import FILE_MODE, append_nofollow, confined, read_nofollow
from .failure import CardFailure

log = logging.getLogger(__name__)


@dataclass
class CardOutcome:
    """What happened to one card job."""

    nip: str
    status: str  # ok | failed
    fingerprint: str = ""
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    seconds: float = 0.0
    predikat: str | None = None
    error: CardFailure | None = None
    attempt: int = 1
    pdf_renderer: str = ""  # what printed the PDF ("chromium 156.0…", "weasyprint 70.0")
    # the card is marked SEMENTARA (eperf card says so; a batch's manifest says it once
    # for the run): not journalled
    provisional: bool = field(default=False, compare=False)

    def record(self) -> dict[str, Any]:
        """What the journal and the manifest keep of the outcome (plain JSON values)."""
        data = asdict(self)
        data.pop("provisional")
        return data

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> CardOutcome:
        """From a journal line (``TypeError``/``ValueError`` when it is not one of ours)."""
        if not isinstance(data, dict):
            raise TypeError("not a card outcome")
        error = data.get("error")
        return cls(**{**data, "error": None if error is None
                      else CardFailure.from_record(error)})

    @classmethod
    def failed(cls, nip: str, failure: CardFailure, seconds: float = 0.0) -> CardOutcome:
        return cls(nip=nip, status="failed", seconds=seconds, error=failure)


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
        line = json.dumps(outcome.record(), sort_keys=True, ensure_ascii=False) + "\n"
        append_nofollow(self.path, line.encode("utf-8"), FILE_MODE)

    def read(self) -> dict[str, CardOutcome]:
        """The last outcome of each card (a torn last line from a crash is ignored, and so
        is a line that is not one of ours: a file outside the run folder, a bad field)."""
        out: dict[str, CardOutcome] = {}
        raw_bytes = read_nofollow(self.path)
        if raw_bytes is None:
            return out
        for raw in raw_bytes.decode("utf-8", errors="replace").splitlines():
            try:
                data = json.loads(raw)
                outcome = CardOutcome.from_record(data)
                for rel in outcome.files:
                    confined(self.folder, rel)
            except UsageError as exc:
                log.warning("journal %s: a line ignored: %s", self.path, exc)
                continue
            except (ValueError, TypeError):
                continue
            out[outcome.nip] = outcome
        return out

    def path_of(self, rel: str) -> Path:
        """The file a journal line names, inside the run folder (``UnsafePath`` else)."""
        return confined(self.folder, rel)

    def whole(self, outcome: CardOutcome) -> bool:
        """Every file of an ``ok`` outcome exists, as a plain file inside the run folder,
        with its recorded checksum."""
        if outcome.status != "ok":
            return False
        for rel, digest in outcome.files.items():
            try:
                path = self.path_of(rel)
            except UsageError:
                return False
            if path.is_symlink() or not path.is_file() or sha256_file(path) != digest:
                return False
        return True
