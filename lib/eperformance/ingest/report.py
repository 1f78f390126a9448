"""What an import did: per-table counts, warnings, rejected rows, and the rejects file."""

from __future__ import annotations

import csv
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EXIT_OK, EXIT_PARTIAL
from ..export import spreadsheet_safe

REJECTS_COLUMNS = ("file", "line", "key", "reason", "values")


@dataclass
class TableCounts:
    """Reconciliation of one table: read = inserted + updated + unchanged + rejected."""

    table: str
    file: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    @property
    def balanced(self) -> bool:
        return self.read == self.inserted + self.updated + self.unchanged + self.rejected


@dataclass
class Reject:
    """One rejected row, as written to the rejects file."""

    file: str
    line: int
    key: str
    reason: str
    values: dict[str, str]

    def as_row(self) -> list[str]:
        # a NUL byte is written as \x00 (the values' JSON escapes it as \u0000); the key
        # comes from the file (typed by anyone): a formula-like key gets a leading ' so a
        # spreadsheet opening rejects.csv shows it as text (docs/outputs.md)
        return [spreadsheet_safe(self.file), str(self.line),
                spreadsheet_safe(_visible(self.key)), _visible(self.reason),
                json.dumps(self.values, ensure_ascii=False)]


def _visible(text: str) -> str:
    return text.replace("\x00", "\\x00")


@dataclass
class ImportReport:
    """The outcome of ``run_ingest``."""

    source: Path
    import_id: str
    tables: list[TableCounts] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    rejects_path: Path | None = None
    checked_only: bool = False  # ``--check``: validated and reported, nothing loaded
    # the months whose scoring input this import wrote (their cached copy is dropped)
    months_changed: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 everything loaded; 3 some rows rejected, the rest loaded."""
        return EXIT_PARTIAL if self.rejects else EXIT_OK

    @property
    def total(self) -> TableCounts:
        t = TableCounts("total", "")
        for r in self.tables:
            t.read += r.read
            t.inserted += r.inserted
            t.updated += r.updated
            t.unchanged += r.unchanged
            t.rejected += r.rejected
        return t

    def counts(self, table: str) -> TableCounts:
        for t in self.tables:
            if t.table == table:
                return t
        raise KeyError(table)

    def table(self) -> str:
        """A printable reconciliation table, one line per table and a total."""
        heads = ("table", "file", "read", "inserted", "updated", "unchanged", "rejected")
        body = [
            (t.table, t.file, *(f"{x:,}" for x in
                                (t.read, t.inserted, t.updated, t.unchanged, t.rejected)))
            for t in [*self.tables, self.total]
        ]
        widths = [max(len(h), *(len(r[j]) for r in body)) for j, h in enumerate(heads)]

        def fmt(row: tuple[str, ...]) -> str:
            return "  ".join(
                cell.ljust(w) if j < 2 else cell.rjust(w)
                for j, (cell, w) in enumerate(zip(row, widths, strict=False))
            ).rstrip()

        rule = "  ".join("-" * w for w in widths)
        return "\n".join([fmt(heads), rule, *map(fmt, body[:-1]), rule, fmt(body[-1])])

    def summary_line(self) -> str:
        t = self.total
        text = (f"{t.read:,} rows read: {t.inserted:,} inserted, {t.updated:,} updated, "
                f"{t.unchanged:,} unchanged, {t.rejected:,} rejected")
        if self.rejects_path is not None:
            text += f" (see {self.rejects_path})"
        if self.checked_only:
            text += "\ncheck only: nothing was loaded (the counts are what an import would do)"
        return text


def write_rejects(path: Path, rejects: list[Reject]) -> None:
    """Write the rejects file atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(REJECTS_COLUMNS)
            w.writerows(r.as_row() for r in rejects)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
