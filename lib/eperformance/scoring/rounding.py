"""The rounding rule of domain.md §2.

A figure is rounded only where it is shown or written, and where a band or threshold is
applied to it: first to 10 decimals, then to 2 decimals, half away from zero at both steps
(so ``76.00000000000001`` is 76.00 and ``89.995`` is 90.00); ``-0.00`` is written ``0.00``.
The arithmetic is done in :class:`decimal.Decimal` on the exact value of the float.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal

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
