"""Tunjangan kinerja: the month's performance allowance and its attendance ledger
(tukin.md).

* :mod:`.ledger` — the attendance ledger (pure);
* :mod:`.amount` — the allowance per employee (pure, exact arithmetic);
* :mod:`.run` — :func:`compute_tukin`, the one call from the database.
"""

from __future__ import annotations

from .amount import (
    NO_APPROVED,
    NO_ATTENDANCE,
    NO_CLASS,
    TUKIN_COLUMNS,
    KinerjaInput,
    TukinRow,
    compute_amounts,
    fmt_percent,
    ledger_frame,
    tukin_frame,
)
from .ledger import LEDGER_COLUMNS, Ledger, build_ledger
from .run import PREDIKAT_LABELS, TukinRequest, TukinRun, compute_tukin, profile_stamp

__all__ = [
    "LEDGER_COLUMNS", "NO_APPROVED", "NO_ATTENDANCE", "NO_CLASS", "PREDIKAT_LABELS",
    "TUKIN_COLUMNS", "KinerjaInput", "Ledger", "TukinRequest", "TukinRow", "TukinRun",
    "build_ledger", "compute_amounts", "compute_tukin", "fmt_percent", "ledger_frame",
    "profile_stamp", "tukin_frame",
]
