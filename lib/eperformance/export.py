"""Writers for the files of the data contract's outputs. Every write is atomic."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported where a frame is written: a batch worker, which
    import pandas as pd  # only writes files, does not load it


NUMBER_COLUMNS_SCORES = ("nilai_skp", "nilai_perilaku", "nilai_akhir")
NUMBER_COLUMNS_ASSIGNMENTS = ("ro", "to", "rk", "tk", "rw", "tw", "rb", "tb", "capaian",
                              "kuantitas", "kualitas", "waktu", "biaya", "nilai")


def atomic_write_bytes(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
    import pandas as pd

    from .scoring.rounding import fmt2

    out = frame.copy()
    for col in number_columns:
        if col in out:
            out[col] = [fmt2(None if pd.isna(v) else float(v)) for v in out[col]]
    return out.astype(object).where(out.notna(), "")


def csv_text(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def write_csv(path: Path, frame: pd.DataFrame, number_columns: Iterable[str] = ()) -> None:
    atomic_write_text(path, csv_text(formatted(frame, number_columns)))


def write_json(path: Path, payload: Any) -> None:
    atomic_write_text(path, json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True)
                      + "\n")
