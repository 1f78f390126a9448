"""Writers for the files of the data contract's outputs. Every write is atomic."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import OutputPathError
from .rounding import fmt2

if TYPE_CHECKING:  # pandas is imported where a frame is written: a batch worker, which
    import pandas as pd  # only writes files, does not load it


NUMBER_COLUMNS_SCORES = ("nilai_skp", "nilai_perilaku", "nilai_akhir")
NUMBER_COLUMNS_ASSIGNMENTS = ("ro", "to", "rk", "tk", "rw", "tw", "rb", "tb", "capaian",
                              "kuantitas", "kualitas", "waktu", "biaya", "nilai")


MAX_NAME_BYTES = 255  # a file name on Linux (and most file systems)


def _cannot_write(path: Path, why: str) -> OutputPathError:
    return OutputPathError(f"cannot write {path}: {why}",
                           hint="choose a file name of at most 255 bytes in a folder you "
                                "can write to")


def check_output_path(path: Path, *, folder: bool = False) -> Path:
    """Fail early, with one line, for an output path that cannot be written: a name too
    long, a parent that is a file, a folder that cannot be written. ``folder``: ``path``
    is a folder to create (or an existing folder), not a file. Nothing is created."""
    path = Path(path)
    if len(path.name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
        raise _cannot_write(path, f"the name is {len(path.name.encode())} bytes long "
                                  f"(at most {MAX_NAME_BYTES})")
    if path.exists() and folder and not path.is_dir():
        raise _cannot_write(path, "it exists and is not a folder")
    if path.is_dir() and not folder:
        raise _cannot_write(path, "it is a folder")
    ancestor = path.parent
    while not ancestor.exists():
        if len(ancestor.name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
            raise _cannot_write(path, f"the folder name {ancestor.name[:40]}… is too long")
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise _cannot_write(path, f"{ancestor} is not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise _cannot_write(path, f"the folder {ancestor} is not writable")
    return path


def atomic_write_bytes(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and rename;
    a path that cannot be written is :class:`OutputPathError` (one line, exit 2)."""
    try:
        _atomic_write(path, data, mode)
    except OSError as exc:
        raise _cannot_write(path, exc.strerror or type(exc).__name__) from None


def _atomic_write(path: Path, data: bytes, mode: int | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, mode: int | None = None) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def formatted(frame: pd.DataFrame, number_columns: Iterable[str]) -> pd.DataFrame:
    """Numbers with exactly 2 decimals by the rounding rule; blanks for missing values."""
    import pandas as pd  # lazy: batch workers write files through this module, pandas-free

    out = frame.copy()
    for col in number_columns:
        if col in out:
            out[col] = [fmt2(None if pd.isna(v) else float(v)) for v in out[col]]
    return out.astype(object).where(out.notna(), "")


# A cell a spreadsheet would evaluate as a formula (OWASP, "CSV Injection"): text that
# begins with = + - @, a tab or a carriage return (also their full-width forms, which some
# spreadsheets normalise). Such text gets a leading apostrophe: the spreadsheet shows it
# as text and the apostrophe is not displayed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d",
                  "\uff20")


def spreadsheet_safe(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would evaluate; any
    other value unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralised(frame: pd.DataFrame, keep: Iterable[str] = ()) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are :func:`spreadsheet_safe` (the columns in
    ``keep`` -- numbers written by us, such as ``-0.50`` -- are left as they are)."""
    import pandas as pd  # lazy: batch workers write files through this module, pandas-free

    out = frame.copy()
    kept = set(keep)
    for col in out.columns:
        if col not in kept and (pd.api.types.is_object_dtype(out[col])
                                or pd.api.types.is_string_dtype(out[col])):
            out[col] = pd.Series([spreadsheet_safe(v) for v in out[col]], index=out.index,
                                 dtype=object)
    return out


def csv_text(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def write_csv(path: Path, frame: pd.DataFrame, number_columns: Iterable[str] = (), *,
              for_people: bool = False) -> None:
    """Write ``frame`` as CSV, numbers with 2 decimals. ``for_people``: a file meant to be
    opened in a spreadsheet, whose free text (typed by employees and supervisors) is
    neutralised (:func:`neutralised`); the machine-contract files (scores, assignments)
    carry no free text and are written as they are."""
    number_columns = tuple(number_columns)
    out = formatted(frame, number_columns)
    if for_people:
        out = neutralised(out, number_columns)
    atomic_write_text(path, csv_text(out))


def write_json(path: Path, payload: Any, mode: int | None = None) -> None:
    atomic_write_text(path, json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True)
                      + "\n", mode)
