"""Parse one column of text into canonical values (data-contract.md, "Values").

Each parser takes a stripped, non-blank text and returns ``(value, problem)``: the
canonical value, or ``None`` and a problem in plain words (the reason is written as
``<column> '<value>' <problem>``). Columns are parsed once per distinct value, so a month
of entries with few distinct dates, times or numbers costs little.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from .. import contract as c
from .. import reference as ref
from ..nip import nip_problem, normalize_nip
from ..periods import Period, PeriodError

JAKARTA = ZoneInfo("Asia/Jakarta")
Parsed = tuple[Any, str | None]

_CODE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_EXPONENT = re.compile(r"[+-]?(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+)[eE][+-]?[0-9]+")
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]+,[0-9]+")
_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:([,. '\u00a0\u202f])[0-9]{3})(?:\1[0-9]{3})*"
                        r"(?:[.,][0-9]+)?")
_NOT_A_NUMBER = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity",
                 "-infinity"}
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TIME = re.compile(r"([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?")
_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,][0-9]+)?)?"
    r"(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)
_NIP18 = re.compile(r"[0-9]{18}")

_BOOLS = {"true": True, "1": True, "ya": True, "false": False, "0": False, "tidak": False}
_GRADES = {g.lower(): g for g in ref.ALL_GRADES}


def show(value: str, limit: int = 40) -> str:
    """A value quoted for a reason, shortened when long (a NUL shown as ``\\x00``)."""
    text = value if len(value) <= limit else value[: limit - 1] + "…"
    text = text.replace("\x00", "\\x00")
    return f"'{text}'"


def parser_for(spec: c.TableSpec, col: c.Column) -> Callable[[str], Parsed]:
    """The parser of ``col``'s kind (with its choices and range)."""
    kind = col.kind
    if kind == "code":
        reserved = spec.name == "units" and col.name == "unit_code"
        return lambda s: _code(s, reserved)
    if kind == "nip":
        return _nip_reference
    if kind == "text":
        return _text
    if kind == "enum":
        choices = {ch.lower(): ch for ch in col.choices}
        listed = ", ".join(col.choices)
        return lambda s: _lookup(s, choices, f"is not one of {listed}")
    if kind == "bool":
        return lambda s: _lookup(s, _BOOLS, "is not a boolean (true/false, 1/0, ya/tidak)")
    if kind == "grade":
        return lambda s: _lookup(
            s, _GRADES, "is not a grade (a PNS grade I/a … IV/e or a PPPK grade I … XVII)"
        )
    if kind == "date":
        return parse_date
    if kind == "time":
        return parse_time
    if kind == "timestamp":
        return parse_timestamp
    if kind == "period":
        return parse_any_period if col.long_periods else parse_period
    if kind == "number":
        return lambda s: parse_number(s, col)
    raise ValueError(f"unknown column kind {kind!r}")


def parse_column(
    spec: c.TableSpec, col: c.Column, raw: np.ndarray | None, n: int
) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Parse a whole column: canonical values (``None`` when blank) and ``(row, reason)``s.

    ``raw`` is ``None`` when the column is absent (every value blank). A blank value takes
    the column's default; a blank required value is a problem.
    """
    out = np.empty(n, dtype=object)
    problems: list[tuple[int, str]] = []
    if raw is None:
        out[:] = [col.default] * n if n else []
        if col.required:
            problems = [(i, f"{col.name} is missing") for i in range(n)]
        return out, problems
    parse = parser_for(spec, col)
    codes, uniques = pd.factorize(np.asarray(raw, dtype=object), use_na_sentinel=False)
    values = np.empty(len(uniques), dtype=object)
    problem = np.full(len(uniques), None, dtype=object)
    nip = col.kind == "nip"
    keep = not col.strip
    for j, value in enumerate(uniques):
        text = normalize_nip(value) if nip else value.strip()
        if not text:
            values[j] = col.default
            if col.required:
                problem[j] = f"{col.name} is blank"
            continue
        got, why = parse(value if keep else text)
        if why is None:
            values[j] = got
        else:
            problem[j] = f"{col.name} {show(text)} {why}"
    out = values[codes] if n else out
    flagged = np.fromiter((x is not None for x in problem), dtype=bool, count=len(problem))
    bad = np.flatnonzero(flagged[codes]) if n else np.zeros(0, dtype=np.int64)
    problems = [(int(i), problem[codes[i]]) for i in bad]
    return out, problems


# --------------------------------------------------------------------------- kinds


def _code(s: str, reserved: bool) -> Parsed:
    """A key or code: 1-64 ASCII letters, digits, '.', '_', '-' (never '/', '\\', NUL);
    a unit code (``reserved``) names an output folder, so it may be neither a reserved
    folder name nor dots only."""
    if len(s) > 64:
        return None, f"is {len(s)} characters long; a code has at most 64"
    if not _CODE.fullmatch(s):
        return None, "is not a valid code: use only letters, digits, '.', '_' and '-'"
    if reserved and s in ref.RESERVED_UNIT_CODES:
        return None, "is reserved: a unit code may not be all, single or latest"
    if reserved and not s.strip("."):
        return None, "is not a valid unit code: a unit code may not consist of dots only"
    return s, None


def _nip_reference(s: str) -> Parsed:
    """A NIP that points at an employee: spaces removed, 18 digits (the key is checked
    in full where it is the employees key)."""
    if _NIP18.fullmatch(s):
        return s, None
    problem = nip_problem(s) or "is not an 18-digit NIP"
    return None, _strip_nip_prefix(problem, s)


def _strip_nip_prefix(problem: str, s: str) -> str:
    """``nip_problem`` says "NIP '...' ..."; the reason already shows the value."""
    for prefix in (f"NIP {s!r} ", "NIP "):
        if problem.startswith(prefix):
            return problem[len(prefix):]
    return problem


def nip_key_problem(s: str, employment: str) -> str | None:
    """Full NIP validation for the employees key, in the words of ``nip_problem``."""
    return nip_problem(s, employment)


def _text(s: str) -> Parsed:
    if "\x00" in s:  # PostgreSQL refuses it; SQLite and MariaDB would store it silently
        return None, "contains a NUL character (\\x00)"
    if len(s) > c.MAX_TEXT:
        return None, f"is {len(s):,} characters long; the limit is {c.MAX_TEXT:,}"
    return s, None


def _lookup(s: str, table: dict[str, Any], problem: str) -> Parsed:
    got = table.get(s.lower())
    if got is None:
        return None, problem
    return got, None


def parse_date(s: str) -> Parsed:
    m = _DATE.fullmatch(s)
    if not m:
        return None, "is not a date (YYYY-MM-DD)"
    try:
        return date(int(m[1]), int(m[2]), int(m[3])), None
    except ValueError:
        return None, "is not a real date"


def parse_time(s: str) -> Parsed:
    m = _TIME.fullmatch(s)
    if not m:
        return None, "is not a time (HH:MM or HH:MM:SS)"
    h, mi, se = int(m[1]), int(m[2]), int(m[3] or 0)
    if h > 23 or mi > 59 or se > 59:
        return None, "is not a real time of day"
    return time(h, mi, se), None


def parse_period(s: str) -> Parsed:
    """A month ``YYYY-MM`` (every table but ``unit_results``); a quarter, a semester or a
    year is refused with a word on where it is accepted."""
    try:
        p = Period.parse(s)
    except PeriodError:
        return None, "is not a period (YYYY-MM)"
    if not p.is_month:
        return None, ("is not a period (YYYY-MM): a quarter, semester or year is accepted "
                      "in unit_results only")
    return p.code, None


def parse_any_period(s: str) -> Parsed:
    """A month ``YYYY-MM``, a quarter ``YYYY-Qn``, a semester ``YYYY-Sn`` or a year ``YYYY``
    (domain.md §7); ``q``/``s`` are stored upper case."""
    try:
        return Period.parse(s).code, None
    except PeriodError:
        return None, "is not a period (YYYY-MM, YYYY-Qn, YYYY-Sn or YYYY)"


def period_last_day(period: str) -> date:
    """The last day of a period (of its last month for a longer one)."""
    return Period.parse(period).last_day


def parse_timestamp(s: str) -> Parsed:
    """ISO 8601 → naive UTC, whole seconds (fractions dropped); no offset = Asia/Jakarta."""
    m = _TIMESTAMP.fullmatch(s)
    if not m:
        return None, "is not an ISO 8601 timestamp (YYYY-MM-DDTHH:MM:SS)"
    try:
        local = datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6] or 0))
    except ValueError:
        return None, "is not a real date and time"
    off = m[7]
    if off is None:
        aware = local.replace(tzinfo=JAKARTA)
    elif off == "Z":
        aware = local.replace(tzinfo=UTC)
    else:
        digits = off[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        if hours > 23 or minutes > 59:
            return None, "has an invalid UTC offset"
        delta = timedelta(hours=hours, minutes=minutes)
        aware = local.replace(tzinfo=timezone(delta if off[0] == "+" else -delta))
    try:
        return aware.astimezone(UTC).replace(tzinfo=None), None
    except OverflowError:
        return None, "is out of range"


def jakarta_date(utc_naive: datetime) -> date:
    """The Asia/Jakarta calendar date of a naive UTC timestamp."""
    return utc_naive.replace(tzinfo=UTC).astimezone(JAKARTA).date()


def parse_number(s: str, col: c.Column) -> Parsed:
    if _NUMBER.fullmatch(s):
        value = float(s)
        if col.integer:
            if not value.is_integer():
                return None, "is not a whole number"
            got, why = _in_range(value, col)
            return (None if got is None else int(got)), why
        return _in_range(value, col)
    low = s.lower()
    if low in _NOT_A_NUMBER:
        return None, "is not a number"
    if _EXPONENT.fullmatch(s):
        return None, "is in scientific notation; write the number in plain decimals"
    if _DECIMAL_COMMA.fullmatch(s) and not _THOUSANDS.fullmatch(s):
        return None, "has a decimal comma; use a decimal point (1.5)"
    if _THOUSANDS.fullmatch(s) or _DECIMAL_COMMA.fullmatch(s):
        return None, ("has a thousands separator or a decimal comma; write plain decimals "
                      "(1500 or 1.5)")
    return None, "is not a number in plain decimal notation"


def _fmt(x: float) -> str:
    return f"{x:g}"


def _in_range(value: float, col: c.Column) -> Parsed:
    lo, hi = col.minimum, col.maximum
    below = lo is not None and (value <= lo if col.minimum_exclusive else value < lo)
    above = hi is not None and value > hi
    if not (below or above):
        return value, None
    if lo is not None and hi is not None:
        if col.minimum_exclusive:
            return None, f"must be greater than {_fmt(lo)} and at most {_fmt(hi)}"
        return None, f"must be between {_fmt(lo)} and {_fmt(hi)}"
    if lo is not None:
        if col.minimum_exclusive:
            return None, f"must be greater than {_fmt(lo)}"
        return None, f"must be {_fmt(lo)} or more"
    return None, f"must be at most {_fmt(hi)}"  # type: ignore[arg-type]
