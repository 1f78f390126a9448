"""A card (or recap) that failed, as one typed record: :class:`CardFailure`.

Built in one place, :meth:`CardFailure.of`, from whatever ended the card: papermill's
execution error (it names the cell), a failing cell of a warm kernel (the executed
notebook's error output names it), or any other exception (a dead kernel, a worker that
died, a rendering error). The journal and the manifest keep it as
``{"cell", "ename", "evalue"}``; ``eperf card`` raises it back as our own error
(:meth:`CardFailure.error`), with the exit code of its class.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import errors

MAX_MESSAGE = 2000  # characters of an error message kept in the journal and the manifest


@dataclass(frozen=True)
class CardFailure:
    """Why a card failed: the failing cell (``None``: not a cell), the error's class name
    and its message (at most :data:`MAX_MESSAGE` characters)."""

    cell: int | None
    ename: str
    evalue: str

    @classmethod
    def of(cls, exc: BaseException, nb: Any = None) -> CardFailure:
        """The failure ``exc`` says, or the first error output of the executed notebook
        ``nb`` (when given: a warm kernel's failing cell), else ``exc`` itself."""
        cell = getattr(exc, "cell_index", None)
        ename = getattr(exc, "ename", None)
        if isinstance(cell, int) and isinstance(ename, str):  # PapermillExecutionError
            return cls.make(cell, ename, getattr(exc, "evalue", ""))
        if nb is not None:
            for index, nb_cell in enumerate(nb.cells):
                for out in nb_cell.get("outputs", []):
                    if out.get("output_type") == "error":
                        return cls.make(index, out.get("ename"), out.get("evalue"))
        return cls.make(None, type(exc).__name__, str(exc))

    @classmethod
    def make(cls, cell: int | None, ename: Any, evalue: Any) -> CardFailure:
        return cls(cell=cell, ename=str(ename), evalue=str(evalue or "")[:MAX_MESSAGE])

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> CardFailure:
        """From a journal line's or the manifest's ``error`` (``ValueError`` when it is not
        one of ours)."""
        if not isinstance(data, Mapping):
            raise ValueError("not a card failure")
        cell = data.get("cell")
        if cell is not None and (isinstance(cell, bool) or not isinstance(cell, int)):
            raise ValueError("not a card failure")
        return cls.make(cell, data.get("ename"), data.get("evalue"))

    def error(self, kept: Path | None = None) -> Exception:
        """The failure as our own error (same class, same exit code) when the kernel raised
        one of ours, else a ``RuntimeError`` (a bug); ``kept``: the executed notebook."""
        cls = getattr(errors, self.ename, None)
        if isinstance(cls, type) and issubclass(cls, errors.EperfError):
            return cls(self.evalue, hint=f"the executed notebook is kept at {kept}"
                       if kept else None)
        return RuntimeError(f"the card notebook failed with {self.ename}: {self.evalue}"
                            + (f" (executed notebook kept at {kept})" if kept else ""))
