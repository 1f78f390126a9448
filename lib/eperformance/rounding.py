"""The rounding rules: every half-away-from-zero rounding of the package lives here.

**Figures** (domain.md §2): a figure is rounded only where it is shown or written, and
where a band or threshold is applied to it: first to 10 decimals, then to 2 decimals, half
away from zero at both steps (so ``76.00000000000001`` is 76.00 and ``89.995`` is 90.00);
``-0.00`` is written ``0.00``. The arithmetic is done in :class:`decimal.Decimal` on the
exact value of the float (:func:`round_half_away`, :func:`round_opt`, :func:`round_many`,
:func:`round_array`, :func:`fmt2`).

**Exact amounts** (tukin.md): the tunjangan kinerja is computed in
:class:`fractions.Fraction`; its amounts are rounded half up to a multiple of a step
(:func:`round_half_up`, non-negative amounts) and its percents written with 2 decimals
half away from zero (:func:`fmt_percent`), with no 10-decimal first step: a fraction is
exact.

A base module: the scoring, the analysis, the card and the writers all use it; it loads
nothing but the standard library (batch workers write figures through it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_PRE = Decimal(1).scaleb(-10)  # 1E-10: the first step
# Enough digits for any finite float with 10 decimals (the default context has only 28).
_CTX = Context(prec=400, rounding=ROUND_HALF_UP)


def _quantize(x: float, ndigits: int) -> Decimal:
    step = Decimal(1).scaleb(-ndigits)
    # ROUND_HALF_UP of the decimal module rounds half away from zero.
    d = Decimal(x).quantize(_PRE, ROUND_HALF_UP, _CTX).quantize(step, ROUND_HALF_UP, _CTX)
    return d.copy_abs() if d.is_zero() else d


def round_half_away(x: float, ndigits: int = 2) -> float:
    """Round ``x`` by the rule (10 decimals, then ``ndigits``, half away from zero).

    ``-0.0`` and any negative value rounding to zero come back as ``0.0``. ``ndigits`` must
    be between 0 and 10. NaN and infinities are returned unchanged.
    """
    if not 0 <= ndigits <= 10:
        raise ValueError("ndigits must be between 0 and 10")
    if not math.isfinite(x):
        return x
    value = float(_quantize(x, ndigits))
    return 0.0 if value == 0 else value


def round_opt(x: float | None, ndigits: int = 2) -> float | None:
    """:func:`round_half_away`, passing ``None`` (and NaN) through as ``None``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round_half_away(float(x), ndigits)


def round_many(values: Iterable[float | None], ndigits: int = 2) -> list[float | None]:
    """:func:`round_opt` over an iterable (a pandas Series, a numpy array, a list)."""
    return [round_opt(v, ndigits) for v in values]


def fmt2(x: float | None) -> str:
    """A figure as written: exactly 2 decimals (``"85.50"``), ``""`` for a missing one."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    d = _quantize(float(x), 2)
    return f"{d:.2f}"


def round_array(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """:func:`round_half_away` (2 decimals) over an array (a pandas Series too), NaN kept;
    each distinct value is rounded once."""
    import numpy as np  # lazy: batch workers import this module for fmt2 without numpy

    arr = np.asarray(values, dtype=float)
    out = np.full(arr.shape, np.nan)
    ok = ~np.isnan(arr)
    if ok.any():
        uniq, inverse = np.unique(arr[ok], return_inverse=True)
        rounded = np.array([round_half_away(float(u)) for u in uniq])
        out[ok] = rounded[inverse]
    return out


def round_half_up(x: Fraction, step: int = 1) -> int:
    """``x`` (non-negative) rounded half up to a multiple of ``step``."""
    return math.floor(x / step + Fraction(1, 2)) * step


def fmt_percent(x: Fraction | None) -> str:
    """A percent with 2 decimals, half away from zero; blank when missing."""
    if x is None:
        return ""
    sign = "-" if x < 0 else ""
    cents = math.floor(abs(x) * 100 + Fraction(1, 2))
    if cents == 0:
        sign = ""
    return f"{sign}{cents // 100}.{cents % 100:02d}"
